"""`snapshots.store_many` writes by hand (multi-row INSERT ... ON CONFLICT) what the ORM's bulk upsert wrote."""

import datetime

import pytest
import time_machine

from members.models import Organisation
from members.vocabulary import Level
from reports.models import ProgressSnapshot
from reports.progress import periods, snapshots
from reports.progress.province import ProvinceSource
from reports.progress.report import report_from

from ..builders import admit, org, quota, spread

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


def rows():
    return sorted(
        ProgressSnapshot.objects.values_list(
            "organisation_id", "period_key", "as_of", "period_start", "period_end", "computed_at", "data", "lists"
        )
    )


def computed(units, wanted):
    source = ProvinceSource.load(units, wanted, TODAY)
    return [(unit, period, report_from(source, unit, period, TODAY)) for unit in units for period in wanted]


@time_machine.travel(datetime.datetime(2026, 6, 15, 9, tzinfo=datetime.UTC), tick=False)
def test_the_hand_written_upsert_stores_what_the_orm_stored(monkeypatch):
    province = org(Level.PROVINCE)
    commune = org(Level.COMMUNE, province)
    cell = org(Level.CELL, commune)
    admit(cell, spread(4, datetime.date(2026, 1, 10), datetime.date(2026, 6, 1)))
    quota(commune, periods.year(2026), 10)
    units = list(Organisation.objects.order_by("path"))
    wanted = [periods.year(2026), periods.term_containing(TODAY), periods.month(2026, 5)]
    # A stale snapshot (another period) and one to overwrite (same period and day, old data).
    ProgressSnapshot.objects.create(
        organisation=cell,
        period_key="2025",
        as_of=datetime.date(2025, 12, 31),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        computed_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        data={},
    )
    ProgressSnapshot.objects.create(
        organisation=commune,
        period_key="2026",
        as_of=TODAY,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        computed_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        data={"old": True},
    )
    reports = computed(units, wanted)
    snapshots.store_many(reports, TODAY)
    by_hand = rows()
    assert len(by_hand) == len(units) * len(wanted)
    stored = {(r[0], r[1]): r for r in by_hand}
    for unit, period, report in reports:
        row = stored[(unit.pk, period.key)]
        assert row[2:5] == (report.as_of, period.start, period.end)
        assert row[6] == report.as_json()
        assert snapshots.report_for(unit, period, TODAY).report == report
    assert stored[(commune.pk, "2026")][5] == datetime.datetime(2026, 6, 15, 9, tzinfo=datetime.UTC)

    ProgressSnapshot.objects.all().delete()
    monkeypatch.setattr(snapshots, "_UPSERT_VENDORS", ())  # the ORM's bulk upsert
    snapshots.store_many(reports, TODAY)
    by_orm = rows()
    assert [r[:2] + r[2:] for r in by_orm] == [r[:2] + r[2:] for r in by_hand]
    # Writing again overwrites (one row each), by hand as by the ORM.
    monkeypatch.setattr(snapshots, "_UPSERT_VENDORS", ("postgresql", "sqlite"))
    snapshots.store_many(reports, TODAY)
    assert rows() == by_hand
