"""Large exports as background jobs (issue 14, finding 9): a run, its progress bar, its file.

The broker fails at its edge (run_export.apply_async raising kombu's OperationalError); with eager
Celery a successful hand-over makes the file at once, as a worker would. The real worker's test is
tests/reports/exports/test_export_worker.py (CI's PostgreSQL and Redis pass).
"""

import datetime
import io
from unittest import mock

import kombu.exceptions
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from members.models import RoleAssignment
from reports.exports import jobs as export_jobs
from reports.exports.tasks import requeue_waiting_exports, run_export
from reports.models import ExportKind, ExportRun, ExportStatus
from tests.reports.builders import admit, spread

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]
REDIS_DOWN = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
NOTHING = {"requeued": [], "failed": []}


@pytest.fixture
def background(settings):
    settings.PARTYHUB_EXPORT_ASYNC_ROWS = 2  # the cast's commune X (two members and more) goes to the worker


@pytest.fixture
def commune(cast):
    admit(cast.cell_a, spread(6, datetime.date(2024, 1, 10), datetime.date(2024, 11, 1)))
    admit(cast.cell_b, spread(3, datetime.date(2024, 2, 1), datetime.date(2024, 9, 1)), gender="female")
    return cast.commune_x


def _rows(content: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return [[sheet.title, *row] for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _direct(client, url, params=None) -> bytes:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _request(client, url, capture, params=None, **patched):
    with mock.patch.object(run_export, "apply_async", **patched) if patched else _noop(), capture(execute=True):
        response = client.get(url, params or {})
    assert response.status_code == 302
    run = ExportRun.objects.latest("pk")
    assert response["Location"] == reverse("reports:export_run", args=[run.pk])
    return run


class _noop:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _file(client, run) -> bytes:
    response = client.get(reverse("reports:export_run_file", args=[run.pk]))
    assert response.status_code == 200, response
    assert response["Content-Disposition"] == f'attachment; filename="{run.filename}"'
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("name", "params"),
    [("export_people_xlsx", {"gender": "female"}), ("export_people_xlsx", {}), ("export_import_format", {})],
)
def test_a_large_export_is_made_by_the_worker_and_holds_what_the_request_would_have_written(
    client, cast, commune, settings, django_capture_on_commit_callbacks, name, params
):
    client.force_login(cast.commune_board)
    url = reverse(f"reports:{name}", args=[commune.pk])
    settings.PARTYHUB_EXPORT_ASYNC_ROWS = 10_000
    direct = _rows(_direct(client, url, params))
    assert ExportRun.objects.count() == 0  # a small export is still made within the request

    settings.PARTYHUB_EXPORT_ASYNC_ROWS = 2
    run = _request(client, url, django_capture_on_commit_callbacks, params)
    run.refresh_from_db()
    assert run.status == ExportStatus.DONE and run.created_by == cast.commune_board
    page = client.get(reverse("reports:export_run", args=[run.pk])).content.decode()
    assert "Tệp đã sẵn sàng" in page and reverse("reports:export_run_file", args=[run.pk]) in page
    assert _rows(_file(client, run)) == direct
    # The page's filters went with the request: the female-only list has the 3 women and the titles.
    if params:
        assert len(direct) == 3 + 3


def test_the_run_and_its_file_are_its_requesters_only(
    client, cast, commune, background, django_capture_on_commit_callbacks
):
    client.force_login(cast.commune_board)
    run = _request(
        client, reverse("reports:export_import_format", args=[commune.pk]), django_capture_on_commit_callbacks
    )
    for other in (cast.province_board, cast.sec_a, cast.outsider):
        client.force_login(other)
        assert client.get(reverse("reports:export_run", args=[run.pk])).status_code == 404
        assert client.get(reverse("reports:export_run_file", args=[run.pk])).status_code == 404
    client.force_login(cast.commune_board)
    assert client.get(reverse("reports:export_run", args=["999999"])).status_code == 404


def test_while_the_broker_is_down_the_run_waits_and_the_sweep_hands_it_over(
    client, cast, commune, background, django_capture_on_commit_callbacks
):
    client.force_login(cast.commune_board)
    url = reverse("reports:export_people_xlsx", args=[commune.pk])
    run = _request(client, url, django_capture_on_commit_callbacks, side_effect=REDIS_DOWN)
    run.refresh_from_db()
    assert (run.status, run.queue_attempts) == (ExportStatus.QUEUED, 1)
    page = client.get(reverse("reports:export_run", args=[run.pk])).content.decode()
    assert "Đang chờ máy xử lý" in page and f'hx-get="{reverse("reports:export_run", args=[run.pk])}"' in page

    assert export_jobs.requeue_waiting() == NOTHING  # too early: its task may be on its way
    with time_machine.travel(timezone.now() + export_jobs.REQUEUE_AFTER + datetime.timedelta(seconds=1)):
        assert requeue_waiting_exports.delay().get() == {"requeued": [run.pk], "failed": []}
    run.refresh_from_db()
    assert (run.status, run.queue_attempts) == (ExportStatus.DONE, 2)
    assert len(_rows(_file(client, run))) == 3 + 2 + 9  # the titles, the cast's 2 members and 9 admitted


def test_a_run_never_delivered_is_failed_with_a_message_after_the_last_attempt(
    client, cast, commune, background, django_capture_on_commit_callbacks
):
    client.force_login(cast.commune_board)
    url = reverse("reports:export_people_xlsx", args=[commune.pk])
    with mock.patch.object(run_export, "apply_async", side_effect=REDIS_DOWN):
        run = _request(client, url, django_capture_on_commit_callbacks)
        later = timezone.now()
        for _attempt in range(export_jobs.MAX_QUEUE_ATTEMPTS):
            later += export_jobs.REQUEUE_AFTER + datetime.timedelta(seconds=1)
            with time_machine.travel(later):
                outcome = export_jobs.requeue_waiting()
    assert outcome == {"requeued": [], "failed": [run.pk]}
    run.refresh_from_db()
    assert run.status == ExportStatus.FAILED and run.content is None
    page = client.get(reverse("reports:export_run", args=[run.pk])).content.decode()
    assert "chưa đến được máy xử lý" in page
    # No file to download: the link goes back to the run's page.
    assert client.get(reverse("reports:export_run_file", args=[run.pk]))["Location"] == reverse(
        "reports:export_run", args=[run.pk]
    )


def test_a_task_delivered_twice_makes_the_file_once_and_a_dead_workers_run_is_made_again(cast, commune, background):
    run = ExportRun.objects.create(
        created_by=cast.commune_board, organisation=commune, kind=ExportKind.PEOPLE, filename="x.xlsx"
    )
    assert export_jobs.execute_run(run.pk) == ExportStatus.DONE
    first = bytes(ExportRun.objects.get(pk=run.pk).content)
    assert export_jobs.execute_run(run.pk) is None  # redelivered: already claimed, nothing redone
    assert bytes(ExportRun.objects.get(pk=run.pk).content) == first

    # A worker killed mid-file leaves the run "running" and no file (the file is written at the end).
    dead = ExportRun.objects.create(
        created_by=cast.commune_board, organisation=commune, kind=ExportKind.PEOPLE, filename="y.xlsx"
    )
    ExportRun.objects.filter(pk=dead.pk).update(status=ExportStatus.RUNNING, started_at=timezone.now())
    assert export_jobs.execute_run(dead.pk) is None  # still within its lease: another worker has it
    with time_machine.travel(timezone.now() + export_jobs._lease() + datetime.timedelta(seconds=1)):
        assert export_jobs.execute_run(dead.pk) == ExportStatus.DONE  # the redelivery takes it over
    assert _rows(bytes(ExportRun.objects.get(pk=dead.pk).content)) == _rows(first)


def test_a_run_left_running_by_a_dead_worker_shows_as_failed_after_the_time_limit(client, cast, commune):
    run = ExportRun.objects.create(
        created_by=cast.commune_board, organisation=commune, kind=ExportKind.PEOPLE, filename="x.xlsx"
    )
    ExportRun.objects.filter(pk=run.pk).update(status=ExportStatus.RUNNING, started_at=timezone.now())
    client.force_login(cast.commune_board)
    assert "Đã ghi" in client.get(reverse("reports:export_run", args=[run.pk])).content.decode()
    with time_machine.travel(timezone.now() + export_jobs._lease() + datetime.timedelta(seconds=1)):
        page = client.get(reverse("reports:export_run", args=[run.pk])).content.decode()
    assert "Máy xử lý dừng trước khi tạo xong tệp" in page


def test_a_role_withdrawn_while_the_run_waited_gets_nothing(cast, commune):
    run = ExportRun.objects.create(
        created_by=cast.commune_board, organisation=commune, kind=ExportKind.IMPORT_FORMAT, filename="x.xlsx"
    )
    RoleAssignment.objects.filter(user=cast.commune_board).delete()
    assert export_jobs.execute_run(run.pk) == ExportStatus.FAILED
    run.refresh_from_db()
    assert run.content is None and run.error == export_jobs.NOT_ALLOWED


def test_the_worker_publishes_its_progress_and_the_bar_shows_it(client, cast, commune, monkeypatch):
    monkeypatch.setattr("reports.exports.xlsx.PROGRESS_EVERY", 2)
    monkeypatch.setattr("reports.imports.export.PROGRESS_EVERY", 5)
    seen: dict[str, list] = {ExportKind.PEOPLE: [], ExportKind.IMPORT_FORMAT: []}
    for kind in seen:
        run = ExportRun.objects.create(
            created_by=cast.commune_board, organisation=commune, kind=kind, filename="x.xlsx", status="running"
        )
        export_jobs.write_export(run, io.BytesIO(), lambda done, total, kind=kind: seen[kind].append((done, total)))
    # 11 members in 2s; the import format's rows (units, members, movements, quotas) in 5s.
    assert seen[ExportKind.PEOPLE] == [(2, 11), (4, 11), (6, 11), (8, 11), (10, 11)]
    steps = seen[ExportKind.IMPORT_FORMAT]
    assert steps and [d for d, _ in steps] == list(range(5, 5 * len(steps) + 1, 5))
    assert all(total >= done for done, total in steps)

    export_jobs.set_progress(run.pk, 30, 120)
    client.force_login(cast.commune_board)
    bar = client.get(reverse("reports:export_run", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-valuenow="25"' in bar and "Đã ghi 30/120 dòng" in bar


def test_files_are_cleared_a_day_after_they_were_made(
    client, cast, commune, background, django_capture_on_commit_callbacks
):
    client.force_login(cast.commune_board)
    run = _request(client, reverse("reports:export_people_xlsx", args=[commune.pk]), django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=export_jobs.KEEP_HOURS - 1)):
        assert export_jobs.requeue_waiting() == NOTHING
    assert ExportRun.objects.get(pk=run.pk).content is not None
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=export_jobs.KEEP_HOURS, minutes=1)):
        export_jobs.requeue_waiting()
    assert ExportRun.objects.get(pk=run.pk).content is None
    page = client.get(reverse("reports:export_run", args=[run.pk])).content.decode()
    assert "Tệp đã được xóa sau 24 giờ" in page


def test_the_run_page_reads_a_fixed_number_of_rows_whatever_the_file(client, cast, commune, background):
    run = ExportRun.objects.create(
        created_by=cast.commune_board, organisation=commune, kind=ExportKind.PEOPLE, filename="x.xlsx"
    )
    export_jobs.execute_run(run.pk)
    client.force_login(cast.commune_board)
    url = reverse("reports:export_run", args=[run.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    admit(cast.cell_a, spread(30, datetime.date(2024, 1, 10), datetime.date(2024, 11, 1)))
    bigger = ExportRun.objects.create(
        created_by=cast.commune_board, organisation=commune, kind=ExportKind.PEOPLE, filename="x.xlsx"
    )
    export_jobs.execute_run(bigger.pk)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("reports:export_run", args=[bigger.pk]))
    assert len(small) == len(large) <= 6
    # The page never loads the file's bytes.
    assert not any("content" in q["sql"].split("FROM")[0] for q in large.captured_queries if "export" in q["sql"])
