"""What the progress report of one unit over one period is computed from, loaded in one place.

`load_facts(organisation, period, today)` runs every query the report needs (a fixed set, whatever the
size of the subtree: tests/reports/progress/test_progress_queries.py) and returns plain data;
reports/progress/sections.py computes the report from it without touching the database.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Max

from members.models import MemberMovement, Organisation
from members.scoping import subtree_q
from members.selectors import member_count_on
from members.vocabulary import CELL_LEVELS, MovementKind
from recruitment.models import Candidate, Enrolment

from ..models import Quota
from ..vocabulary import QuotaMetric, ValueKind
from . import forecast as fc
from . import periods
from .admissions import Admission, admissions_between
from .lineage import Lineage, lineage_of
from .terms import DEFAULT_TERMS, UnitTerms, load_unit_terms


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    code: str
    path: str
    depth: int

    @classmethod
    def of(cls, organisation: Organisation) -> "Unit":
        return cls(organisation.pk, organisation.name, organisation.code, organisation.path, organisation.depth)


@dataclass(frozen=True)
class ReportDates:
    """The days a report of `period` computed on `today` looks at."""

    period: periods.Period
    today: datetime.date
    ref: datetime.date  # the report's day: today, or the period's end when it is over
    term: periods.Period  # the unit's term containing ref (reports/progress/terms.py)
    year_start: datetime.date
    # "The same period last year" for Biểu 2; for a term, the previous term. A period still running
    # is compared with the same elapsed stretch of the earlier one, not with all of it.
    last_year: periods.Period
    same_stretch_end: datetime.date
    # One fetch of admissions covers the period, the same period last year, the year and the term.
    fetch_start: datetime.date
    fetch_end: datetime.date


def report_dates(period: periods.Period, today: datetime.date, unit_terms: UnitTerms = DEFAULT_TERMS) -> ReportDates:
    ref = min(today, period.end)
    term = unit_terms.containing(ref)
    year_start = datetime.date(ref.year, 1, 1)
    back = periods.TERM_YEARS if period.kind == "term" else 1
    last_year = period.shifted_years(-back)
    return ReportDates(
        period=period,
        today=today,
        ref=ref,
        term=term,
        year_start=year_start,
        last_year=last_year,
        same_stretch_end=min(last_year.end, periods.shift_year(ref, -back)),
        fetch_start=min(last_year.start, term.start, year_start, period.start - datetime.timedelta(days=366)),
        fetch_end=max(period.end, ref),
    )


@dataclass(frozen=True)
class ReportFacts:
    unit: Unit
    dates: ReportDates
    lineage: Lineage  # the subtree and the units merged into it
    # 1. Admissions of the lineage from dates.fetch_start to dates.fetch_end, in date order.
    admissions: tuple[Admission, ...]
    # 2. Candidates proposed, and certificates of a passed class, in the same window.
    proposed_dates: tuple[datetime.date, ...]
    trained_dates: tuple[datetime.date, ...]
    # 3. The unit's quotas for exactly this period (by source, metric, pk); last year's year quotas by
    # (source, metric) for carry-over; members the day before each term start a rate quota needs.
    quotas: tuple[Quota, ...]
    previous_quotas: dict[tuple[str, str], Quota]
    term_bases: dict[datetime.date, int]
    # 4. Members the day before the period, at its end, the day before the year; movements in the period.
    members_start: int
    members_end: int
    members_year_start: int
    movement_counts: dict[str, int]
    # 5. Open candidates (stage, stage entered on, cell path); stage entries (candidate, stage, entered
    # on, cell path) of the lineage and, below the top level, of the parent's subtree.
    open_candidates: tuple[tuple[str, datetime.date, str], ...]
    entries: tuple[tuple[int, str, datetime.date, str], ...]
    parent_entries: tuple[tuple[int, str, datetime.date, str], ...] | None
    # 6. Children active in the period (by name) and their admissions quota for it; active cells of the
    # subtree (pk, name, path); the last admission of every cell that has one, by path.
    children: tuple[Unit, ...]
    child_quotas: dict[int, Quota]
    cells: tuple[tuple[int, str, str], ...]
    last_admission: dict[str, datetime.date]
    # 7. The recorded terms of the unit and its ancestors (one query): the unit's term on any day.
    unit_terms: UnitTerms = DEFAULT_TERMS


def needs_term_base(quota: Quota) -> bool:
    """A rate quota without its own base counts the members the day before its term started."""
    return quota.value_kind == ValueKind.RATE and quota.metric != QuotaMetric.SHARE and quota.base_members is None


def _term_starts_needed(
    own: list[Quota], previous: dict[tuple[str, str], Quota], unit_terms: UnitTerms = DEFAULT_TERMS
) -> list[datetime.date]:
    starts = set()
    for quota in own:
        if quota.metric == QuotaMetric.SHARE:
            continue
        before = previous.get((quota.source, quota.metric))
        for q in (quota, before) if before is not None and before.carry_over else (quota,):
            if needs_term_base(q):
                starts.add(unit_terms.containing(q.period_start).start)
    return sorted(starts)


def load_facts(organisation: Organisation, period: periods.Period, today: datetime.date) -> ReportFacts:
    unit_terms = load_unit_terms(organisation)
    dates = report_dates(period, today, unit_terms)
    lineage = lineage_of(organisation)
    paths = lineage.paths
    admissions = admissions_between(lineage, dates.fetch_start, dates.fetch_end)

    proposed_dates = tuple(
        Candidate.objects.filter(
            subtree_q(paths, "cell__path"), proposed_on__gte=dates.fetch_start, proposed_on__lte=dates.fetch_end
        ).values_list("proposed_on", flat=True)
    )
    trained_rows = Enrolment.objects.filter(
        subtree_q(paths, "candidate__cell__path"),
        passed=True,
        certificate_issued_on__gte=dates.fetch_start,
        certificate_issued_on__lte=dates.fetch_end,
    ).values_list("certificate_issued_on", "candidate__cell__path")
    trained_dates = tuple(d for d, _path in trained_rows)

    quota_rows = list(
        Quota.objects.filter(organisation__in=[organisation], period_start__gte=dates.last_year.start)
        .filter(period_end__lte=period.end)
        .order_by("source", "metric", "pk")
    )
    own = [q for q in quota_rows if q.period_start == period.start and q.period_end == period.end]
    last_year = dates.last_year
    previous = {
        (q.source, q.metric): q
        for q in quota_rows
        if q.period_kind == "year" and q.period_start == last_year.start and q.period_end == last_year.end
    }
    term_bases = {
        start: member_count_on(organisation=organisation, day=start - datetime.timedelta(days=1))
        for start in _term_starts_needed(own, previous, unit_terms)
    }

    members_start = member_count_on(organisation=organisation, day=period.start - datetime.timedelta(days=1))
    members_end = member_count_on(organisation=organisation, day=period.end)
    members_year_start = member_count_on(organisation=organisation, day=dates.year_start - datetime.timedelta(days=1))
    movement_counts = dict(
        MemberMovement.objects.filter(
            organisation__path__startswith=organisation.path, date__gte=period.start, date__lte=period.end
        )
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )

    open_candidates = fc.load_open_candidates(paths)
    entries = fc.load_entries(paths)
    parent = Organisation.objects.get_parent(organisation) if organisation.depth > 1 else None
    parent_entries = tuple(fc.load_entries([parent.path])) if parent else None

    children = list(
        Organisation.objects.filter(path__startswith=organisation.path, depth=organisation.depth + 1)
        .exclude(dissolved_on__lte=period.start)
        .exclude(founded_on__gt=period.end)
        .order_by("name")
    )
    child_quotas = {
        q.organisation_id: q
        for q in Quota.objects.filter(
            organisation__in=children,
            period_start=period.start,
            period_end=period.end,
            metric=QuotaMetric.ADMISSIONS,
        ).order_by("source", "pk")
    }
    cells = tuple(
        Organisation.objects.filter(subtree_q([organisation.path]), level__in=CELL_LEVELS)
        .exclude(dissolved_on__lte=period.start)
        .exclude(founded_on__gt=period.end)
        .values_list("pk", "name", "path")
    )
    last_admission = dict(
        MemberMovement.objects.filter(organisation__path__startswith=organisation.path, kind=MovementKind.ADMITTED)
        .order_by()
        .values_list("organisation__path")
        .annotate(last=Max("date"))
    )
    return ReportFacts(
        unit=Unit.of(organisation),
        dates=dates,
        lineage=lineage,
        admissions=tuple(admissions),
        proposed_dates=proposed_dates,
        trained_dates=trained_dates,
        quotas=tuple(own),
        previous_quotas=previous,
        term_bases=term_bases,
        members_start=members_start,
        members_end=members_end,
        members_year_start=members_year_start,
        movement_counts=movement_counts,
        open_candidates=tuple(open_candidates),
        entries=tuple(entries),
        parent_entries=parent_entries,
        children=tuple(Unit.of(child) for child in children),
        child_quotas=child_quotas,
        cells=cells,
        last_admission=last_admission,
        unit_terms=unit_terms,
    )
