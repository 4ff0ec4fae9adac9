"""A term (nhiệm kỳ) belongs to an organisation: it starts at that organisation's congress; a unit
without its own dates uses its nearest ancestor's, and with none anywhere the 1 July default."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import OrganisationTerm
from members.services import organisation_term_set
from members.vocabulary import Level
from reports.progress import periods
from reports.progress.facts import load_facts
from reports.progress.report import progress_report
from reports.progress.terms import RecordedTerm, UnitTerms, load_unit_terms
from reports.quotas.services import quota_set
from reports.vocabulary import PeriodKind, QuotaMetric, ValueKind

from ..builders import admit, cell, org, quota

pytestmark = pytest.mark.django_db

D = datetime.date
OCTOBER_START, OCTOBER_END = D(2020, 10, 1), D(2025, 9, 30)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


def october_committee():
    commune = org(Level.COMMUNE)
    organisation_term_set(organisation=commune, first_year=2020, start=OCTOBER_START, end=OCTOBER_END)
    return commune


def custom_quota(organisation, start, end, **more):
    return quota_set(
        organisation=organisation,
        by=None,
        period_kind=PeriodKind.CUSTOM,
        period_start=start,
        period_end=end,
        source="resolution",
        metric=QuotaMetric.ADMISSIONS,
        **{"value_kind": ValueKind.EXACT, "value": 10, **more},
    )


# --- the pure resolution -------------------------------------------------------------------------


def test_without_any_recorded_term_the_default_applies():
    terms = UnitTerms()
    assert terms.containing(D(2023, 3, 1)) == periods.term(2020)
    assert terms.containing(D(2020, 6, 30)) == periods.term(2015)
    assert terms.containing(D(2020, 7, 1)) == periods.term(2020)


def test_an_october_congress_puts_the_summer_of_2020_in_the_previous_term_and_names_terms_by_their_years():
    terms = UnitTerms((RecordedTerm(2, 2020, OCTOBER_START, OCTOBER_END),))
    term = terms.containing(D(2022, 1, 1))
    assert (term.start, term.end, term.key, term.label) == (
        OCTOBER_START,
        OCTOBER_END,
        "2020-2025",
        "Nhiệm kỳ 2020-2025",
    )
    # The calendar edges: the congress day opens the term, the day before belongs to the previous one.
    assert terms.containing(OCTOBER_START).start == OCTOBER_START
    assert terms.containing(OCTOBER_END).start == OCTOBER_START
    before = terms.containing(D(2020, 9, 30))
    assert (before.key, before.start, before.end) == ("2015-2020", D(2015, 7, 1), D(2020, 9, 30))
    # The next cycle, not recorded, starts the day after the recorded end.
    after = terms.containing(D(2025, 10, 1))
    assert (after.key, after.start, after.end) == ("2025-2030", D(2025, 10, 1), D(2030, 6, 30))


def test_the_nearest_recorded_term_wins_and_the_unit_uses_its_parents_when_it_has_none():
    parent_only = UnitTerms((RecordedTerm(2, 2020, OCTOBER_START, OCTOBER_END),))
    own = UnitTerms(
        (RecordedTerm(2, 2020, OCTOBER_START, OCTOBER_END), RecordedTerm(3, 2020, D(2020, 5, 15), D(2025, 5, 14)))
    )
    assert parent_only.containing(D(2021, 1, 1)).start == OCTOBER_START
    assert own.containing(D(2021, 1, 1)).start == D(2020, 5, 15)
    assert own.containing(D(2020, 5, 14)).key == "2015-2020"


def test_load_unit_terms_reads_the_unit_and_its_ancestors_in_one_query(django_assert_num_queries):
    province = org(Level.PROVINCE)
    commune = org(Level.COMMUNE, province)
    unit = cell(commune)
    other = org(Level.COMMUNE, province)
    organisation_term_set(organisation=province, first_year=2020, start=D(2020, 4, 1), end=D(2025, 3, 31))
    organisation_term_set(organisation=commune, first_year=2020, start=OCTOBER_START, end=OCTOBER_END)
    with django_assert_num_queries(1):
        terms = load_unit_terms(unit)
    assert terms.containing(D(2023, 1, 1)).start == OCTOBER_START  # the commune's, nearer than the province's
    assert load_unit_terms(other).containing(D(2023, 1, 1)).start == D(2020, 4, 1)  # the province's
    assert load_unit_terms(org(Level.COMMUNE)).containing(D(2023, 1, 1)) == periods.term(2020)  # the default


# --- recording a term and setting a quota for it ------------------------------------------------


def test_an_october_committee_records_its_term_and_sets_a_quota_for_exactly_that_term():
    commune = org(Level.COMMUNE)
    with pytest.raises(ValidationError) as refused:
        custom_quota(commune, OCTOBER_START, OCTOBER_END)
    assert "Kỳ chỉ tiêu phải nằm trong một nhiệm kỳ" in str(refused.value)
    organisation_term_set(organisation=commune, first_year=2020, start=OCTOBER_START, end=OCTOBER_END)
    saved = custom_quota(commune, OCTOBER_START, OCTOBER_END)
    assert (saved.period_start, saved.period_end) == (OCTOBER_START, OCTOBER_END)
    with pytest.raises(ValidationError) as refused:
        custom_quota(commune, OCTOBER_START, D(2025, 10, 1))
    assert "Nhiệm kỳ 2020-2025 kết thúc ngày 30/09/2025" in str(refused.value)


def test_a_cell_without_its_own_dates_sets_a_quota_within_its_committees_term():
    commune = october_committee()
    unit = cell(commune)
    assert custom_quota(unit, OCTOBER_START, OCTOBER_END).period_end == OCTOBER_END


@pytest.mark.parametrize(
    ("first_year", "start", "end", "field", "message"),
    [
        (2021, D(2021, 10, 1), D(2026, 9, 30), "first_year", "năm đại hội (2020, 2025, 2030 …)"),
        (2020, D(2022, 10, 1), D(2025, 9, 30), "start", "phải bắt đầu trong khoảng năm 2019–2021"),
        (2020, D(2020, 10, 1), D(2020, 9, 30), "end", "Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu."),
        (2020, D(2020, 10, 1), D(2028, 9, 30), "end", "phải kết thúc trong khoảng năm 2024–2026"),
        (2025, D(2025, 6, 1), D(2030, 5, 31), "start", "Trùng với nhiệm kỳ 2020-2025 đã ghi"),
    ],
)
def test_term_dates_are_checked_in_vietnamese(first_year, start, end, field, message):
    commune = october_committee()
    with pytest.raises(ValidationError) as refused:
        organisation_term_set(organisation=commune, first_year=first_year, start=start, end=end)
    assert any(message in m for m in refused.value.message_dict[field])
    assert OrganisationTerm.objects.filter(organisation=commune).count() == 1


# --- the report uses the unit's term ------------------------------------------------------------


def test_a_blank_rate_base_counts_the_members_the_day_before_the_units_own_term_start():
    commune = october_committee()
    unit = cell(commune)
    admit(unit, [D(2010, 1, 1)] * 20 + [D(2020, 8, 1)] * 10 + [D(2020, 10, 1)] * 5)
    period = periods.Period("custom", OCTOBER_START, OCTOBER_END)
    quota(
        commune,
        period,
        value_kind=ValueKind.RATE,
        rate_percent=Decimal("10"),
        metric=QuotaMetric.ADMISSIONS,
    )
    facts = load_facts(commune, period, D(2026, 12, 5))
    # 30/09/2020: the 20 members of 2010 and the 10 admitted in August; not the 5 of the congress day.
    assert facts.term_bases == {OCTOBER_START: 30}
    report = progress_report(commune, period, D(2026, 12, 5))
    [rate] = report.quotas
    assert (rate.base_members, rate.target) == (30, 3)


def test_the_reports_term_to_date_counts_from_the_units_congress():
    commune = october_committee()
    unit = cell(commune)
    admit(unit, [D(2020, 8, 1), D(2020, 9, 30), D(2020, 10, 1), D(2021, 2, 1)])
    report = progress_report(unit, periods.year(2021), D(2021, 6, 30))
    assert (report.admissions.term, report.admissions.term_to_date) == ("2020-2025", 2)
    default = progress_report(cell(org(Level.COMMUNE)), periods.year(2021), D(2021, 6, 30))
    assert default.admissions.term == "2020-2025"


def test_a_unit_made_by_the_2025_reorganisation_starts_its_term_on_its_own_date():
    commune = org(Level.COMMUNE, founded_on=D(2025, 7, 1))
    organisation_term_set(organisation=commune, first_year=2025, start=D(2025, 7, 1), end=D(2030, 6, 30))
    unit = cell(commune)
    admit(unit, [D(2025, 6, 30), D(2025, 7, 1), D(2026, 3, 1)])
    report = progress_report(commune, periods.year(2026), D(2026, 12, 5))
    assert report.admissions.term_to_date == 2


# --- the browser form on the quota screen -------------------------------------------------------


def test_board_staff_record_the_units_term_on_the_quota_screen(client, cast):
    client.force_login(cast.commune_board)
    url = reverse("reports:quotas", args=[cast.commune_x.pk])
    form = {"form": "term", "first_year": "2020", "start": "2020-10-01", "end": "2025-09-30"}
    response = client.post(url, form)
    assert response.status_code == 302
    term = OrganisationTerm.objects.get(organisation=cast.commune_x)
    assert (term.first_year, term.start, term.end) == (2020, OCTOBER_START, OCTOBER_END)
    body = client.get(response.url).content.decode()
    assert "Đã lưu nhiệm kỳ 2020-2025 của" in body

    refused = client.post(url, {**form, "first_year": "2025", "start": "2025-06-01", "end": "2030-05-31"})
    assert refused.status_code == 200
    assert "Trùng với nhiệm kỳ 2020-2025 đã ghi" in refused.content.decode()
    assert OrganisationTerm.objects.filter(organisation=cast.commune_x).count() == 1


def test_a_cell_secretary_cannot_record_the_communes_term(client, cast):
    client.force_login(cast.sec_a)
    url = reverse("reports:quotas", args=[cast.commune_x.pk])
    response = client.post(url, {"form": "term", "first_year": "2020", "start": "2020-10-01", "end": "2025-09-30"})
    assert response.status_code in (403, 404)
    assert not OrganisationTerm.objects.exists()
