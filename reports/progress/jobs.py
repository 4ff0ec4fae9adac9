"""Recomputing the progress snapshots: which organisations, in which chunks, and how far a run is.

Plain functions; reports/progress/tasks.py adapts them to Celery. Every step is safe to repeat: a chunk
overwrites its snapshots (update_or_create), so running a job twice, a chunk delivered twice, or a
rerun after a worker died halfway all end with the same rows as one clean run.

A run is tracked in the cache (Redis when REDIS_URL is set): one entry with the number of chunks
and who asked, one key per finished chunk and the time the last one finished. Counting keys rather
than incrementing a counter keeps the progress right when a chunk is delivered twice; a run with no
chunk finished for STALL_SECONDS is shown as stopped (its worker died) rather than polled forever.

After a change (the outbox, docs/security.md "Reliability"): `request_recompute(cell)` writes one
PendingRecompute row per unit whose figures moved (the cell, its ancestors, the successors of merged
units) in the change's own transaction, so the request commits or rolls back with the change and a
broker outage cannot lose it. After the commit it tries to kick a drain (a failure is logged); the
beat also drains every minute. A drain claims the rows requested at least COALESCE_SECONDS ago
(so a burst of changes costs one recompute per unit), fans them out as chunks, and each chunk
deletes the rows it recomputed. A claim older than LEASE_SECONDS belongs to a dead worker and is
taken over. Without a worker (eager Celery, `make run`) nothing is written to the outbox: the touched
snapshots are dropped after the commit, to be computed when a page reads them.
"""

import contextlib
import datetime
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from members.models import Organisation

from ..models import PendingRecompute, ProgressSnapshot
from . import parallel, periods, snapshots
from .facts import DatabaseSource, FactSource
from .province import ProvinceSource

logger = logging.getLogger(__name__)

# A run is one pass (province.py): its units' facts are read once, and its snapshots written
# PASS_BATCH units at a time, each batch a step of the progress bar. A run asked for in chunks
# (`chunk_size`) gives each chunk to its own task instead, for several workers to share.
PASS_BATCH = 100


def pass_batch() -> int:
    """PASS_BATCH, unless settings.PARTYHUB_RECOMPUTE_BATCH says otherwise (the tests' small passes)."""
    return getattr(settings, "PARTYHUB_RECOMPUTE_BATCH", 0) or PASS_BATCH


CHUNK_SIZE = 20
# Up to this many units (a change's cell and its ancestors), each report reads its own facts: cheaper
# than reading a whole province for a handful of units.
ONE_PASS_MIN = 8
# A burst of changes within this window costs one recompute of each unit it touched.
COALESCE_SECONDS = 60
# How long a run's progress stays readable (the progress bar, a rerun's checks).
RUN_TTL = 24 * 60 * 60
# A claimed outbox row older than this belongs to a dead worker (or a lost chunk) and is taken over;
# a run with no chunk finished for as long is shown as stopped. A chunk takes seconds.
LEASE_SECONDS = 10 * 60
STALL_SECONDS = LEASE_SECONDS
# A unit whose recompute failed this many times in a row leaves the outbox (logged as an error);
# the nightly run recomputes every unit anyway.
MAX_ATTEMPTS = 5
# At most this many units per drain; the rest wait for the next one (a minute later).
DRAIN_LIMIT = 2000
# Commits within this window share one kicked drain, which starts COALESCE_SECONDS + KICK_WINDOW
# after the first of them: late enough for every row they wrote to be due.
KICK_WINDOW = 10
KICK_KEY = "reports:recompute:kick"

RUN_PREFIX = "reports:recompute:run:"

# The broker or the cache (both Redis) cannot be reached now: the work waits in the database.
# kombu raises OperationalError when it gives up publishing; redis-py's errors are not OSErrors.
QUEUE_ERRORS: tuple[type[Exception], ...] = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)
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


def recompute_units(
    org_ids: Sequence[int],
    period_keys: Sequence[str],
    today: datetime.date,
    *,
    skip: Callable[[int], bool] = lambda index: False,
    after_batch: Callable[[int, list[int]], None] = lambda index, ids: None,
) -> int:
    """Compute and store the snapshots of these units for these periods; returns how many were written.

    More than ONE_PASS_MIN units read their provinces' facts once (province.py: a fixed number of
    queries, whatever the number of units); fewer read each report's own (facts.DatabaseSource). The
    units are written PASS_BATCH (`pass_batch()`) at a time, each batch in one transaction, so a worker killed halfway
    leaves every unit either as it was or fully refreshed. `skip(index)` leaves a batch out (done by an
    earlier delivery of the same run); `after_batch(index, ids)` runs after each batch commits.
    """
    wanted = [periods.parse(key) for key in period_keys]
    units = list(Organisation.objects.filter(pk__in=list(org_ids)).order_by("path"))
    source: FactSource = ProvinceSource.load(units, wanted, today) if len(units) > ONE_PASS_MIN else DatabaseSource()

    def write(index: int, batch: list[Organisation], encoded: list[snapshots.Encoded]) -> None:
        with transaction.atomic():
            snapshots.store_encoded(encoded, today)
        after_batch(index, [unit.pk for unit in batch])

    # A large pass computes in several processes (parallel.py), each batch written here in order; a
    # DatabaseSource queries as it goes, so its reports are computed here.
    workers = parallel.processes(len(units)) if isinstance(source, ProvinceSource) else 1
    return parallel.run(source, units, wanted, today, batch_size=pass_batch(), skip=skip, write=write, workers=workers)


def recompute_chunk(org_ids: Sequence[int], period_keys: Sequence[str], today: datetime.date) -> int:
    """One chunk of a run cut into chunks (`start_recompute(chunk_size=...)`)."""
    return recompute_units(org_ids, period_keys, today)


# --- progress of a run ------------------------------------------------------------------------


@dataclass(frozen=True)
class RunProgress:
    run_id: str
    total: int
    done: int
    organisation_id: int | None
    user_id: int | None
    started_at: str
    # No chunk finished for STALL_SECONDS: a worker died with one (the page stops polling and says so).
    stalled: bool = False

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


def _touch_key(run_id: str) -> str:
    return f"{RUN_PREFIX}{run_id}:touched"


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
    cache.set_many({_chunk_key(run_id, index): 1, _touch_key(run_id): timezone.now().isoformat()}, RUN_TTL)


def chunk_is_done(run_id: str, index: int) -> bool:
    return cache.get(_chunk_key(run_id, index)) is not None


def run_progress(run_id: str, now: datetime.datetime | None = None) -> RunProgress | None:
    """None for an unknown (or long expired) run."""
    meta = cache.get(_run_key(run_id))
    if meta is None:
        return None
    found = cache.get_many([_touch_key(run_id), *(_chunk_key(run_id, i) for i in range(meta["total"]))])
    last = found.pop(_touch_key(run_id), None) or meta["started_at"]
    done = len(found)
    now = now or timezone.now()
    stalled = done < meta["total"] and datetime.datetime.fromisoformat(last) <= now - datetime.timedelta(
        seconds=STALL_SECONDS
    )
    return RunProgress(
        run_id=run_id,
        total=meta["total"],
        done=done,
        organisation_id=meta["organisation_id"],
        user_id=meta["user_id"],
        started_at=meta["started_at"],
        stalled=stalled,
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
    chunk_size: int | None = None,
    queue: str | None = None,
    claim: str | None = None,
) -> str:
    """Register a run and queue one task per chunk; returns the run id.

    Without `org_ids`, every unit (or `organisation`'s subtree); without `period_keys`, the standard
    periods. Without `chunk_size`, one task makes one pass over all the units (`recompute_units`),
    a step of the run per batch of PASS_BATCH units; with it, one task per chunk of that many units.
    With eager Celery (no REDIS_URL) the tasks run inline and the run is finished on return.
    With `claim`, each chunk deletes the outbox rows of its units held under that claim once done.
    Raises one of QUEUE_ERRORS when the cache or the broker cannot be reached.
    """
    from .tasks import recompute_chunk_task, recompute_pass_task  # the tasks module imports this one

    today = today or timezone.localdate()
    if org_ids is None:
        org_ids = organisation_ids(today, within=organisation)
    keys = list(period_keys) if period_keys is not None else standard_period_keys(today)
    chunks = plan_recompute(org_ids, chunk_size or pass_batch())
    run_id = run_id or uuid.uuid4().hex
    run_register(
        run_id=run_id,
        total=len(chunks),
        organisation_id=organisation.pk if organisation is not None else None,
        user_id=user_id,
    )
    options = {"queue": queue} if queue else {}
    if chunk_size is None:
        kwargs = {"run_id": run_id, "org_ids": list(org_ids), "period_keys": keys, "today": today.isoformat()}
        if claim:
            kwargs["claim"] = claim
        recompute_pass_task.apply_async(kwargs=kwargs, **options)
        return run_id
    for index, chunk in enumerate(chunks):
        kwargs = {"run_id": run_id, "index": index, "org_ids": chunk, "period_keys": keys, "today": today.isoformat()}
        if claim:
            kwargs["claim"] = claim
        recompute_chunk_task.apply_async(kwargs=kwargs, **options)
    return run_id


# --- the outbox: recomputes requested by changes ----------------------------------------------


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


def _coalesce() -> datetime.timedelta:
    return datetime.timedelta(seconds=COALESCE_SECONDS)


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=LEASE_SECONDS)


def _has_worker() -> bool:
    from .tasks import recompute_snapshots  # the tasks module imports this one

    return not recompute_snapshots.app.conf.task_always_eager


def record_pending(org_ids: Iterable[int], *, now: datetime.datetime | None = None, due_at_once: bool = False) -> None:
    """Write the outbox rows of these units in the current transaction: one upsert, whatever was there.

    A unit already pending keeps its `requested_at` (the coalescing window runs from the first
    request); a unit claimed by a drain or a run has its claim cleared, so the chunk that holds it
    does not delete the row and the unit is recomputed again after this change. `due_at_once`: the
    drain takes new rows at its next pass instead of after the coalescing window (the button).
    """
    ids = sorted(set(org_ids))  # in id order: concurrent upserts lock the rows in the same order
    if not ids:
        return
    now = now or timezone.now()
    at = now - _coalesce() if due_at_once else now
    PendingRecompute.objects.bulk_create(
        [PendingRecompute(organisation_id=pk, requested_at=at) for pk in ids],
        update_conflicts=True,
        unique_fields=["organisation"],
        update_fields=["claimed_at", "claimed_by", "attempts"],
        batch_size=500,
    )


def drop_snapshots(paths: Iterable[str]) -> list[int]:
    """Without a worker: drop the touched snapshots; the next page that reads one computes it
    (snapshots.report_for). Returns the ids of the touched units."""
    ids = affected_organisation_ids(paths)
    ProgressSnapshot.objects.filter(organisation_id__in=ids).delete()
    return ids


def kick_drain() -> bool:
    """After a commit: ask a worker to drain the outbox once the rows just written are due.

    Commits within KICK_WINDOW share one drain. The broker or the cache being down is logged and
    otherwise ignored: the rows are in the database and the beat's drain takes them.
    """
    from .tasks import drain_recompute_outbox

    try:
        if not cache.add(KICK_KEY, 1, KICK_WINDOW):
            return False
        drain_recompute_outbox.apply_async(countdown=COALESCE_SECONDS + KICK_WINDOW)
    except QUEUE_ERRORS:
        logger.warning("Recompute drain not queued; the outbox rows wait for the beat's drain", exc_info=True)
        return False
    return True


def _request(paths: Sequence[str]) -> None:
    if not _has_worker():
        transaction.on_commit(lambda: drop_snapshots(paths), robust=True)
        return
    record_pending(affected_organisation_ids(paths))
    transaction.on_commit(kick_drain, robust=True)


def request_recompute(*organisations: Organisation | None) -> None:
    """Call after a change that moves a figure of these units (usually the candidate's or member's cell).

    Inside the change's transaction: the outbox rows commit or roll back with the change (a database
    error here is the change's error). Nothing is queued before the commit, and a failure to queue
    after it (Redis down) is logged: the rows wait for the next drain.
    """
    paths = [o.path for o in organisations if o is not None]
    collecting = getattr(_coalescing, "paths", None)
    if collecting is not None:
        collecting.update(paths)
    elif paths:
        _request(paths)


_coalescing = threading.local()


@contextlib.contextmanager
def coalesced_recompute():
    """Many changes in one transaction (an import of thousands of rows): one request for all their
    units when the block ends (one upsert, one callback after the commit), instead of one per change.
    Use it inside the transaction, so that the rows are written in it."""
    if getattr(_coalescing, "paths", None) is not None:
        yield  # already collecting for an outer block
        return
    _coalescing.paths = set()
    try:
        yield
    finally:
        paths, _coalescing.paths = sorted(_coalescing.paths), None
    connection = transaction.get_connection()
    if paths and not (connection.in_atomic_block and connection.needs_rollback):
        # A block marked for rollback (a dry run, a refused import) changed nothing: nothing to request.
        _request(paths)


# --- draining the outbox ----------------------------------------------------------------------


def claim_due(token: str, *, now: datetime.datetime | None = None, limit: int = DRAIN_LIMIT) -> list[int]:
    """Claim the due rows (requested COALESCE_SECONDS ago, not claimed or claimed past the lease)
    under `token`; returns their units' ids, top of the tree first.

    On PostgreSQL the rows a transaction in flight has just written are skipped (SKIP LOCKED), not
    waited for: that change has not committed, so they are taken at the next drain. SQLite writes
    one transaction at a time; the conditional UPDATE repeats the conditions either way. A row that
    failed MAX_ATTEMPTS times is dropped with an error in the log.
    """
    now = now or timezone.now()
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - _lease())
    due = PendingRecompute.objects.filter(claimable, requested_at__lte=now - _coalesce())
    with transaction.atomic():
        rows = due.order_by("requested_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        found = list(rows.values_list("pk", "organisation_id", "attempts")[: max(int(limit), 1)])
        given_up = [(pk, org_id) for pk, org_id, attempts in found if attempts >= MAX_ATTEMPTS]
        if given_up:
            due.filter(pk__in=[pk for pk, _ in given_up]).delete()
            logger.error(
                "Recompute of units %s failed %s times; left to the nightly run",
                [org_id for _, org_id in given_up],
                MAX_ATTEMPTS,
            )
        taken = [pk for pk, _org_id, attempts in found if attempts < MAX_ATTEMPTS]
        if taken:
            due.filter(pk__in=taken).update(claimed_at=now, claimed_by=token, attempts=F("attempts") + 1)
    return list(
        PendingRecompute.objects.filter(claimed_by=token)
        .order_by("organisation__path")
        .values_list("organisation_id", flat=True)
    )


def finish_pending(org_ids: Iterable[int], token: str) -> int:
    """A chunk recomputed these units: delete their rows still held under its claim; returns how many."""
    deleted, _ = PendingRecompute.objects.filter(organisation_id__in=list(org_ids), claimed_by=token).delete()
    return deleted


def release_claim(token: str) -> int:
    """The run could not be queued: its rows go back to the outbox, due at the next drain."""
    return PendingRecompute.objects.filter(claimed_by=token).update(
        claimed_at=None, claimed_by="", attempts=F("attempts") - 1
    )


def _fan_out(token: str, org_ids: Sequence[int], **options) -> str | None:
    """Start the run of these claimed units; on a broker or cache failure release them (None)."""
    try:
        return start_recompute(run_id=token, org_ids=org_ids, claim=token, **options)
    except QUEUE_ERRORS:
        release_claim(token)
        logger.warning("Recompute of %s units not queued; they wait in the outbox", len(org_ids), exc_info=True)
        return None


def drain(
    *, now: datetime.datetime | None = None, today: datetime.date | None = None, queue: str | None = None
) -> list[int]:
    """Claim the due outbox rows and start their recompute (the beat every minute, and kicked after
    changes); returns the ids claimed (released again if they could not be queued)."""
    token = uuid.uuid4().hex
    ids = claim_due(token, now=now)
    if ids:
        _fan_out(token, ids, today=today, queue=queue)
    return ids


def recompute_subtree(
    organisation: Organisation,
    *,
    period_keys: Sequence[str],
    today: datetime.date,
    user_id: int | None = None,
) -> str | None:
    """The "recompute now" button with a worker: the unit and its subtree, through the outbox.

    The rows are written and claimed by the run, so a chunk lost with a dead worker is taken over by
    a drain after the lease. Returns the run id, or None when the cache or the broker cannot be
    reached: the rows are then due at the drain's next pass.
    """
    ids = organisation_ids(today, within=organisation)
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        record_pending(ids, now=now, due_at_once=True)
        PendingRecompute.objects.filter(organisation_id__in=ids).update(
            claimed_at=now, claimed_by=token, attempts=F("attempts") + 1
        )
    return _fan_out(token, ids, organisation=organisation, period_keys=period_keys, today=today, user_id=user_id)
