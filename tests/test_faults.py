"""Faults of the real services (issue 14, "Also"): Redis stopped during a step, PostgreSQL unreachable.

CI's PostgreSQL + Redis pass only. Redis is a private redis-server started and killed by the test (the
suite's shared one serves the other test processes), the worker a real Celery worker on it; the
database outage is a real connection refused (the connection pointed at a port nothing listens on),
not a mock.
"""

import contextlib
import datetime
import json
import os
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from members.models import Member, Organisation
from members.services import member_transfer
from members.vocabulary import Level
from partyhub.celery import app
from reports.models import PendingRecompute, ProgressSnapshot
from reports.progress import jobs, periods, snapshots
from reports.progress.report import progress_report
from reports.progress.tasks import drain_recompute_outbox
from tests.celery_workers import Workers, wait_until
from tests.reports.builders import admit, org, spread

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ON_POSTGRES, reason="CI's PostgreSQL pass: the worker shares the test database"),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the pass with Redis)"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, on a free port, without persistence."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_until(lambda: self._pings(client), timeout=20, step=0.1)

    @staticmethod
    def _pings(client) -> bool:
        with contextlib.suppress(redis.exceptions.ConnectionError):
            return bool(client.ping())
        return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=20)
            self.proc = None


def _new_pools() -> None:
    """Celery's connection and producer pools are made on first use for the broker of that moment:
    dropped, so that the next task goes to the broker now configured."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def private_redis(transactional_db, settings):
    """The app (broker and cache) on a private Redis, restored afterwards."""
    server = PrivateRedis()
    server.start()
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": server.url}}
    app.conf.broker_url = server.url
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {**app.conf.broker_transport_options, "max_retries": 1}
    _new_pools()
    workers = Workers("faults")
    workers.queue = "celery"  # the default queue of the private broker: the drain's own
    try:
        yield server, workers
    finally:
        workers.stop_all()
        server.stop()
        app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options = saved
        _new_pools()


def test_redis_stopped_during_a_step_delays_the_recompute_until_it_is_back(private_redis):
    server, workers = private_redis
    today = jobs.timezone.localdate()  # the day the step is recorded, whatever the date
    province = org(Level.PROVINCE)
    commune = org(Level.COMMUNE, province)
    first, second = org(Level.CELL, commune), org(Level.CELL, commune)
    admit(first, spread(4, today - datetime.timedelta(days=400), today - datetime.timedelta(days=30)))
    member = Member.objects.filter(cell=first).first()
    PendingRecompute.objects.all().delete()

    server.stop()  # Redis goes away
    member_transfer(member=member, to_cell=second, on=today, note="chuyển trong xã")
    # The step is saved and the work it needs is in the database, whatever became of the kick.
    assert Member.objects.get(pk=member.pk).cell_id == second.pk
    pending = set(PendingRecompute.objects.values_list("organisation_id", flat=True))
    assert pending == {province.pk, commune.pk, first.pk, second.pk}

    server.start()  # Redis is back (empty: the kick, if any, was lost with it)
    workers.start(REDIS_URL=server.url)
    # The beat's next drain (every minute in production; sent here at once).
    PendingRecompute.objects.update(
        requested_at=jobs.timezone.now() - datetime.timedelta(seconds=jobs.COALESCE_SECONDS + 1)
    )
    drain_recompute_outbox.apply_async(kwargs={"today": today.isoformat()})
    wait_until(lambda: not PendingRecompute.objects.exists(), timeout=180, step=0.3)

    units = Organisation.objects.filter(pk__in=pending)
    for unit in units:
        for period in snapshots.standard_periods(today):
            stored = ProgressSnapshot.objects.get(organisation=unit, period_key=period.key).data
            fresh = json.loads(json.dumps(progress_report(unit, periods.parse(period.key), today).as_json()))
            assert stored == fresh, (unit, period.key)


def test_postgresql_unreachable_gives_the_error_page_then_recovers_without_a_restart(client, transactional_db):
    from tests.cast import build_cast

    cast = build_cast()
    client.force_login(cast.sec_a)
    url = f"/to-chuc/{cast.cell_a.pk}/"
    assert client.get(url).status_code == 200

    client.raise_request_exception = False
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(_free_port())  # nothing listens there: connection refused
    try:
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 500
        page = response.content.decode()
        assert "Đã xảy ra lỗi hệ thống" in page and "Dữ liệu của bạn chưa bị thay đổi" in page
        assert "Traceback" not in page and "OperationalError" not in page
        assert time.monotonic() - started < 30
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    # The database is back: the next request reconnects, no restart.
    assert client.get(url).status_code == 200


def test_an_import_whose_worker_died_is_imported_once_by_the_redelivered_task(transactional_db, settings):
    """A worker killed mid-import rolled its transaction back and left the run "running": the broker
    redelivers the task (here twice); a real worker takes the run over once the lease has passed and
    imports it once, nothing doubled."""
    from django.utils import timezone

    from reports.imports import jobs as import_jobs
    from reports.imports.tasks import run_import
    from reports.models import ImportRun, ImportStatus
    from tests.cast import build_cast
    from tests.reports.imports.test_import_views import domain_counts, good_workbook

    cast = build_cast()
    before = domain_counts()
    run = ImportRun.objects.create(
        created_by=cast.commune_board,
        organisation=cast.commune_x,
        filename="bien-dong.xlsx",
        content=good_workbook(),
        background=True,
        rows_total=4,
    )
    long_ago = timezone.now() - import_jobs._lease() - datetime.timedelta(minutes=1)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, started_at=long_ago)

    workers = Workers("faults-import")
    settings.PARTYHUB_IMPORT_QUEUE = workers.queue
    try:
        workers.start()
        run_import.apply_async(args=[run.pk], queue=workers.queue)
        run_import.apply_async(args=[run.pk], queue=workers.queue)
        wait_until(lambda: ImportRun.objects.get(pk=run.pk).status == ImportStatus.DONE, timeout=180, step=0.3)
        time.sleep(2)  # the second delivery has had its turn
    finally:
        workers.stop_all()
    after = domain_counts()
    assert after["members.Organisation"] == before["members.Organisation"] + 1
    assert after["members.Member"] == before["members.Member"] + 2
    assert after["reports.Quota"] == before["reports.Quota"] + 1
