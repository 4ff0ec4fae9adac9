"""The one pass over a province (reports/progress/province.py) gives every unit the report the unit-by-unit
computation gives, and reads its facts in a number of queries that does not grow with the units (issue 15).
"""

import datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Organisation, OrganisationTerm
from members.vocabulary import Level
from reports.models import ProgressSnapshot
from reports.progress import jobs, periods
from reports.progress.facts import DatabaseSource
from reports.progress.province import ProvinceSource
from reports.progress.report import progress_report, report_from
from reports.vocabulary import QuotaMetric, QuotaSource, ValueKind

from ..builders import admit, org, quota, spread
from ..pipeline_builders import history, trained_people
from .test_report_properties import LAST_DAY, NOW, build, events, to_date

pytestmark = pytest.mark.django_db


def quotas_for(units, d, values):
    """Quotas of several kinds and sources on the units, for the year, last year (carried over) and the term."""
    year, last_year, term = periods.year(d.year), periods.year(d.year - 1), periods.term_containing(d)
    for unit, value in zip(units, values, strict=False):
        quota(unit, year, value, source=QuotaSource.ASSIGNED)
        quota(unit, year, value + 1, source=QuotaSource.RESOLUTION)
        quota(unit, last_year, value, carry_over=True, source=QuotaSource.ASSIGNED)
        quota(unit, term, None, value_kind=ValueKind.RATE, rate_percent=3, source=QuotaSource.RESOLUTION)
        quota(unit, year, value * 2, metric=QuotaMetric.INTRODUCED, source=QuotaSource.PLAN)


def every_unit() -> list[Organisation]:
    return list(Organisation.objects.order_by("path"))


def assert_same_reports(units, wanted, d):
    source = ProvinceSource.load(units, wanted, d)
    for unit in units:
        for period in wanted:
            one_pass = report_from(source, unit, period, d).as_json()
            assert one_pass == progress_report(unit, period, d).as_json(), (unit.name, period.key)


@time_machine.travel(NOW, tick=False)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells_per_commune=st.tuples(st.integers(1, 3), st.integers(1, 2)),
    merge_day=st.none() | st.integers(100, LAST_DAY - 100),
    evts=events,
    as_on=st.integers(300, LAST_DAY),
    values=st.lists(st.integers(1, 9), min_size=1, max_size=8),
    term_start=st.none() | st.integers(-60, 90),
)
def test_the_one_pass_equals_the_unit_by_unit_reports_on_random_trees(
    cells_per_commune, merge_day, evts, as_on, values, term_start
):
    d = to_date(as_on)
    with transaction.atomic():
        province, a, b, n = build(cells_per_commune, merge_day, evts)
        if term_start is not None:  # commune B held its congress on its own day
            start = datetime.date(2025, 7, 1) + datetime.timedelta(days=term_start)
            OrganisationTerm.objects.create(
                organisation=b, first_year=2025, start=start, end=datetime.date(2030, 6, 30)
            )
        units = every_unit()
        quotas_for(units, d, values)
        trained_people(units[-1] if units[-1].level == Level.CELL else units[0], 2, d - datetime.timedelta(days=20))
        wanted = [
            periods.year(d.year),
            periods.term_containing(d),
            periods.month(d.year, d.month),
            periods.year(d.year - 1),
        ]
        assert_same_reports(units, wanted, d)
        transaction.set_rollback(True)


@time_machine.travel(NOW, tick=False)
def test_a_borrowed_history_and_the_children_forecast_match():
    """Cells with a thin history borrow their commune's: the parent's history comes from the pass too."""
    d = datetime.date(2026, 6, 15)
    province = org(Level.PROVINCE)
    commune = org(Level.COMMUNE, province)
    rich = org(Level.CELL, commune)
    thin = org(Level.CELL, commune)
    history(trained_people(rich, 8, datetime.date(2025, 3, 1)), decided_after_days=40)
    trained_people(thin, 3, datetime.date(2026, 5, 1))
    trained_people(rich, 4, datetime.date(2026, 5, 20))
    admit(rich, spread(6, datetime.date(2025, 1, 10), datetime.date(2026, 6, 1)))
    quota(commune, periods.year(2026), 10)
    quota(rich, periods.year(2026), 6, source=QuotaSource.ASSIGNED)
    quota(thin, periods.year(2026), 2, source=QuotaSource.ASSIGNED)
    quota(thin, periods.year(2026), 3)
    units = every_unit()
    assert_same_reports(units, [periods.year(2026), periods.term_containing(d)], d)
    report = report_from(ProvinceSource.load(units, [periods.year(2026)], d), commune, periods.year(2026), d)
    assert report.forecast.children and report.children_by_source  # the case exercised the parts it is about


def province_of(communes: int, cells: int) -> Organisation:
    province = org(Level.PROVINCE)
    year = periods.year(2026)
    quota(province, year, 100)
    for i in range(communes):
        commune = org(Level.COMMUNE, province)
        quota(commune, year, 10)
        for j in range(cells):
            cell = org(Level.CELL, commune)
            quota(cell, year, 2, source=QuotaSource.ASSIGNED)
            admit(cell, spread(1 + (i + j) % 3, datetime.date(2025, 3, 1), datetime.date(2026, 5, 1)))
            trained_people(cell, 1, datetime.date(2026, 2, 1))
    return province


def load_queries(province) -> int:
    units = list(Organisation.objects.filter(path__startswith=province.path))
    wanted = [periods.year(2026), periods.term_containing(datetime.date(2026, 6, 1)), periods.month(2026, 5)]
    with CaptureQueriesContext(connection) as ctx:
        source = ProvinceSource.load(units, wanted, datetime.date(2026, 6, 1))
        for unit in units:
            for period in wanted:
                report_from(source, unit, period, datetime.date(2026, 6, 1))
    return len(ctx.captured_queries)


def test_the_pass_reads_a_fixed_number_of_queries_whatever_the_number_of_units():
    small = load_queries(province_of(2, 2))  # 7 units
    large = load_queries(province_of(6, 5))  # 37 units
    assert small == large <= 16


@pytest.mark.usefixtures("eager_celery", "isolated_cache")
def test_the_recompute_of_every_unit_runs_the_same_queries_for_a_small_and_a_large_province():
    today = datetime.date(2026, 6, 1)
    counts = []
    for shape in ((3, 3), (8, 6)):  # 13 and 57 units: more than ONE_PASS_MIN, one batch each
        province = province_of(*shape)
        ids = list(Organisation.objects.filter(path__startswith=province.path).values_list("pk", flat=True))
        assert jobs.ONE_PASS_MIN < len(ids) <= jobs.PASS_BATCH
        with CaptureQueriesContext(connection) as ctx:
            jobs.start_recompute(org_ids=ids, today=today)
        # Every query but the snapshots' INSERTs (batched by the database's parameter limit: 999 on SQLite).
        counts.append(sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT")))
        assert ProgressSnapshot.objects.filter(organisation_id__in=ids).count() == 3 * len(ids)
        for snapshot in ProgressSnapshot.objects.filter(organisation_id__in=ids[:4]):
            unit = Organisation.objects.get(pk=snapshot.organisation_id)
            assert snapshot.data == progress_report(unit, periods.parse(snapshot.period_key), today).as_json()
    assert counts[0] == counts[1]


def test_a_few_units_read_their_own_facts():
    """A change's cell and its ancestors: cheaper one by one than a whole province."""
    province = province_of(1, 1)
    units = list(Organisation.objects.filter(path__startswith=province.path))
    assert len(units) <= jobs.ONE_PASS_MIN
    source = DatabaseSource()
    report = report_from(source, units[0], periods.year(2026), datetime.date(2026, 6, 1))
    assert report.as_json() == progress_report(units[0], periods.year(2026), datetime.date(2026, 6, 1)).as_json()
