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
from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from members import scoping
from members.filters import MemberFilter
from members.models import Member, Organisation
from members.names import order_by_name
from partyhub import audit

from .. import runs
from ..imports import jobs as import_jobs
from ..imports.columns import CANDIDATES, MEMBERS
from ..imports.export import export_workbook
from ..models import ExportKind, ExportRun, ExportStatus
from ..progress.jobs import QUEUE_ERRORS
from . import common, xlsx

logger = logging.getLogger(__name__)

KEEP_HOURS = 24
PROGRESS_PREFIX = "reports:export:progress:"
# The hand-over, the claim and the sweep are those of every background run (reports/runs.py).
REQUEUE_AFTER, MAX_QUEUE_ATTEMPTS = runs.REQUEUE_AFTER, runs.MAX_QUEUE_ATTEMPTS

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


def set_progress(run_id: int, done: int, total: int) -> None:
    runs.set_progress(KIND, run_id, done, total)


def progress_of(run: ExportRun) -> tuple[int, int, int]:
    """(rows written, rows expected, percent) as the worker last published them."""
    return runs.progress_of(KIND, run, run.rows_total)


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


KIND = runs.RunKind(
    model=ExportRun,
    name="Export",
    progress_prefix=PROGRESS_PREFIX,
    queue=_queue,
    not_delivered=NOT_DELIVERED,
    worker_stopped=WORKER_STOPPED,
)


def requeue_waiting(now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Runs whose task never reached a worker: handed over again, or failed with NOT_DELIVERED; and
    the files of runs finished KEEP_HOURS ago cleared."""
    purge_old_runs(now)
    return runs.requeue_waiting(KIND, now)


def _lease() -> datetime.timedelta:
    return runs.lease()


def _finish(run_id: int, status: str, *, error: str = "", **fields) -> None:
    ExportRun.objects.filter(pk=run_id).update(status=status, error=error, finished_at=timezone.now(), **fields)


def execute_run(run_id: int) -> str | None:
    """Make a claimed run's file as its requester; returns the final status (None: not claimed here)."""
    if not runs.claim(KIND, run_id):
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
    return runs.expire_if_stale(KIND, run)


def failure_message(run: ExportRun) -> str:
    return gettext(run.error) if run.error in EXPLAINED_ERRORS else ""


def purge_old_runs(now: datetime.datetime | None = None) -> int:
    """Clear the files of runs finished more than KEEP_HOURS ago; the rows stay as the record."""
    now = now or timezone.now()
    return ExportRun.objects.filter(
        purged_at__isnull=True, finished_at__lt=now - datetime.timedelta(hours=KEEP_HOURS)
    ).update(content=None, purged_at=now)
