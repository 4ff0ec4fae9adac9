"""Stored progress reports: pages read these; the jobs (reports/progress/jobs.py) write them."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from members.models import Organisation

from ..models import ProgressSnapshot
from . import periods
from .report import progress_report


@dataclass(frozen=True)
class StoredReport:
    data: dict
    computed_at: datetime.datetime
    from_snapshot: bool


def store(organisation: Organisation, period: periods.Period, data: dict) -> ProgressSnapshot:
    """Write (or overwrite) the snapshot: running the same computation twice leaves one row."""
    snapshot, _created = ProgressSnapshot.objects.update_or_create(
        organisation=organisation,
        period_key=period.key,
        defaults={
            "period_start": period.start,
            "period_end": period.end,
            "computed_at": timezone.now(),
            "data": data,
        },
    )
    return snapshot


def compute_and_store(organisation: Organisation, period: periods.Period, today: datetime.date) -> ProgressSnapshot:
    return store(organisation, period, progress_report(organisation, period, today))


def report_for(organisation: Organisation, period: periods.Period, today: datetime.date) -> StoredReport:
    """The snapshot when there is one; otherwise computed now (and stored, so the next read is cheap)."""
    snapshot = ProgressSnapshot.objects.filter(organisation=organisation, period_key=period.key).first()
    if snapshot is None:
        snapshot = compute_and_store(organisation, period, today)
        return StoredReport(snapshot.data, snapshot.computed_at, from_snapshot=False)
    return StoredReport(snapshot.data, snapshot.computed_at, from_snapshot=True)


def standard_periods(today: datetime.date) -> list[periods.Period]:
    """What the nightly job keeps fresh: the current term, the current year and last month."""
    last_month_day = today.replace(day=1) - datetime.timedelta(days=1)
    return [
        periods.term_containing(today),
        periods.year(today.year),
        periods.month(last_month_day.year, last_month_day.month),
    ]
