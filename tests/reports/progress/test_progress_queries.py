import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.vocabulary import Level
from reports.progress import periods
from reports.progress.report import progress_report

from ..builders import admit, org, quota, spread
from ..pipeline_builders import trained_people

pytestmark = pytest.mark.django_db
TERM = periods.term(2020)
BUDGET = 15  # 14 (the movement counts come with the member counts), and one for the recorded terms


def province_of(size: int):
    province = org(Level.PROVINCE)
    quota(province, TERM, 100)
    for _ in range(size):
        commune = org(Level.COMMUNE, province)
        quota(commune, TERM, 10)
        cell = org(Level.CELL, commune)
        admit(cell, spread(size, TERM.start, TERM.end))
        trained_people(cell, 2, datetime.date(2024, 1, 10))
    return province


@pytest.mark.parametrize("size", [3, 30])
def test_the_progress_report_runs_a_fixed_number_of_queries(size, django_assert_max_num_queries):
    province = province_of(size)
    with django_assert_max_num_queries(BUDGET):
        data = progress_report(province, TERM, datetime.date(2026, 1, 1))
    assert data.admissions.period == size * size
    assert len(data.children) == size


def test_the_query_count_is_the_same_for_a_small_and_a_large_province():
    counts = []
    for size in (2, 12):
        province = province_of(size)
        with CaptureQueriesContext(connection) as ctx:
            progress_report(province, TERM, datetime.date(2026, 1, 1))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
