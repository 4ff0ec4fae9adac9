"""Candidates with histories, in bulk, for forecast and conversion tests."""

import datetime
import itertools

from members.models import Person
from recruitment.models import Candidate, Enrolment, PartyClass, StageEntry

_n = itertools.count(1)


def trained_people(cell, n, certificate_date):
    """`n` candidates of `cell` who passed a class on `certificate_date` (stage trained)."""
    party_class = PartyClass.objects.create(
        organiser=cell,
        name=f"Lớp {next(_n)}",
        starts_on=certificate_date - datetime.timedelta(days=5),
        ends_on=certificate_date,
    )
    people = Person.objects.bulk_create(
        Person(full_name=f"Quần chúng {next(_n)}", gender="female", date_of_birth=datetime.date(2000, 1, 1))
        for _ in range(n)
    )
    candidates = Candidate.objects.bulk_create(
        Candidate(
            person=p,
            cell=cell,
            stage="trained",
            stage_entered_on=certificate_date,
            introduced_by="youth_union",
            proposed_on=certificate_date - datetime.timedelta(days=60),
        )
        for p in people
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            party_class=party_class,
            candidate=c,
            passed=True,
            certificate_number=f"CN-{c.pk}",
            certificate_issued_on=certificate_date,
        )
        for c in candidates
    )
    StageEntry.objects.bulk_create(
        StageEntry(candidate=c, stage="trained", entered_on=certificate_date) for c in candidates
    )
    return candidates


def history(candidates, *, decided_after_days=None, exit_after_days=None, stage_from="trained"):
    """Give trained candidates a finished history: decided after N days, or withdrawn after N days."""
    rows = []
    for c in candidates:
        start = c.stage_entered_on
        if decided_after_days is not None:
            rows.append(
                StageEntry(candidate=c, stage="decided", entered_on=start + datetime.timedelta(days=decided_after_days))
            )
            c.stage = "decided"
        else:
            rows.append(
                StageEntry(candidate=c, stage="withdrawn", entered_on=start + datetime.timedelta(days=exit_after_days))
            )
            c.stage = "withdrawn"
    StageEntry.objects.bulk_create(rows)
    Candidate.objects.bulk_update(candidates, ["stage"])
