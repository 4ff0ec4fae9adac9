"""Large downloads as background jobs: an ExportRun made by a worker, its progress, its file.

A member list or a subtree in the import format of more than `async_rows()` members takes a web
worker 18-30 s at a province's size and two at once drop the site's throughput tenfold (issue 14,
docs/performance.md). Such a request becomes an ExportRun: the row is in the database before the
task is queued, the page shows a progress bar (the worker publishes it in the cache, as imports do)
and then a download link. Smaller exports are still made within the request.

Reliability is the imports' (reports/imports/jobs.py): a run is claimed with a conditional UPDATE,
so a task delivered twice makes the file once; a run left "running" by a killed worker past the task
time limit is claimed again by the next delivery or shown as failed; a run whose task never reached
a worker is handed over again by the beat's sweep and failed with a message after
MAX_QUEUE_ATTEMPTS. The file is written only once complete, in the same UPDATE that marks the run
done, so a rerun never leaves a half file nor a doubled one.

The worker checks the user's right again before it reads anything: a role withdrawn while the run
waited gets nothing. The bytes (which may hold every citizen ID of a subtree) are cleared
KEEP_HOURS after the run finished.
"""

import datetime
import logging
import tempfile
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from members import scoping
from members.filters import MemberFilter
from members.models import Member, Organisation
from members.names import order_by_name
from partyhub import audit

from ..imports import jobs as import_jobs
from ..imports.columns import CANDIDATES, MEMBERS
from ..imports.export import export_workbook
from ..models import ExportKind, ExportRun, ExportStatus
from ..progress.jobs import QUEUE_ERRORS
from . import common, xlsx

logger = logging.getLogger(__name__)

KEEP_HOURS = 24
PROGRESS_PREFIX = "reports:export:progress:"
PROGRESS_TTL = 24 * 60 * 60
# Rows between two progress reports of the worker.
PROGRESS_EVERY = 1000
REQUEUE_AFTER = datetime.timedelta(minutes=10)
MAX_QUEUE_ATTEMPTS = 3
GIVE_UP_AFTER = datetime.timedelta(hours=2)

NOT_DELIVERED = gettext_noop(
    "Yêu cầu đã chờ quá lâu mà chưa đến được máy xử lý (hàng đợi không nhận việc sau nhiều lần thử). "
    "Hãy bấm tải xuống lại."
)
WORKER_STOPPED = gettext_noop("Máy xử lý dừng trước khi tạo xong tệp. Hãy bấm tải xuống lại.")
NOT_ALLOWED = gettext_noop("Người yêu cầu không còn quyền tải tệp này của tổ chức này.")
EXPLAINED_ERRORS = frozenset({NOT_DELIVERED, WORKER_STOPPED, NOT_ALLOWED})


def async_rows() -> int:
    """Exports of more members than this are made by a worker (PARTYHUB_EXPORT_ASYNC_ROWS)."""
    return getattr(settings, "PARTYHUB_EXPORT_ASYNC_ROWS", 5000)


def runs_for(user):
    """The runs a user may open: their own only (the file is made for its requester). Bytes deferred."""
    return ExportRun.objects.defer("content").select_related("organisation").filter(created_by=user)


# --- what each kind of export is ------------------------------------------------------------------


def may_export(user, organisation: Organisation, kind: str) -> bool:
    if not (user is not None and user.is_active and scoping.sees_organisation(user, organisation)):
        return False
    return kind != ExportKind.IMPORT_FORMAT or import_jobs.can_import(user, organisation)


def member_filter(user, organisation: Organisation, query: QueryDict) -> MemberFilter:
    """The organisation page's member list with the page's filters: the export writes what the page lists."""
    members = order_by_name(scoping.members_for(user).filter(cell__path__startswith=organisation.path))
    return MemberFilter(
        query,
        queryset=members,
        organisation=organisation,
        sees_sensitive=scoping.can_see_sensitive(user, organisation),
    )


def subtree_members(organisation: Organisation) -> int:
    return Member.objects.filter(cell__path__startswith=organisation.path).count()


def filename_for(organisation: Organisation, kind: str, today: datetime.date) -> str:
    if kind == ExportKind.IMPORT_FORMAT:
        return common.ascii_filename("du-lieu", organisation.code, today.isoformat(), ext="xlsx")
    return common.ascii_filename("danh-sach-dang-vien", organisation.code, ext="xlsx")


def write_export(run: ExportRun, target, progress: Callable[[int, int], None]) -> int:
    """Write the run's file to `target` (a binary file) as its requester; returns the rows written."""
    user, organisation = run.created_by, run.organisation
    if run.kind == ExportKind.IMPORT_FORMAT:
        counts = export_workbook(organisation, target, progress=progress)
        log_import_format_read(user, organisation, counts)
        return sum(counts.values())
    members = member_filter(user, organisation, QueryDict(run.query)).qs
    xlsx.people_xlsx(members, title=organisation.name, progress=progress).save(target)
    return members.count()


def log_import_format_read(user, organisation: Organisation, counts: dict[str, int]) -> None:
    """The log of sensitive reads: one row for the file, its subtree and how many people it holds."""
    people = counts.get(MEMBERS.title, 0) + counts.get(CANDIDATES.title, 0)
    audit.sensitive_shown(
        user, fields=audit.PERSONAL, where="import_format_xlsx", organisation=organisation, count=people
    )


# --- progress -----------------------------------------------------------------------------------


def _progress_key(run_id: int) -> str:
    return f"{PROGRESS_PREFIX}{run_id}"


def set_progress(run_id: int, done: int, total: int) -> None:
    try:
        cache.set(_progress_key(run_id), (done, total), PROGRESS_TTL)
    except QUEUE_ERRORS:  # the cache is down: the bar stands still, the export goes on
        logger.warning("Progress of export run %s not published", run_id, exc_info=True)


def progress_of(run: ExportRun) -> tuple[int, int, int]:
    """(rows written, rows expected, percent) as the worker last published them."""
    if run.finished:
        return run.rows_total, run.rows_total, 100
    try:
        published = cache.get(_progress_key(run.pk))
    except QUEUE_ERRORS:
        logger.warning("Progress of export run %s not readable", run.pk, exc_info=True)
        published = None
    done, total = published or (0, run.rows_total)
    percent = 0 if not total else min(done * 100 // total, 99)
    return done, total, percent


# --- one run ------------------------------------------------------------------------------------


def start_export(*, user, organisation: Organisation, kind: str, query: QueryDict, rows: int) -> ExportRun:
    """Record the request and queue it once the request's transaction commits."""
    purge_old_runs()
    params = urlencode([(k, v) for k, values in query.lists() if k != "page" for v in values])
    run = ExportRun.objects.create(
        created_by=user,
        organisation=organisation,
        kind=kind,
        query=params[:2000],
        filename=filename_for(organisation, kind, timezone.localdate()),
        rows_total=rows,
    )
    run_id = run.pk
    transaction.on_commit(lambda: _queue(run_id))
    return run


def _queue(run_id: int, now: datetime.datetime | None = None) -> bool:
    """Hand the run to the broker; a broker failure is logged and the sweep hands it over later."""
    from .tasks import run_export  # the tasks module imports this one

    ExportRun.objects.filter(pk=run_id, status=ExportStatus.QUEUED).update(
        queued_at=now or timezone.now(), queue_attempts=F("queue_attempts") + 1
    )
    try:
        run_export.apply_async(args=[run_id], queue=settings.PARTYHUB_IMPORT_QUEUE)
    except QUEUE_ERRORS:
        logger.warning("Export run %s not queued; the sweep hands it over again later", run_id, exc_info=True)
        return False
    return True


def requeue_waiting(now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Runs still queued REQUEUE_AFTER after they were last handed over: handed over again, or failed
    with NOT_DELIVERED after MAX_QUEUE_ATTEMPTS or GIVE_UP_AFTER. Also clears old runs' files."""
    now = now or timezone.now()
    purge_old_runs(now)
    waiting = ExportRun.objects.filter(status=ExportStatus.QUEUED).filter(
        Q(queued_at__lt=now - REQUEUE_AFTER) | Q(queued_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
    )
    outcome: dict[str, list[int]] = {"requeued": [], "failed": []}
    rows = waiting.order_by("pk").values_list("pk", "queued_at", "queue_attempts", "created_at")
    for pk, queued_at, attempts, created_at in rows:
        mine = ExportRun.objects.filter(pk=pk, status=ExportStatus.QUEUED, queued_at=queued_at)
        if attempts >= MAX_QUEUE_ATTEMPTS or created_at < now - GIVE_UP_AFTER:
            if mine.update(status=ExportStatus.FAILED, error=NOT_DELIVERED, finished_at=now):
                logger.error("Export run %s failed: not delivered after %s attempts", pk, attempts)
                outcome["failed"].append(pk)
        elif mine.update(queued_at=now):
            _queue(pk, now)
            outcome["requeued"].append(pk)
    return outcome


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 30 * 60))


def _claim(run_id: int) -> bool:
    """Queued, or running past the task time limit (its worker died): only one caller gets it."""
    now = timezone.now()
    stale = Q(status=ExportStatus.RUNNING, started_at__lt=now - _lease())
    return bool(
        ExportRun.objects.filter(Q(status=ExportStatus.QUEUED) | stale, pk=run_id).update(
            status=ExportStatus.RUNNING, started_at=now
        )
    )


def _finish(run_id: int, status: str, *, error: str = "", **fields) -> None:
    ExportRun.objects.filter(pk=run_id).update(status=status, error=error, finished_at=timezone.now(), **fields)


def execute_run(run_id: int) -> str | None:
    """Make a claimed run's file as its requester; returns the final status (None: not claimed here)."""
    if not _claim(run_id):
        return None
    run = ExportRun.objects.defer("content").select_related("created_by", "organisation").get(pk=run_id)
    if not may_export(run.created_by, run.organisation, run.kind):
        _finish(run_id, ExportStatus.FAILED, error=NOT_ALLOWED)
        return ExportStatus.FAILED
    try:
        with tempfile.TemporaryFile() as spool:
            rows = write_export(run, spool, lambda done, total: set_progress(run_id, done, total))
            spool.seek(0)
            content = spool.read()
    except Exception as error:  # noqa: BLE001 - recorded on the run
        logger.exception("Export run %s failed", run_id)
        _finish(run_id, ExportStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        return ExportStatus.FAILED
    _finish(run_id, ExportStatus.DONE, content=content, rows_total=rows)
    return ExportStatus.DONE


def expire_if_stale(run: ExportRun) -> ExportRun:
    """A run left "running" past the task time limit by a dead worker is shown as failed."""
    if run.status == ExportStatus.RUNNING and run.started_at and run.started_at < timezone.now() - _lease():
        ExportRun.objects.filter(pk=run.pk, status=ExportStatus.RUNNING, started_at=run.started_at).update(
            status=ExportStatus.FAILED, error=WORKER_STOPPED, finished_at=timezone.now()
        )
        run.refresh_from_db(fields=["status", "error", "finished_at"])
    return run


def failure_message(run: ExportRun) -> str:
    return gettext(run.error) if run.error in EXPLAINED_ERRORS else ""


def purge_old_runs(now: datetime.datetime | None = None) -> int:
    """Clear the files of runs finished more than KEEP_HOURS ago; the rows stay as the record."""
    now = now or timezone.now()
    return ExportRun.objects.filter(
        purged_at__isnull=True, finished_at__lt=now - datetime.timedelta(hours=KEEP_HOURS)
    ).update(content=None, purged_at=now)
