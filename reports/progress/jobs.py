"""Recomputing the progress snapshots: which organisations, in which chunks, and how far a run is.

Plain functions; reports/progress/tasks.py adapts them to Celery. Every step is safe to repeat: a chunk
overwrites its snapshots (update_or_create), so running a job twice, a chunk delivered twice, or a
rerun after a worker died halfway all end with the same rows as one clean run.

A run is tracked in the cache (Redis when REDIS_URL is set): one entry with the number of chunks
and who asked, and one key per finished chunk. Counting keys rather than incrementing a counter
keeps the progress right when a chunk is delivered twice.

Changes that move a figure call `request_recompute(cell)`. After the commit it marks the cell and
its ancestors pending for COALESCE_SECONDS with `cache.add`; only units not already pending are
queued, with the same countdown, so a burst of changes costs one recompute per unit and the
recompute still starts after the last change it coalesced has committed. Without a worker the
touched snapshots are dropped instead, to be computed when a page reads them.
"""

import contextlib
import datetime
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.models import Organisation

from ..models import ProgressSnapshot
from . import periods, snapshots

# 20 units × 3 periods × ~15 queries: a chunk takes a few seconds, far below the task time limit,
# and a province of 3,000 units is 150 chunks that several workers can share.
CHUNK_SIZE = 20
# A burst of changes within this window costs one recompute of each unit it touched.
COALESCE_SECONDS = 60
# How long a run's progress stays readable (the progress bar, a rerun's checks).
RUN_TTL = 24 * 60 * 60

PENDING_PREFIX = "reports:recompute:pending:"
RUN_PREFIX = "reports:recompute:run:"
STEP = Organisation.steplen


# --- what to recompute ------------------------------------------------------------------------


def standard_period_keys(today: datetime.date, extra: Iterable[str] = ()) -> list[str]:
    """The keys the jobs keep fresh (current term, current year, last month), then `extra` ones."""
    return list(dict.fromkeys([*(p.key for p in snapshots.standard_periods(today)), *extra]))


def organisation_ids(today: datetime.date, within: Organisation | None = None) -> list[int]:
    """Active units, and units dissolved inside the oldest standard period (their figures still show)."""
    since = min(p.start for p in snapshots.standard_periods(today))
    units = Organisation.objects.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=since))
    if within is not None:
        units = units.filter(path__startswith=within.path)
    # By path: a unit comes before its subtree, so a run refreshes the page's own unit first.
    return list(units.order_by("path").values_list("pk", flat=True))


def plan_recompute(org_ids: Sequence[int], chunk_size: int = CHUNK_SIZE) -> list[list[int]]:
    size = max(int(chunk_size), 1)
    return [list(org_ids[i : i + size]) for i in range(0, len(org_ids), size)]


def recompute_chunk(org_ids: Sequence[int], period_keys: Sequence[str], today: datetime.date) -> int:
    """Compute and store the snapshots of these units for these periods; returns how many were written.

    Each unit's periods are written in one transaction, so a worker killed halfway leaves every unit
    either as it was or fully refreshed. Other snapshots of these units are dropped rather than left
    to go stale: a page that asks for one computes it afresh.
    """
    wanted = [periods.parse(key) for key in period_keys]
    keys = [p.key for p in wanted]
    written = 0
    for organisation in Organisation.objects.filter(pk__in=list(org_ids)).order_by("path"):
        with transaction.atomic():
            for period in wanted:
                snapshots.compute_and_store(organisation, period, today)
                written += 1
            ProgressSnapshot.objects.filter(organisation=organisation).exclude(period_key__in=keys).delete()
    return written


# --- progress of a run ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunProgress:
    run_id: str
    total: int
    done: int
    organisation_id: int | None
    user_id: int | None
    started_at: str

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(self.done * 100 // self.total, 100)


def _run_key(run_id: str) -> str:
    return f"{RUN_PREFIX}{run_id}"


def _chunk_key(run_id: str, index: int) -> str:
    return f"{RUN_PREFIX}{run_id}:{index}"


def run_register(*, run_id: str, total: int, organisation_id: int | None = None, user_id: int | None = None) -> None:
    cache.set(
        _run_key(run_id),
        {
            "total": total,
            "organisation_id": organisation_id,
            "user_id": user_id,
            "started_at": timezone.now().isoformat(),
        },
        RUN_TTL,
    )


def chunk_mark_done(run_id: str, index: int) -> None:
    cache.set(_chunk_key(run_id, index), 1, RUN_TTL)


def chunk_is_done(run_id: str, index: int) -> bool:
    return cache.get(_chunk_key(run_id, index)) is not None


def run_progress(run_id: str) -> RunProgress | None:
    """None for an unknown (or long expired) run."""
    meta = cache.get(_run_key(run_id))
    if meta is None:
        return None
    done = len(cache.get_many([_chunk_key(run_id, i) for i in range(meta["total"])])) if meta["total"] else 0
    return RunProgress(
        run_id=run_id,
        total=meta["total"],
        done=done,
        organisation_id=meta["organisation_id"],
        user_id=meta["user_id"],
        started_at=meta["started_at"],
    )


# --- starting a run ---------------------------------------------------------------------------


def start_recompute(
    *,
    run_id: str | None = None,
    org_ids: Sequence[int] | None = None,
    organisation: Organisation | None = None,
    period_keys: Sequence[str] | None = None,
    today: datetime.date | None = None,
    user_id: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    queue: str | None = None,
) -> str:
    """Register a run and queue one task per chunk; returns the run id.

    Without `org_ids`, every unit (or `organisation`'s subtree); without `period_keys`, the standard
    periods. With eager Celery (no REDIS_URL) the chunks run inline and the run is finished on return.
    """
    from .tasks import recompute_chunk_task  # the tasks module imports this one

    today = today or timezone.localdate()
    if org_ids is None:
        org_ids = organisation_ids(today, within=organisation)
    keys = list(period_keys) if period_keys is not None else standard_period_keys(today)
    chunks = plan_recompute(org_ids, chunk_size)
    run_id = run_id or uuid.uuid4().hex
    run_register(
        run_id=run_id,
        total=len(chunks),
        organisation_id=organisation.pk if organisation is not None else None,
        user_id=user_id,
    )
    options = {"queue": queue} if queue else {}
    for index, chunk in enumerate(chunks):
        recompute_chunk_task.apply_async(
            kwargs={
                "run_id": run_id,
                "index": index,
                "org_ids": chunk,
                "period_keys": keys,
                "today": today.isoformat(),
            },
            **options,
        )
    return run_id


# --- after a change: coalesced recompute ------------------------------------------------------


def _chain(path: str) -> list[str]:
    """The path and its ancestors' paths (materialised path prefixes)."""
    return [path[:end] for end in range(STEP, len(path) + 1, STEP)]


def affected_organisation_ids(paths: Iterable[str], *, ancestors: bool = True) -> list[int]:
    """Units whose figures include these paths: the units, their ancestors (unless told they are
    already covered), and the successors with their ancestors of any of them merged away, since a
    successor's report includes its predecessors."""
    frontier = {p for path in paths for p in (_chain(path) if ancestors else [path])}
    seen: set[str] = set()
    ids: set[int] = set()
    while frontier:
        seen |= frontier
        rows = Organisation.objects.filter(path__in=sorted(frontier)).values_list("pk", "merged_into__path")
        frontier = set()
        for pk, successor in rows:
            ids.add(pk)
            if successor:
                frontier |= set(_chain(successor)) - seen
    return sorted(ids)


def schedule_recompute(paths: Iterable[str]) -> list[int]:
    """Queue a delayed recompute of the units not already pending; returns the ids queued.

    Without a worker (eager Celery, `make run`) the recompute would run inside the request that made
    the change, seconds for a province: the touched snapshots are dropped instead, and the next page
    that reads one computes it (snapshots.report_for).
    """
    from .tasks import recompute_snapshots

    if recompute_snapshots.app.conf.task_always_eager:
        ids = affected_organisation_ids(paths)
        ProgressSnapshot.objects.filter(organisation_id__in=ids).delete()
        return ids
    fresh = [
        p
        for p in sorted({p for path in paths for p in _chain(path)})
        if cache.add(PENDING_PREFIX + p, 1, COALESCE_SECONDS)
    ]
    if not fresh:
        return []
    ids = affected_organisation_ids(fresh, ancestors=False)
    # The same delay as the pending mark: any change coalesced into this run committed before it starts.
    recompute_snapshots.apply_async(kwargs={"org_ids": ids}, countdown=COALESCE_SECONDS)
    return ids


def request_recompute(*organisations: Organisation | None) -> None:
    """Call after a change that moves a figure of these units (usually the candidate's or member's cell).

    Nothing is queued before the transaction commits, and a failure to queue (Redis down) is logged
    rather than turned into an error for a change that is already saved: the nightly run catches up.
    """
    paths = [o.path for o in organisations if o is not None]
    collecting = getattr(_coalescing, "paths", None)
    if collecting is not None:
        collecting.update(paths)
    elif paths:
        transaction.on_commit(lambda: schedule_recompute(paths), robust=True)


_coalescing = threading.local()


@contextlib.contextmanager
def coalesced_recompute():
    """Many changes in one transaction (an import of thousands of rows): one request for all their
    units when the block ends, instead of one callback per change run after the commit."""
    if getattr(_coalescing, "paths", None) is not None:
        yield  # already collecting for an outer block
        return
    _coalescing.paths = set()
    try:
        yield
    finally:
        paths, _coalescing.paths = sorted(_coalescing.paths), None
    if paths:
        transaction.on_commit(lambda: schedule_recompute(paths), robust=True)
