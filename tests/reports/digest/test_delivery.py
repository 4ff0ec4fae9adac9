"""Each user's digest of a month is sent once: claims, takeovers, retries and failures, over real SMTP."""

import datetime

import pytest
from django.utils import timezone

from reports.digest import delivery
from reports.digest.delivery import Outcome, TransientSendError, claim, deliver, deliveries_plan
from reports.digest.services import digest_preference_set
from reports.digest.tasks import deliver_digest_chunk
from reports.models import DigestDelivery, DigestStatus

from .smtp import free_port
from .world import EDITION, build_world, run_job

pytestmark = pytest.mark.django_db
WITH_EMAIL = {"sec_a", "sec_b", "commune_sec", "commune_board", "province_board", "outsider"}


def row_of(user) -> DigestDelivery:
    return DigestDelivery.objects.get(user=user, month=EDITION)


def test_the_job_sends_each_recipient_one_message_and_a_rerun_sends_nothing_more(
    cast, mailbox, django_capture_on_commit_callbacks
):
    build_world(cast)
    result = run_job(django_capture_on_commit_callbacks)
    assert result == {"started": True, "month": "2026-11", "deliveries": 6, "chunks": 1}
    assert sorted(r.to for r in mailbox.received) == sorted(f"{u}@example.vn" for u in WITH_EMAIL)
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DigestStatus.SENT}

    again = run_job(django_capture_on_commit_callbacks)
    assert again["deliveries"] == 0
    assert len(mailbox.received) == 6


def test_the_message_id_is_derived_from_the_row(cast, mailbox, django_capture_on_commit_callbacks):
    build_world(cast)
    run_job(django_capture_on_commit_callbacks)
    row = row_of(cast.sec_a)
    [received] = mailbox.to("sec_a@example.vn")
    assert received.message_id == row.message_id == f"<digest-{row.pk}-202611@partyhub.example.vn>"
    assert row.subject == "PartyHub · Chi bộ thôn A · tháng 11/2026"
    assert (row.email, row.attempts, row.taken_over) == ("sec_a@example.vn", 1, False)


def test_a_row_held_by_a_live_worker_is_left_alone(cast, mailbox):
    build_world(cast)
    [pk, *_] = deliveries_plan(EDITION)
    assert claim(pk, worker="worker-1")
    assert not claim(pk, worker="worker-2")
    assert deliver(pk, worker="worker-2") == Outcome.HELD
    assert mailbox.received == []
    assert DigestDelivery.objects.get(pk=pk).claimed_by == "worker-1"


def test_a_claim_older_than_the_lease_is_taken_over_and_resent_with_the_same_message_id(cast, mailbox):
    build_world(cast)
    pk = deliveries_plan(EDITION)[0]
    assert deliver(pk, worker="first") == Outcome.SENT
    # The server accepted the message, then the worker died before marking the row.
    DigestDelivery.objects.filter(pk=pk).update(
        status=DigestStatus.CLAIMED, claimed_by="first", claimed_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert deliver(pk, worker="second") == Outcome.SENT
    row = DigestDelivery.objects.get(pk=pk)
    assert (row.status, row.taken_over, row.attempts, row.claimed_by) == (DigestStatus.SENT, True, 2, "second")
    first, second = mailbox.received
    assert first.to == second.to and first.message_id == second.message_id == row.message_id


def test_a_claim_younger_than_the_lease_is_not_taken_over(cast, mailbox, settings):
    build_world(cast)
    settings.DIGEST_CLAIM_LEASE_SECONDS = 600
    pk = deliveries_plan(EDITION)[0]
    DigestDelivery.objects.filter(pk=pk).update(
        status=DigestStatus.CLAIMED, claimed_by="alive", claimed_at=timezone.now() - datetime.timedelta(minutes=9)
    )
    assert deliver(pk, worker="other") == Outcome.HELD


def test_a_transient_smtp_error_releases_the_claim_for_a_retry(cast, mailbox):
    build_world(cast)
    mailbox.fail_data["sec_a@example.vn"] = ["451 4.3.0 Try again later"]
    pk = row_pk = deliveries_plan(EDITION)[0]
    assert DigestDelivery.objects.get(pk=row_pk).user == cast.sec_a
    with pytest.raises(TransientSendError):
        deliver(pk, worker="w")
    row = DigestDelivery.objects.get(pk=pk)
    assert (row.status, row.claimed_by) == (DigestStatus.PENDING, "")
    assert "451" in row.error
    assert deliver(pk, worker="w") == Outcome.SENT
    assert len(mailbox.to("sec_a@example.vn")) == 1


@pytest.fixture
def eager_retries():
    """Eagerly, with errors not propagated, Celery runs each retry at once instead of after the backoff."""
    from partyhub.celery import app

    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = saved


def test_the_chunk_task_retries_a_transient_error_and_sends_once(cast, mailbox, eager_retries):
    build_world(cast)
    mailbox.fail_data["sec_a@example.vn"] = ["421 4.7.0 Too busy", "451 4.3.0 Try again later"]
    ids = deliveries_plan(EDITION)
    result = deliver_digest_chunk.apply(args=[ids]).get()
    assert result == {Outcome.SENT: 6}  # sec_a comes first: the retried chunk sent everyone
    assert sorted(r.to for r in mailbox.received) == sorted(f"{u}@example.vn" for u in WITH_EMAIL)
    assert row_of(cast.sec_a).attempts == 3


def test_a_server_that_cannot_be_reached_is_a_transient_error(cast, settings):
    build_world(cast)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    pk = deliveries_plan(EDITION)[0]
    with pytest.raises(TransientSendError):
        delivery.deliver_chunk([pk], worker="w")
    assert DigestDelivery.objects.get(pk=pk).status == DigestStatus.PENDING


def test_a_refused_address_is_a_permanent_failure_recorded_for_the_administrators(cast, mailbox):
    build_world(cast)
    mailbox.refuse_rcpt["sec_b@example.vn"] = "550 5.1.1 No such user"
    counts = delivery.deliver_chunk(deliveries_plan(EDITION), worker="w")
    assert counts == {Outcome.SENT: 5, Outcome.FAILED: 1}
    row = row_of(cast.sec_b)
    assert row.status == DigestStatus.FAILED and "550" in row.error and "No such user" in row.error
    assert len(mailbox.received) == 5
    # A rerun leaves the failure alone: it takes an administrator (and --retry-failed) to try again.
    assert delivery.deliver_chunk(deliveries_plan(EDITION), worker="w") == {}


def test_a_5xx_reply_to_the_message_is_a_permanent_failure(cast, mailbox):
    build_world(cast)
    mailbox.fail_data["sec_a@example.vn"] = ["554 5.6.0 Message rejected"]
    counts = delivery.deliver_chunk(deliveries_plan(EDITION), worker="w")
    assert counts[Outcome.FAILED] == 1
    assert "554" in row_of(cast.sec_a).error


def test_a_recipient_without_an_email_address_is_recorded_not_crashed_on(cast, mailbox):
    build_world(cast)
    cast.sec_b.email = ""
    cast.sec_b.save(update_fields=["email"])
    counts = delivery.deliver_chunk(deliveries_plan(EDITION), worker="w")
    assert counts == {Outcome.SENT: 5, Outcome.FAILED: 1}
    assert row_of(cast.sec_b).error == delivery.NO_EMAIL


def test_someone_who_opts_out_after_the_rows_were_made_is_skipped(cast, mailbox):
    build_world(cast)
    ids = deliveries_plan(EDITION)
    digest_preference_set(user=cast.sec_a, opted_out=True, language="vi")
    counts = delivery.deliver_chunk(ids, worker="w")
    assert counts == {Outcome.SENT: 5, Outcome.SKIPPED: 1}
    assert row_of(cast.sec_a).status == DigestStatus.SKIPPED
    assert mailbox.to("sec_a@example.vn") == []


def test_who_opted_out_gets_no_row_at_all(cast):
    build_world(cast)
    digest_preference_set(user=cast.outsider, opted_out=True, language="vi")
    deliveries_plan(EDITION)
    assert not DigestDelivery.objects.filter(user=cast.outsider).exists()
