"""What the dashboard shows, evaluated before the template runs, in a fixed number of queries.

The totals come from the stored progress report (reports/progress/snapshots.py). Everything the page shows is in
the snapshot (the chart's counts, the forecast the early warnings read, the children ranked on every
source): the page adds, for every number, the address of the list of people behind it, and never
computes a figure (issue 15).
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.filters import ANY_STATUS
from members.models import Organisation
from members.vocabulary import GeneralEducation, MovementKind, Occupation, ProfessionalTraining
from recruitment.vocabulary import OPEN_STAGES, IntroducingBody, Stage

from ..attributes import introduced_by_key
from ..progress import periods, snapshots
from ..progress.report import ProgressReport
from ..progress.shape import ChildProgress, ForecastFigures, QuotaProgress
from ..progress.snapshots import StoredReport
from ..quotas.arithmetic import whole_people
from ..vocabulary import QuotaMetric, QuotaSource, RangeState, ValueKind

STEP = Organisation.steplen
FIRST_TERM_YEAR = 2020  # the oldest term the picker offers: the data start with the 2020-2025 term
MONTHS_OFFERED = 12
WARNINGS_SHOWN = 8
# Child units ranked in the open table; the rest are folded below it (a province has hundreds of
# children, and on a phone the funnel and the breakdown come after the ranking).
CHILDREN_SHOWN = 30
# Cells listed by name on the page (with no admission, dormant); past this, the count and the children's pages.
# The snapshot the page reads keeps this many of each list (the whole lists are stored apart).
CELLS_SHOWN = snapshots.LIST_HEAD
# Which quota the chart measures against when a unit has several for the period.
CHART_SOURCE_ORDER = (QuotaSource.ASSIGNED, QuotaSource.RESOLUTION, QuotaSource.PLAN)

STATE_BADGES = {
    RangeState.BELOW: "text-bg-warning",
    RangeState.WITHIN: "text-bg-success",
    RangeState.REACHED: "text-bg-success",
    RangeState.ABOVE: "text-bg-primary",
}

BREAKDOWN_LABELS = {
    "total": gettext_lazy("Tổng số"),
    "women": gettext_lazy("Nữ"),
    "ethnic_minority": gettext_lazy("Dân tộc thiểu số"),
    "religious": gettext_lazy("Có đạo"),
    "youth_union": gettext_lazy("Đoàn viên"),
    "business_owner": gettext_lazy("Chủ doanh nghiệp tư nhân"),
    "readmitted": gettext_lazy("Kết nạp lại"),
}
# Biểu 2 rows whose people the member list can show, as its filters.
BREAKDOWN_FILTERS = {"total": {}, "women": {"gender": "female"}}
# A share quota's people in the member list, by attribute: the Biểu 2 rows it can filter, each
# occupation, each introducing body.
SHARE_FILTERS = {
    "women": {"gender": "female"},
    **{f"occupation:{value}": {"occupation": value} for value in Occupation.values},
    **{introduced_by_key(body): {"introduced_by": body} for body in IntroducingBody.values},
}


# --- the period ---------------------------------------------------------------------------------


def period_label(period: periods.Period) -> str:
    if period.kind == "term":
        first = period.start.year
        return _("Nhiệm kỳ %(first)s-%(last)s") % {"first": first, "last": first + periods.TERM_YEARS}
    if period.kind == "year":
        return _("Năm %(year)s") % {"year": period.start.year}
    if period.kind == "month":
        return _("Tháng %(month)s/%(year)s") % {"month": period.start.month, "year": period.start.year}
    return f"{period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}"


@dataclass(frozen=True)
class PeriodChoice:
    key: str
    label: str


def period_choices(today: datetime.date) -> list[tuple[str, list[PeriodChoice]]]:
    """The picker's groups: terms, years and the last twelve months."""
    current = periods.term_containing(today)
    terms = [periods.term(y) for y in range(current.start.year, FIRST_TERM_YEAR - 1, -periods.TERM_YEARS)]
    years = [periods.year(y) for y in range(today.year, FIRST_TERM_YEAR - 1, -1)]
    months = []
    y, m = today.year, today.month
    for _i in range(MONTHS_OFFERED):
        months.append(periods.month(y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return [
        (_("Nhiệm kỳ"), [PeriodChoice(p.key, period_label(p)) for p in terms]),
        (_("Năm"), [PeriodChoice(p.key, period_label(p)) for p in years]),
        (_("Tháng"), [PeriodChoice(p.key, period_label(p)) for p in months]),
    ]


# --- links to the people behind a number --------------------------------------------------------


def member_list_url(org_id: int, start: datetime.date, end: datetime.date, **filters: str) -> str:
    """The organisation page's member list, cut to the people admitted between two dates."""
    query = {"admitted_from": start.isoformat(), "admitted_to": end.isoformat(), "status": ANY_STATUS, **filters}
    return f"{reverse('members:organisation', args=[org_id])}?{urlencode(query)}#members"


def board_url(org_id: int, stage: str | None = None) -> str:
    url = reverse("recruitment:board", args=[org_id])
    return f"{url}#stage-{stage}" if stage else url


def dashboard_url(org_id: int, period_key: str) -> str:
    return f"{reverse('reports:dashboard', args=[org_id])}?{urlencode({'ky': period_key})}"


# --- the chart ----------------------------------------------------------------------------------


def main_quota(quotas: Iterable[QuotaProgress]) -> QuotaProgress | None:
    """The admissions quota the chart measures against: assigned, else the resolution's, else the plan's."""
    counted = [q for q in quotas if not q.is_share and q.metric == QuotaMetric.ADMISSIONS]
    for source in CHART_SOURCE_ORDER:
        for q in counted:
            if q.source == source:
                return q
    return counted[0] if counted else None


def chart_data(*, period: periods.Period, report: ProgressReport, ref: datetime.date) -> dict:
    """Cumulative admissions, the straight pace to the target, the linear projection and the forecast,
    from the report's stored counts per bucket (`report.chart`)."""
    chart = report.chart
    unit = chart.unit if chart is not None else "month"
    counts = chart.buckets if chart is not None else ()
    buckets = [(b.first, b.last) for b in counts]
    per_bucket = {b.first: b.admitted for b in counts}
    quota = main_quota(report.quotas)
    target = quota.target if quota else None
    labels, actual, pace, projection = [], [], [], []
    running = 0
    elapsed = max((ref - period.start).days + 1, 0)
    achieved_now = sum(n for day, n in per_bucket.items() if day <= ref)
    rate_per_day = achieved_now / elapsed if elapsed else 0
    for first, last in buckets:
        running += per_bucket.get(first, 0)
        labels.append(f"{last:%m/%Y}" if unit == "month" else f"{last:%d/%m}")
        actual.append(running if first <= ref else None)
        days_to_end = (last - period.start).days + 1
        pace.append(round(target * days_to_end / period.days, 2) if target is not None else None)
        if first <= ref <= last:
            projection.append(running)  # the projection starts where the admissions are today
        else:
            projection.append(round(rate_per_day * days_to_end, 2) if first > ref else None)
    if elapsed == 0:
        projection = [None] * len(buckets)
    expected = report.forecast.total
    forecast = [None] * len(buckets)
    if buckets and ref < period.end and expected is not None:
        forecast[-1] = achieved_now + expected
    return {
        "labels": labels,
        "target": target,
        "series": {"actual": actual, "pace": pace, "projection": projection, "forecast": forecast},
        "names": {
            "actual": _("Đã kết nạp (cộng dồn)"),
            "pace": _("Tiến độ cần đạt"),
            "projection": _("Theo nhịp hiện tại"),
            "forecast": _("Dự báo từ quần chúng đang theo dõi"),
        },
    }


# --- early warnings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlyWarning:
    """A child unit whose forecast misses its quota, with what it lacks."""

    child_id: int
    name: str
    url: str
    target: int
    achieved: int
    expected: int  # whole people
    missing: int
    in_pipeline: int
    trainees_needed: int | None  # more people to put through the class, when the history tells
    train_by: datetime.date | None  # the last day they can start and still be admitted in time
    too_late: bool  # a class started today ends in a decision after the period


def early_warnings(*, period: periods.Period, report: ProgressReport, ref: datetime.date) -> list[EarlyWarning]:
    """Each child with a quota whose achieved plus forecast falls short, worst first.

    The forecast is the stored report's (`forecast.children`: the report's model one level down, the
    child's own stage history, the organisation's where the child's is thin). No query.
    """
    rows = [r for r in report.children if r.target]
    if not rows or ref >= period.end or report.forecast.closed:
        return []
    forecasts = {child.id: child for child in report.forecast.children}
    warnings = []
    for row in rows:
        child = forecasts.get(row.id)
        if child is None:
            continue
        missing = row.target - row.achieved - child.expected
        if missing <= 0:
            continue
        needed = train_by = None
        too_late = False
        if child.training_decided and child.training_median_days is not None:
            needed = whole_people(Decimal(missing * child.training_finished) / child.training_decided, up=True)
            train_by = period.end - datetime.timedelta(days=math.ceil(child.training_median_days))
            too_late = train_by < ref
        warnings.append(
            EarlyWarning(
                child_id=row.id,
                name=row.name,
                url=dashboard_url(row.id, period.key),
                target=row.target,
                achieved=row.achieved,
                expected=child.expected,
                missing=missing,
                in_pipeline=child.candidates,
                trainees_needed=needed,
                train_by=train_by,
                too_late=too_late,
            )
        )
    warnings.sort(key=lambda w: (-w.missing, w.name))
    return warnings


# --- the whole page -----------------------------------------------------------------------------


@dataclass
class Dashboard:
    organisation: Organisation
    period: periods.Period
    period_label: str
    report: ProgressReport
    computed_at: datetime.datetime
    from_snapshot: bool
    ref: datetime.date
    quotas: list[dict] = field(default_factory=list)
    admissions: list[dict] = field(default_factory=list)
    chart: dict = field(default_factory=dict)
    warnings: list[EarlyWarning] = field(default_factory=list)
    children: list[dict] = field(default_factory=list)
    funnel: list[dict] = field(default_factory=list)
    forecast: ForecastFigures | None = None
    stalled: list[dict] = field(default_factory=list)
    breakdown: list[dict] = field(default_factory=list)
    members: dict = field(default_factory=dict)
    # The cells with no admission in the period, and the dormant ones: the first CELLS_SHOWN of each,
    # and how many there are (a province has thousands of cells; each child's page lists its own).
    no_admission: list[dict] = field(default_factory=list)
    dormant: list[dict] = field(default_factory=list)
    no_admission_count: int = 0
    dormant_count: int = 0
    # The quota the children are ranked on (its label names it on the page) and the sources to pick.
    ranked_by: str | None = None
    ranked_by_label: str = ""
    ranking_choices: list[tuple[str, str]] = field(default_factory=list)
    introducing_bodies: list[dict] = field(default_factory=list)

    @property
    def warnings_first(self) -> list[EarlyWarning]:
        return self.warnings[:WARNINGS_SHOWN]

    @property
    def warnings_more(self) -> list[EarlyWarning]:
        """The rest, folded away so the page stays short for a province of ninety communes."""
        return self.warnings[WARNINGS_SHOWN:]

    @property
    def children_first(self) -> list[dict]:
        return self.children[:CHILDREN_SHOWN]

    @property
    def children_more(self) -> list[dict]:
        """The rest of the ranking, folded away as the warnings are."""
        return self.children[CHILDREN_SHOWN:]

    @property
    def children_shown(self) -> int:
        return CHILDREN_SHOWN

    @property
    def has_children(self) -> bool:
        return bool(self.children)

    @property
    def children_with_quota(self) -> int:
        return sum(1 for c in self.children if c["target"])

    @property
    def lagging(self) -> int:
        return sum(1 for c in self.children if c["lagging"])


def _quota_cards(
    quotas: Iterable[QuotaProgress],
    org_id: int,
    period: periods.Period,
    forecast: ForecastFigures | None = None,
) -> list[dict]:
    """A card per quota: the quota's figures (its JSON keys, which the template reads) and the page's additions.

    A count quota below its target carries the forecast's one sentence about it (`outlook`), printed on
    its card only; when the quota is on pace yet out of reach, that sentence (which says why) replaces
    the bare "đúng tiến độ".
    """
    outlooks = {r.quota: r for r in forecast.reachable} if forecast is not None else {}
    cards = []
    admitted_url = member_list_url(org_id, period.start, period.end)
    for q in quotas:
        card = {
            **q.as_json(),
            "badge": STATE_BADGES.get(q.state, "text-bg-secondary"),
            "state_label": RangeState(q.state).label,
        }
        if q.is_share:
            card["admissions_url"] = admitted_url
            filters = SHARE_FILTERS.get(q.attribute)
            card["achieved_url"] = (
                member_list_url(org_id, period.start, period.end, **filters) if filters is not None else None
            )
        else:
            card["label"] = f"{QuotaSource(q.source).label} · {QuotaMetric(q.metric).label}"
            card["is_range"] = q.value_kind == ValueKind.RANGE
            card["is_rate"] = q.value_kind == ValueKind.RATE
            card["behind_pace"] = q.achieved < q.expected_by_now
            outlook = outlooks.get(q.id)
            card["outlook"] = outlook.text if outlook is not None else ""
            card["outlook_reachable"] = outlook.reachable if outlook is not None else None
            card["on_pace_but_short"] = outlook is not None and not outlook.reachable and outlook.on_pace
            card["achieved_url"] = admitted_url if q.metric == QuotaMetric.ADMISSIONS else board_url(org_id)
            card["bar"] = min(float(q.percent), 100.0) if q.percent else 0.0
        cards.append(card)
    return cards


def _admission_tiles(report: ProgressReport, org_id: int, period: periods.Period, ref: datetime.date) -> list[dict]:
    figures = report.admissions
    term = periods.parse(figures.term)
    return [
        {"label": _("Trong kỳ"), "value": figures.period, "url": member_list_url(org_id, period.start, period.end)},
        {
            "label": _("Tháng %(month)s/%(year)s") % {"month": ref.month, "year": ref.year},
            "value": figures.month,
            "url": member_list_url(org_id, ref.replace(day=1), ref),
        },
        {
            "label": _("Từ đầu năm %(year)s") % {"year": ref.year},
            "value": figures.year_to_date,
            "url": member_list_url(org_id, datetime.date(ref.year, 1, 1), ref),
            "pct_of_members": figures.year_to_date_pct_of_members,
        },
        {
            "label": _("Từ đầu nhiệm kỳ %(term)s") % {"term": term.key},
            "value": figures.term_to_date,
            "url": member_list_url(org_id, term.start, ref),
        },
    ]


def _funnel(report: ProgressReport, org_id: int) -> list[dict]:
    by_stage = report.pipeline.by_stage
    expected = report.forecast.by_stage
    widest = max(by_stage.values(), default=0) or 1
    return [
        {
            "stage": stage.value,
            "label": stage.label,
            "count": by_stage.get(stage.value, 0),
            "width": round(100 * by_stage.get(stage.value, 0) / widest),
            "expected": expected[stage.value].expected if stage.value in expected else None,
            "url": board_url(org_id, stage.value),
        }
        for stage in OPEN_STAGES
    ]


def _stalled(report: ProgressReport) -> list[dict]:
    """The candidates past their stage's usual time, by stage, for the forecast's list. The snapshot the page
    reads keeps the longest CELLS_SHOWN waits of a stage (a province has thousands): the count is the
    stage's forecast's, and "…" follows the waits shown when there are more."""
    stages = report.forecast.by_stage
    groups = []
    for group in report.forecast.stalled:
        count = stages[group.stage].stalled if group.stage in stages else len(group.waited_days)
        waited = ", ".join(str(days) for days in group.waited_days[:CELLS_SHOWN])
        groups.append(
            {
                "stage": group.stage,
                "label": Stage(group.stage).label,
                "count": count,
                "waited": f"{waited}, …" if count > len(group.waited_days[:CELLS_SHOWN]) else waited,
                "usual_days": group.usual_days,
                "expected": group.expected,
            }
        )
    return groups


def _row_label(key: str, stored: str) -> str:
    """The row's label in the reader's language (the report stores the Vietnamese one)."""
    group, _sep, value = key.partition(":")
    vocabulary = {"occupation": Occupation, "education": GeneralEducation, "training": ProfessionalTraining}
    if group in vocabulary and value in vocabulary[group].values:
        return vocabulary[group](value).label
    if group == "age":
        return _("Trên 60 tuổi") if value == "over_60" else _("Tuổi %(band)s") % {"band": value}
    return BREAKDOWN_LABELS.get(key, stored)


def breakdown_filters(key: str) -> dict[str, str] | None:
    """The member list's filters (members/filters.py) that pick exactly the people a Biểu 2 row counts."""
    if key in BREAKDOWN_FILTERS:
        return BREAKDOWN_FILTERS[key]
    if key in ("ethnic_minority", "religious", "youth_union", "business_owner", "readmitted"):
        return {"attribute": key}
    group, _sep, value = key.partition(":")
    param = {"occupation": "occupation", "education": "education", "training": "training", "age": "admission_age"}
    return {param[group]: value} if group in param and value else None


def _breakdown(report: ProgressReport, org_id: int, period: periods.Period) -> list[dict]:
    last_start, last_end = report.breakdown.compared_with.start, report.breakdown.compared_with.end
    group_labels = {
        "occupation": _("Nghề nghiệp"),
        "age": _("Độ tuổi"),
        "education": _("Giáo dục phổ thông"),
        "training": _("Chuyên môn, nghiệp vụ"),
    }
    rows = []
    for row in report.breakdown.rows:
        key = row.key
        group = key.partition(":")[0] if ":" in key else ""
        filters = breakdown_filters(key)
        rows.append(
            {
                **row.as_json(),
                "label": _row_label(key, row.label),
                "group": group,
                "group_label": group_labels.get(group, ""),
                "this_url": member_list_url(org_id, period.start, period.end, **filters)
                if filters is not None
                else None,
                "last_url": member_list_url(org_id, last_start, last_end, **filters) if filters is not None else None,
            }
        )
    return rows


def _introducing_bodies(report: ProgressReport, org_id: int, period: periods.Period) -> list[dict]:
    """Conversion by introducing body; the admitted are linked to the member list (introduced in the
    period by that body, admitted by the report's day). The candidates still open have no list of their own."""
    rows = []
    for row in report.introducing_bodies:
        url = None
        if row.admitted:
            url = member_list_url(
                org_id,
                period.start,
                report.as_of,
                introduced_by=row.body,
                proposed_from=period.start.isoformat(),
                proposed_to=report.as_of.isoformat(),
            )
        rows.append({**row.as_json(), "label": IntroducingBody(row.body).label, "admitted_url": url})
    return rows


def _members(report: ProgressReport, org_id: int, period: periods.Period, today: datetime.date) -> dict:
    figures = report.members
    movements = [
        {
            "kind": kind.value,
            "label": kind.label,
            "count": figures.movements.get(kind.value, 0),
            "incoming": kind in (MovementKind.ADMITTED, MovementKind.TRANSFERRED_IN),
            "url": member_list_url(org_id, period.start, period.end) if kind == MovementKind.ADMITTED else None,
        }
        for kind in MovementKind
    ]
    roll_url = f"{reverse('members:organisation', args=[org_id])}#members"
    return {
        "start": figures.start,
        "end": figures.end,
        "change": figures.change,
        "movements": movements,
        "end_url": roll_url if period.end >= today else None,
    }


def _children(rows: Iterable[ChildProgress], period: periods.Period) -> list[dict]:
    return [
        {
            **row.as_json(),
            "url": dashboard_url(row.id, period.key),
            "achieved_url": member_list_url(row.id, period.start, period.end),
            "candidates_url": board_url(row.id),
            "bar": min(float(row.percent), 100.0) if row.percent else 0.0,
        }
        for row in rows
    ]


def ranking_label(source: str) -> str:
    """ "Chỉ tiêu kết nạp · Cấp trên giao": the quota a ranking is on."""
    label = QuotaSource(source).label if source in QuotaSource.values else source
    return f"{QuotaMetric.ADMISSIONS.label} · {label}"


def build(
    *,
    organisation: Organisation,
    period: periods.Period,
    stored: StoredReport,
    today: datetime.date,
    ranking: str | None = None,
) -> Dashboard:
    report = stored.report
    sources = report.ranking_sources or ()
    ranked_by = report.ranked_by
    children = report.children
    if ranking in sources and ranking != report.ranked_by:
        # Another source than the stored default: the children ranked on it, stored beside it.
        ranked_by = ranking
        children = (report.children_by_source or {}).get(ranking, report.children)
    ref = min(today, period.end)
    return Dashboard(
        organisation=organisation,
        period=period,
        period_label=period_label(period),
        report=report,
        computed_at=stored.computed_at,
        from_snapshot=stored.from_snapshot,
        ref=ref,
        quotas=_quota_cards(report.quotas, organisation.pk, period, report.forecast),
        admissions=_admission_tiles(report, organisation.pk, period, ref),
        chart=chart_data(period=period, report=report, ref=ref),
        warnings=early_warnings(period=period, report=report, ref=ref),
        children=_children(children, period),
        ranked_by=ranked_by,
        ranked_by_label=ranking_label(ranked_by) if ranked_by else "",
        ranking_choices=[(source, ranking_label(source)) for source in sources],
        funnel=_funnel(report, organisation.pk),
        forecast=report.forecast,
        stalled=_stalled(report),
        breakdown=_breakdown(report, organisation.pk, period),
        introducing_bodies=_introducing_bodies(report, organisation.pk, period),
        members=_members(report, organisation.pk, period, today),
        no_admission_count=stored.length("no_admission"),
        dormant_count=stored.length("dormant_cells"),
        no_admission=[
            {"id": u.id, "name": u.name, "url": dashboard_url(u.id, period.key)}
            for u in report.no_admission[:CELLS_SHOWN]
        ],
        dormant=[
            {"id": u.id, "name": u.name, "url": dashboard_url(u.id, period.key), "last_admission": u.last_admission}
            for u in report.dormant_cells[:CELLS_SHOWN]
        ],
    )
