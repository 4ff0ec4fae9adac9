"""On random trees, admissions and quotas, the job's snapshots equal the direct computation."""

import datetime
import json
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Organisation
from reports.models import ProgressSnapshot
from reports.progress import jobs, periods, snapshots
from reports.progress.report import progress_report

from ..builders import admit, quota
from .test_progress_properties import build, tree_shape

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "isolated_cache")]
TODAY = datetime.date(2026, 3, 10)
FIRST_DAY = datetime.date(2025, 1, 1)  # admissions from here to a few days after TODAY
STANDARD = snapshots.standard_periods(TODAY)

admission_days = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 440)), max_size=40)
# (unit index, which standard period, target)
quotas = st.lists(st.tuples(st.integers(0, 50), st.sampled_from(["term", "year"]), st.integers(1, 30)), max_size=4)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=tree_shape, admissions=admission_days, targets=quotas, chunk_size=st.integers(1, 5))
def test_the_jobs_snapshots_equal_the_direct_computation(shape, admissions, targets, chunk_size):
    # A head of one entry: every list of two cells or more is stored apart, and read back whole.
    with transaction.atomic(), mock.patch.object(snapshots, "LIST_HEAD", 1):
        _province, cells = build(shape)
        for cell_index, offset in admissions:
            admit(cells[cell_index % len(cells)], [FIRST_DAY + datetime.timedelta(days=offset)])
        units = list(Organisation.objects.order_by("path"))
        for unit_index, kind, target in targets:
            quota(units[unit_index % len(units)], STANDARD[0] if kind == "term" else STANDARD[1], target)

        run_id = jobs.start_recompute(today=TODAY, chunk_size=chunk_size)

        assert jobs.run_progress(run_id).finished
        stored = list(ProgressSnapshot.objects.select_related("organisation"))
        assert len(stored) == len(units) * len(STANDARD)
        for snapshot in stored:
            direct = progress_report(snapshot.organisation, periods.parse(snapshot.period_key), TODAY)
            assert snapshots.whole_json(snapshot) == json.loads(json.dumps(direct.as_json()))
            assert snapshots.read(snapshot) == direct
            for key in snapshots.LONG_LISTS:
                assert snapshot.data[key] == snapshots.whole_json(snapshot)[key][:1]
        transaction.set_rollback(True)
