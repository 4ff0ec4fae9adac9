"""Notifications (issue 13 item 6): written with the step, emailed once, the weekly reminder, the bell, the
preferences, and nobody told about a candidate outside their subtree."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from recruitment import services
from recruitment.models import Candidate, EmailStatus, Notification, NotificationKind, NotificationPreference
from recruitment.notifications import delivery, weekly
from recruitment.notifications.tasks import send_notification_emails, weekly_deadline_reminder
from recruitment.vocabulary import Stage
from tests.cast import add_recruitment
from tests.reports.digest.smtp import SMTPServer

from .conftest import person_fields
from .journey import walk

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def eager_celery():
    """Run tasks inline even when REDIS_URL is set (as tests/reports/conftest.py does)."""
    from partyhub.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def mailbox(settings, eager_celery):
    """A real SMTP server on 127.0.0.1 (aiosmtpd), Django's SMTP backend pointed at it."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10
        settings.SITE_URL = "https://partyhub.example.vn"
        yield server.mailbox


@pytest.fixture
def voted(cast, pipeline, eager_celery):
    """Candidate A walked to the cell's resolution by sec_a (who recorded its steps)."""
    for user in cast.users().values():
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    candidate = services.candidate_propose(
        cell=cast.cell_a,
        introduced_by="youth_union",
        proposed_on=D(2023, 12, 1),
        person_fields=person_fields(full_name="Quần chúng Một"),
        by=cast.sec_a,
    )
    walk(candidate, to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a, start=D(2026, 9, 1))
    return Candidate.objects.select_related("person", "cell").get(pk=candidate.pk)


def return_dossier(candidate, by):
    return services.committee_return_dossier(candidate=candidate, on=D(2026, 11, 19), reason="Thiếu lý lịch", by=by)


def test_a_returned_dossier_tells_the_cell_secretary_with_its_reason_in_the_step_s_transaction(cast, voted):
    assert Notification.objects.count() == 0
    return_dossier(voted, cast.commune_board)
    [row] = Notification.objects.all()
    assert row.user == cast.sec_a and row.kind == NotificationKind.RETURNED
    assert "Thiếu lý lịch" in row.body and row.candidate_id == voted.pk
    assert row.email_status == EmailStatus.PENDING and row.in_app


def test_the_notification_is_rolled_back_with_a_refused_step(cast, voted):
    with pytest.raises(services.StepRefused):
        services.committee_return_dossier(candidate=voted, on=D(2026, 11, 19), reason=" ", by=cast.commune_board)
    assert Notification.objects.count() == 0


def test_a_decision_tells_the_cell_and_not_the_committee_member_who_recorded_it(cast, voted):
    services.candidate_record_decision(
        candidate=voted,
        number="12-QĐ/ĐU",
        decided_on=D(2026, 11, 18),
        received_on=D(2026, 11, 19),
        by=cast.commune_board,
    )
    assert [(n.user, n.kind) for n in Notification.objects.all()] == [(cast.sec_a, NotificationKind.DECISION)]
    assert "12-QĐ/ĐU" in Notification.objects.get().body


def test_a_verification_reply_tells_the_cell_secretary_once(cast, frozen_today):
    recruitment = add_recruitment(cast)
    request = recruitment.verification_a
    services.verification_request_record_reply(
        request=request, replied_on=D(2024, 3, 20), reply="Tốt", by=cast.commune_board
    )
    services.verification_request_record_reply(
        request=request, replied_on=D(2024, 3, 21), reply="Tốt.", by=cast.commune_board
    )
    assert [(n.user, n.kind) for n in Notification.objects.all()] == [(cast.sec_a, NotificationKind.VERIFICATION)]


def test_nobody_outside_the_candidate_s_subtree_is_told_even_if_they_once_recorded_a_step(cast, voted):
    from recruitment.models import StageEntry

    StageEntry.objects.filter(candidate=voted).update(created_by=cast.outsider)  # a secretary of cell C
    return_dossier(voted, cast.commune_board)
    users = {n.user for n in Notification.objects.all()}
    assert cast.outsider not in users and users == {cast.sec_a}


def test_the_send_task_run_twice_sends_one_email(cast, voted, mailbox):
    return_dossier(voted, cast.commune_board)
    send_notification_emails.apply()
    send_notification_emails.apply()
    [message] = mailbox.received
    assert message.to == "sec_a@example.vn"
    assert "Thiếu lý lịch" in message.text
    assert f"https://partyhub.example.vn/quan-chung/{voted.pk}/" in message.text
    assert Notification.objects.get().email_status == EmailStatus.SENT


def test_the_step_queues_the_email_after_its_commit(cast, voted, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return_dossier(voted, cast.commune_board)
    assert [m.to for m in mailbox.received] == ["sec_a@example.vn"]
    send_notification_emails.apply()  # the beat's sweep afterwards finds nothing left
    assert len(mailbox.received) == 1


def test_a_worker_killed_after_its_claim_is_taken_over_after_the_lease_and_sends_once(cast, voted, mailbox, settings):
    return_dossier(voted, cast.commune_board)
    row = Notification.objects.get()
    assert delivery.claim_many([row.pk], worker="dead-worker") == [row.pk]  # ... and the worker dies here
    send_notification_emails.apply()  # within the lease: the row belongs to the (maybe) live worker
    assert mailbox.received == []
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=settings.DIGEST_CLAIM_LEASE_SECONDS + 5)
    with time_machine.travel(later, tick=False):
        send_notification_emails.apply()
        send_notification_emails.apply()
    assert len(mailbox.received) == 1
    row.refresh_from_db()
    assert row.email_status == EmailStatus.SENT and row.attempts == 2
    assert mailbox.received[0].message_id == delivery.message_id(row)


def test_email_off_sends_nothing_but_keeps_the_bell(client, cast, voted, mailbox):
    NotificationPreference.objects.create(user=cast.sec_a, email=False)
    return_dossier(voted, cast.commune_board)
    send_notification_emails.apply()
    assert mailbox.received == []
    assert Notification.objects.get().email_status == EmailStatus.SKIPPED
    client.force_login(cast.sec_a)
    assert ">1<" in client.get(reverse("recruitment:notifications_unread")).content.decode()


def test_email_turned_off_after_the_row_was_written_is_respected_at_the_send(cast, voted, mailbox):
    return_dossier(voted, cast.commune_board)
    NotificationPreference.objects.create(user=cast.sec_a, email=False)
    send_notification_emails.apply()
    assert mailbox.received == []
    assert Notification.objects.get().email_status == EmailStatus.SKIPPED


def test_in_app_off_hides_the_bell_but_still_emails(client, cast, voted, mailbox):
    NotificationPreference.objects.create(user=cast.sec_a, in_app=False)
    return_dossier(voted, cast.commune_board)
    send_notification_emails.apply()
    assert len(mailbox.received) == 1
    client.force_login(cast.sec_a)
    assert "unread-count" not in client.get(reverse("recruitment:notifications_unread")).content.decode()


def test_the_preferences_page_saves_both_switches(client, cast):
    client.force_login(cast.sec_a)
    assert client.get(reverse("recruitment:notification_preferences")).status_code == 200
    response = client.post(reverse("recruitment:notification_preferences"), {"in_app": "on"})
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=cast.sec_a)
    assert pref.in_app and not pref.email


def test_the_list_marks_read_and_another_user_s_notification_is_not_found(client, cast, voted):
    return_dossier(voted, cast.commune_board)
    row = Notification.objects.get()
    client.force_login(cast.sec_a)
    assert "unread-count" in client.get(reverse("recruitment:notifications_unread")).content.decode()
    body = client.get(reverse("recruitment:notifications")).content.decode()
    assert "Thiếu lý lịch" in body and "notification-unread" in body
    row.refresh_from_db()
    assert row.read_at is not None
    assert "unread-count" not in client.get(reverse("recruitment:notifications_unread")).content.decode()
    client.force_login(cast.outsider)
    assert client.get(reverse("recruitment:notification_open", args=[row.pk])).status_code == 404
    assert "Thiếu lý lịch" not in client.get(reverse("recruitment:notifications")).content.decode()


def test_the_weekly_reminder_lists_each_user_s_own_deadlines_once(cast, mailbox, eager_celery):
    for user in cast.users().values():
        user.email = f"{user.username}@example.vn"
        user.save(update_fields=["email"])
    add_recruitment(cast)  # each candidate's verification reply is long overdue
    with time_machine.travel(datetime.datetime(2026, 12, 7, 0, 30, tzinfo=datetime.UTC), tick=False):
        weekly_deadline_reminder.apply()
        weekly_deadline_reminder.apply()  # a second beat the same week
    rows = Notification.objects.filter(kind=NotificationKind.WEEKLY)
    assert sorted(r.user.username for r in rows) == sorted(
        ["sec_a", "sec_b", "outsider", "commune_sec", "commune_board", "province_board"]
    )
    assert {r.key for r in rows} == {weekly.week_key(D(2026, 12, 7))}
    assert sorted(m.to for m in mailbox.received) == sorted(f"{r.user.username}@example.vn" for r in rows)
    [to_a] = mailbox.to("sec_a@example.vn")
    assert "Quần chúng A" in to_a.text and "Quần chúng B" not in to_a.text and "Quần chúng C" not in to_a.text
    [to_x] = mailbox.to("commune_sec@example.vn")
    assert "Quần chúng B" in to_x.text and "Quần chúng C" not in to_x.text


def test_the_beat_schedules_the_weekly_reminder_and_the_sweep(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"recruitment.notifications.weekly_reminder", "recruitment.notifications.send_emails"} <= tasks
    from partyhub.celery import app

    app.loader.import_default_modules()
    assert "recruitment.notifications.weekly_reminder" in app.tasks
