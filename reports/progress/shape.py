"""The progress report's shape: frozen dataclasses, and their JSON (docs/progress-json.md).

`ProgressReport.as_json()` is the dict the snapshots store and `manage.py progress_report --format json`
prints; `ProgressReport.from_json()` rebuilds the report from it. A field's position is its key's
position in the JSON, a field's name is its key. In the JSON, dates are ISO strings and decimals are
strings ("45.0"); in the dataclasses dates are `datetime.date` and decimals stay text (`DecimalText`),
exactly as computed, so a report read back from a snapshot equals the one computed and every reader
shows "0.0" the way it always did (a `Decimal("0.0")` would be falsy).
"""

import datetime
import types
import typing
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache, lru_cache

DecimalText = str  # a decimal as text, one decimal place unless stated: "45.0"

# A field with this metadata is left out of the JSON when its value is None (no field uses it now; kept
# for shapes that need it).
OMIT_IF_NONE = {"omit_if_none": True}


class JsonShape:
    """`as_json()` and `from_json()` for a frozen dataclass whose fields are JSON values, dates, other
    such dataclasses, tuples of them (JSON lists) and dicts of them (JSON objects with string keys)."""

    def as_json(self) -> dict:
        return _as_json_of(type(self))(self)

    @classmethod
    def from_json(cls, data: dict):
        values = {}
        for name, omit_if_none, read in _plan(cls):
            if omit_if_none and name not in data:
                values[name] = None
                continue
            value = data[name]
            values[name] = None if value is None else read(value)
        return cls(**values)


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


@cache
def _names(cls) -> tuple[tuple[str, bool], ...]:
    """The fields' names, and whether each is left out when None (a province pass writes thousands)."""
    return tuple((f.name, bool(f.metadata.get("omit_if_none"))) for f in fields(cls))


_PLAIN = (str, int, float, bool, type(None))


@cache
def _as_json_of(cls) -> typing.Callable:
    """`cls.as_json`, written out once per class as straight-line code (a province pass encodes tens of
    thousands of reports): each field read once, and for the fields whose hint is a date, a shape or a
    tuple of shapes, that case tried first on the value's exact type; anything else goes through `_encode`,
    so the JSON is the one the generic loop gives (tests/reports/progress/test_shape_encode.py)."""
    hints = _hints(cls)
    env: dict = {"P": _PLAIN, "E": _encode, "date": datetime.date, "ISO": _isoformat}
    lines = ["def as_json(self):", "    out = {}"]
    for i, (name, omit_if_none) in enumerate(_names(cls)):
        hint = hints[name]
        options = [a for a in typing.get_args(hint) if a is not type(None)] if _is_optional(hint) else [hint]
        target = options[0] if len(options) == 1 else None
        expression = "v if type(v) in P else E(v)"
        if target is datetime.date:
            expression = "ISO(v) if type(v) is date else (v if type(v) in P else E(v))"
        elif isinstance(target, type) and issubclass(target, JsonShape):
            env[f"C{i}"] = target
            env[f"A{i}"] = _nested(cls, target)
            expression = f"A{i}(v) if type(v) is C{i} else (v if type(v) in P else E(v))"
        elif typing.get_origin(target) is tuple:
            item = typing.get_args(target)[0]
            if isinstance(item, type) and issubclass(item, JsonShape):
                env[f"C{i}"] = item
                env[f"A{i}"] = _nested(cls, item)
                expression = (
                    f"[A{i}(x) if type(x) is C{i} else E(x) for x in v] if type(v) is tuple"
                    " else (v if type(v) in P else E(v))"
                )
        lines.append(f"    v = self.{name}")
        if omit_if_none:
            lines.append("    if v is not None:")
            lines.append(f"        out[{name!r}] = {expression}")
        else:
            lines.append(f"    out[{name!r}] = {expression}")
    lines.append("    return out")
    exec("\n".join(lines), env)  # noqa: S102 - the code is built from the dataclass's own field names
    return env["as_json"]


def _nested(cls, target) -> typing.Callable:
    """The encoder of a field's shape, called directly (no method lookup: 800,000 calls in a tenth of a
    pass); a shape holding its own kind goes through its method, built when first called."""
    return target.as_json if target is cls else _as_json_of(target)


# The ISO text of a date, remembered (the same few hundred days recur in every report's chart).
_isoformat = lru_cache(maxsize=65536)(datetime.date.isoformat)


def _is_optional(hint) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType)


def _as_json_generic(shape: "JsonShape") -> dict:
    """The field-by-field encoding `_as_json_of` writes out (kept to compare the two in the tests)."""
    out = {}
    for name, omit_if_none in _names(type(shape)):
        value = getattr(shape, name)
        if type(value) in _PLAIN:
            if value is None and omit_if_none:
                continue
            out[name] = value
        else:
            out[name] = _encode(value)
    return out


def _encode(value):
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is tuple or kind is list:  # the common containers first, their plain items without a call
        return [v if type(v) in _PLAIN else _encode(v) for v in value]
    if kind is dict:
        return {k: v if type(v) in _PLAIN else _encode(v) for k, v in value.items()}
    if isinstance(value, JsonShape):
        return value.as_json()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value  # str, int, float, bool, None: as computed, never coerced


def decode(hint, value):
    """A JSON value (or None) read as type `hint`: the snapshots read parts of a stored report with it."""
    return None if value is None else _decoder(hint)(value)


@cache
def _plan(cls) -> tuple[tuple[str, bool, typing.Callable], ...]:
    """Each field's name, whether it may be missing, and its decoder: worked out once per class, since
    a province's snapshot holds thousands of small shapes (every idle cell of the subtree)."""
    hints = _hints(cls)
    return tuple((f.name, bool(f.metadata.get("omit_if_none")), _decoder(hints[f.name])) for f in fields(cls))


def _same(value):
    return value


@cache
def _decoder(hint) -> typing.Callable:
    """The function that reads a JSON value (not None) of type `hint`."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        shapes = [a for a in options if is_dataclass(a)]
        if len(shapes) > 1:
            return lambda value: _decode_one_of(shapes, value)
        return _decoder(options[0]) if len(options) == 1 else _same
    if origin is tuple:
        item = _decoder(typing.get_args(hint)[0])
        return lambda value: tuple(None if v is None else item(v) for v in value)
    if origin is dict:
        item = _decoder(typing.get_args(hint)[1])
        return lambda value: {k: None if v is None else item(v) for k, v in value.items()}
    if hint is datetime.date:
        return datetime.date.fromisoformat
    if isinstance(hint, type) and issubclass(hint, JsonShape):
        return hint.from_json
    return _same


def _decode_one_of(shapes: list, value: dict):
    """A list mixing kinds (the quotas): each kind says which JSON it reads with `reads(value)`."""
    for shape in shapes:
        if shape.reads(value):
            return shape.from_json(value)
    raise ValueError(f"no report shape reads {sorted(value)}")


# --- the header ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRef(JsonShape):
    id: int
    name: str
    code: str


@dataclass(frozen=True)
class PeriodRef(JsonShape):
    key: str  # "2025-2030", "2026", "2026-11", "2026-01-01..2026-06-30"
    kind: str  # term, year, month, custom
    label: str  # in the site's language
    start: datetime.date
    end: datetime.date


# --- 3. quotas ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaProgress(JsonShape):
    """A quota of the unit for the period against what was achieved: one shape for every kind.

    A count quota (metric admissions, introduced, trained) counts people against `target`. A share quota
    (metric share) counts the period's admissions with `attribute` against `target_percent` of all of
    them (`out_of`); its `target` is the people that share needs of the admissions so far (rounded up),
    so `achieved`, `target`, `percent` and `state` read the same for both. Keys that do not apply are null.
    """

    id: int
    label: str
    source: str  # QuotaSource
    metric: str  # QuotaMetric: admissions, introduced, trained, share
    value_kind: str  # ValueKind: exact, range, rate
    attribute: str | None  # ShareAttribute of a share quota; None for a count quota
    target: int  # people: the lower bound, carry-over included; a share: target_percent of out_of
    upper: int | None  # a range's upper bound, carry-over included
    carried_over: int  # last year's shortfall added (carry_over quotas); 0 for a share
    achieved: int  # people counted (a share: the admissions with the attribute)
    out_of: int | None  # a share: all admissions in the quota's dates; None for a count quota
    percent: DecimalText | None  # achieved / target
    share: DecimalText | None  # a share: achieved / out_of; None for a count quota
    target_percent: DecimalText | None  # a share: the percentage aimed at, as stored ("65.00"); else None
    state: str  # RangeState: below, within, reached, above
    expected_by_now: int | None  # the straight pace to the target at the report's day; None for a share
    needed_per_month: DecimalText | None
    projection: int | None  # at the current rate, by the period's end; None for a share
    base_members: int | None  # a rate's base members; None otherwise

    @property
    def is_share(self) -> bool:
        return self.attribute is not None


# --- 1. admissions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdmissionFigures(JsonShape):
    period: int
    month: int  # the calendar month of the report's day, up to it
    year_to_date: int
    term_to_date: int
    term: str  # the key of the term containing the report's day
    members_start_of_year: int
    year_to_date_pct_of_members: DecimalText | None


@dataclass(frozen=True)
class BreakdownRow(JsonShape):
    key: str  # "total", "women", "occupation:farmer", "age:18-30", ...
    label: str  # Vietnamese
    this: int
    last: int
    vs_last_pct: DecimalText | None  # this / last ("So với cùng kỳ"); None when last is 0 or the ratio is 0
    share_of_total: DecimalText | None  # this / the period's total ("Tỷ lệ trong tổng số"); None without admissions


@dataclass(frozen=True)
class DateSpan(JsonShape):
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class Breakdown(JsonShape):
    """Biểu 2-BTCTW: the period's admissions against the same stretch of the earlier period."""

    rows: tuple[BreakdownRow, ...]
    average_age: DecimalText | None
    average_age_last: DecimalText | None
    compared_with: DateSpan


# --- 2. introduced and trained ------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """Candidates introduced and people trained in the period (section 2; the JSON has them in "pipeline")."""

    introduced_in_period: int
    trained_in_period: int
    conversion_trained_to_admitted: DecimalText | None  # admissions / trained, in the period


# --- 4. members ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberFigures(JsonShape):
    # Of the unit with its predecessors (docs/domain.md, "Successors' bases"): start + the movements'
    # signs = end; a merge's transfer from a predecessor counts out and in, so it cancels.
    start: int  # on the roll the day before the period starts
    end: int  # on the roll at the period's end, or on the report's day (as_of) when earlier
    change: int
    movements: dict[str, int]  # MovementKind value -> movements in the period, every kind


# --- 5. the pipeline and the forecast -----------------------------------------------------------


@dataclass(frozen=True)
class PipelineFigures(JsonShape):
    by_stage: dict[str, int]  # open Stage value -> candidates as on as_of (their stage entries), in pipeline order
    trained_in_period: int
    conversion_trained_to_admitted: DecimalText | None
    introduced_in_period: int


@dataclass(frozen=True)
class StageForecast(JsonShape):
    candidates: int  # in the stage now
    rate: float | None  # share of the finished cases that reached a decision, 3 decimals
    median_days: int | float | None  # from entering the stage to the decision (a median: int or .5)
    counted: int  # on-time candidates whose median path lands inside the period
    expected: int  # whole people: counted × rate plus what the stalled ones' history allows
    borrowed: bool  # the parent's history was used
    stalled: int  # candidates who have waited longer than median_days (listed in forecast.stalled)


@dataclass(frozen=True)
class StalledCandidates(JsonShape):
    """Candidates of one stage who have waited longer than the stage's usual time (its median)."""

    stage: str  # Stage value
    usual_days: int  # the median days from entering the stage to a decision, rounded up
    waited_days: tuple[int, ...]  # each one's days in the stage so far, longest first
    expected: int  # whole people the history of candidates who had waited as long allows


@dataclass(frozen=True)
class Reachability(JsonShape):
    quota: int  # the QuotaProgress id
    reachable: bool
    missing: int  # whole people still missing after the forecast (0 when reachable)
    text: str  # Vietnamese: one sentence naming the quota; when on pace but short, it says why
    on_pace: bool  # achieved >= the quota's expected_by_now


@dataclass(frozen=True)
class ChildForecast(JsonShape):
    """The same forecast one level down, for a direct child (the dashboard's early warnings read it)."""

    id: int  # the child organisation
    expected: int  # whole people: its candidates' forecast plus its decisions awaiting a ceremony
    candidates: int  # in open stages now
    # The class's history it is judged by (its own, or the unit's when its own is thin; None without one):
    training_finished: int | None  # finished cases that had entered a class
    training_decided: int | None  # of those, decided
    training_median_days: int | float | None  # median days from entering a class to the decision


@dataclass(frozen=True)
class ForecastFigures(JsonShape):
    closed: bool  # the period ended before the report's day: no forecast
    expected: int | None  # whole people expected from the candidates before a decision; None when closed
    decided_awaiting_ceremony: int  # decided inside the period (up to the report's day), not yet admitted
    by_stage: dict[str, StageForecast]  # only the stages with candidates; empty when closed
    stalled: tuple[StalledCandidates, ...]  # per stage, the candidates past the usual time; empty when closed
    reachable: tuple[Reachability, ...]  # one per count quota still below its target; empty when closed
    children: tuple[ChildForecast, ...]  # every active child's forecast, as `children`; empty when closed

    @property
    def total(self) -> int | None:
        """Admissions still to come inside the period: the forecast and the decisions awaiting a ceremony."""
        return None if self.expected is None else self.expected + self.decided_awaiting_ceremony


# --- 6. children, units without admission, dormant cells ---------------------------------------


@dataclass(frozen=True)
class ChildProgress(JsonShape):
    id: int
    name: str
    code: str
    path: str
    achieved: int  # admissions in the period
    target: int | None  # its admissions quota for the period (not a rate)
    percent: DecimalText | None
    lagging: bool  # behind the straight pace, or no admission and no quota
    candidates: int  # in open stages now


@dataclass(frozen=True)
class UnitRef(JsonShape):
    id: int
    name: str


@dataclass(frozen=True)
class DormantCell(JsonShape):
    id: int
    name: str
    last_admission: datetime.date | None  # None: none recorded


# --- 7. conversion by introducing body ----------------------------------------------------------


@dataclass(frozen=True)
class BodyConversion(JsonShape):
    """Of the candidates a body introduced in the period (to the report's day): trained, then admitted."""

    body: str  # IntroducingBody
    label: str  # Vietnamese
    introduced: int  # candidates proposed in the period, to as_of
    trained: int  # of them, passed the party-awareness class by as_of
    admitted: int  # of them, admitted (decision dated) by as_of
    admitted_pct: DecimalText | None  # admitted / introduced; None when none was introduced


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartBucket(JsonShape):
    """Admissions in one bucket of the period's chart (a day for short periods, else a month)."""

    first: datetime.date
    last: datetime.date
    admitted: int


@dataclass(frozen=True)
class Chart(JsonShape):
    unit: str  # "day" or "month"
    buckets: tuple[ChartBucket, ...]  # the whole period, in order; admissions up to the report's day


@dataclass(frozen=True)
class ProgressReport(JsonShape):
    organisation: OrganisationRef
    period: PeriodRef
    as_of: datetime.date  # the earlier of the day computed and the period's end
    quotas: tuple[QuotaProgress, ...]
    admissions: AdmissionFigures
    pipeline: PipelineFigures
    forecast: ForecastFigures
    breakdown: Breakdown
    members: MemberFigures
    children: tuple[ChildProgress, ...]  # ranked: percent, then achieved, then name
    no_admission: tuple[UnitRef, ...]  # active cells with no admission in the period
    dormant_cells: tuple[DormantCell, ...]  # active cells with no admission for DORMANT_YEARS
    introducing_bodies: tuple[BodyConversion, ...]  # every introducing body, in the vocabulary's order
    # The quota source the children's targets come from, and every source they hold (left out of the
    # JSON when no child holds an admissions quota for the period).
    ranked_by: str | None = field(default=None, metadata=OMIT_IF_NONE)
    ranking_sources: tuple[str, ...] | None = field(default=None, metadata=OMIT_IF_NONE)
    # The dashboard's chart, and the children ranked on each other source they hold, so that a page
    # reads them from the snapshot instead of computing them (issue 15).
    chart: Chart | None = None
    children_by_source: dict[str, tuple[ChildProgress, ...]] | None = field(default=None, metadata=OMIT_IF_NONE)
