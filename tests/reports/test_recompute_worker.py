"""With a real Redis and a real worker: kill the worker in the middle of a run, rerun, same figures.

CI's PostgreSQL pass only: the worker is a separate process, so it must reach the test database
(pytest-django's `test_<name>`) and see committed rows, hence the transactional database.
"""

import contextlib
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from members.models import Organisation
from members.vocabulary import Level
from reports import jobs, periods, snapshots
from reports.models import ProgressSnapshot
from reports.progress import progress_report
from reports.tasks import recompute_snapshots

from .builders import admit, org, quota, spread

ROOT = Path(__file__).resolve().parents[2]
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


def _test_database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{quote(db['USER'], safe='')}:{quote(db['PASSWORD'], safe='')}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


class Workers:
    """Worker subprocesses listening on one queue of this test's own, on the test database."""

    def __init__(self):
        self.queue = f"test-recompute-{uuid.uuid4().hex[:8]}"
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "partyhub", "worker", "-Q", self.queue, "-c", "1", "-l", "warning"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": _test_database_url(), "CONN_MAX_AGE": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # A process group of its own, so that SIGKILL also reaches the pool's child process.
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop_all(self):
        for proc in self.procs:
            self.kill(proc)


@pytest.fixture
def workers(transactional_db):
    # Requesting the database first means the workers are killed before the tables are flushed.
    workers = Workers()
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


def wait_until(condition, timeout: float, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s")


def test_a_rerun_after_the_worker_was_killed_mid_run_gives_the_figures_of_a_clean_run(workers):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    build_province()
    units = list(Organisation.objects.order_by("path"))
    total_rows = len(units) * len(STANDARD)
    # Yesterday's figures, and one custom period the job does not keep: all to be replaced.
    for unit in units:
        for key in STANDARD:
            snapshots.store(unit, periods.parse(key), {"stale": True})
        snapshots.store(unit, periods.year(2024), {"stale": True})

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
        (unit.pk, key): json.loads(json.dumps(progress_report(unit, periods.parse(key), TODAY)))
        for unit in units
        for key in STANDARD
    }
    assert stored == clean
