"""The six sections of the progress report, as pure functions over the loaded facts (facts.py).

None of them queries the database: everything they read is in `ReportFacts`, so the facts of many
units can be loaded together and every report computed from them in memory. Each returns frozen
dataclasses from shape.py; report.py composes them into a `ProgressReport`.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from members.models import Organisation
from members.vocabulary import MovementKind, Sector
from recruitment.vocabulary import OPEN_STAGES, PIPELINE, Stage

from ..models import Quota
from ..quotas import arithmetic as quota_math
from ..vocabulary import QuotaMetric, RangeState, ShareAttribute, ValueKind
from . import forecast as fc
from . import periods
from .admissions import Admission
from .breakdown import breakdown
from .facts import ReportFacts, needs_term_base
from .shape import (
    AdmissionFigures,
    Breakdown,
    ChildProgress,
    DateSpan,
    DormantCell,
    ForecastFigures,
    Intake,
    MemberFigures,
    PipelineFigures,
    QuotaProgress,
    Reachability,
    ShareQuotaProgress,
    UnitRef,
)
from .terms import DEFAULT_TERMS, UnitTerms

DORMANT_YEARS = 3
STEP = Organisation.steplen

SHARE_TESTS = {
    ShareAttribute.YOUTH_UNION_INTRODUCED: lambda a: a.introduced_by == "youth_union",
    ShareAttribute.WOMEN: lambda a: a.gender == "female",
    ShareAttribute.ETHNIC_MINORITY: lambda a: bool(a.ethnicity) and a.ethnicity != "Kinh",
    ShareAttribute.STUDENTS: lambda a: a.occupation in ("university_student", "pupil"),
    ShareAttribute.RESIDENTIAL: lambda a: a.sector == Sector.RESIDENTIAL,
}


def admitted_between(admissions: Iterable[Admission], start: datetime.date, end: datetime.date) -> list[Admission]:
    return [a for a in admissions if start <= a.date <= end]


def introduced_between(facts: ReportFacts, start: datetime.date, end: datetime.date) -> int:
    return sum(1 for d in facts.proposed_dates if start <= d <= end)


def trained_between(facts: ReportFacts, start: datetime.date, end: datetime.date) -> int:
    return sum(1 for d in facts.trained_dates if start <= d <= end)


def _s(value) -> str | None:
    return None if value is None else str(value)


# --- 1. admissions ------------------------------------------------------------------------------


def admissions_section(facts: ReportFacts) -> tuple[AdmissionFigures, Breakdown]:
    """Admissions in the period, the month, the year and the term to the report's day; Biểu 2."""
    d = facts.dates
    in_period = admitted_between(facts.admissions, d.period.start, d.period.end)
    year_to_date = len(admitted_between(facts.admissions, d.year_start, d.ref))
    figures = AdmissionFigures(
        period=len(in_period),
        month=len(admitted_between(facts.admissions, d.ref.replace(day=1), d.ref)),
        year_to_date=year_to_date,
        term_to_date=len(admitted_between(facts.admissions, d.term.start, d.ref)),
        term=d.term.key,
        members_start_of_year=facts.members_year_start,
        year_to_date_pct_of_members=_s(quota_math.percent(year_to_date, facts.members_year_start)),
    )
    last_year = admitted_between(facts.admissions, d.last_year.start, d.same_stretch_end)
    return figures, breakdown(in_period, last_year, DateSpan(d.last_year.start, d.same_stretch_end))


# --- 2. introduced and trained ------------------------------------------------------------------


def intake_section(facts: ReportFacts, admitted_in_period: int) -> Intake:
    period = facts.dates.period
    trained = trained_between(facts, period.start, period.end)
    return Intake(
        introduced_in_period=introduced_between(facts, period.start, period.end),
        trained_in_period=trained,
        conversion_trained_to_admitted=_s(quota_math.percent(admitted_in_period, trained)),
    )


# --- 3. quotas ----------------------------------------------------------------------------------


def _achieved(quota: Quota, facts: ReportFacts) -> int:
    if quota.metric == QuotaMetric.INTRODUCED:
        return introduced_between(facts, quota.period_start, quota.period_end)
    if quota.metric == QuotaMetric.TRAINED:
        return trained_between(facts, quota.period_start, quota.period_end)
    return len(admitted_between(facts.admissions, quota.period_start, quota.period_end))


def base_target(
    quota: Quota, term_bases: dict[datetime.date, int], unit_terms: UnitTerms = DEFAULT_TERMS
) -> tuple[int | None, int | None, int | None]:
    """(lower, upper, base members of a rate) before any carry-over; a rate's base is the unit's term's."""
    if quota.value_kind == ValueKind.RANGE:
        return quota.value, quota.upper, None
    if quota.value_kind == ValueKind.RATE and quota.metric != QuotaMetric.SHARE:
        if needs_term_base(quota):
            base = term_bases[unit_terms.containing(quota.period_start).start]
        else:
            base = quota.base_members
        return quota_math.rate_target(quota.rate_percent, base), None, base
    return quota.value, None, None


def evaluate_quota(quota: Quota, facts: ReportFacts) -> QuotaProgress | ShareQuotaProgress:
    label = f"{quota.get_source_display()} · {quota.get_metric_display()}"
    if quota.metric == QuotaMetric.SHARE:
        period_admissions = admitted_between(facts.admissions, quota.period_start, quota.period_end)
        test = SHARE_TESTS[quota.share_attribute]
        with_attribute = sum(1 for a in period_admissions if test(a))
        share = quota_math.percent(with_attribute, len(period_admissions))
        return ShareQuotaProgress(
            id=quota.pk,
            label=f"{label} {quota.get_share_attribute_display()}",
            share_attribute=quota.share_attribute,
            source=quota.source,
            metric=quota.metric,
            value_kind=quota.value_kind,
            target_percent=_s(quota.rate_percent),
            with_attribute=with_attribute,
            admissions=len(period_admissions),
            share=_s(share),
            state=quota_math.share_state(share, quota.rate_percent),
        )
    lower, upper, base_members = base_target(quota, facts.term_bases, facts.unit_terms)
    carried = 0
    previous = facts.previous_quotas.get((quota.source, quota.metric))
    if previous is not None and previous.carry_over:
        prev_lower, _prev_upper, _base = base_target(previous, facts.term_bases, facts.unit_terms)
        carried = max((prev_lower or 0) - _achieved(previous, facts), 0)
    lower = (lower or 0) + carried
    upper = upper + carried if upper is not None else None
    achieved = _achieved(quota, facts)
    pace = quota_math.pace(
        achieved=achieved, target=lower, start=quota.period_start, end=quota.period_end, today=facts.dates.today
    )
    return QuotaProgress(
        id=quota.pk,
        label=label,
        source=quota.source,
        metric=quota.metric,
        value_kind=quota.value_kind,
        target=lower,
        upper=upper,
        carried_over=carried,
        achieved=achieved,
        percent=_s(quota_math.percent(achieved, lower)),
        state=quota_math.range_state(achieved, lower, upper),
        expected_by_now=pace.expected_by_now,
        needed_per_month=_s(pace.needed_per_month),
        projection=pace.projection,
        base_members=base_members,
    )


def quotas_section(facts: ReportFacts) -> tuple[QuotaProgress | ShareQuotaProgress, ...]:
    """The unit's quotas for the period, each against what was achieved, with last year's carry-over."""
    return tuple(evaluate_quota(q, facts) for q in facts.quotas)


# --- 4. members ---------------------------------------------------------------------------------


def members_section(facts: ReportFacts) -> MemberFigures:
    return MemberFigures(
        start=facts.members_start,
        end=facts.members_end,
        change=facts.members_end - facts.members_start,
        movements={kind: facts.movement_counts.get(kind, 0) for kind in MovementKind.values},
    )


# --- 5. the pipeline and the forecast -----------------------------------------------------------


def pipeline_section(
    facts: ReportFacts, intake: Intake, quotas: Iterable[QuotaProgress | ShareQuotaProgress]
) -> tuple[PipelineFigures, ForecastFigures]:
    """Candidates per open stage now, and how many will be admitted before the period ends."""
    d = facts.dates
    stage_counts = Counter(stage for stage, _d, _p in facts.open_candidates)
    history = fc.stage_history([(c, s, day) for c, s, day, _p in facts.entries])
    parent_history = (
        fc.stage_history([(c, s, day) for c, s, day, _p in facts.parent_entries])
        if facts.parent_entries is not None
        else None
    )
    before_decision = [
        (s, day) for s, day, _p in facts.open_candidates if PIPELINE.index(s) < PIPELINE.index(Stage.DECIDED)
    ]
    # Decided but not yet admitted at a ceremony: they count on their decision date, so only the
    # decisions taken inside the period will add to it.
    decided_waiting = sum(1 for s, day, _p in facts.open_candidates if s == Stage.DECIDED and d.period.contains(day))
    prognosis = fc.forecast(
        candidates=before_decision,
        history=history,
        parent_history=parent_history,
        today=d.ref,
        period_end=d.period.end,
    )
    pipeline = PipelineFigures(
        by_stage={str(stage.value): stage_counts.get(stage, 0) for stage in OPEN_STAGES},
        trained_in_period=intake.trained_in_period,
        conversion_trained_to_admitted=intake.conversion_trained_to_admitted,
        introduced_in_period=intake.introduced_in_period,
    )
    forecast = ForecastFigures(
        expected=prognosis.expected,
        decided_awaiting_ceremony=decided_waiting,
        by_stage=prognosis.by_stage,
        reachable=reachability(quotas, prognosis.expected + decided_waiting),
    )
    return pipeline, forecast


def reachability(quotas: Iterable[QuotaProgress | ShareQuotaProgress], expected: float) -> tuple[Reachability, ...]:
    """For each count quota still below its target: can the forecast close the gap?"""
    statements = []
    for q in quotas:
        if q.is_share or q.state != RangeState.BELOW:
            continue
        reach = q.achieved + expected
        missing = q.target - reach
        statements.append(
            Reachability(
                quota=q.id,
                reachable=missing <= 0,
                missing=max(int(round(missing + 0.499)), 0),
                text=(
                    f"Có thể đạt chỉ tiêu {q.target}: đã kết nạp {q.achieved}, dự kiến thêm {expected:.1f}."
                    if missing <= 0
                    else f"Khó đạt chỉ tiêu {q.target}: đã kết nạp {q.achieved}, dự kiến thêm {expected:.1f}, "
                    f"còn thiếu khoảng {max(int(round(missing + 0.499)), 1)}."
                ),
            )
        )
    return tuple(statements)


# --- 6. children, units with no admission, dormant cells ----------------------------------------


def units_section(
    facts: ReportFacts,
) -> tuple[tuple[ChildProgress, ...], tuple[UnitRef, ...], tuple[DormantCell, ...]]:
    """Children ranked with the lagging named; cells with no admission in the period; dormant cells."""
    d = facts.dates
    period, depth = d.period, facts.unit.depth
    in_period = admitted_between(facts.admissions, period.start, period.end)

    def child_of(path: str) -> str:
        return path[: (depth + 1) * STEP]

    per_child = Counter(child_of(a.path) for a in in_period)
    per_child_open: dict[str, Counter] = defaultdict(Counter)
    for stage, _day, path in facts.open_candidates:
        per_child_open[child_of(facts.lineage.owner_path(path))][stage] += 1
    children = []
    for child in facts.children:
        achieved = per_child[child.path]
        quota = facts.child_quotas.get(child.id)
        target = pct = None
        lagging = achieved == 0
        if quota is not None and quota.value_kind != ValueKind.RATE:
            target, _upper, _base = base_target(quota, facts.term_bases, facts.unit_terms)
            pct = quota_math.percent(achieved, target or 0)
            expected = quota_math.pace(
                achieved=achieved, target=target or 0, start=period.start, end=period.end, today=d.today
            ).expected_by_now
            lagging = achieved < expected
        children.append(
            ChildProgress(
                id=child.id,
                name=child.name,
                code=child.code,
                path=child.path,
                achieved=achieved,
                target=target,
                percent=_s(pct),
                lagging=lagging,
                candidates=sum(per_child_open[child.path].values()),
            )
        )
    children.sort(key=lambda c: (-(float(c.percent) if c.percent else -1), -c.achieved, c.name))

    admitted_paths = {a.path for a in in_period}
    no_admission = tuple(UnitRef(pk, name) for pk, name, path in facts.cells if path not in admitted_paths)
    dormant_since = periods.shift_year(d.ref, -DORMANT_YEARS)
    last = facts.last_admission
    dormant = tuple(
        DormantCell(pk, name, last.get(path))
        for pk, name, path in facts.cells
        if path not in last or last[path] < dormant_since
    )
    return tuple(children), no_admission, dormant
