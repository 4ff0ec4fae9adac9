"""What the progress report of one unit over one period is computed from, loaded in one place.

`load_facts(organisation, period, today)` runs every query the report needs (a fixed set, whatever the
size of the subtree: tests/reports/progress/test_progress_queries.py) and returns plain data;
reports/progress/sections.py computes the report from it without touching the database.
"""

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import Count, Max, Min, Q

from members.models import MemberMovement, Organisation
from members.scoping import subtree_q
from members.vocabulary import CELL_LEVELS, MOVEMENT_SIGN, MovementKind
from recruitment.models import Candidate, Enrolment
from recruitment.vocabulary import OPEN_STAGES

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
        # Nothing after the report's day: a report as on D counts only what happened on or before D
        # (docs/domain.md, "As-of dates").
        fetch_end=ref,
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
    # 4. Members of the lineage the day before the period, on the report's day (its end, or the day
    # asked for), the day before the year; movements of the lineage from the period's start to that day.
    members_start: int
    members_end: int
    members_year_start: int
    movement_counts: dict[str, int]
    # 5. Open candidates as on the report's day (stage, stage entered on, cell path); stage entries
    # (candidate, stage, entered on, cell path) up to that day, of the lineage.
    open_candidates: tuple[tuple[str, datetime.date, str], ...]
    entries: tuple[tuple[int, str, datetime.date, str], ...]
    # The stage history of the parent's subtree up to the report's day (forecast.stage_history), which
    # a stage with too little history of its own borrows; None at the top level.
    parent_history: dict[str, fc.StageHistory] | None
    # 6. Children active in the period (by name) and their admissions quota for it; active cells of the
    # subtree (pk, name, path); the last admission of every cell that has one, by path.
    children: tuple[Unit, ...]
    child_quotas: dict[int, Quota]
    cells: tuple[tuple[int, str, str], ...]
    last_admission: dict[str, datetime.date]
    # The children's admissions quotas for the period by source (same query as `child_quotas`): the
    # ranking can be on any source the board picks (sections.units_section).
    child_quotas_by_source: dict[str, dict[int, Quota]] = field(default_factory=dict)
    # 7. The candidates proposed in the window (2.): (proposed on, introducing body, passed the class on,
    # admitted on), the last two None when not (yet).
    introductions: tuple[tuple[datetime.date, str, datetime.date | None, datetime.date | None], ...] = ()
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


def open_candidates_on(
    entries: list[tuple[int, str, datetime.date, str]],
    current: list[tuple[int, str, datetime.date, str]],
    day: datetime.date,
) -> list[tuple[str, datetime.date, str]]:
    """The candidates in an open stage at the end of `day`, with the stage and the day they entered it.

    `entries`: (candidate, stage, entered on, cell path) in date order per candidate. A candidate's stage
    on a day is its last entry on or before it, not today's `Candidate.stage`. A candidate with no entry
    at all (recorded outside the services) falls back to `current`, its row (id, stage, stage entered
    on, cell path), when it had entered that stage by `day`.
    """
    last: dict[int, tuple[str, datetime.date, str]] = {}
    for candidate_id, stage, entered_on, path in entries:
        if entered_on <= day:
            last[candidate_id] = (stage, entered_on, path)
    seen = {entry[0] for entry in entries}
    rows = [row for row in last.values() if row[0] in OPEN_STAGES]
    rows += [
        (stage, entered_on, path)
        for candidate_id, stage, entered_on, path in current
        if candidate_id not in seen and entered_on <= day
    ]
    return rows


Entry = tuple[int, str, datetime.date, str]
Introduction = tuple[datetime.date, str, datetime.date | None, datetime.date | None]
Cell = tuple[int, str, str]


class FactSource(Protocol):
    """Where `assemble_facts` reads the rows of one report from: the database, one unit at a time
    (`DatabaseSource`, a fixed number of queries per report), or a whole province loaded once
    (reports/progress/province.py). Both answer every question the same way; `assemble_facts` does the
    rest, so a report's facts are the same whichever source they come from (tests/reports/progress/
    test_province_pass.py compares them on random trees)."""

    def unit_terms(self, organisation: Organisation) -> UnitTerms: ...

    def lineage(self, organisation: Organisation, on: datetime.date) -> Lineage: ...

    def admissions(self, lineage: Lineage, start: datetime.date, end: datetime.date) -> list[Admission]: ...

    def introductions(self, paths: list[str], start: datetime.date, end: datetime.date) -> tuple[Introduction, ...]:
        """(proposed on, introducing body, passed the class on, admitted on) of the candidates proposed
        between the two days, in any order."""
        ...

    def trained_dates(self, paths: list[str], start: datetime.date, end: datetime.date) -> tuple[datetime.date, ...]:
        """The certificate dates of the passed enrolments between the two days, in any order."""
        ...

    def quotas(self, organisation: Organisation, start_from: datetime.date, end_by: datetime.date) -> list[Quota]:
        """The unit's quotas starting on or after `start_from` and ending by `end_by`, by (source, metric, pk)."""
        ...

    def member_counts(self, paths: list[str], days: list[datetime.date]) -> dict[datetime.date, int]: ...

    def movement_counts(self, paths: list[str], start: datetime.date, end: datetime.date) -> dict[str, int]: ...

    def entries(self, paths: list[str]) -> list[Entry]:
        """(candidate, stage, entered on, cell path) of every stage entry, by (candidate, entered on, pk)."""
        ...

    def open_now(self, paths: list[str]) -> list[Entry]:
        """(candidate, stage, stage entered on, cell path) of the candidates in an open stage today."""
        ...

    def parent_history(self, parent: Organisation, ref: datetime.date) -> dict[str, fc.StageHistory]: ...

    def parent(self, organisation: Organisation) -> Organisation | None: ...

    def children(self, organisation: Organisation, start: datetime.date, ref: datetime.date) -> list[Organisation]:
        """The direct children not dissolved by the period's start nor founded after `ref`, by name."""
        ...

    def child_admission_quotas(self, children: list[Organisation], period: periods.Period) -> list[Quota]:
        """The children's admissions quotas for exactly the period, by (source, pk)."""
        ...

    def cells(self, organisation: Organisation, period_start: datetime.date, ref: datetime.date) -> tuple[Cell, ...]:
        """(pk, name, path) of the subtree's cells active in the period by `ref`, by path."""
        ...

    def last_admission(self, organisation: Organisation, ref: datetime.date) -> dict[str, datetime.date]:
        """The last admission on or before `ref` of every unit of the subtree that has one, by path."""
        ...


# A movement's sign on the roll, by kind as the database stores it (members.selectors._movement_sign).
_SIGN = {str(kind): sign for kind, sign in MOVEMENT_SIGN.items()}


class DatabaseSource:
    """The rows of one report, read from the database: each answer is one query (lineage: one per
    generation of merges), so a report costs a fixed number of queries whatever the subtree's size.

    The member counts are counted by kind of movement (one pass over the subtree's movements); the
    movement counts of a stretch between two of those days are their difference, without a second pass
    (a report asks for the movements from the day after one member count to the day of another)."""

    def __init__(self) -> None:
        # (paths, day) -> the movements of the subtrees up to the end of the day, by kind (the last
        # `member_counts` asked)
        self._kinds_up_to: dict[tuple[tuple[str, ...], datetime.date], dict[str, int]] = {}

    def unit_terms(self, organisation: Organisation) -> UnitTerms:
        return load_unit_terms(organisation)

    def lineage(self, organisation: Organisation, on: datetime.date) -> Lineage:
        return lineage_of(organisation, on=on)

    def admissions(self, lineage: Lineage, start: datetime.date, end: datetime.date) -> list[Admission]:
        return admissions_between(lineage, start, end)

    def introductions(self, paths: list[str], start: datetime.date, end: datetime.date) -> tuple[Introduction, ...]:
        return tuple(
            Candidate.objects.filter(subtree_q(paths, "cell__path"), proposed_on__gte=start, proposed_on__lte=end)
            .annotate(passed_on=Min("enrolments__certificate_issued_on", filter=Q(enrolments__passed=True)))
            .values_list("proposed_on", "introduced_by", "passed_on", "member__admission_decision_date")
            .order_by()
        )

    def trained_dates(self, paths: list[str], start: datetime.date, end: datetime.date) -> tuple[datetime.date, ...]:
        return tuple(
            Enrolment.objects.filter(
                subtree_q(paths, "candidate__cell__path"),
                passed=True,
                certificate_issued_on__gte=start,
                certificate_issued_on__lte=end,
            ).values_list("certificate_issued_on", flat=True)
        )

    def quotas(self, organisation: Organisation, start_from: datetime.date, end_by: datetime.date) -> list[Quota]:
        return list(
            Quota.objects.filter(organisation__in=[organisation], period_start__gte=start_from)
            .filter(period_end__lte=end_by)
            .order_by("source", "metric", "pk")
        )

    def member_counts(self, paths: list[str], days: list[datetime.date]) -> dict[datetime.date, int]:
        """As members.selectors.member_counts_on (the signed sum of the movements up to each day), from
        the counts by kind, which are kept for `movement_counts`."""
        days = sorted(set(days))
        if not days or not paths:
            return dict.fromkeys(days, 0)
        rows = (
            MemberMovement.objects.filter(subtree_q(paths, "organisation__path"), date__lte=days[-1])
            .order_by()
            .values("kind")
            .annotate(**{f"d{i}": Count("id", filter=Q(date__lte=day)) for i, day in enumerate(days)})
            .values_list("kind", *(f"d{i}" for i in range(len(days))))
        )
        by_day: list[dict[str, int]] = [{} for _day in days]
        for kind, *counts in rows:
            for i, n in enumerate(counts):
                if n:
                    by_day[i][kind] = n
        key = tuple(paths)
        # Only the last counts are kept: a source serving many reports (jobs.py) answers each report's
        # movements from that report's own counts, never from an earlier report's reading.
        self._kinds_up_to = {(key, day): kinds for day, kinds in zip(days, by_day, strict=True)}
        return {
            day: sum(_SIGN.get(kind, 0) * n for kind, n in kinds.items())
            for day, kinds in zip(days, by_day, strict=True)
        }

    def movement_counts(self, paths: list[str], start: datetime.date, end: datetime.date) -> dict[str, int]:
        if start > end:
            return {}
        key = tuple(paths)
        before = self._kinds_up_to.get((key, start - datetime.timedelta(days=1)))
        up_to_end = self._kinds_up_to.get((key, end))
        if before is not None and up_to_end is not None:
            between = {kind: n - before.get(kind, 0) for kind, n in up_to_end.items()}
            return {kind: n for kind, n in between.items() if n}
        return dict(
            MemberMovement.objects.filter(subtree_q(paths, "organisation__path"), date__gte=start, date__lte=end)
            .order_by()
            .values_list("kind")
            .annotate(n=Count("id"))
        )

    def entries(self, paths: list[str]) -> list[Entry]:
        return fc.load_entries(paths)

    def open_now(self, paths: list[str]) -> list[Entry]:
        return list(
            Candidate.objects.filter(subtree_q(paths, "cell__path"), stage__in=OPEN_STAGES).values_list(
                "pk", "stage", "stage_entered_on", "cell__path"
            )
        )

    def parent(self, organisation: Organisation) -> Organisation | None:
        return Organisation.objects.get_parent(organisation) if organisation.depth > 1 else None

    def parent_history(self, parent: Organisation, ref: datetime.date) -> dict[str, fc.StageHistory]:
        return fc.stage_history([(c, s, day) for c, s, day, _p in fc.load_entries([parent.path]) if day <= ref])

    def children(self, organisation: Organisation, start: datetime.date, ref: datetime.date) -> list[Organisation]:
        return list(
            Organisation.objects.filter(path__startswith=organisation.path, depth=organisation.depth + 1)
            .exclude(dissolved_on__lte=start)
            .exclude(founded_on__gt=ref)
            .order_by("name")
        )

    def child_admission_quotas(self, children: list[Organisation], period: periods.Period) -> list[Quota]:
        return list(
            Quota.objects.filter(
                organisation__in=children,
                period_start=period.start,
                period_end=period.end,
                metric=QuotaMetric.ADMISSIONS,
            ).order_by("source", "pk")
        )

    def cells(self, organisation: Organisation, period_start: datetime.date, ref: datetime.date) -> tuple[Cell, ...]:
        return tuple(
            Organisation.objects.filter(subtree_q([organisation.path]), level__in=CELL_LEVELS)
            .exclude(dissolved_on__lte=period_start)
            .exclude(founded_on__gt=ref)
            .order_by("path")
            .values_list("pk", "name", "path")
        )

    def last_admission(self, organisation: Organisation, ref: datetime.date) -> dict[str, datetime.date]:
        return dict(
            MemberMovement.objects.filter(
                organisation__path__startswith=organisation.path, kind=MovementKind.ADMITTED, date__lte=ref
            )
            .order_by()
            .values_list("organisation__path")
            .annotate(last=Max("date"))
        )


def load_facts(organisation: Organisation, period: periods.Period, today: datetime.date) -> ReportFacts:
    """The facts of one report, read from the database (a fixed number of queries)."""
    return assemble_facts(organisation, period, today, DatabaseSource())


def assemble_facts(
    organisation: Organisation, period: periods.Period, today: datetime.date, source: FactSource
) -> ReportFacts:
    unit_terms = source.unit_terms(organisation)
    dates = report_dates(period, today, unit_terms)
    # Predecessors merged by the report's day only (docs/domain.md, "As-of dates", "Successors' bases").
    lineage = source.lineage(organisation, dates.ref)
    paths = lineage.paths
    admissions = source.admissions(lineage, dates.fetch_start, dates.fetch_end)

    # The candidates proposed in the window, with who introduced them, when they passed the class and
    # when they were admitted: the proposed dates and the conversion by introducing body.
    introductions = source.introductions(paths, dates.fetch_start, dates.fetch_end)
    proposed_dates = tuple(row[0] for row in introductions)
    trained_dates = source.trained_dates(paths, dates.fetch_start, dates.fetch_end)

    quota_rows = source.quotas(organisation, dates.last_year.start, period.end)
    own = [q for q in quota_rows if q.period_start == period.start and q.period_end == period.end]
    last_year = dates.last_year
    previous = {
        (q.source, q.metric): q
        for q in quota_rows
        if q.period_kind == "year" and q.period_start == last_year.start and q.period_end == last_year.end
    }
    # Every member base counts the unit with its predecessors (docs/domain.md, "Successors' bases"),
    # all the days at once.
    day_before = datetime.timedelta(days=1)
    term_starts = _term_starts_needed(own, previous, unit_terms)

    # No day later than the report's: a base still in the future is counted as on the report's day.
    def on(day: datetime.date) -> datetime.date:
        return min(day, dates.ref)

    members_end_day = on(period.end)
    counts = source.member_counts(
        paths,
        [
            *(on(start - day_before) for start in term_starts),
            on(period.start - day_before),
            members_end_day,
            on(dates.year_start - day_before),
        ],
    )
    term_bases = {start: counts[on(start - day_before)] for start in term_starts}
    movement_counts = source.movement_counts(paths, period.start, members_end_day)

    entries = source.entries(paths)
    open_candidates = open_candidates_on(entries, source.open_now(paths), dates.ref)
    entries = [e for e in entries if e[2] <= dates.ref]
    parent = source.parent(organisation)
    parent_history = source.parent_history(parent, dates.ref) if parent is not None else None

    children = source.children(organisation, period.start, dates.ref)
    child_quota_rows = source.child_admission_quotas(children, period)
    child_quotas = {q.organisation_id: q for q in child_quota_rows}
    child_quotas_by_source: dict[str, dict[int, Quota]] = {}
    for q in child_quota_rows:
        child_quotas_by_source.setdefault(q.source, {})[q.organisation_id] = q
    return ReportFacts(
        unit=Unit.of(organisation),
        dates=dates,
        lineage=lineage,
        admissions=tuple(admissions),
        proposed_dates=proposed_dates,
        trained_dates=tuple(trained_dates),
        quotas=tuple(own),
        previous_quotas=previous,
        term_bases=term_bases,
        members_start=counts[on(period.start - day_before)],
        members_end=counts[members_end_day],
        members_year_start=counts[on(dates.year_start - day_before)],
        movement_counts=movement_counts,
        open_candidates=tuple(open_candidates),
        entries=tuple(entries),
        parent_history=parent_history,
        children=tuple(Unit.of(child) for child in children),
        child_quotas=child_quotas,
        child_quotas_by_source=child_quotas_by_source,
        cells=source.cells(organisation, period.start, dates.ref),
        last_admission=source.last_admission(organisation, dates.ref),
        introductions=tuple(introductions),
        unit_terms=unit_terms,
    )
