"""A pass's reports computed in forked processes (reports/progress/parallel.py) are the reports the pass
computes in its own process, written in order; a child never queries, and a child's failure fails the
pass with the batches before it written (issue 15)."""

import datetime
import json
import os
import signal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Organisation
from reports.models import ProgressSnapshot
from reports.progress import jobs, parallel, periods, snapshots
from reports.progress.facts import DatabaseSource
from reports.progress.province import ProvinceSource
from reports.progress.report import progress_report

from .test_province_pass import province_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]

TODAY = datetime.date(2026, 6, 1)
STANDARD = [p.key for p in snapshots.standard_periods(TODAY)]


@pytest.fixture
def in_children(settings):
    """Every pass in two children, four units a batch."""
    settings.PARTYHUB_RECOMPUTE_PROCESSES = 2
    settings.PARTYHUB_RECOMPUTE_PARALLEL_MIN_UNITS = 1
    settings.PARTYHUB_RECOMPUTE_BATCH = 4
    return settings


@pytest.fixture
def pids(tmp_path, monkeypatch):
    """The processes that computed each batch (written to a file: a child's memory is its own)."""
    log = tmp_path / "pids"
    original = parallel.encoded_batch

    def logged(source, batch, wanted, today):
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {batch[0].pk}\n")
        return original(source, batch, wanted, today)

    monkeypatch.setattr(parallel, "encoded_batch", logged)

    def read() -> dict[int, int]:
        return {int(pk): int(pid) for pid, pk in (line.split() for line in log.read_text().splitlines())}

    return read


def thirteen_units() -> tuple[list[int], list[Organisation]]:
    """A province of 3 communes × 3 cells: its units' ids as a pass takes them, and the units by path (4 batches)."""
    ids = jobs.organisation_ids(TODAY, within=province_of(3, 3))
    return ids, list(Organisation.objects.filter(pk__in=ids).order_by("path"))


def stored() -> dict:
    return {(s.organisation_id, s.period_key, s.as_of): (s.data, s.lists) for s in ProgressSnapshot.objects.all()}


def test_reports_computed_in_children_are_those_computed_in_the_pass(in_children, pids):
    province = province_of(4, 3)  # 17 units: 5 batches of 4
    ids = jobs.organisation_ids(TODAY, within=province)
    assert parallel.processes(len(ids)) == 2

    written = jobs.recompute_units(ids, STANDARD, TODAY)
    in_parallel = stored()
    by_batch = pids()
    assert written == len(ids) * len(STANDARD) == len(in_parallel)
    assert len(by_batch) == 5 and os.getpid() not in by_batch.values()  # every batch computed in a child

    ProgressSnapshot.objects.all().delete()
    in_children.PARTYHUB_RECOMPUTE_PROCESSES = 1
    jobs.recompute_units(ids, STANDARD, TODAY)
    assert pids()  # the logger saw the pass's own batches too
    assert stored() == in_parallel
    for snapshot in ProgressSnapshot.objects.filter(organisation_id__in=ids[:5]):
        unit = Organisation.objects.get(pk=snapshot.organisation_id)
        expected = progress_report(unit, periods.parse(snapshot.period_key), TODAY).as_json()
        assert snapshots.whole_json(snapshot) == json.loads(json.dumps(expected))


def test_a_pass_in_children_runs_the_queries_of_a_pass_in_its_own_process(in_children):
    ids, _units = thirteen_units()
    counts = []
    for processes in (2, 1):
        in_children.PARTYHUB_RECOMPUTE_PROCESSES = processes
        with CaptureQueriesContext(connection) as ctx:
            jobs.recompute_units(ids, STANDARD, TODAY)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_batches_a_run_has_done_are_skipped_in_children_too(in_children, pids):
    ids, units = thirteen_units()
    done = []
    jobs.recompute_units(
        ids, STANDARD, TODAY, skip=lambda index: index in (0, 2), after_batch=lambda i, b: done.append(i)
    )
    assert done == [1, 3]
    assert set(pids()) == {units[4].pk, units[12].pk}
    assert set(ProgressSnapshot.objects.values_list("organisation_id", flat=True)) == {
        u.pk for u in units[4:8] + units[12:]
    }


def test_a_child_that_fails_fails_the_pass_and_the_batches_before_it_stay_written(in_children, monkeypatch):
    ids, units = thirteen_units()
    original = parallel.encoded_batch

    def failing(source, batch, wanted, today):
        if batch[0] == units[8]:  # the third batch
            raise ValueError("broken batch")
        return original(source, batch, wanted, today)

    monkeypatch.setattr(parallel, "encoded_batch", failing)
    done = []
    with pytest.raises(parallel.ChildFailed, match="ValueError: broken batch"):
        jobs.recompute_units(ids, STANDARD, TODAY, after_batch=lambda index, batch: done.append(index))
    assert done == [0, 1]
    assert set(ProgressSnapshot.objects.values_list("organisation_id", flat=True)) == {u.pk for u in units[:8]}


def test_a_child_killed_fails_the_pass(in_children, monkeypatch):
    ids, units = thirteen_units()
    original = parallel.encoded_batch

    def killed(source, batch, wanted, today):
        if batch[0] == units[4]:  # the second batch
            os.kill(os.getpid(), signal.SIGKILL)
        return original(source, batch, wanted, today)

    monkeypatch.setattr(parallel, "encoded_batch", killed)
    done = []
    with pytest.raises(parallel.ChildFailed, match="ended without batch 1"):
        jobs.recompute_units(ids, STANDARD, TODAY, after_batch=lambda index, batch: done.append(index))
    assert done == [0]


def test_a_child_may_not_query_the_database(in_children):
    """A source that queries (the unit-by-unit one) fails in a child instead of sharing the parent's connection."""
    province = province_of(2, 2)
    units = list(Organisation.objects.filter(path__startswith=province.path).order_by("path"))
    with pytest.raises(parallel.ChildFailed, match="QueryInChild"):
        parallel.run(
            DatabaseSource(),
            units,
            [periods.year(2026)],
            TODAY,
            batch_size=2,
            skip=lambda index: False,
            write=lambda index, batch, encoded: None,
            workers=2,
        )
    # The parent's own connection still works.
    assert Organisation.objects.filter(pk=units[0].pk).exists()
    source = ProvinceSource.load(units, [periods.year(2026)], TODAY)
    assert parallel.encoded_batch(source, units[:1], [periods.year(2026)], TODAY)


def test_small_passes_and_single_processes_compute_in_the_pass(settings):
    settings.PARTYHUB_RECOMPUTE_PARALLEL_MIN_UNITS = 500
    settings.PARTYHUB_RECOMPUTE_PROCESSES = 0
    assert parallel.processes(499) == 1
    assert parallel.processes(500) == (os.cpu_count() or 1)
    settings.PARTYHUB_RECOMPUTE_PROCESSES = 3
    assert parallel.processes(10_000) == 3
    settings.PARTYHUB_RECOMPUTE_PROCESSES = 1
    assert parallel.processes(10_000) == 1
