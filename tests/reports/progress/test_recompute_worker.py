"""With a real Redis and a real worker: kill the worker in the middle of a run, rerun, same figures;
a unit left in the outbox by an outage is recomputed by the drain.

CI's PostgreSQL pass only: the worker is a separate process, so it must reach the test database
(pytest-django's `test_<name>`) and see committed rows, hence the transactional database.
"""

import datetime
import json
import os
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.models import Organisation
from members.vocabulary import Level
from reports.models import PendingRecompute, ProgressSnapshot
from reports.progress import jobs, periods, snapshots
from reports.progress.report import progress_report
from reports.progress.tasks import drain_recompute_outbox, recompute_snapshots
from tests.celery_workers import Workers, wait_until

from ..builders import admit, org, quota, spread

TODAY = datetime.date(2026, 3, 10)
STANDARD = [p.key for p in snapshots.standard_periods(TODAY)]

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL and a Redis server"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker process needs a database it can share with the test (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def workers(transactional_db):
    # Requesting the database first means the workers are killed before the tables are flushed.
    workers = Workers("recompute")
    try:
        yield workers
    finally:
        workers.stop_all()


def build_province():
    """A province of 4 communes × 4 cells (21 units), with admissions and quotas."""
    province = org(Level.PROVINCE)
    quota(province, periods.term(2025), 60)
    for c in range(4):
        commune = org(Level.COMMUNE, province)
        quota(commune, periods.year(2026), 5 + c)
        for k in range(4):
            cell = org(Level.CELL, commune)
            admit(cell, spread(2 + c + k, datetime.date(2025, 6, 1), datetime.date(2026, 3, 1)))
    return province


def store_stale(unit, period) -> None:
    """Yesterday's figures: a row of the shape a snapshot has, whose data no report would produce."""
    ProgressSnapshot.objects.update_or_create(
        organisation=unit,
        period_key=period.key,
        as_of=snapshots.as_of_day(period, TODAY),
        defaults={
            "period_start": period.start,
            "period_end": period.end,
            "computed_at": timezone.now(),
            "data": {"stale": True},
        },
    )


def test_a_rerun_after_the_worker_was_killed_mid_run_gives_the_figures_of_a_clean_run(workers):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    build_province()
    units = list(Organisation.objects.order_by("path"))
    total_rows = len(units) * len(STANDARD)
    # Yesterday's figures, and one custom period the job does not keep: all to be replaced.
    for unit in units:
        for key in STANDARD:
            store_stale(unit, periods.parse(key))
        store_stale(unit, periods.year(2024))

    def fresh_rows() -> int:
        return ProgressSnapshot.objects.filter(period_key__in=STANDARD).exclude(data={"stale": True}).count()

    # One unit per chunk; kill the worker once some but not all units are done.
    first = workers.start()
    recompute_snapshots.apply_async(
        kwargs={"run_id": f"first-{workers.queue}", "today": TODAY.isoformat(), "chunk_size": 1}, queue=workers.queue
    )
    wait_until(lambda: fresh_rows() >= 2 * len(STANDARD), timeout=120)
    Workers.kill(first)
    done_when_killed = fresh_rows()
    assert 0 < done_when_killed < total_rows, "the worker should die halfway through the run"

    workers.start()
    rerun = f"rerun-{workers.queue}"
    recompute_snapshots.apply_async(
        kwargs={"run_id": rerun, "today": TODAY.isoformat(), "chunk_size": 3}, queue=workers.queue
    )
    wait_until(lambda: (p := jobs.run_progress(rerun)) is not None and p.finished, timeout=240, step=0.2)

    stored = {(s.organisation_id, s.period_key): s.data for s in ProgressSnapshot.objects.all()}
    clean = {
        (unit.pk, key): json.loads(json.dumps(progress_report(unit, periods.parse(key), TODAY).as_json()))
        for unit in units
        for key in STANDARD
    }
    assert stored == clean


def test_a_unit_left_in_the_outbox_by_an_outage_is_recomputed_by_a_real_worker(workers):
    province = org(Level.PROVINCE)
    commune = org(Level.COMMUNE, province)
    cell = org(Level.CELL, commune)
    admit(cell, spread(3, datetime.date(2025, 6, 1), datetime.date(2026, 3, 1)))
    units = list(Organisation.objects.filter(pk__in=[province.pk, commune.pk, cell.pk]).order_by("path"))
    # The change committed its outbox rows; the kick after the commit was lost with Redis.
    with mock.patch.object(jobs, "kick_drain"), transaction.atomic():
        jobs.request_recompute(units[-1])
    assert set(PendingRecompute.objects.values_list("organisation_id", flat=True)) == {u.pk for u in units}
    PendingRecompute.objects.update(requested_at=timezone.now() - datetime.timedelta(seconds=jobs.COALESCE_SECONDS))

    workers.start()
    drain_recompute_outbox.apply_async(kwargs={"today": TODAY.isoformat()}, queue=workers.queue)
    wait_until(lambda: not PendingRecompute.objects.exists(), timeout=120, step=0.2)

    stored = {(s.organisation_id, s.period_key): s.data for s in ProgressSnapshot.objects.all()}
    assert stored == {
        (unit.pk, key): json.loads(json.dumps(progress_report(unit, periods.parse(key), TODAY).as_json()))
        for unit in units
        for key in STANDARD
    }


def test_a_pass_on_a_real_worker_computes_in_two_child_processes_the_figures_of_a_clean_run(settings):
    """The worker's pool process forks the pass's children (reports/progress/parallel.py)."""
    in_children = {
        "PARTYHUB_RECOMPUTE_PROCESSES": "2",
        "PARTYHUB_RECOMPUTE_PARALLEL_MIN_UNITS": "1",
        "PARTYHUB_RECOMPUTE_BATCH": "4",
    }
    settings.PARTYHUB_RECOMPUTE_BATCH = 4  # the run's number of steps, counted here, is the worker's
    workers = Workers("recompute-parallel", **in_children)
    try:
        build_province()  # 21 units: 6 batches
        units = list(Organisation.objects.order_by("path"))
        workers.start()
        run = f"pass-{workers.queue}"
        recompute_snapshots.apply_async(kwargs={"run_id": run, "today": TODAY.isoformat()}, queue=workers.queue)
        wait_until(lambda: (p := jobs.run_progress(run)) is not None and p.finished, timeout=240, step=0.2)
    finally:
        workers.stop_all()
    assert jobs.run_progress(run).total == 6
    stored = {(s.organisation_id, s.period_key): snapshots.whole_json(s) for s in ProgressSnapshot.objects.all()}
    assert stored == {
        (unit.pk, key): json.loads(json.dumps(progress_report(unit, periods.parse(key), TODAY).as_json()))
        for unit in units
        for key in STANDARD
    }
