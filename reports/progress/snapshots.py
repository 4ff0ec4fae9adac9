"""Stored progress reports: pages read these; the jobs (reports/progress/jobs.py) write them.

A snapshot keeps the report's JSON (`ProgressReport.as_json()`, docs/progress-json.md) and is read
back as a `ProgressReport`. A snapshot that no longer reads (written by a version with another
shape) is computed again, as if it were missing.

A snapshot is for one organisation, one period and one as-of date (the report's day, `as_of_day`):
the digest's report "as of 01/12" and the dashboard's report of today are two rows, and a reader
only ever gets the row of the day it asks for (docs/domain.md, "As-of dates").
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from members.models import Organisation

from ..models import ProgressSnapshot
from . import periods
from .report import ProgressReport, progress_report


@dataclass(frozen=True)
class StoredReport:
    report: ProgressReport
    computed_at: datetime.datetime
    from_snapshot: bool


def as_of_day(period: periods.Period, today: datetime.date) -> datetime.date:
    """The day a report of `period` asked for on `today` is as on: `today`, or the period's end once over
    (every later day gives the same report, so they share one snapshot)."""
    return min(today, period.end)


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
            "data": report.as_json(),
        },
    )
    return snapshot


def compute_and_store(organisation: Organisation, period: periods.Period, today: datetime.date) -> StoredReport:
    report = progress_report(organisation, period, today)
    snapshot = store(organisation, period, report)
    return StoredReport(report, snapshot.computed_at, from_snapshot=False)


def read(snapshot: ProgressSnapshot) -> ProgressReport | None:
    """The stored report, or None when its JSON does not have the report's shape."""
    try:
        return ProgressReport.from_json(snapshot.data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def report_for(organisation: Organisation, period: periods.Period, today: datetime.date) -> StoredReport:
    """The snapshot of that day when there is one; otherwise computed now (and stored, so the next read is
    cheap). A snapshot of another day is never returned."""
    snapshot = ProgressSnapshot.objects.filter(
        organisation=organisation, period_key=period.key, as_of=as_of_day(period, today)
    ).first()
    report = read(snapshot) if snapshot is not None else None
    if report is None:
        return compute_and_store(organisation, period, today)
    return StoredReport(report, snapshot.computed_at, from_snapshot=True)


def reports_for_many(
    organisations, periods_: list[periods.Period], today: datetime.date
) -> dict[tuple[int, str], StoredReport]:
    """`report_for` of every organisation and period, keyed (organisation id, period key): the snapshots
    there are come back in one query, whatever the number of organisations; only a missing (or
    unreadable) one is computed now and stored, as `report_for` would."""
    organisations = {o.pk: o for o in organisations}
    wanted = {(p.key, as_of_day(p, today)) for p in periods_}
    rows = ProgressSnapshot.objects.filter(
        organisation_id__in=list(organisations),
        period_key__in=[key for key, _day in wanted],
        as_of__in=sorted({day for _key, day in wanted}),
    )
    found: dict[tuple[int, str], StoredReport] = {}
    for snapshot in rows:
        if (snapshot.period_key, snapshot.as_of) not in wanted:
            continue  # another period's day
        report = read(snapshot)
        if report is not None:
            found[(snapshot.organisation_id, snapshot.period_key)] = StoredReport(
                report, snapshot.computed_at, from_snapshot=True
            )
    for pk, organisation in organisations.items():
        for period in periods_:
            if (pk, period.key) not in found:
                found[(pk, period.key)] = compute_and_store(organisation, period, today)
    return found


def standard_periods(today: datetime.date) -> list[periods.Period]:
    """What the nightly job keeps fresh: the current term, the current year and last month."""
    last_month_day = today.replace(day=1) - datetime.timedelta(days=1)
    return [
        periods.term_containing(today),
        periods.year(today.year),
        periods.month(last_month_day.year, last_month_day.month),
    ]
