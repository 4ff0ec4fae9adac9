"""Every figure of the source articles, rebuilt as data: the report must compute what the data says."""

import datetime
from decimal import Decimal

import pytest

from members import services as member_services
from members.vocabulary import Level, Sector
from reports.progress import periods
from reports.progress.report import progress_report
from reports.vocabulary import RangeState, ShareAttribute, ValueKind

from ..builders import admit, cell, org, quota, residential_cell, spread

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)
TERM_2020 = periods.term(2020)


def report(organisation, period):
    return progress_report(organisation, period, TODAY)


def only_quota(data):
    (q,) = data.quotas
    return q


def a_unit_with(n_admitted, *, period=TERM_2020, level=Level.COMMUNE):
    unit = org(level)
    cell = residential_cell(unit)
    admit(cell, spread(n_admitted, period.start, period.end))
    return unit


@pytest.mark.parametrize(
    ("case", "target", "achieved", "expected"),
    [
        ("Thị xã Duy Tiên", 500, 418, "83.6"),
        ("Phường Tiên Nội", 35, 29, "82.9"),
        ("Xã Yên Nam", 30, 25, "83.3"),
    ],
)
def test_a_term_quota_gives_percent_to_one_decimal_half_up(case, target, achieved, expected):
    unit = a_unit_with(achieved, level=Level.DISTRICT if "Duy Tiên" in case else Level.COMMUNE)
    quota(unit, TERM_2020, target)
    q = only_quota(report(unit, TERM_2020))
    assert (q.achieved, q.target, q.percent) == (achieved, target, expected)


def test_thanh_liem_shows_its_own_and_the_assigned_quota_side_by_side():
    unit = a_unit_with(539, level=Level.DISTRICT)
    quota(unit, TERM_2020, 600, source="resolution")
    quota(unit, TERM_2020, 649, source="assigned")
    quotas = {q.source: q for q in report(unit, TERM_2020).quotas}
    assert quotas["resolution"].percent == "89.8"
    assert quotas["assigned"].percent == "83.1"


def test_phu_ly_students_are_a_share_of_new_members():
    unit = org(Level.COMMUNE)
    cell = residential_cell(unit)
    dates = spread(415, TERM_2020.start, TERM_2020.end)
    admit(cell, dates[:15], occupation="university_student")
    admit(cell, dates[15:])
    quota(
        unit,
        TERM_2020,
        metric="share",
        share_attribute=ShareAttribute.STUDENTS,
        value_kind=ValueKind.RATE,
        rate_percent=Decimal("5"),
    )
    q = only_quota(report(unit, TERM_2020))
    assert (q.achieved, q.out_of, q.share) == (15, 415, "3.6")
    assert q.target == 21  # 5% of 415 is 20.75: 21 students would reach it
    assert q.state == RangeState.BELOW


def test_binh_luc_residential_cells_share():
    unit = org(Level.DISTRICT)
    village = residential_cell(unit)
    agency = cell(unit, Sector.AGENCY)
    dates = spread(334, TERM_2020.start, TERM_2020.end)
    admit(village, dates[:99])
    admit(agency, dates[99:])
    quota(
        unit,
        TERM_2020,
        metric="share",
        share_attribute=ShareAttribute.RESIDENTIAL,
        value_kind=ValueKind.RATE,
        rate_percent=Decimal("30"),
    )
    q = only_quota(report(unit, TERM_2020))
    assert q.share == "29.6"


def test_hat_lot_merged_cells_still_count_for_the_commune_and_their_successors():
    term_2015 = periods.term(2015)
    commune = org(Level.COMMUNE, founded_on=datetime.date(2000, 1, 1))
    old = [residential_cell(commune) for _ in range(33)]
    new = [residential_cell(commune) for _ in range(16)]
    merge_day = datetime.date(2018, 6, 1)
    before = spread(33, term_2015.start, merge_day - datetime.timedelta(days=1))
    for old_cell, day in zip(old, before, strict=True):
        admit(old_cell, [day])
    for i, old_cell in enumerate(old):
        member_services.organisation_merge(organisation=old_cell, into=new[i % 16], on=merge_day)
    after = spread(18, merge_day, term_2015.end)
    for i, day in enumerate(after):
        admit(new[i % 16], [day])
    quota(commune, term_2015, 50)
    data = report(commune, term_2015)
    q = only_quota(data)
    assert (q.achieved, q.percent) == (51, "102.0")
    # The first successor received old cells 0, 16 and 32 and admitted 2 itself.
    successor = report(new[0], term_2015)
    assert successor.admissions.period == 3 + 2


def test_hat_lot_conversion_from_trained_to_admitted():
    from tests.reports.pipeline_builders import trained_people

    term_2015 = periods.term(2015)
    commune = org(Level.COMMUNE)
    cell = residential_cell(commune)
    trained_people(cell, 57, datetime.date(2016, 3, 1))
    admit(cell, spread(51, term_2015.start, term_2015.end))
    assert report(commune, term_2015).pipeline.conversion_trained_to_admitted == "89.5"


def test_huong_lam_annual_plan_and_term_range():
    commune = org(Level.COMMUNE)
    cell = residential_cell(commune)
    y2021 = periods.year(2021)
    admit(cell, spread(4, y2021.start, y2021.end))
    quota(commune, y2021, 4, source="plan")
    assert only_quota(report(commune, y2021)).percent == "100.0"

    term = periods.term(2020)
    quota(commune, term, 15, upper=20, value_kind=ValueKind.RANGE)
    states = []
    for extra in (10, 1, 5, 1):  # 14, 15, 20, 21 admitted in the term
        admit(cell, [term.start + datetime.timedelta(days=len(states) + 1)] * extra)
        q = only_quota(report(commune, term))
        states.append((q.achieved, q.state, q.percent))
    assert states == [
        (14, RangeState.BELOW, "93.3"),
        (15, RangeState.WITHIN, "100.0"),
        (20, RangeState.WITHIN, "133.3"),
        (21, RangeState.ABOVE, "140.0"),
    ]


def test_phu_luong_rate_quota_rounds_up_to_a_whole_person():
    district = org(Level.DISTRICT)
    quota(district, periods.year(2023), value_kind=ValueKind.RATE, rate_percent=Decimal("3"), base_members=5650)
    assert only_quota(report(district, periods.year(2023))).target == 170


def test_a_rate_quota_without_a_stated_base_counts_members_at_term_start():
    commune = org(Level.COMMUNE)
    cell = residential_cell(commune)
    admit(cell, [datetime.date(2010, 1, 1)] * 101)
    quota(commune, periods.year(2023), value_kind=ValueKind.RATE, rate_percent=Decimal("3"))
    q = only_quota(report(commune, periods.year(2023)))
    assert (q.base_members, q.target) == (101, 4)


def test_kim_bang_carry_over_adds_last_years_shortfall():
    commune = org(Level.COMMUNE)
    cell = residential_cell(commune)
    quota(cell, periods.year(2022), 5, source="assigned", carry_over=True)
    quota(cell, periods.year(2023), 5, source="assigned")
    admit(cell, spread(3, datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)))
    q = only_quota(report(cell, periods.year(2023)))
    assert (q.target, q.carried_over) == (7, 2)


def test_without_the_carry_over_mark_the_shortfall_is_not_added():
    commune = org(Level.COMMUNE)
    cell = residential_cell(commune)
    quota(cell, periods.year(2022), 5, source="assigned")
    quota(cell, periods.year(2023), 5, source="assigned")
    admit(cell, spread(3, datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)))
    assert only_quota(report(cell, periods.year(2023))).target == 5


def test_the_report_is_in_the_sites_language_whatever_language_is_active():
    from django.utils import translation

    unit = a_unit_with(3)
    quota(unit, TERM_2020, 5)
    with translation.override("en"):
        label = only_quota(report(unit, TERM_2020)).label
    assert label == "Nghị quyết Đại hội · Kết nạp đảng viên"
