"""The six sections of the progress report, as pure functions over the loaded facts (facts.py).

None of them queries the database: everything they read is in `ReportFacts`, so the facts of many
units can be loaded together and every report computed from them in memory. Each returns frozen
dataclasses from shape.py; report.py composes them into a `ProgressReport`.
"""

import bisect
import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache, lru_cache

from django.utils import translation

from members.models import Organisation
from members.vocabulary import MovementKind
from recruitment.vocabulary import OPEN_STAGES, PIPELINE, IntroducingBody, Stage

from ..attributes import ATTRIBUTES
from ..models import Quota
from ..quotas import arithmetic as quota_math
from ..vocabulary import QuotaMetric, QuotaSource, RangeState, ValueKind
from . import forecast as fc
from . import periods
from .admissions import Admission
from .breakdown import breakdown
from .facts import ReportFacts, needs_term_base
from .lineage import Lineage
from .shape import (
    AdmissionFigures,
    BodyConversion,
    Breakdown,
    Chart,
    ChartBucket,
    ChildForecast,
    ChildProgress,
    DateSpan,
    DormantCell,
    ForecastFigures,
    Intake,
    MemberFigures,
    PipelineFigures,
    QuotaProgress,
    Reachability,
    UnitRef,
)
from .terms import DEFAULT_TERMS, UnitTerms

DORMANT_YEARS = 3
STEP = Organisation.steplen

# A share quota's test, by its attribute: the table the breakdown reads too (reports/attributes.py).
SHARE_TESTS = {attribute.key: attribute.test for attribute in ATTRIBUTES}


def _date_of(admission: Admission) -> datetime.date:
    return admission.date


def admitted_between(admissions: Iterable[Admission], start: datetime.date, end: datetime.date) -> list[Admission]:
    """The admissions dated from `start` to `end`. A list or tuple is in date order (as `ReportFacts.admissions`,
    whichever source loaded it): the stretch is found by bisection, not by reading every admission."""
    if isinstance(admissions, list | tuple):
        lo = bisect.bisect_left(admissions, start, key=_date_of)
        return list(admissions[lo : bisect.bisect_right(admissions, end, lo=lo, key=_date_of)])
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


@cache
def _choices(field_name: str) -> dict:
    return dict(Quota._meta.get_field(field_name).flatchoices)


def display(quota: Quota, field_name: str) -> str:
    """`quota.get_<field_name>_display()`, in the active language, without Django rebuilding the field's
    choices at each call (a province's recompute asks it 100,000 times)."""
    value = getattr(quota, field_name)
    return str(_choices(field_name).get(value, value))


def evaluate_quota(quota: Quota, facts: ReportFacts) -> QuotaProgress:
    label = f"{display(quota, 'source')} · {display(quota, 'metric')}"
    if quota.metric == QuotaMetric.SHARE:
        period_admissions = admitted_between(facts.admissions, quota.period_start, quota.period_end)
        test = SHARE_TESTS[quota.share_attribute]
        with_attribute = sum(1 for a in period_admissions if test(a))
        out_of = len(period_admissions)
        # The people the share needs of the admissions so far: at least target_percent of them.
        needed = quota_math.rate_target(quota.rate_percent, out_of)
        return QuotaProgress(
            id=quota.pk,
            label=f"{label} {display(quota, 'share_attribute')}",
            source=quota.source,
            metric=quota.metric,
            value_kind=quota.value_kind,
            attribute=quota.share_attribute,
            target=needed,
            upper=None,
            carried_over=0,
            achieved=with_attribute,
            out_of=out_of,
            percent=_s(quota_math.percent(with_attribute, needed)),
            share=_s(quota_math.percent(with_attribute, out_of)),
            target_percent=_s(quota.rate_percent),
            # Without admissions there is no share yet: below, whatever the target.
            state=quota_math.range_state(with_attribute, needed, None) if out_of else RangeState.BELOW,
            expected_by_now=None,
            needed_per_month=None,
            projection=None,
            base_members=None,
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
        attribute=None,
        target=lower,
        upper=upper,
        carried_over=carried,
        achieved=achieved,
        out_of=None,
        percent=_s(quota_math.percent(achieved, lower)),
        share=None,
        target_percent=None,
        state=quota_math.range_state(achieved, lower, upper),
        expected_by_now=pace.expected_by_now,
        needed_per_month=_s(pace.needed_per_month),
        projection=pace.projection,
        base_members=base_members,
    )


def quotas_section(facts: ReportFacts) -> tuple[QuotaProgress, ...]:
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
    facts: ReportFacts, intake: Intake, quotas: Iterable[QuotaProgress]
) -> tuple[PipelineFigures, ForecastFigures]:
    """Candidates per open stage now, and how many will be admitted before the period ends (forecast.py).

    A closed period (its end before the report's day) gets no forecast: `closed`, `expected` None.
    """
    d = facts.dates
    stage_counts = Counter(stage for stage, _d, _p in facts.open_candidates)
    pipeline = PipelineFigures(
        by_stage={str(stage.value): stage_counts.get(stage, 0) for stage in OPEN_STAGES},
        trained_in_period=intake.trained_in_period,
        conversion_trained_to_admitted=intake.conversion_trained_to_admitted,
        introduced_in_period=intake.introduced_in_period,
    )
    # Decided but not yet admitted at a ceremony: the admission counts on its decision date, so only
    # the decisions taken inside the period, up to the report's day, add to it.
    decided_waiting = sum(
        1 for s, day, _p in facts.open_candidates if s == Stage.DECIDED and d.period.start <= day <= d.ref
    )
    if d.period.end < d.today:
        return pipeline, ForecastFigures(
            closed=True,
            expected=None,
            decided_awaiting_ceremony=decided_waiting,
            by_stage={},
            stalled=(),
            reachable=(),
            children=(),
        )
    history = _stage_history(tuple((c, s, day) for c, s, day, _p in facts.entries))
    parent_history = facts.parent_history
    before_decision = [(s, day) for s, day, _p in facts.open_candidates if s in _BEFORE_DECIDED]
    prognosis = fc.forecast(
        candidates=before_decision,
        history=history,
        parent_history=parent_history,
        today=d.ref,
        period_end=d.period.end,
    )
    forecast = ForecastFigures(
        closed=False,
        expected=prognosis.expected,
        decided_awaiting_ceremony=decided_waiting,
        by_stage=prognosis.by_stage,
        stalled=prognosis.stalled,
        reachable=reachability(quotas, prognosis.expected + decided_waiting, d.period.end),
        children=children_forecast(facts, history),
    )
    return pipeline, forecast


# The pipeline's stages before the decision (`PIPELINE.index(s) < PIPELINE.index(Stage.DECIDED)`, as a set:
# a province has ~10^4 open candidates).
_BEFORE_DECIDED = frozenset(str(s) for s in PIPELINE[: PIPELINE.index(Stage.DECIDED)])


@lru_cache(maxsize=2048)
def _stage_history(entries: tuple[tuple[int, str, datetime.date], ...]) -> dict[str, fc.StageHistory]:
    """`fc.stage_history`, remembered: a province pass asks for the same entries' history for the term and
    the year, and for each child in its parent's report and again in the child's own (the histories are
    only read, never changed)."""
    return fc.stage_history(entries)


def _training(history: fc.StageHistory | None) -> fc.StageHistory | None:
    usable = history is not None and history.finished >= fc.MIN_HISTORY and history.converted > 0
    return history if usable and history.median_days_to_decision is not None else None


class _ChildrenOf(dict):
    """path -> the prefix of `length` of the path carrying its history in `lineage`, each computed once."""

    def __init__(self, lineage: Lineage, length: int):
        super().__init__()
        self.lineage, self.length = lineage, length

    def __missing__(self, path: str) -> str:
        child = self[path] = self.lineage.owner_path(path)[: self.length]
        return child


def children_forecast(facts: ReportFacts, history: dict[str, fc.StageHistory]) -> tuple[ChildForecast, ...]:
    """Each direct child's forecast: its own stage history, the unit's (`history`) where its own is thin."""
    d = facts.dates
    depth = facts.unit.depth

    # The child carrying each cell's history, found once per cell (a province has ~10^5 stage entries).
    child_of = _ChildrenOf(facts.lineage, (depth + 1) * STEP)
    entries: dict[str, list[tuple[int, str, datetime.date]]] = defaultdict(list)
    for c, s, day, path in facts.entries:
        entries[child_of[path]].append((c, s, day))
    candidates: dict[str, list[tuple[str, datetime.date]]] = defaultdict(list)
    for s, day, path in facts.open_candidates:
        candidates[child_of[path]].append((s, day))
    out = []
    for child in facts.children:
        own = _stage_history(tuple(entries.get(child.path, ())))
        here = candidates.get(child.path, [])
        prognosis = fc.forecast(
            candidates=[(s, day) for s, day in here if s in _BEFORE_DECIDED],
            history=own,
            parent_history=history,
            today=d.ref,
            period_end=d.period.end,
        )
        waiting = sum(1 for s, day in here if s == Stage.DECIDED and d.period.start <= day <= d.ref)
        training = _training(own.get(Stage.TRAINING)) or _training(history.get(Stage.TRAINING))
        out.append(
            ChildForecast(
                id=child.id,
                expected=prognosis.expected + waiting,
                candidates=len(here),
                training_finished=training.finished if training is not None else None,
                training_decided=training.converted if training is not None else None,
                training_median_days=training.median_days_to_decision if training is not None else None,
            )
        )
    return tuple(out)


def reachability(quotas: Iterable[QuotaProgress], expected: int, period_end: datetime.date) -> tuple[Reachability, ...]:
    """For each count quota still below its target: can the forecast close the gap? One sentence each.

    `expected` is in whole people (the forecast and the decisions awaiting a ceremony). The pace
    ("đúng tiến độ": achieved against the straight line to the target) and the reachability (achieved
    plus the forecast against the target) can differ; when the quota is on pace but out of reach, the
    sentence says both and why, so the page never shows them side by side unexplained.
    """
    statements: list[Reachability] = []
    seen: set[str] = set()
    end = f"{period_end:%d/%m/%Y}"
    for q in quotas:
        if q.is_share or q.state != RangeState.BELOW:
            continue
        missing = max(q.target - q.achieved - expected, 0)
        on_pace = q.achieved >= q.expected_by_now
        if missing == 0:
            text = (
                f"Có thể đạt chỉ tiêu {q.target} ({q.label}): đã kết nạp {q.achieved}, "
                f"dự kiến thêm {expected} người trước {end}."
            )
        elif on_pace:
            enough = (
                f"các hồ sơ đang chờ chỉ đủ cho khoảng {expected} người trước {end}"
                if expected
                else f"chưa hồ sơ nào đang chờ dự kiến kịp kết nạp trước {end}"
            )
            text = (
                f"Đúng tiến độ so với thời gian đã qua (đến nay cần {q.expected_by_now}, đã kết nạp {q.achieved}), "
                f"nhưng {enough}: khó đạt chỉ tiêu {q.target} ({q.label}), còn thiếu khoảng {missing} người."
            )
        else:
            more = f"dự kiến thêm {expected} người trước {end}" if expected else f"chưa dự kiến thêm ai trước {end}"
            text = (
                f"Khó đạt chỉ tiêu {q.target} ({q.label}): đã kết nạp {q.achieved}, {more}, "
                f"còn thiếu khoảng {missing} người."
            )
        if text in seen:
            continue
        seen.add(text)
        statements.append(Reachability(quota=q.id, reachable=missing == 0, missing=missing, text=text, on_pace=on_pace))
    return tuple(statements)


# --- 6. children, units with no admission, dormant cells ----------------------------------------


# When the children hold admissions quotas of several sources, the ranking uses the one most of them
# hold; on a tie, the first of this order (what the unit assigned them, then their own resolution,
# then their yearly plan). The board can pick another (`ranking_source(facts, asked)`).
RANKING_PREFERENCE = (QuotaSource.ASSIGNED, QuotaSource.RESOLUTION, QuotaSource.PLAN)


def ranking_sources(facts: ReportFacts) -> tuple[str, ...]:
    """The quota sources the children hold for the period, in `RANKING_PREFERENCE` order."""
    held = facts.child_quotas_by_source
    order = [s.value for s in RANKING_PREFERENCE] + sorted(set(held) - {s.value for s in RANKING_PREFERENCE})
    return tuple(source for source in order if held.get(source))


def ranking_source(facts: ReportFacts, asked: str | None = None) -> str | None:
    """The source the children are ranked on: `asked` if the children hold it, else the default."""
    sources = ranking_sources(facts)
    if asked in sources:
        return asked
    if not sources:
        return None
    held = facts.child_quotas_by_source
    return max(sources, key=lambda source: (len(held[source]), -sources.index(source)))


def units_section(
    facts: ReportFacts, source: str | None = None
) -> tuple[tuple[ChildProgress, ...], tuple[UnitRef, ...], tuple[DormantCell, ...]]:
    """Children ranked with the lagging named; cells with no admission in the period; dormant cells.

    The children's targets are their admissions quotas of one source, `ranking_source(facts, source)`.
    """
    d = facts.dates
    period, depth = d.period, facts.unit.depth
    in_period = admitted_between(facts.admissions, period.start, period.end)

    def child_of(path: str) -> str:
        return path[: (depth + 1) * STEP]

    per_child = Counter(child_of(a.path) for a in in_period)
    per_child_open: dict[str, Counter] = defaultdict(Counter)
    owner_child = _ChildrenOf(facts.lineage, (depth + 1) * STEP)
    for stage, _day, path in facts.open_candidates:
        per_child_open[owner_child[path]][stage] += 1
    chosen = ranking_source(facts, source)
    ranked_on = facts.child_quotas_by_source.get(chosen, {}) if chosen else facts.child_quotas
    children = []
    for child in facts.children:
        achieved = per_child[child.path]
        quota = ranked_on.get(child.id)
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


# --- 7. conversion by introducing body ----------------------------------------------------------


@cache
def _body_labels(language: str | None) -> tuple[tuple[str, str], ...]:
    """The bodies and their labels in `language` (the active one: the cache is by language)."""
    return tuple((str(body), str(label)) for body, label in IntroducingBody.choices)


def introducing_bodies_section(facts: ReportFacts) -> tuple[BodyConversion, ...]:
    """For each body: the candidates it introduced in the period up to the report's day, how many of
    them passed the class and how many were admitted by that day, and the rate admitted / introduced."""
    d = facts.dates
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for proposed, body, trained_on, admitted_on in facts.introductions:
        if d.period.start <= proposed <= d.ref:
            row = counts[body]
            row[0] += 1
            row[1] += trained_on is not None and trained_on <= d.ref
            row[2] += admitted_on is not None and admitted_on <= d.ref
    rows = []
    for body, label in _body_labels(translation.get_language()):
        introduced, trained, admitted = counts.get(body, (0, 0, 0))
        rows.append(
            BodyConversion(
                body=body,
                label=label,
                introduced=introduced,
                trained=trained,
                admitted=admitted,
                admitted_pct=_s(quota_math.percent(admitted, introduced)),
            )
        )
    return tuple(rows)


# --- 8. the chart ---------------------------------------------------------------------------------

# Periods up to this many days are charted day by day; longer ones month by month.
DAILY_CHART_DAYS = 62


@cache
def chart_buckets(period: periods.Period) -> tuple[str, list[tuple[datetime.date, datetime.date]]]:
    """("day" or "month", [(first day, last day)] covering the period)."""
    if period.days <= DAILY_CHART_DAYS:
        return "day", [(d, d) for d in (period.start + datetime.timedelta(days=i) for i in range(period.days))]
    buckets = []
    first = period.start
    while first <= period.end:
        next_month = (first.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        last = min(next_month - datetime.timedelta(days=1), period.end)
        buckets.append((first, last))
        first = next_month
    return "month", buckets


@cache
def _firsts(period: periods.Period) -> list[datetime.date]:
    return [first for first, _last in chart_buckets(period)[1]]


def chart_section(facts: ReportFacts) -> Chart:
    """The period's admissions per day or month, up to the report's day (the facts stop there)."""
    period = facts.dates.period
    unit, spans = chart_buckets(period)
    firsts = _firsts(period)
    in_period = admitted_between(facts.admissions, period.start, period.end)
    counts = Counter(firsts[bisect.bisect_right(firsts, a.date) - 1] for a in in_period)
    return Chart(unit, tuple(_bucket(first, last, counts.get(first, 0)) for first, last in spans))


# A chart's buckets, shared between reports (they are frozen): most of a pass's buckets are the same days
# with the same few counts.
_bucket = lru_cache(maxsize=65536)(ChartBucket)
