"""An import whose task never reached a worker is handed over again, or failed with a message.

The broker fails at its edge (run_import.apply_async raising kombu's OperationalError); with eager
Celery a successful hand-over runs the import at once, as a worker would.
"""

import datetime
from unittest import mock

import kombu.exceptions
import pytest
import redis.exceptions
import time_machine
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.utils import timezone

from members.models import Organisation
from partyhub.celery import app
from reports import runs
from reports.imports import jobs as import_jobs
from reports.imports.tasks import requeue_waiting_imports, run_import
from reports.models import ImportRun, ImportStatus

from .test_import_views import HTMX, good_workbook, latest_run, run_url, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]
REDIS_DOWN = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
LATER = import_jobs.REQUEUE_AFTER + datetime.timedelta(seconds=1)
NOTHING = {"requeued": [], "failed": []}


@pytest.fixture
def background(settings):
    settings.PARTYHUB_IMPORT_ASYNC_ROWS = 0  # every file goes to the worker


def upload_with(client, cast, capture, **patched):
    client.force_login(cast.commune_board)
    with mock.patch.object(run_import, "apply_async", **patched) as apply_async, capture(execute=True):
        response = upload(client, cast.commune_x, good_workbook())
    assert response.status_code == 302
    return latest_run(), apply_async


def test_an_upload_while_the_broker_is_down_waits_and_the_sweep_hands_it_over(
    client, cast, background, django_capture_on_commit_callbacks
):
    run, apply_async = upload_with(client, cast, django_capture_on_commit_callbacks, side_effect=REDIS_DOWN)
    assert apply_async.call_count == 1
    assert (run.status, run.queue_attempts) == (ImportStatus.QUEUED, 1)
    page = client.get(run_url(run)).content.decode()
    assert "Đang chờ xử lý" in page and f'hx-get="{run_url(run)}"' in page

    assert import_jobs.requeue_waiting() == NOTHING  # too early: its task may be on its way
    with time_machine.travel(timezone.now() + LATER):
        # The broker is back: the beat's sweep hands the run over and the worker imports it.
        assert requeue_waiting_imports.delay().get() == {"requeued": [run.pk], "failed": []}
    run.refresh_from_db()
    assert (run.status, run.queue_attempts) == (ImportStatus.DONE, 2)
    assert Organisation.objects.filter(code="X-D").exists()


def test_a_task_the_broker_lost_is_handed_over_again(client, cast, background, django_capture_on_commit_callbacks):
    run, _lost = upload_with(client, cast, django_capture_on_commit_callbacks)  # accepted, never delivered
    assert run.status == ImportStatus.QUEUED and run.queued_at is not None
    with time_machine.travel(timezone.now() + LATER):
        assert import_jobs.requeue_waiting() == {"requeued": [run.pk], "failed": []}
        assert import_jobs.requeue_waiting() == NOTHING  # handed over once per REQUEUE_AFTER
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE


def test_a_run_handed_over_too_often_fails_with_a_message_on_its_page(
    client, cast, background, django_capture_on_commit_callbacks
):
    run, _ = upload_with(client, cast, django_capture_on_commit_callbacks, side_effect=REDIS_DOWN)
    now = timezone.now()
    with mock.patch.object(run_import, "apply_async", side_effect=REDIS_DOWN):
        for attempt in range(2, import_jobs.MAX_QUEUE_ATTEMPTS + 1):
            now += LATER
            assert import_jobs.requeue_waiting(now) == {"requeued": [run.pk], "failed": []}
            run.refresh_from_db()
            assert (run.status, run.queue_attempts) == (ImportStatus.QUEUED, attempt)
        now += LATER
        assert import_jobs.requeue_waiting(now) == {"requeued": [], "failed": [run.pk]}
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED and run.error == import_jobs.NOT_DELIVERED
    assert not Organisation.objects.filter(code="X-D").exists()
    page = client.get(run_url(run)).content.decode()
    assert "Không có dữ liệu nào được ghi." in page
    assert "chưa đến được máy xử lý" in page
    assert f'hx-get="{run_url(run)}"' not in page  # the bar no longer polls
    poll = client.get(run_url(run), **HTMX)
    assert poll["HX-Refresh"] == "true"


def test_a_run_waiting_since_long_before_is_failed_rather_than_imported_late(cast):
    with time_machine.travel(timezone.now() - import_jobs.GIVE_UP_AFTER - LATER):
        # Uploaded before the sweep existed: never handed over, never counted.
        run = ImportRun.objects.create(
            created_by=cast.commune_board, organisation=cast.commune_x, filename="a.xlsx", content=good_workbook()
        )
    assert import_jobs.requeue_waiting() == {"requeued": [], "failed": [run.pk]}
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert not Organisation.objects.filter(code="X-D").exists()


def test_a_run_being_imported_or_finished_is_left_alone(cast):
    with time_machine.travel(timezone.now() - LATER * 2):
        for status in (ImportStatus.RUNNING, ImportStatus.DONE, ImportStatus.FAILED):
            ImportRun.objects.create(
                created_by=cast.commune_board, organisation=cast.commune_x, filename="a.xlsx", status=status
            )
    assert import_jobs.requeue_waiting() == NOTHING


def test_with_the_cache_down_an_upload_and_its_page_still_answer(
    client, cast, background, django_capture_on_commit_callbacks
):
    down = mock.Mock()
    down.get.side_effect = down.set.side_effect = redis.exceptions.ConnectionError("Connection refused")
    # The progress is published and read by reports/runs.py, for imports and exports alike.
    with mock.patch.object(runs, "cache", down):
        run, _ = upload_with(client, cast, django_capture_on_commit_callbacks)
        assert down.set.called
        response = client.get(run_url(run), **HTMX)
    assert response.status_code == 200
    assert 'aria-valuenow="0"' in response.content.decode()


def test_the_sweep_is_in_the_one_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["reports-requeue-waiting-imports"]
    assert entry["task"] == requeue_waiting_imports.name
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(minute="*/5")
