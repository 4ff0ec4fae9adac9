"""A pass's reports computed in several processes (issue 15): the machine's cores share the CPU work.

A pass (jobs.recompute_units) reads a province's facts once (province.py) and then spends nearly all
its time in Python computing and encoding 70,000 reports, one core's work. Here the process that read
the facts forks children (`os.fork`: each child starts with the facts already in its memory, nothing
is copied or read again); each child computes and encodes whole batches of units and sends their JSON
text down a pipe, and the parent writes the batches in order, each in its own transaction, as they
arrive, so the writing overlaps the computing. (Not `multiprocessing`: a Celery pool process is a
daemon, and multiprocessing refuses children to daemons.)

The children never touch the database, the cache or the broker: the facts are all in memory, and the
connections they inherited belong to the parent (a query over one would interleave with the parent's
on the same socket). `_forbid_queries` makes any query in a child raise instead; a child that fails
(an exception, or a child killed) fails the pass in the parent, whose batches already written stay,
as when a worker dies halfway (the rerun skips them).

The number of processes is settings.PARTYHUB_RECOMPUTE_PROCESSES (0: one per core); a pass of fewer
than PARTYHUB_RECOMPUTE_PARALLEL_MIN_UNITS units, or on a machine of one core, computes in its own process.
"""

import contextlib
import gc
import os
import pickle
import signal
import traceback
import typing
from collections.abc import Callable, Iterator, Sequence

from django.conf import settings
from django.db import connections

from members.models import Organisation

from . import periods, snapshots
from .facts import FactSource
from .report import report_from


def processes(units: int) -> int:
    """How many processes a pass over `units` units computes in (1: the pass's own)."""
    if units < settings.PARTYHUB_RECOMPUTE_PARALLEL_MIN_UNITS:
        return 1
    wanted = settings.PARTYHUB_RECOMPUTE_PROCESSES or os.cpu_count() or 1
    return max(1, min(wanted, units))


class QueryInChild(RuntimeError):
    pass


class ChildFailed(RuntimeError):
    """A child failed (its traceback in the message) or ended before its batches were done."""


def _forbid_queries(execute, sql, params, many, context):
    raise QueryInChild(
        "A recompute child process tried a query; its facts must all come from the pass's source: " + sql[:200]
    )


def _start_child() -> None:
    for conn in connections.all(initialized_only=True):
        conn.execute_wrappers.append(_forbid_queries)


def encoded_batch(
    source: FactSource, batch: Sequence[Organisation], wanted: Sequence[periods.Period], today
) -> list[snapshots.Encoded]:
    """The reports of `batch` × `wanted`, encoded for writing (unit by unit, each unit's periods in order)."""
    return [
        snapshots.encode(unit, period, report_from(source, unit, period, today)) for unit in batch for period in wanted
    ]


def computed_batches(
    source: FactSource,
    batches: list[list[Organisation]],
    wanted: list[periods.Period],
    today,
    *,
    indexes: Sequence[int],
    workers: int,
) -> Iterator[tuple[int, list[snapshots.Encoded]]]:
    """(index, encoded reports) of each of `indexes`' batches, in that order; with `workers` > 1 computed
    by that many forked children, the k-th batch by child k mod `workers`, each child a batch ahead of
    the one the caller is writing."""
    workers = min(workers, len(indexes))
    if workers <= 1:
        for index in indexes:
            yield index, encoded_batch(source, batches[index], wanted, today)
        return
    children: list[tuple[int, typing.BinaryIO]] = []
    # The facts' objects out of the collector's sight while the children start: a collection in a
    # child would otherwise write to every object's header and copy the parent's memory page by page.
    gc.freeze()
    try:
        for child in range(workers):
            mine = indexes[child::workers]
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never returns
                os.close(read_end)
                for _pid, earlier in children:  # the pipes of the children before it are not its own
                    os.close(earlier.fileno())
                _child(write_end, source, [batches[i] for i in mine], wanted, today)
            os.close(write_end)
            children.append((pid, os.fdopen(read_end, "rb")))
        gc.unfreeze()
        for k, index in enumerate(indexes):
            pid, results = children[k % workers]
            try:
                outcome, value = pickle.load(results)
            except EOFError:
                raise ChildFailed(f"recompute child {pid} ended without batch {index} (killed?)") from None
            if outcome == "error":
                raise ChildFailed(f"recompute child {pid} failed on batch {index}:\n{value}")
            yield index, value
    finally:
        gc.unfreeze()
        for pid, results in children:
            results.close()  # a child still writing gets EPIPE and ends
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _child(write_end: int, source, batches, wanted, today) -> typing.NoReturn:
    """In a forked child: compute `batches` in order, each sent down the pipe as it is done, then exit
    without running anything of the parent's (no atexit, no finalizers closing the parent's connections)."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _start_child()
        with os.fdopen(write_end, "wb") as out:
            for batch in batches:
                try:
                    message = ("ok", encoded_batch(source, batch, wanted, today))
                except Exception:
                    message, code = ("error", traceback.format_exc()), 1
                pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()
                if code:
                    break
    except BaseException:  # the pipe closed by the parent, a signal: nothing more to send
        code = 1
    finally:
        os._exit(code)


def run(
    source: FactSource,
    units: list[Organisation],
    wanted: list[periods.Period],
    today,
    *,
    batch_size: int,
    skip: Callable[[int], bool],
    write: Callable[[int, list[Organisation], list[snapshots.Encoded]], None],
    workers: int,
) -> int:
    """Compute the units' reports batch by batch (in `workers` children when more than one: see
    `processes`) and `write` each batch in order; returns how many reports were written."""
    batches = [units[start : start + batch_size] for start in range(0, len(units), batch_size)]
    indexes = [index for index in range(len(batches)) if not skip(index)]
    written = 0
    computed = computed_batches(source, batches, wanted, today, indexes=indexes, workers=workers)
    with contextlib.closing(computed):  # a failed write stops the children at once
        for index, encoded in computed:
            write(index, batches[index], encoded)
            written += len(encoded)
    return written
