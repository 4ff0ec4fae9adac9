"""Stored progress reports: pages read these; the jobs (reports/progress/jobs.py) write them.

A snapshot keeps the report's JSON (`ProgressReport.as_json()`, docs/progress-json.md) and is read
back as a `ProgressReport`. A snapshot that no longer reads (written by a version with another
shape) is computed again, as if it were missing.

A snapshot is for one organisation, one period and one as-of date (the report's day, `as_of_day`):
the digest's report "as of 01/12" and the dashboard's report of today are two rows, and a reader
only ever gets the row of the day it asks for (docs/domain.md, "As-of dates").

Long lists (issue 15). A province's report lists every cell of its subtree without admission in the
period and every dormant one: thousands of entries, most of the JSON (620 of a 750 KB report at
400,000 members); the forecast's stalled candidates list each one's wait (26 KB). A list longer than
LIST_HEAD is stored apart, whole, in the row's `lists` column; `data` keeps its first LIST_HEAD entries
and its whole length under CUT_KEY (docs/progress-json.md). The dashboard reads the row without `lists`
(`report_for(..., whole_lists=False)`: the heads and the lengths; `whole_list` for its "see all" page);
everything else (the exports, the comparisons) gets the report whole, `lists` put back in place, equal
to the one computed. A report whose lists are short is stored in `data` exactly as `as_json()`.
"""

import datetime
import json
import typing
from dataclasses import dataclass, field, replace

import orjson
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from members.models import Organisation

from ..models import ProgressSnapshot
from . import periods
from .report import ProgressReport, progress_report
from .shape import ChildProgress, QuotaProgress, Reachability, decode

# Snapshots per INSERT: a province's report is tens of kilobytes of JSON.
STORE_BATCH = 100

# The report's lists that grow with the subtree (not with the unit's direct children): stored apart when long.
LONG_LISTS = ("no_admission", "dormant_cells")
# Entries of a long list kept in `data`: the dashboard shows at most this many (its CELLS_SHOWN).
LIST_HEAD = 100
# The forecast's stalled candidates (`forecast.stalled`), kept whole under this key of `lists` when a
# stage's `waited_days` (one entry per candidate) is longer than LIST_HEAD: `data` keeps each stage's first
# LIST_HEAD; how many there are is `forecast.by_stage[stage].stalled`.
STALLED = "forecast.stalled"
# The key of `data` that names the lists cut to their head, with their whole lengths.
CUT_KEY = "cut_lists"


@dataclass(frozen=True)
class StoredReport:
    report: ProgressReport
    computed_at: datetime.datetime
    from_snapshot: bool
    # A long list's whole length when the report holds only its head (`report_for(..., whole_lists=False)`).
    list_lengths: dict[str, int] = field(default_factory=dict)

    def length(self, key: str) -> int:
        """How many entries the long list `key` has, whether the report holds them all or its head."""
        return self.list_lengths.get(key, len(getattr(self.report, key)))


def _stalled_head(stalled: list) -> list:
    """The forecast's stalled candidates with each stage's `waited_days` cut to its first LIST_HEAD."""
    return [{**group, "waited_days": group["waited_days"][:LIST_HEAD]} for group in stalled]


def columns(report: ProgressReport) -> dict:
    """The snapshot's `data` and `lists` for this report: the lists longer than LIST_HEAD cut to their
    head in `data`, whole in `lists` (see the module's docstring)."""
    data = report.as_json()
    lists = {key: data[key] for key in LONG_LISTS if len(data[key]) > LIST_HEAD}
    stalled = data["forecast"]["stalled"]
    if any(len(group["waited_days"]) > LIST_HEAD for group in stalled):
        lists[STALLED] = stalled
    if lists:
        data = {key: value[:LIST_HEAD] if key in lists else value for key, value in data.items()}
        if STALLED in lists:
            data["forecast"] = {**data["forecast"], "stalled": _stalled_head(stalled)}
        data[CUT_KEY] = {key: _length(key, value) for key, value in lists.items()}
    return {"data": data, "lists": lists}


def _length(key: str, value: list) -> int:
    """A list's whole length; for the stalled candidates, of every stage's `waited_days` together."""
    return sum(len(group["waited_days"]) for group in value) if key == STALLED else len(value)


def whole_json(snapshot: ProgressSnapshot) -> dict:
    """The report's JSON as `as_json()` gave it: `data` with its cut lists put back from `lists`.
    Raises KeyError or ValueError when the two do not fit together (read as another shape)."""
    data = snapshot.data
    cut = data.get(CUT_KEY) if isinstance(data, dict) else None
    if not cut:
        return data
    whole = {key: value for key, value in data.items() if key != CUT_KEY}
    for key, length in cut.items():
        value = snapshot.lists[key]
        if key == STALLED:
            fits = _stalled_head(value) == whole["forecast"]["stalled"]
        else:
            fits = value[:LIST_HEAD] == whole[key]
        if _length(key, value) != length or not fits:
            raise ValueError(f"the stored list {key} does not match its head")
        if key == STALLED:
            whole["forecast"] = {**whole["forecast"], "stalled": value}
        else:
            whole[key] = value
    return whole


def as_of_day(period: periods.Period, today: datetime.date) -> datetime.date:
    """The day a report of `period` asked for on `today` is as on: `today`, or the period's end once over
    (every later day gives the same report, so they share one snapshot)."""
    return as_of_end(period.end, today)


def as_of_end(end: datetime.date, today: datetime.date) -> datetime.date:
    """`as_of_day` of a period ending on `end`."""
    return min(today, end)


def store(organisation: Organisation, period: periods.Period, report: ProgressReport) -> ProgressSnapshot:
    """Write (or overwrite) the snapshot of the report's day: running the same computation twice leaves one row."""
    snapshot, _created = ProgressSnapshot.objects.update_or_create(
        organisation=organisation,
        period_key=period.key,
        as_of=report.as_of,
        defaults={
            "period_start": period.start,
            "period_end": period.end,
            "computed_at": timezone.now(),
            **columns(report),
        },
    )
    return snapshot


class Encoded(typing.NamedTuple):
    """A report as the snapshot row stores it: plain values and the JSON text of `data` and `lists` (what a
    recompute's child process hands back to the one that writes, parallel.py)."""

    organisation_id: int
    period_key: str
    period_start: datetime.date
    period_end: datetime.date
    as_of: datetime.date
    data: str
    lists: str


def _dumps(value) -> str:
    """The JSON text of `value`, the same document as `json.dumps` gives (which the JSONField writes), by
    orjson: a sixth of the time, a sixth of a pass's encoding (compact separators, UTF-8 kept; int keys
    made strings as json does)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def encode(unit: Organisation, period: periods.Period, report: ProgressReport) -> Encoded:
    """The row of this report (its JSON by `_dumps`)."""
    stored = columns(report)
    return Encoded(
        unit.pk,
        period.key,
        period.start,
        period.end,
        report.as_of,
        _dumps(stored["data"]),
        _dumps(stored["lists"]),
    )


def store_many(computed: list[tuple[Organisation, periods.Period, ProgressReport]], today: datetime.date) -> None:
    """Write these reports (upserts, in batches) and drop every other snapshot of their units: of other
    periods, or of these periods as on another day. Call inside a transaction."""
    store_encoded([encode(unit, period, report) for unit, period, report in computed], today)


def store_encoded(rows: list[Encoded], today: datetime.date) -> None:
    """`store_many` of reports already encoded."""
    now = timezone.now()
    if connection.vendor in _UPSERT_VENDORS:
        _upsert(rows, now)
    else:
        ProgressSnapshot.objects.bulk_create(
            [
                ProgressSnapshot(
                    organisation_id=row.organisation_id,
                    period_key=row.period_key,
                    as_of=row.as_of,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    computed_at=now,
                    data=json.loads(row.data),
                    lists=json.loads(row.lists),
                )
                for row in rows
            ],
            update_conflicts=True,
            unique_fields=["organisation", "period_key", "as_of"],
            update_fields=["period_start", "period_end", "computed_at", "data", "lists"],
            batch_size=STORE_BATCH,
        )
    kept: dict[int, set[tuple[str, datetime.date]]] = {}
    for row in rows:
        kept.setdefault(row.organisation_id, set()).add((row.period_key, as_of_end(row.period_end, today)))
    # The units that keep the same (period, day) pairs (in a pass: all of them) share one condition, so
    # the DELETE's condition grows with the pairs, not with the units (building a Q per unit was a third
    # of a pass's time).
    by_pairs: dict[frozenset, list[int]] = {}
    for unit_id, pairs in kept.items():
        by_pairs.setdefault(frozenset(pairs), []).append(unit_id)
    stale = Q(pk__in=[])
    for pairs, unit_ids in by_pairs.items():
        keep = Q(pk__in=[])
        for key, day in sorted(pairs):
            keep |= Q(period_key=key, as_of=day)
        stale |= Q(organisation_id__in=sorted(unit_ids)) & ~keep
    if kept:
        ProgressSnapshot.objects.filter(stale).delete()


# The databases whose INSERT ... ON CONFLICT (...) DO UPDATE `_upsert` writes by hand.
_UPSERT_VENDORS = ("postgresql", "sqlite")
_COLUMNS = ("organisation_id", "period_key", "as_of", "period_start", "period_end", "computed_at", "data", "lists")
_UPDATED = ("period_start", "period_end", "computed_at", "data", "lists")


def _upsert(rows: list[Encoded], now: datetime.datetime) -> None:
    """What `bulk_create(update_conflicts=True)` writes, as multi-row INSERTs built once per batch: the ORM
    prepared each of a pass's 70,000 rows field by field. The JSON is cast to jsonb on PostgreSQL."""
    ops = connection.ops
    q = ops.quote_name
    data = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    row_sql = f"(%s, %s, %s, %s, %s, %s, {data}, {data})"
    head = f"INSERT INTO {q(ProgressSnapshot._meta.db_table)} ({', '.join(q(c) for c in _COLUMNS)}) VALUES "
    tail = f" ON CONFLICT ({q('organisation_id')}, {q('period_key')}, {q('as_of')}) DO UPDATE SET " + ", ".join(
        f"{q(c)} = EXCLUDED.{q(c)}" for c in _UPDATED
    )
    computed_at = ops.adapt_datetimefield_value(now)
    day = ops.adapt_datefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(rows), STORE_BATCH):
            batch = rows[start : start + STORE_BATCH]
            params: list = []
            for row in batch:
                params += [
                    row.organisation_id,
                    row.period_key,
                    day(row.as_of),
                    day(row.period_start),
                    day(row.period_end),
                    computed_at,
                    row.data,
                    row.lists,
                ]
            cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, params)


def compute_and_store(organisation: Organisation, period: periods.Period, today: datetime.date) -> StoredReport:
    report = progress_report(organisation, period, today)
    snapshot = store(organisation, period, report)
    return StoredReport(report, snapshot.computed_at, from_snapshot=False)


def read(snapshot: ProgressSnapshot, whole_lists: bool = True) -> ProgressReport | None:
    """The stored report, or None when its JSON does not have the report's shape. With `whole_lists`
    False, the long lists are the heads `data` keeps (`lists` is not read: it may be deferred)."""
    try:
        return ProgressReport.from_json(whole_json(snapshot) if whole_lists else snapshot.data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def computed_at(organisation: Organisation, period: periods.Period, today: datetime.date) -> datetime.datetime | None:
    """When the snapshot `report_for` would read was computed (None when there is none), without reading
    its report: what a page's cached part is keyed on (partyhub/pagecache.py)."""
    return (
        ProgressSnapshot.objects.filter(
            organisation=organisation, period_key=period.key, as_of=as_of_day(period, today)
        )
        .values_list("computed_at", flat=True)
        .first()
    )


def cut_lengths(snapshot: ProgressSnapshot) -> dict[str, int]:
    """The whole lengths of the lists `data` holds only the head of (none for a report stored whole)."""
    cut = snapshot.data.get(CUT_KEY) or {}
    return {key: cut[key] for key in LONG_LISTS if isinstance(cut.get(key), int)}


def report_for(
    organisation: Organisation, period: periods.Period, today: datetime.date, *, whole_lists: bool = True
) -> StoredReport:
    """The snapshot of that day when there is one; otherwise computed now (and stored, so the next read is
    cheap). A snapshot of another day is never returned.

    `whole_lists=False` (the dashboard): the long lists stored apart are not read; the report holds their
    first LIST_HEAD entries and `StoredReport.length()` their whole length, and each stage's stalled
    candidates their LIST_HEAD longest waits (`forecast.by_stage` counts them all): a province's snapshot
    reads in a tenth of the kilobytes. A report computed now is whole either way."""
    rows = ProgressSnapshot.objects.filter(
        organisation=organisation, period_key=period.key, as_of=as_of_day(period, today)
    )
    snapshot = (rows if whole_lists else rows.defer("lists")).first()
    report = read(snapshot, whole_lists) if snapshot is not None else None
    if report is None:
        return compute_and_store(organisation, period, today)
    lengths = {} if whole_lists else cut_lengths(snapshot)
    return StoredReport(report, snapshot.computed_at, from_snapshot=True, list_lengths=lengths)


def whole_list(organisation: Organisation, period: periods.Period, today: datetime.date, key: str) -> StoredReport:
    """The report with the long list `key` whole and the other long lists cut to their head: what a page
    listing every cell reads (only that list's part of `lists`)."""
    if key not in LONG_LISTS:
        raise ValueError(f"{key} is not a long list of the report")
    rows = ProgressSnapshot.objects.filter(
        organisation=organisation, period_key=period.key, as_of=as_of_day(period, today)
    )
    snapshot = rows.defer("lists").first()
    report = read(snapshot, whole_lists=False) if snapshot is not None else None
    if report is None:
        return compute_and_store(organisation, period, today)
    lengths = cut_lengths(snapshot)
    if key in lengths:
        stored = ProgressSnapshot.objects.filter(pk=snapshot.pk).values_list(f"lists__{key}", flat=True).first()
        try:
            items = decode(_LIST_HINTS[key], stored)
        except (KeyError, TypeError, ValueError, AttributeError):
            items = None
        if items is None or len(items) != lengths[key]:
            return compute_and_store(organisation, period, today)
        report = replace(report, **{key: items})
        del lengths[key]
    return StoredReport(report, snapshot.computed_at, from_snapshot=True, list_lengths=lengths)


@dataclass(frozen=True)
class Summary:
    """The parts of a stored report a summary shows (the monthly digest): the quotas, the forecast's
    sentences about them and the children, read from the snapshot's JSON without the rest of it."""

    quotas: tuple[QuotaProgress, ...]
    reachable: tuple[Reachability, ...]
    children: tuple[ChildProgress, ...]

    @classmethod
    def of(cls, report: ProgressReport) -> "Summary":
        return cls(quotas=report.quotas, reachable=report.forecast.reachable, children=report.children)


# A long list of the report as its JSON reads back (a tuple of `UnitRef` or `DormantCell`).
_LIST_HINTS = {key: typing.get_type_hints(ProgressReport)[key] for key in LONG_LISTS}
# One quota of the report as its JSON reads back (the hint of an item of `ProgressReport.quotas`).
_QUOTA_HINT = typing.get_args(typing.get_type_hints(ProgressReport)["quotas"])[0]


def _summary(quotas, reachable, children) -> Summary | None:
    """The summary from the snapshot's parts, or None when they do not have the report's shape."""
    try:
        return Summary(
            quotas=tuple(decode(_QUOTA_HINT, q) for q in quotas),
            reachable=tuple(Reachability.from_json(r) for r in reachable),
            children=tuple(ChildProgress.from_json(c) for c in children),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def summaries_for_many(
    organisations, periods_: list[periods.Period], today: datetime.date
) -> dict[tuple[int, str], Summary]:
    """The `Summary` of every organisation's report of each period as on `today`, keyed (organisation id,
    period key): one query for all the snapshots there are, which hands back only those parts of their
    JSON; a missing (or unreadable) one is computed now and stored, as `report_for` would."""
    organisations = {o.pk: o for o in organisations}
    wanted = {(p.key, as_of_day(p, today)) for p in periods_}
    rows = ProgressSnapshot.objects.filter(
        organisation_id__in=list(organisations),
        period_key__in=[key for key, _day in wanted],
        as_of__in=sorted({day for _key, day in wanted}),
    ).values_list(
        "organisation_id", "period_key", "as_of", "data__quotas", "data__forecast__reachable", "data__children"
    )
    found: dict[tuple[int, str], Summary] = {}
    for organisation_id, key, day, quotas, reachable, children in rows:
        if (key, day) not in wanted or None in (quotas, reachable, children):
            continue  # another period's day, or a snapshot of another shape: computed again below
        summary = _summary(quotas, reachable, children)
        if summary is not None:
            found[(organisation_id, key)] = summary
    for pk, organisation in organisations.items():
        for period in periods_:
            if (pk, period.key) not in found:
                found[(pk, period.key)] = Summary.of(compute_and_store(organisation, period, today).report)
    return found


def standard_periods(today: datetime.date) -> list[periods.Period]:
    """What the nightly job keeps fresh: the current term, the current year and last month."""
    last_month_day = today.replace(day=1) - datetime.timedelta(days=1)
    return [
        periods.term_containing(today),
        periods.year(today.year),
        periods.month(last_month_day.year, last_month_day.month),
    ]
