"""Excel imports from the browser: who may import, an ImportRun run inline or on a worker, its progress.

The engine (reports/imports/service.py) writes all or nothing in one transaction, so the run's row
cannot show how far it is: an update inside that transaction is invisible until the end. The
progress goes to the cache (Redis when REDIS_URL is set) under a key per run, and the page reads it.

A run is claimed with a conditional UPDATE before it starts, so a task delivered twice imports once.
A worker that dies mid-import leaves nothing written (the transaction rolls back) and the run
"running": once the task time limit has passed, the run is taken to have failed, and the same file
may simply be uploaded again.

A run whose task never reached a worker (the broker was down when it was queued, or lost the
message) stays "queued" in the database: `requeue_waiting` (a beat task every five minutes) hands
each run queued for longer than REQUEUE_AFTER to the broker again, and fails it with a message on its
page after MAX_QUEUE_ATTEMPTS. Handing a run over twice is harmless: the claim imports it once.
Progress in the cache is a convenience: the cache being down neither fails an upload nor its page.

The uploaded bytes and the report's values (which may hold citizen IDs) are kept KEEP_DAYS, long
enough to download the marked workbook and fix it; every new upload clears the older runs' ones.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from members import scoping
from members.models import Organisation
from members.vocabulary import Role

from .. import runs
from ..audit.authors import history_author, import_reason
from ..models import ImportRun, ImportStatus
from ..progress.jobs import QUEUE_ERRORS
from .marked import marked_workbook
from .report import ImportResult
from .service import estimate_workbook, import_workbook

logger = logging.getLogger(__name__)

IMPORT_ROLES = frozenset({Role.BOARD_STAFF, Role.ADMINISTRATOR})
KEEP_DAYS = 30
PROGRESS_PREFIX = "reports:import:progress:"
# The hand-over, the claim and the sweep are those of every background run (reports/runs.py).
REQUEUE_AFTER, MAX_QUEUE_ATTEMPTS, GIVE_UP_AFTER = runs.REQUEUE_AFTER, runs.MAX_QUEUE_ATTEMPTS, runs.GIVE_UP_AFTER

# Failures the run page explains in words (stored in Vietnamese, shown translated); any other
# error text is for the administrators and the page shows the general failure message.
NOT_DELIVERED = gettext_noop(
    "Tệp đã chờ quá lâu mà chưa đến được máy xử lý (hàng đợi không nhận việc sau nhiều lần thử). "
    "Chưa có dữ liệu nào được ghi; hãy tải tệp lên lại."
)
WORKER_STOPPED = gettext_noop("Máy xử lý dừng trước khi nhập xong. Chưa có dữ liệu nào được ghi; hãy tải tệp lên lại.")
NOT_ALLOWED = gettext_noop("Người tải tệp lên không còn quyền nhập dữ liệu cho tổ chức này.")
EXPLAINED_ERRORS = frozenset({NOT_DELIVERED, WORKER_STOPPED, NOT_ALLOWED})


def max_bytes() -> int:
    return getattr(settings, "PARTYHUB_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


def async_rows() -> int:
    return getattr(settings, "PARTYHUB_IMPORT_ASYNC_ROWS", 1000)


def can_import(user, organisation: Organisation) -> bool:
    """Board staff and administrators, from a unit in the subtree of their role (docs/domain.md §6)."""
    return scoping.holds_role_over(user, organisation, IMPORT_ROLES)


def runs_for(user):
    """The runs a user may open: their own; every run for a superuser. The bytes are never loaded."""
    runs = ImportRun.objects.defer("content", "marked").select_related("organisation")
    return runs if user.is_superuser else runs.filter(created_by=user)


# --- progress -----------------------------------------------------------------------------------


def set_progress(run_id: int, done: int, total: int) -> None:
    runs.set_progress(KIND, run_id, done, total)


def progress_of(run: ImportRun) -> tuple[int, int, int]:
    """(rows done, rows in all, percent) as the worker last published them."""
    return runs.progress_of(KIND, run, run.rows_total)


# --- one run ------------------------------------------------------------------------------------


def create_run(*, user, organisation: Organisation, upload, dry_run: bool) -> ImportRun:
    """Store the upload (the form has checked its size before it is read) and clear old runs' files."""
    purge_old_runs()
    return ImportRun.objects.create(
        created_by=user,
        organisation=organisation,
        filename=upload.name[:255],
        content=b"".join(upload.chunks()),
        dry_run=dry_run,
    )


def start_import(run: ImportRun) -> None:
    """Refuse the file at once, import it here, or queue it, by its number of data rows.

    The run's row is updated, not `run`: read it again to see the outcome.
    """
    # The rows are not read here: a 100,000-row file is refused by the worker, not in the request.
    total, issues = estimate_workbook(bytes(run.content))
    if issues:
        result = ImportResult(issues=issues, dry_run=run.dry_run, refused_file=True)
        _finish(run.pk, ImportStatus.REFUSED, result, rows_total=total)
        return
    # None: a large file whose size is unknown until it is read, which the worker does.
    background = total is None or total > async_rows()
    total = total or 0
    ImportRun.objects.filter(pk=run.pk).update(rows_total=total, background=background)
    set_progress(run.pk, 0, total)
    if background:
        run_id = run.pk
        transaction.on_commit(lambda: _queue(run_id))
    else:
        execute_run(run.pk)


def _queue(run_id: int, now: datetime.datetime | None = None) -> bool:
    """Hand the run to the broker (after the upload's commit, or again from requeue_waiting).

    Counted and timed before the attempt, so a run that never reaches a worker is handed over again
    REQUEUE_AFTER later. A broker failure is logged, not raised: the run stays queued in the database.
    """
    from .tasks import run_import  # the tasks module imports this one

    ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).update(
        queued_at=now or timezone.now(), queue_attempts=F("queue_attempts") + 1
    )
    try:
        run_import.apply_async(args=[run_id], queue=settings.PARTYHUB_IMPORT_QUEUE)
    except QUEUE_ERRORS:
        logger.warning("Import run %s not queued; the sweep hands it over again later", run_id, exc_info=True)
        return False
    return True


KIND = runs.RunKind(
    model=ImportRun,
    name="Import",
    progress_prefix=PROGRESS_PREFIX,
    queue=_queue,
    not_delivered=NOT_DELIVERED,
    worker_stopped=WORKER_STOPPED,
)


def requeue_waiting(now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Runs whose task never reached a worker: handed over again, or failed with NOT_DELIVERED."""
    return runs.requeue_waiting(KIND, now)


def _lease() -> datetime.timedelta:
    return runs.lease()


def _claim(run_id: int) -> bool:
    return runs.claim(KIND, run_id)


def _finish(run_id: int, status: str, result: ImportResult | None, *, error: str = "", **fields) -> None:
    ImportRun.objects.filter(pk=run_id).update(
        status=status,
        result=result.as_dict() if result is not None else None,
        error=error,
        finished_at=timezone.now(),
        **fields,
    )


def execute_run(run_id: int) -> str | None:
    """Import a claimed run's file as its uploader; returns the final status (None: not claimed here).

    Any exception is the run's failure, not the caller's: nothing was written, and the page says so.
    """
    if not _claim(run_id):
        return None
    run = ImportRun.objects.select_related("created_by", "organisation").get(pk=run_id)
    user = run.created_by
    # Checked again at run time: a role withdrawn while the file waited no longer imports, and a
    # run without its user must not fall back to the engine's whole-tree (command line) mode.
    if user is None or not user.is_active or not can_import(user, run.organisation):
        _finish(run_id, ImportStatus.FAILED, None, error=NOT_ALLOWED)
        return ImportStatus.FAILED
    try:
        # Every history row the import writes names the uploader and the run, on a worker too
        # (no request there for simple-history to take the user from: reports/audit/authors.py).
        with history_author(user, import_reason(run.filename, run.pk)):
            result = import_workbook(
                bytes(run.content),
                user=user,
                within=run.organisation,
                dry_run=run.dry_run,
                progress=lambda done, total: set_progress(run_id, done, total),
            )
    except Exception as error:  # noqa: BLE001 - recorded on the run; the transaction rolled back
        logger.exception("Import run %s failed", run_id)
        _finish(run_id, ImportStatus.FAILED, None, error=f"{type(error).__name__}: {error}"[:2000])
        return ImportStatus.FAILED
    status = ImportStatus.DONE if result.ok else ImportStatus.REFUSED
    marked = None
    if run.background and result.issues:
        try:
            marked = marked_workbook(bytes(run.content), result.issues)
        except Exception:  # noqa: BLE001 - the page can still make it on demand
            logger.exception("Marked workbook of import run %s not made", run_id)
    _finish(run_id, status, result, rows_total=result.rows or run.rows_total, marked=marked)
    return status


def expire_if_stale(run: ImportRun) -> ImportRun:
    """A run left "running" past the task time limit by a dead worker is shown as failed."""
    return runs.expire_if_stale(KIND, run)


def failure_message(run: ImportRun) -> str:
    """What the page says of a failed run beyond the general message: the explained failures only."""
    return gettext(run.error) if run.error in EXPLAINED_ERRORS else ""


def result_of(run: ImportRun) -> ImportResult | None:
    return ImportResult.from_dict(run.result) if run.result is not None else None


def issue_count(run: ImportRun) -> int:
    """Problems the run reported, also after purge_old_runs dropped their values."""
    if run.result is None:
        return 0
    return run.result.get("issue_count", len(run.result.get("issues", [])))


# --- keeping the files only as long as needed ----------------------------------------------------


def purge_old_runs(now: datetime.datetime | None = None) -> int:
    """Clear the bytes and the report's values of finished runs older than KEEP_DAYS; returns how many.

    The run itself stays, with its counts and the number of problems, as the record of who imported what.
    """
    now = now or timezone.now()
    old = ImportRun.objects.filter(
        purged_at__isnull=True,
        created_at__lt=now - datetime.timedelta(days=KEEP_DAYS),
        status__in=[ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED],
    ).defer("content", "marked")
    purged = 0
    for run in old:
        result = run.result
        if result is not None:
            result = {**result, "issues": [], "issue_count": len(result.get("issues", []))}
        ImportRun.objects.filter(pk=run.pk).update(content=None, marked=None, result=result, purged_at=now)
        purged += 1
    return purged
