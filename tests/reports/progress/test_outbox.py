"""The recompute outbox: what a change asks for is in the database, so a Redis outage delays it only.

The broker is failed at its edge (apply_async raising kombu's OperationalError, as celery does when it
gives up publishing); everything else runs for real. "As a worker" means eager Celery for the time
of one task, the way a worker would run it once Redis is back.
"""

import collections
import contextlib
import datetime
import json
import logging
import zoneinfo
from unittest import mock

import kombu.exceptions
import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from members.models import Organisation
from members.vocabulary import Level
from partyhub.celery import app
from reports.models import PendingRecompute, ProgressSnapshot, Quota
from reports.progress import jobs, parallel, periods, snapshots
from reports.progress.report import progress_report
from reports.progress.tasks import drain_recompute_outbox, recompute_pass_task
from reports.quotas.services import quota_set

from ..builders import admit, org, spread

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]
TODAY = datetime.date(2026, 3, 10)
NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))
STANDARD = [p.key for p in snapshots.standard_periods(TODAY)]
HTMX = {"HTTP_HX_REQUEST": "true"}
REDIS_DOWN = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def with_worker(eager_celery):
    """As with REDIS_URL set: changes write the outbox instead of dropping snapshots."""
    app.conf.task_always_eager = False  # eager_celery puts it back


@pytest.fixture
def kicks(with_worker):
    with mock.patch.object(drain_recompute_outbox, "apply_async") as apply_async:
        yield apply_async


@contextlib.contextmanager
def broker_down(task):
    with mock.patch.object(task, "apply_async", side_effect=REDIS_DOWN) as apply_async:
        yield apply_async


@contextlib.contextmanager
def as_worker():
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.fixture
def tree(clock):
    """province ─┬─ commune X ─┬─ cell A (5 admissions)
    │             └─ cell B
    └─ commune Y"""
    province = org(Level.PROVINCE)
    x, y = org(Level.COMMUNE, province), org(Level.COMMUNE, province)
    a, b = org(Level.CELL, x), org(Level.CELL, x)
    admit(a, spread(5, datetime.date(2025, 7, 1), datetime.date(2026, 3, 1)))
    units = {"province": province, "x": x, "y": y, "a": a, "b": b}
    return {key: Organisation.objects.get(pk=unit.pk) for key, unit in units.items()}


def ids(tree, *keys) -> set[int]:
    return {tree[k].pk for k in keys}


def pending() -> set[int]:
    return set(PendingRecompute.objects.values_list("organisation_id", flat=True))


def set_quota(unit, value=7):
    year = periods.year(2026)
    return quota_set(
        organisation=unit,
        by=None,
        period_kind="year",
        period_start=year.start,
        period_end=year.end,
        source="plan",
        value=value,
    )


def make_stale(tree) -> None:
    for unit in tree.values():
        for key in STANDARD:
            period = periods.parse(key)
            ProgressSnapshot.objects.update_or_create(
                organisation=unit,
                period_key=key,
                as_of=snapshots.as_of_day(period, TODAY),
                defaults={
                    "period_start": period.start,
                    "period_end": period.end,
                    "computed_at": timezone.now(),
                    "data": {"stale": True},
                },
            )


def stored() -> dict[tuple[int, str], dict]:
    return {(s.organisation_id, s.period_key): s.data for s in ProgressSnapshot.objects.all()}


def fresh(unit) -> dict[tuple[int, str], dict]:
    return {
        (unit.pk, key): json.loads(json.dumps(progress_report(unit, periods.parse(key), TODAY).as_json()))
        for key in STANDARD
    }


# --- a change and its outbox rows ---------------------------------------------------------------


def test_a_change_writes_its_outbox_rows_in_its_own_transaction_and_rolls_back_with_it(
    tree, kicks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        set_quota(tree["a"])
        assert pending() == ids(tree, "province", "x", "a")  # written before the commit
        raise RuntimeError("the rest of the change failed")
    assert not Quota.objects.exists()
    assert not pending()
    assert kicks.call_count == 0

    with django_capture_on_commit_callbacks(execute=True):
        set_quota(tree["a"])
    assert pending() == ids(tree, "province", "x", "a")
    assert kicks.call_count == 1


def test_with_the_broker_down_a_change_is_saved_and_the_next_drain_recomputes_its_units(
    tree, clock, with_worker, django_capture_on_commit_callbacks
):
    make_stale(tree)
    with broker_down(drain_recompute_outbox) as kick, django_capture_on_commit_callbacks(execute=True):
        set_quota(tree["x"], value=9)  # logged, not raised
    assert kick.call_count == 1
    assert Quota.objects.get(organisation=tree["x"]).value == 9
    assert pending() == ids(tree, "province", "x")

    # Redis is back; the beat's drain runs a minute later.
    clock.shift(jobs.COALESCE_SECONDS)
    with as_worker():
        claimed = drain_recompute_outbox.delay().get()
    assert sorted(claimed) == sorted(ids(tree, "province", "x"))
    assert not pending()
    after = stored()
    for key in ("province", "x"):
        assert {k: v for k, v in after.items() if k[0] == tree[key].pk} == fresh(tree[key])
    # The units the change did not touch were left alone.
    assert all(after[(tree[key].pk, k)] == {"stale": True} for key in ("y", "a", "b") for k in STANDARD)


def test_a_drain_that_cannot_queue_its_chunks_puts_the_rows_back_for_the_next_one(tree, clock, kicks):
    with transaction.atomic():
        jobs.request_recompute(tree["b"])
    clock.shift(jobs.COALESCE_SECONDS)
    with broker_down(recompute_pass_task):
        assert jobs.drain(today=TODAY)  # claimed, then released
    rows = list(PendingRecompute.objects.values_list("organisation_id", "claimed_by", "attempts"))
    assert sorted(rows) == sorted((pk, "", 0) for pk in ids(tree, "province", "x", "b"))
    with as_worker():
        jobs.drain(today=TODAY)
    assert not pending()
    assert {pk for pk, _key in stored()} == ids(tree, "province", "x", "b")


def test_nothing_is_drained_before_the_coalescing_window_has_passed(tree, clock, kicks):
    with transaction.atomic():
        jobs.request_recompute(tree["a"])
    clock.shift(jobs.COALESCE_SECONDS - 1)
    with as_worker():
        assert jobs.drain(today=TODAY) == []
    clock.shift(1)
    with as_worker():
        assert sorted(jobs.drain(today=TODAY)) == sorted(ids(tree, "province", "x", "a"))


def test_a_burst_of_changes_costs_one_recompute_per_unit(tree, clock, kicks, django_capture_on_commit_callbacks):
    for index in range(10):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            jobs.request_recompute(tree["a" if index % 2 else "b"])
            jobs.request_recompute(tree["a"])
        clock.shift(0.5)
    assert PendingRecompute.objects.count() == 4  # province, X, A, B: one row each
    assert kicks.call_count == 1  # the commits of one window share a drain
    clock.shift(jobs.COALESCE_SECONDS)
    with (
        as_worker(),
        mock.patch.object(parallel, "report_from", wraps=parallel.report_from) as computed,
    ):
        jobs.drain(today=TODAY)
        jobs.drain(today=TODAY)  # nothing left for a second drain
    per_unit = collections.Counter(c.args[1].pk for c in computed.call_args_list)
    assert per_unit == {pk: len(STANDARD) for pk in ids(tree, "province", "x", "a", "b")}


# --- claims and leases --------------------------------------------------------------------------


def test_the_claim_of_a_dead_worker_is_taken_over_after_the_lease(tree, clock, kicks):
    make_stale(tree)
    with transaction.atomic():
        jobs.request_recompute(tree["a"])
    clock.shift(jobs.COALESCE_SECONDS)
    # A drain claims the rows and queues the chunk; the worker that takes it dies.
    with mock.patch.object(recompute_pass_task, "apply_async") as lost:
        assert jobs.drain(today=TODAY)
    lost_chunk = lost.call_args.kwargs["kwargs"]
    assert set(PendingRecompute.objects.values_list("claimed_by", flat=True)) == {lost_chunk["claim"]}

    clock.shift(jobs.LEASE_SECONDS - 1)
    with as_worker():
        assert jobs.drain(today=TODAY) == []  # a live claim is left to its holder
    clock.shift(1)
    with as_worker():
        assert sorted(jobs.drain(today=TODAY)) == sorted(ids(tree, "province", "x", "a"))
    assert not pending()
    for key in ("province", "x", "a"):
        assert {k: v for k, v in stored().items() if k[0] == tree[key].pk} == fresh(tree[key])
    # The lost chunk delivered at last (the broker's visibility timeout) finds nothing of its own to delete.
    with transaction.atomic():
        jobs.request_recompute(tree["b"])
    assert recompute_pass_task(**lost_chunk) == 3 * len(STANDARD)
    assert pending() == ids(tree, "province", "x", "b")


def test_a_change_while_its_unit_is_being_recomputed_has_it_recomputed_again(tree, clock, kicks):
    with transaction.atomic():
        jobs.request_recompute(tree["a"])
    clock.shift(jobs.COALESCE_SECONDS)
    with mock.patch.object(recompute_pass_task, "apply_async") as queued:
        jobs.drain(today=TODAY)
    chunk = queued.call_args.kwargs["kwargs"]
    # The worker has read cell A's figures; a change commits before it finishes.
    with transaction.atomic():
        jobs.request_recompute(tree["a"])
    recompute_pass_task(**chunk)
    assert pending() == ids(tree, "province", "x", "a")  # still owed: the chunk may have missed the change
    assert not PendingRecompute.objects.exclude(claimed_by="").exists()
    with as_worker():
        assert sorted(jobs.drain(today=TODAY)) == sorted(ids(tree, "province", "x", "a"))
    assert not pending()


def test_a_unit_that_keeps_failing_leaves_the_outbox_with_an_error_in_the_log(tree, clock, kicks, caplog):
    with transaction.atomic():
        jobs.request_recompute(tree["y"])
    PendingRecompute.objects.filter(organisation=tree["y"]).update(attempts=jobs.MAX_ATTEMPTS)
    clock.shift(jobs.COALESCE_SECONDS)
    with caplog.at_level(logging.ERROR, logger="reports.progress.jobs"), as_worker():
        assert sorted(jobs.drain(today=TODAY)) == [tree["province"].pk]
    assert not pending()
    assert f"[{tree['y'].pk}]" in caplog.text


def test_the_drain_is_in_the_one_beat_schedule_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["reports-recompute-outbox"]
    assert entry["task"] == drain_recompute_outbox.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(minute="*")


# --- the "recompute now" button -----------------------------------------------------------------


def recompute_url(organisation):
    return reverse("reports:recompute", args=[organisation.pk])


def subtree(cast) -> set[int]:
    return {cast.commune_x.pk, cast.cell_a.pk, cast.cell_b.pk}


def test_with_the_broker_down_the_button_says_the_request_will_run_shortly(client, clock, cast, with_worker):
    client.force_login(cast.commune_board)
    with broker_down(recompute_pass_task):
        response = client.post(recompute_url(cast.commune_x), {"period": "2023"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Yêu cầu đã được ghi lại và sẽ tự chạy trong vài phút" in body
    assert "hx-get" not in body
    # Recorded, unclaimed, due at the drain's next pass.
    assert pending() == subtree(cast)
    assert not PendingRecompute.objects.exclude(claimed_by="").exists()
    with as_worker():
        assert set(jobs.drain()) == subtree(cast)
    assert set(ProgressSnapshot.objects.values_list("organisation_id", flat=True)) == subtree(cast)


def test_without_htmx_the_button_goes_back_with_the_message_when_the_broker_is_down(client, cast, with_worker):
    client.force_login(cast.commune_board)
    here = f"/to-chuc/{cast.commune_x.pk}/"
    with broker_down(recompute_pass_task):
        response = client.post(recompute_url(cast.commune_x), {"next": here})
    assert response.status_code == 302
    assert response.url == here
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "warning"
    assert "sẽ tự chạy trong vài phút" in str(message)
    assert pending() == subtree(cast)


def test_a_button_run_whose_worker_died_is_shown_stopped_and_its_units_are_taken_over(client, clock, cast, with_worker):
    client.force_login(cast.commune_board)
    with mock.patch.object(recompute_pass_task, "apply_async") as lost:
        response = client.post(recompute_url(cast.commune_x), **HTMX)
    run_id = lost.call_args.kwargs["kwargs"]["run_id"]
    assert 'hx-trigger="load delay:1s"' in response.content.decode()
    assert set(PendingRecompute.objects.values_list("claimed_by", flat=True)) == {run_id}

    status = reverse("reports:recompute_status", args=[run_id])
    clock.shift(jobs.STALL_SECONDS - 1)
    assert "hx-get" in client.get(status, **HTMX).content.decode()
    clock.shift(1)
    poll = client.get(status, **HTMX)
    body = poll.content.decode()
    assert poll.status_code == 200 and "HX-Refresh" not in poll
    assert "hx-get" not in body and "đã dừng giữa chừng" in body
    # The drain takes the units over: the lease has passed too.
    with as_worker():
        assert set(jobs.drain()) == subtree(cast)
    assert not pending()
    assert set(ProgressSnapshot.objects.values_list("organisation_id", flat=True)) == subtree(cast)


def test_a_button_run_deletes_the_rows_it_recomputed(client, cast, with_worker):
    client.force_login(cast.commune_board)
    with mock.patch.object(recompute_pass_task, "apply_async") as queued:
        client.post(recompute_url(cast.commune_x), **HTMX)
    with as_worker():
        for call in queued.call_args_list:
            recompute_pass_task(**call.kwargs["kwargs"])
    assert not pending()
    assert set(ProgressSnapshot.objects.values_list("organisation_id", flat=True)) == subtree(cast)


def test_a_run_that_keeps_finishing_chunks_is_not_shown_stopped(clock):
    jobs.run_register(run_id="slow", total=3)
    clock.shift(jobs.STALL_SECONDS - 60)
    jobs.chunk_mark_done("slow", 0)
    clock.shift(jobs.STALL_SECONDS - 60)
    assert not jobs.run_progress("slow").stalled
    clock.shift(60)
    assert jobs.run_progress("slow").stalled
    for index in (1, 2):
        jobs.chunk_mark_done("slow", index)
    progress = jobs.run_progress("slow")
    assert progress.finished and not progress.stalled
