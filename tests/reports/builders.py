"""Small builders for report tests: a tree and admissions on given dates, in bulk."""

import datetime
import itertools

from members.models import Member, MemberMovement, Person
from members.vocabulary import Level, MemberStatus, MovementKind, Sector
from reports.models import Quota
from reports.progress import periods
from reports.vocabulary import ValueKind
from tests.factories import OrganisationFactory

_names = itertools.count(1)


def org(level=Level.COMMUNE, parent=None, **kwargs):
    """A unit; without a parent it gets a province of its own, so every test tree is legal."""
    if parent is None and level != Level.PROVINCE:
        parent = OrganisationFactory(level=Level.PROVINCE)
    return OrganisationFactory(level=level, parent=parent, **kwargs)


def admit(cell, dates, **person):
    """One admitted member per date in `cell`; person fields (gender, occupation, ...) apply to all."""
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Người {next(_names)}",
            gender=person.get("gender", "male"),
            date_of_birth=person.get("date_of_birth", datetime.date(1995, 6, 1)),
            occupation=person.get("occupation", ""),
            ethnicity=person.get("ethnicity", "Kinh"),
        )
        for _ in dates
    )
    members = Member.objects.bulk_create(
        Member(person=p, cell=cell, status=MemberStatus.FULL, admission_decision_date=d)
        for p, d in zip(people, dates, strict=True)
    )
    MemberMovement.objects.bulk_create(
        MemberMovement(member=m, kind=MovementKind.ADMITTED, date=m.admission_decision_date, organisation=cell)
        for m in members
    )
    return members


def spread(n, start, end):
    """`n` dates spread evenly from `start` to `end`."""
    span = (end - start).days
    return [start + datetime.timedelta(days=(span * i) // max(n, 1)) for i in range(n)]


def quota(organisation, period: periods.Period, value=None, **kwargs):
    kwargs.setdefault("source", "resolution")
    kwargs.setdefault("value_kind", ValueKind.EXACT)
    return Quota.objects.create(
        organisation=organisation,
        period_kind="term" if period.kind == "term" else ("year" if period.kind == "year" else "custom"),
        period_start=period.start,
        period_end=period.end,
        value=value,
        **kwargs,
    )


def cell(parent, sector=Sector.RESIDENTIAL):
    """A cell in `parent`'s subtree; above a commune, through a commune of its own."""
    if parent.level in (Level.PROVINCE, Level.DISTRICT):
        parent = org(Level.COMMUNE, parent)
    return org(Level.CELL, parent, sector=sector)


def residential_cell(parent):
    return cell(parent)
