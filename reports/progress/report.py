"""The progress report of one organisation over one period, from a fixed set of aggregate queries.

`progress_report(organisation, period, today)` returns plain JSON-able data (strings for decimals),
so the same dict is stored in snapshots, rendered by the dashboard and printed by the command.
The number of queries does not depend on the number of organisations or admissions.
"""

import datetime
from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Count, Max
from django.utils import translation

from members.models import MemberMovement, Organisation
from members.scoping import subtree_q
from members.selectors import member_count_on
from members.vocabulary import CELL_LEVELS, MovementKind, Sector
from recruitment.models import Candidate, Enrolment
from recruitment.vocabulary import OPEN_STAGES, PIPELINE, Stage

from ..models import Quota
from ..quotas import arithmetic as quota_math
from ..vocabulary import QuotaMetric, RangeState, ShareAttribute, ValueKind
from . import forecast as fc
from . import periods
from .admissions import Admission, admissions_between
from .breakdown import breakdown
from .lineage import lineage_of

DORMANT_YEARS = 3
STEP = Organisation.steplen

SHARE_TESTS = {
    ShareAttribute.YOUTH_UNION_INTRODUCED: lambda a: a.introduced_by == "youth_union",
    ShareAttribute.WOMEN: lambda a: a.gender == "female",
    ShareAttribute.ETHNIC_MINORITY: lambda a: bool(a.ethnicity) and a.ethnicity != "Kinh",
    ShareAttribute.STUDENTS: lambda a: a.occupation in ("university_student", "pupil"),
    ShareAttribute.RESIDENTIAL: lambda a: a.sector == Sector.RESIDENTIAL,
}


def _in(admissions: list[Admission], start: datetime.date, end: datetime.date) -> list[Admission]:
    return [a for a in admissions if start <= a.date <= end]


def _s(value) -> str | None:
    return None if value is None else str(value)


class QuotaContext:
    """What evaluating a quota needs beyond the quota itself, gathered once per report."""

    def __init__(self, *, organisation, admissions, introduced, trained, previous_quotas, term_base):
        self.organisation = organisation
        self.admissions = admissions
        self.introduced = introduced
        self.trained = trained
        self.previous_quotas = previous_quotas
        self.term_base = term_base


def _achieved(quota: Quota, ctx: QuotaContext) -> int:
    if quota.metric == QuotaMetric.INTRODUCED:
        return ctx.introduced(quota.period_start, quota.period_end)
    if quota.metric == QuotaMetric.TRAINED:
        return ctx.trained(quota.period_start, quota.period_end)
    return len(_in(ctx.admissions, quota.period_start, quota.period_end))


def _base_target(quota: Quota, ctx: QuotaContext) -> tuple[int | None, int | None, dict]:
    """(lower, upper, notes) before any carry-over."""
    if quota.value_kind == ValueKind.RANGE:
        return quota.value, quota.upper, {}
    if quota.value_kind == ValueKind.RATE and quota.metric != QuotaMetric.SHARE:
        base = quota.base_members if quota.base_members is not None else ctx.term_base(quota.period_start)
        return quota_math.rate_target(quota.rate_percent, base), None, {"base_members": base}
    return quota.value, None, {}


def evaluate_quota(quota: Quota, ctx: QuotaContext, today: datetime.date) -> dict:
    label = f"{quota.get_source_display()} · {quota.get_metric_display()}"
    if quota.metric == QuotaMetric.SHARE:
        period_admissions = _in(ctx.admissions, quota.period_start, quota.period_end)
        test = SHARE_TESTS[quota.share_attribute]
        with_attribute = sum(1 for a in period_admissions if test(a))
        share = quota_math.percent(with_attribute, len(period_admissions))
        return {
            "id": quota.pk,
            "label": f"{label} {quota.get_share_attribute_display()}",
            "share_attribute": quota.share_attribute,
            "source": quota.source,
            "metric": quota.metric,
            "value_kind": quota.value_kind,
            "target_percent": _s(quota.rate_percent),
            "with_attribute": with_attribute,
            "admissions": len(period_admissions),
            "share": _s(share),
            "state": quota_math.share_state(share, quota.rate_percent),
        }
    lower, upper, notes = _base_target(quota, ctx)
    carried = 0
    previous = ctx.previous_quotas.get((quota.source, quota.metric))
    if previous is not None and previous.carry_over:
        prev_lower, _prev_upper, _ = _base_target(previous, ctx)
        carried = max((prev_lower or 0) - _achieved(previous, ctx), 0)
    lower = (lower or 0) + carried
    upper = upper + carried if upper is not None else None
    achieved = _achieved(quota, ctx)
    pace = quota_math.pace(achieved=achieved, target=lower, start=quota.period_start, end=quota.period_end, today=today)
    return {
        "id": quota.pk,
        "label": label,
        "source": quota.source,
        "metric": quota.metric,
        "value_kind": quota.value_kind,
        "target": lower,
        "upper": upper,
        "carried_over": carried,
        "achieved": achieved,
        "percent": _s(quota_math.percent(achieved, lower)),
        "state": quota_math.range_state(achieved, lower, upper),
        "expected_by_now": pace.expected_by_now,
        "needed_per_month": _s(pace.needed_per_month),
        "projection": pace.projection,
        **notes,
    }


def _child_of(path: str, depth: int) -> str:
    return path[: (depth + 1) * STEP]


def progress_report(organisation: Organisation, period: periods.Period, today: datetime.date) -> dict:
    # Snapshots are shared by every reader, so the labels inside are always in the site's language,
    # whatever language the request or job that computed them had active.
    with translation.override(settings.LANGUAGE_CODE):
        return _progress_report(organisation, period, today)


def _progress_report(organisation: Organisation, period: periods.Period, today: datetime.date) -> dict:
    ref = min(today, period.end)
    term = periods.term_containing(ref)
    year_start = datetime.date(ref.year, 1, 1)
    lineage = lineage_of(organisation)
    paths = lineage.paths

    # 1. Admissions: one fetch covering the period, the same period last year, the year and the term.
    # "The same period last year" for Biểu 2; for a term, the previous term. A period still running
    # is compared with the same elapsed stretch of the earlier one, not with all of it.
    back = periods.TERM_YEARS if period.kind == "term" else 1
    last_year = period.shifted_years(-back)
    same_stretch_end = min(last_year.end, periods.shift_year(ref, -back))
    fetch_start = min(last_year.start, term.start, year_start, period.start - datetime.timedelta(days=366))
    fetch_end = max(period.end, ref)
    admissions = admissions_between(lineage, fetch_start, fetch_end)
    in_period = _in(admissions, period.start, period.end)

    # 2. Candidates introduced and people trained, by date, one query each.
    proposed_dates = list(
        Candidate.objects.filter(
            subtree_q(paths, "cell__path"), proposed_on__gte=fetch_start, proposed_on__lte=fetch_end
        ).values_list("proposed_on", flat=True)
    )
    trained_rows = list(
        Enrolment.objects.filter(
            subtree_q(paths, "candidate__cell__path"),
            passed=True,
            certificate_issued_on__gte=fetch_start,
            certificate_issued_on__lte=fetch_end,
        ).values_list("certificate_issued_on", "candidate__cell__path")
    )

    def introduced(start, end):
        return sum(1 for d in proposed_dates if start <= d <= end)

    def trained(start, end):
        return sum(1 for d, _p in trained_rows if start <= d <= end)

    # 3. Quotas of this organisation for this period, and last year's for carry-over.
    quota_rows = list(
        Quota.objects.filter(organisation__in=[organisation], period_start__gte=last_year.start)
        .filter(period_end__lte=period.end)
        .order_by("source", "metric", "pk")
    )
    own = [q for q in quota_rows if q.period_start == period.start and q.period_end == period.end]
    previous = {
        (q.source, q.metric): q
        for q in quota_rows
        if q.period_kind == "year" and q.period_start == last_year.start and q.period_end == last_year.end
    }
    term_bases: dict[datetime.date, int] = {}

    def term_base(day):
        start = periods.term_containing(day).start
        if start not in term_bases:
            term_bases[start] = member_count_on(organisation=organisation, day=start - datetime.timedelta(days=1))
        return term_bases[start]

    ctx = QuotaContext(
        organisation=organisation,
        admissions=admissions,
        introduced=introduced,
        trained=trained,
        previous_quotas=previous,
        term_base=term_base,
    )
    quotas = [evaluate_quota(q, ctx, today) for q in own]

    # 4. Member counts at the start and end, and the movements in between.
    members_start = member_count_on(organisation=organisation, day=period.start - datetime.timedelta(days=1))
    members_end = member_count_on(organisation=organisation, day=period.end)
    members_year_start = member_count_on(organisation=organisation, day=year_start - datetime.timedelta(days=1))
    movement_counts = dict(
        MemberMovement.objects.filter(
            organisation__path__startswith=organisation.path, date__gte=period.start, date__lte=period.end
        )
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )

    # 5. The pipeline now: candidates per stage, and the forecast.
    open_candidates = fc.load_open_candidates(paths)
    stage_counts = Counter(stage for stage, _d, _p in open_candidates)
    entries = fc.load_entries(paths)
    history = fc.stage_history([(c, s, d) for c, s, d, _p in entries])
    parent = organisation.get_parent() if organisation.depth > 1 else None
    parent_history = fc.stage_history([(c, s, d) for c, s, d, _p in fc.load_entries([parent.path])]) if parent else None
    before_decision = [(s, d) for s, d, _p in open_candidates if PIPELINE.index(s) < PIPELINE.index(Stage.DECIDED)]
    # Decided but not yet admitted at a ceremony: they count on their decision date, so only the
    # decisions taken inside the period will add to it.
    decided_waiting = sum(1 for s, d, _p in open_candidates if s == Stage.DECIDED and period.contains(d))
    prognosis = fc.forecast(
        candidates=before_decision, history=history, parent_history=parent_history, today=ref, period_end=period.end
    )

    # 6. Children ranked, lagging named; units with no admission; dormant cells.
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
    per_child = Counter(_child_of(a.path, organisation.depth) for a in in_period)
    per_child_open = defaultdict(lambda: Counter())
    for stage, _d, path in open_candidates:
        per_child_open[_child_of(lineage.owner_path(path), organisation.depth)][stage] += 1
    child_rows = []
    child_ctx = QuotaContext(
        organisation=None,
        admissions=[],
        introduced=introduced,
        trained=trained,
        previous_quotas={},
        term_base=term_base,
    )
    for child in children:
        achieved = per_child[child.path]
        quota = child_quotas.get(child.pk)
        target = pct = None
        lagging = achieved == 0
        if quota is not None and quota.value_kind != ValueKind.RATE:
            target, _upper, _ = _base_target(quota, child_ctx)
            pct = quota_math.percent(achieved, target or 0)
            expected = quota_math.pace(
                achieved=achieved, target=target or 0, start=period.start, end=period.end, today=today
            ).expected_by_now
            lagging = achieved < expected
        child_rows.append(
            {
                "id": child.pk,
                "name": child.name,
                "code": child.code,
                "path": child.path,
                "achieved": achieved,
                "target": target,
                "percent": _s(pct),
                "lagging": lagging,
                "candidates": sum(per_child_open[child.path].values()),
            }
        )
    child_rows.sort(key=lambda r: (-(float(r["percent"]) if r["percent"] else -1), -r["achieved"], r["name"]))

    cells = list(
        Organisation.objects.filter(subtree_q([organisation.path]), level__in=CELL_LEVELS)
        .exclude(dissolved_on__lte=period.start)
        .exclude(founded_on__gt=period.end)
        .values_list("pk", "name", "path")
    )
    admitted_paths = {a.path for a in in_period}
    no_admission = [{"id": pk, "name": name} for pk, name, path in cells if path not in admitted_paths]
    last_admission = dict(
        MemberMovement.objects.filter(organisation__path__startswith=organisation.path, kind=MovementKind.ADMITTED)
        .order_by()
        .values_list("organisation__path")
        .annotate(last=Max("date"))
    )
    dormant_since = periods.shift_year(ref, -DORMANT_YEARS)
    dormant = [
        {"id": pk, "name": name, "last_admission": _s(last_admission.get(path))}
        for pk, name, path in cells
        if path not in last_admission or last_admission[path] < dormant_since
    ]

    trained_in_period = trained(period.start, period.end)
    month_start = ref.replace(day=1)
    admissions_ytd = len(_in(admissions, year_start, ref))
    return {
        "organisation": {"id": organisation.pk, "name": organisation.name, "code": organisation.code},
        "period": {
            "key": period.key,
            "kind": period.kind,
            "label": period.label,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        },
        "as_of": ref.isoformat(),
        "quotas": quotas,
        "admissions": {
            "period": len(in_period),
            "month": len(_in(admissions, month_start, ref)),
            "year_to_date": admissions_ytd,
            "term_to_date": len(_in(admissions, term.start, ref)),
            "term": term.key,
            "members_start_of_year": members_year_start,
            "year_to_date_pct_of_members": _s(quota_math.percent(admissions_ytd, members_year_start)),
        },
        "pipeline": {
            "by_stage": {str(stage.value): stage_counts.get(stage, 0) for stage in OPEN_STAGES},
            "trained_in_period": trained_in_period,
            "conversion_trained_to_admitted": _s(quota_math.percent(len(in_period), trained_in_period)),
            "introduced_in_period": introduced(period.start, period.end),
        },
        "forecast": {
            "expected": prognosis.expected,
            "decided_awaiting_ceremony": decided_waiting,
            "by_stage": prognosis.by_stage,
            "reachable": _reachability(quotas, prognosis.expected + decided_waiting),
        },
        "breakdown": {
            **breakdown(in_period, _in(admissions, last_year.start, same_stretch_end)),
            "compared_with": {"start": last_year.start.isoformat(), "end": same_stretch_end.isoformat()},
        },
        "members": {
            "start": members_start,
            "end": members_end,
            "change": members_end - members_start,
            "movements": {kind: movement_counts.get(kind, 0) for kind in MovementKind.values},
        },
        "children": child_rows,
        "no_admission": no_admission,
        "dormant_cells": dormant,
    }


def _reachability(quotas: list[dict], expected: float) -> list[dict]:
    statements = []
    for q in quotas:
        if "target" not in q or q["state"] != RangeState.BELOW:
            continue
        reach = q["achieved"] + expected
        missing = q["target"] - reach
        statements.append(
            {
                "quota": q["id"],
                "reachable": missing <= 0,
                "missing": max(int(round(missing + 0.499)), 0),
                "text": (
                    f"Có thể đạt chỉ tiêu {q['target']}: đã kết nạp {q['achieved']}, dự kiến thêm {expected:.1f}."
                    if missing <= 0
                    else f"Khó đạt chỉ tiêu {q['target']}: đã kết nạp {q['achieved']}, dự kiến thêm {expected:.1f}, "
                    f"còn thiếu khoảng {max(int(round(missing + 0.499)), 1)}."
                ),
            }
        )
    return statements
