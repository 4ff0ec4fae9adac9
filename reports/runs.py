"""What imports and large exports share: a run kept in the database and done by a worker.

A run's row is written before its task is queued. It is claimed with a conditional UPDATE, so a task
delivered twice does the work once; a run left "running" past the task time limit (its worker died)
may be claimed again, or is shown as failed. A run whose task never reached a worker (the broker was
down, or lost the message) stays "queued": `requeue_waiting`, from a beat task, hands it to the
broker again, and fails it with a message after MAX_QUEUE_ATTEMPTS or GIVE_UP_AFTER. The progress of
a running run goes to the cache under a key per run; the cache being down only stills the bar.

Each kind of run (reports/imports/jobs.py, reports/exports/jobs.py) describes itself in a `RunKind`;
both models use the status values "queued", "running" and "failed".
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .progress.jobs import QUEUE_ERRORS

logger = logging.getLogger(__name__)

QUEUED, RUNNING, FAILED = "queued", "running", "failed"
PROGRESS_TTL = 24 * 60 * 60
# A run still queued this long after it was last handed to the broker has lost its task.
REQUEUE_AFTER = datetime.timedelta(minutes=10)
MAX_QUEUE_ATTEMPTS = 3
# A run asked for longer ago than this is failed rather than done late (the user has moved on).
GIVE_UP_AFTER = datetime.timedelta(hours=2)


@dataclass(frozen=True)
class RunKind:
    model: type[models.Model]
    name: str  # in the logs: "Import run 12 …"
    progress_prefix: str
    # Hands a run to the broker (counting the attempt); False if the broker could not be reached.
    queue: Callable[[int, datetime.datetime | None], bool]
    not_delivered: str  # the failure a run never delivered gets, in Vietnamese (gettext_noop)
    worker_stopped: str  # the failure of a run its worker left running


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "CELERY_TASK_TIME_LIMIT", 30 * 60))


# --- progress -----------------------------------------------------------------------------------


def set_progress(kind: RunKind, run_id: int, done: int, total: int) -> None:
    try:
        cache.set(f"{kind.progress_prefix}{run_id}", (done, total), PROGRESS_TTL)
    except QUEUE_ERRORS:  # the cache is down: the bar stands still, the run goes on
        logger.warning("Progress of %s run %s not published", kind.name, run_id, exc_info=True)


def progress_of(kind: RunKind, run, rows_total: int) -> tuple[int, int, int]:
    """(done, in all, percent) as the worker last published them; 100 % only once the run is finished."""
    if run.finished:
        return rows_total, rows_total, 100
    try:
        published = cache.get(f"{kind.progress_prefix}{run.pk}")
    except QUEUE_ERRORS:
        logger.warning("Progress of %s run %s not readable", kind.name, run.pk, exc_info=True)
        published = None
    done, total = published or (0, rows_total)
    percent = 0 if not total else min(done * 100 // total, 99)
    return done, total, percent


# --- hand-over, claim, a dead worker's run ----------------------------------------------------------


def requeue_waiting(kind: RunKind, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Runs still queued REQUEUE_AFTER after they were last handed over (or created, if never): handed
    to the broker again, or failed with `kind.not_delivered` after MAX_QUEUE_ATTEMPTS or once created
    GIVE_UP_AFTER ago. Each run is taken with a conditional UPDATE on the time it was last handed over,
    so two sweeps do not both hand it over. Returns the ids {"requeued": [...], "failed": [...]}."""
    now = now or timezone.now()
    runs = kind.model._default_manager
    waiting = runs.filter(status=QUEUED).filter(
        Q(queued_at__lt=now - REQUEUE_AFTER) | Q(queued_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
    )
    outcome: dict[str, list[int]] = {"requeued": [], "failed": []}
    rows = waiting.order_by("pk").values_list("pk", "queued_at", "queue_attempts", "created_at")
    for pk, queued_at, attempts, created_at in rows:
        mine = runs.filter(pk=pk, status=QUEUED, queued_at=queued_at)
        if attempts >= MAX_QUEUE_ATTEMPTS or created_at < now - GIVE_UP_AFTER:
            if mine.update(status=FAILED, error=kind.not_delivered, finished_at=now):
                logger.error("%s run %s failed: not delivered after %s attempts", kind.name, pk, attempts)
                outcome["failed"].append(pk)
        elif mine.update(queued_at=now):  # ours to hand over; the queue function counts the attempt
            kind.queue(pk, now)
            outcome["requeued"].append(pk)
    return outcome


def claim(kind: RunKind, run_id: int) -> bool:
    """Queued, or running past the task time limit (its worker died): only one caller gets it."""
    now = timezone.now()
    stale = Q(status=RUNNING, started_at__lt=now - lease())
    return bool(
        kind.model._default_manager.filter(Q(status=QUEUED) | stale, pk=run_id).update(status=RUNNING, started_at=now)
    )


def expire_if_stale(kind: RunKind, run):
    """A run left "running" past the task time limit by a dead worker is shown as failed."""
    if run.status == RUNNING and run.started_at and run.started_at < timezone.now() - lease():
        kind.model._default_manager.filter(pk=run.pk, status=RUNNING, started_at=run.started_at).update(
            status=FAILED, error=kind.worker_stopped, finished_at=timezone.now()
        )
        run.refresh_from_db(fields=["status", "error", "finished_at"])
    return run
