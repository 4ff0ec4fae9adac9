"""With a real Redis and a real worker: a large export is made by the worker, a run left "running"
by a killed worker is made again by the redelivery (one file, the right rows), and a run whose
hand-over failed is taken by the sweep.

CI's PostgreSQL pass only: the worker is a separate process, so it must reach the test database
and see committed rows, hence the transactional database.
"""

import datetime
import io
import os
from unittest import mock

import kombu.exceptions
import pytest
from django.conf import settings
from django.http import QueryDict
from django.utils import timezone
from openpyxl import load_workbook

from reports.exports import jobs as export_jobs
from reports.exports.tasks import requeue_waiting_exports, run_export
from reports.models import ExportKind, ExportRun, ExportStatus
from tests.cast import build_cast
from tests.celery_workers import Workers, wait_until
from tests.reports.builders import admit, spread

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
def workers(transactional_db, settings):
    workers = Workers("export")
    settings.PARTYHUB_IMPORT_QUEUE = workers.queue  # where this process hands the runs over
    try:
        yield workers
    finally:
        workers.stop_all()


def _names(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return sorted(row[1] for row in book.worksheets[0].iter_rows(min_row=4, values_only=True))
    finally:
        book.close()


def test_a_run_left_by_a_killed_worker_and_a_run_never_handed_over_are_made_once_by_a_real_worker(workers):
    cast = build_cast()
    admit(cast.cell_a, spread(12, datetime.date(2024, 1, 10), datetime.date(2024, 11, 1)))
    listed = export_jobs.member_filter(cast.commune_board, cast.commune_x, QueryDict()).qs
    expected = sorted(m.person.full_name for m in listed.select_related("person"))
    assert len(expected) == 14

    # A run its worker died on: "running" for longer than the task time limit, no file.
    dead = ExportRun.objects.create(
        created_by=cast.commune_board, organisation=cast.commune_x, kind=ExportKind.PEOPLE, filename="a.xlsx"
    )
    long_ago = timezone.now() - export_jobs._lease() - datetime.timedelta(minutes=1)
    ExportRun.objects.filter(pk=dead.pk).update(status=ExportStatus.RUNNING, started_at=long_ago)
    # A run whose hand-over failed (Redis down at that moment): queued, in the database only.
    with mock.patch.object(run_export, "apply_async", side_effect=kombu.exceptions.OperationalError("down")):
        waiting = export_jobs.start_export(
            user=cast.commune_board, organisation=cast.commune_x, kind=ExportKind.PEOPLE, query=QueryDict(), rows=14
        )
    ExportRun.objects.filter(pk=waiting.pk).update(
        queued_at=timezone.now() - export_jobs.REQUEUE_AFTER - datetime.timedelta(seconds=1)
    )
    assert ExportRun.objects.get(pk=waiting.pk).status == ExportStatus.QUEUED

    # The sweep, in the worker, hands runs over to the queue its settings name: this test's own.
    workers.start(PARTYHUB_IMPORT_QUEUE=workers.queue)
    # The broker redelivers the dead worker's task (twice: the second finds it claimed).
    run_export.apply_async(args=[dead.pk], queue=workers.queue)
    run_export.apply_async(args=[dead.pk], queue=workers.queue)
    requeue_waiting_exports.apply_async(queue=workers.queue)
    runs = ExportRun.objects.filter(pk__in=[dead.pk, waiting.pk])
    finished = {ExportStatus.DONE, ExportStatus.FAILED}
    wait_until(lambda: set(runs.values_list("status", flat=True)) <= finished, timeout=180, step=0.2)
    for run in runs:
        assert run.status == ExportStatus.DONE, run.error
        assert _names(bytes(run.content)) == expected
        assert run.rows_total == 14
