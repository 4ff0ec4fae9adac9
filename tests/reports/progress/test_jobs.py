"""The recompute job: chunks of ids, safe to run twice, and coalesced after changes."""

import datetime
import json
from unittest import mock

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from members.models import Organisation
from members.vocabulary import Level
from partyhub import figures
from partyhub.celery import app
from reports.models import PendingRecompute, ProgressSnapshot
from reports.progress import jobs, periods, snapshots
from reports.progress.report import ProgressReport, progress_report
from reports.progress.tasks import drain_recompute_outbox, recompute_chunk_task, recompute_snapshots

from ..builders import admit, org, quota, spread

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]
TODAY = datetime.date(2026, 3, 10)
STANDARD = [p.key for p in snapshots.standard_periods(TODAY)]


@pytest.fixture
def tree():
    """province ─┬─ commune X ─┬─ cell A (12 admissions)
    │             └─ cell B (3)
    └─ commune Y ─── cell C (none)"""
    province = org(Level.PROVINCE)
    x = org(Level.COMMUNE, province)
    y = org(Level.COMMUNE, province)
    a, b = org(Level.CELL, x), org(Level.CELL, x)
    c = org(Level.CELL, y)
    admit(a, spread(12, datetime.date(2025, 7, 1), datetime.date(2026, 3, 1)))
    admit(b, spread(3, datetime.date(2025, 9, 1), datetime.date(2026, 2, 20)))
    quota(x, periods.term(2025), 20)
    quota(x, periods.year(2026), 6)
    units = {"province": province, "x": x, "y": y, "a": a, "b": b, "c": c}
    return {key: Organisation.objects.get(pk=unit.pk) for key, unit in units.items()}


def rows():
    return {
        (s.organisation_id, s.period_key): (s.pk, s.data, s.computed_at)
        for s in ProgressSnapshot.objects.order_by("pk")
    }


def as_stored(report: ProgressReport) -> dict:
    return json.loads(json.dumps(report.as_json()))


def test_the_job_writes_one_snapshot_per_unit_and_standard_period(tree):
    run_id = jobs.start_recompute(today=TODAY, chunk_size=2)
    assert jobs.run_progress(run_id).finished
    stored = rows()
    assert set(stored) == {(o.pk, key) for o in tree.values() for key in STANDARD}
    for (org_id, key), (_pk, data, _at) in stored.items():
        assert data == as_stored(progress_report(Organisation.objects.get(pk=org_id), periods.parse(key), TODAY))


def test_the_standard_periods_are_the_current_term_the_current_year_and_last_month():
    assert STANDARD == ["2025-2030", "2026", "2026-02"]


def test_running_the_job_twice_leaves_the_same_rows_with_the_same_figures(tree):
    jobs.start_recompute(today=TODAY)
    first = rows()
    jobs.start_recompute(today=TODAY)
    second = rows()
    assert second.keys() == first.keys()
    for key, (pk, data, computed_at) in second.items():
        assert pk == first[key][0]  # updated in place, not a new row
        assert data == first[key][1]
        assert computed_at >= first[key][2]


def test_a_rerun_after_a_run_that_stopped_halfway_gives_the_figures_of_a_clean_run(tree):
    for organisation in tree.values():
        for key in STANDARD:
            period = periods.parse(key)
            ProgressSnapshot.objects.update_or_create(
                organisation=organisation,
                period_key=period.key,
                as_of=snapshots.as_of_day(period, TODAY),
                defaults={
                    "period_start": period.start,
                    "period_end": period.end,
                    "computed_at": timezone.now(),
                    "data": {"stale": True},
                },
            )
    ids = jobs.organisation_ids(TODAY)
    # The worker died after the first of three chunks.
    jobs.run_register(run_id="dead", total=3)
    recompute_chunk_task(run_id="dead", index=0, org_ids=ids[:2], period_keys=STANDARD, today=TODAY.isoformat())
    assert jobs.run_progress("dead").done == 1
    assert sum(1 for _pk, data, _at in rows().values() if data == {"stale": True}) == 4 * len(STANDARD)

    jobs.start_recompute(today=TODAY, chunk_size=2)

    stored = rows()
    assert len(stored) == len(tree) * len(STANDARD)
    for (org_id, key), (_pk, data, _at) in stored.items():
        assert data == as_stored(progress_report(Organisation.objects.get(pk=org_id), periods.parse(key), TODAY))


def test_units_are_planned_in_chunks_of_ids():
    assert jobs.plan_recompute([1, 2, 3, 4, 5, 6, 7], 3) == [[1, 2, 3], [4, 5, 6], [7]]
    assert jobs.plan_recompute([], 3) == []
    assert jobs.plan_recompute([1, 2], 0) == [[1], [2]]


def test_each_chunk_is_one_task_taking_ids_keys_and_an_iso_date(tree):
    with mock.patch.object(recompute_chunk_task, "apply_async") as queued:
        run_id = jobs.start_recompute(today=TODAY, chunk_size=4)
    assert queued.call_count == 2  # six units in chunks of four
    first = queued.call_args_list[0].kwargs["kwargs"]
    assert first == {
        "run_id": run_id,
        "index": 0,
        "org_ids": jobs.organisation_ids(TODAY)[:4],
        "period_keys": STANDARD,
        "today": "2026-03-10",
    }
    json.dumps(first)  # what goes to the broker is plain JSON
    progress = jobs.run_progress(run_id)
    assert (progress.done, progress.total, progress.finished) == (0, 2, False)


def test_units_come_before_their_subtrees_so_the_top_is_fresh_first(tree):
    ids = jobs.organisation_ids(TODAY)
    assert ids[0] == tree["province"].pk
    assert ids.index(tree["x"].pk) < ids.index(tree["a"].pk)


def test_a_chunk_delivered_twice_counts_once_and_is_not_redone(tree):
    jobs.run_register(run_id="twice", total=2)
    args = {"run_id": "twice", "index": 0, "org_ids": [tree["a"].pk], "period_keys": STANDARD, "today": "2026-03-10"}
    assert recompute_chunk_task(**args) == len(STANDARD)
    assert recompute_chunk_task(**args) == 0
    progress = jobs.run_progress("twice")
    assert (progress.done, progress.percent, progress.finished) == (1, 50, False)


def test_recently_dissolved_units_are_recomputed_and_long_dissolved_ones_are_not(tree):
    Organisation.objects.filter(pk=tree["c"].pk).update(dissolved_on=datetime.date(2025, 12, 31))
    Organisation.objects.filter(pk=tree["y"].pk).update(dissolved_on=datetime.date(2024, 12, 31))
    ids = jobs.organisation_ids(TODAY)
    assert tree["c"].pk in ids
    assert tree["y"].pk not in ids


def test_the_subtree_of_a_unit_is_the_unit_and_its_descendants(tree):
    assert jobs.organisation_ids(TODAY, within=tree["x"]) == [tree["x"].pk, tree["a"].pk, tree["b"].pk]


def test_a_snapshot_the_job_does_not_refresh_is_dropped_rather_than_left_stale(tree):
    snapshots.compute_and_store(tree["a"], periods.year(2024), TODAY)
    snapshots.compute_and_store(tree["c"], periods.year(2024), TODAY)
    jobs.start_recompute(org_ids=[tree["a"].pk], today=TODAY)
    assert not ProgressSnapshot.objects.filter(organisation=tree["a"], period_key="2024").exists()
    assert ProgressSnapshot.objects.filter(organisation=tree["c"], period_key="2024").exists()


def test_the_period_on_screen_is_kept_with_the_standard_ones(tree):
    keys = jobs.standard_period_keys(TODAY, ["2024", "2026"])
    assert keys == [*STANDARD, "2024"]
    jobs.start_recompute(org_ids=[tree["a"].pk], period_keys=keys, today=TODAY)
    assert set(ProgressSnapshot.objects.filter(organisation=tree["a"]).values_list("period_key", flat=True)) == {
        *STANDARD,
        "2024",
    }


def test_the_beat_task_without_arguments_recomputes_every_unit(tree):
    run_id = recompute_snapshots.delay(today=TODAY.isoformat()).get()
    assert jobs.run_progress(run_id).finished
    assert ProgressSnapshot.objects.count() == len(tree) * len(STANDARD)


def test_the_nightly_recompute_is_in_the_one_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["reports-recompute-snapshots"]
    assert entry["task"] == recompute_snapshots.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(hour=1, minute=30)
    assert django_settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


def test_an_unknown_run_has_no_progress():
    assert jobs.run_progress("no-such-run") is None


def test_an_empty_run_is_finished_at_once():
    run_id = jobs.start_recompute(org_ids=[], today=TODAY)
    assert jobs.run_progress(run_id).finished
    assert jobs.run_progress(run_id).percent == 100


# --- after changes: the outbox, coalesced ------------------------------------------------------
# The outbox itself (broker failures, leases, the button) is tested in test_outbox.py.


@pytest.fixture
def queued(eager_celery):
    """As with a worker (REDIS_URL set): changes write the outbox and kick a drain, here into a mock."""
    app.conf.task_always_eager = False  # eager_celery puts it back
    with mock.patch.object(drain_recompute_outbox, "apply_async") as apply_async:
        yield apply_async


def pending() -> set[int]:
    return set(PendingRecompute.objects.values_list("organisation_id", flat=True))


def ids(tree, *keys) -> set[int]:
    return {tree[k].pk for k in keys}


def drain_later(seconds=jobs.COALESCE_SECONDS + jobs.KICK_WINDOW) -> list[int]:
    """The kicked drain, run by the worker (inline) once its countdown has passed."""
    app.conf.task_always_eager = True
    try:
        return jobs.drain(now=timezone.now() + datetime.timedelta(seconds=seconds), today=TODAY)
    finally:
        app.conf.task_always_eager = False


def test_ten_changes_in_one_transaction_write_their_units_once_and_kick_one_drain_after_the_commit(
    tree, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for _ in range(10):
            jobs.request_recompute(tree["a"])
        assert pending() == ids(tree, "province", "x", "a")  # in the change's own transaction
        assert queued.call_count == 0  # nothing queued before the commit
    assert queued.call_count == 1
    assert queued.call_args.kwargs["countdown"] == jobs.COALESCE_SECONDS + jobs.KICK_WINDOW


def test_a_burst_of_transactions_inside_the_window_costs_one_recompute(
    tree, queued, django_capture_on_commit_callbacks
):
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            jobs.request_recompute(tree["a"])
    assert queued.call_count == 1
    assert PendingRecompute.objects.count() == 3
    assert sorted(drain_later()) == sorted(ids(tree, "province", "x", "a"))
    assert not pending()
    # The window has passed (the kick mark expired): the next change writes and kicks again.
    cache.delete(jobs.KICK_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.request_recompute(tree["a"])
    assert queued.call_count == 2
    assert pending() == ids(tree, "province", "x", "a")


def test_a_change_next_door_adds_only_its_own_unit_and_keeps_the_first_request_time(
    tree, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.request_recompute(tree["a"])
    first = dict(PendingRecompute.objects.values_list("organisation_id", "requested_at"))
    later = timezone.now() + datetime.timedelta(seconds=30)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        jobs.request_recompute(tree["b"])
    after = dict(PendingRecompute.objects.values_list("organisation_id", "requested_at"))
    assert set(after) - set(first) == {tree["b"].pk}
    # Commune X and the province keep their window: a stream of changes cannot postpone them forever.
    assert {pk: after[pk] for pk in first} == first


def test_nothing_is_written_or_queued_when_the_transaction_rolls_back(tree, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        jobs.request_recompute(tree["a"])
        transaction.set_rollback(True)
    assert queued.call_count == 0
    assert not pending()


def test_a_change_in_a_merged_unit_also_recomputes_its_successor(tree, queued, django_capture_on_commit_callbacks):
    Organisation.objects.filter(pk=tree["x"].pk).update(merged_into=tree["y"], dissolved_on=datetime.date(2025, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.request_recompute(tree["a"])
    assert pending() == ids(tree, "province", "x", "a", "y")


def test_a_failure_to_queue_does_not_undo_a_saved_change(tree, queued, django_capture_on_commit_callbacks):
    queued.side_effect = ConnectionError("Redis is down")
    with django_capture_on_commit_callbacks(execute=True):
        jobs.request_recompute(tree["a"])  # logged, not raised
    assert queued.call_count == 1
    assert pending() == ids(tree, "province", "x", "a")


def test_the_drained_recompute_refreshes_the_changed_units(tree, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.request_recompute(tree["b"])
    drain_later()
    assert set(ProgressSnapshot.objects.values_list("organisation_id", flat=True)) == ids(tree, "province", "x", "b")
    assert not pending()


def test_without_a_worker_a_change_drops_the_snapshots_it_touches(tree, django_capture_on_commit_callbacks):
    jobs.start_recompute(today=TODAY)
    with mock.patch.object(drain_recompute_outbox, "apply_async") as queued:
        for _ in range(2):  # no coalescing window: each change drops what was read since
            with django_capture_on_commit_callbacks(execute=True):
                jobs.request_recompute(tree["b"])
            assert set(ProgressSnapshot.objects.values_list("organisation_id", flat=True)) == {
                tree[k].pk for k in ("y", "a", "c")
            }
            snapshots.report_for(tree["x"], periods.parse(STANDARD[0]), TODAY)  # a page reads it again
    assert queued.call_count == 0
    assert not PendingRecompute.objects.exists()  # no worker to drain it


def test_a_change_announced_by_a_lower_layer_writes_the_outbox(tree, queued, django_capture_on_commit_callbacks):
    # members and recruitment call partyhub.figures.figures_changed; reports subscribed at start-up.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        figures.figures_changed(tree["a"], None)
    assert pending() == ids(tree, "province", "x", "a")
    assert queued.call_count == 1


def test_a_listener_subscribes_once_and_can_leave(monkeypatch):
    monkeypatch.setattr(figures, "_listeners", [])  # alone, without the reports' own listener
    calls = []
    listener = calls.append
    figures.subscribe(listener)
    figures.subscribe(listener)
    try:
        figures.figures_changed("cell")
    finally:
        figures.unsubscribe(listener)
    figures.figures_changed("cell")
    assert calls == ["cell"]
