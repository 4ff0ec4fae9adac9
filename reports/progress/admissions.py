"""The admissions of a lineage over a date range, fetched once with everything the reports need.

An admission counts on its decision date (the `admitted` movement is dated on it) for its cell and
every ancestor; the cells never move, so the ancestors on that date are today's ancestors.
"""

import datetime
from dataclasses import dataclass, fields

from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from members.models import MemberMovement
from members.scoping import subtree_q
from members.vocabulary import MovementKind

from .lineage import Lineage


@dataclass(frozen=True)
class Admission:
    date: datetime.date
    path: str  # the owning path inside the report's subtree (predecessors mapped to successors)
    sector: str
    gender: str
    ethnicity: str
    religion: str
    youth_union: bool
    business_owner: bool
    readmitted: bool
    occupation: str
    birth_date: datetime.date
    education: str
    training: str
    introduced_by: str | None
    member_id: int


# What an Admission is read from, in its fields' order after the date and the path.
FIELDS = (
    "date",
    "organisation__path",
    "organisation__sector",
    "member__person__gender",
    "member__person__ethnicity",
    "member__person__religion",
    "member__person__is_youth_union_member",
    "member__person__is_business_owner",
    "member__is_readmitted",
    "member__person__occupation",
    "member__person__date_of_birth",
    "member__person__general_education",
    "member__person__professional_training",
    "introducer",
    "member_id",
)


def admitted_movements(paths: list[str], start: datetime.date, end: datetime.date) -> QuerySet[MemberMovement]:
    """The `admitted` movements under `paths` between the two days, with who introduced each person:
    their Candidate's body, or for a member admitted before PartyHub the one the import's member sheet
    recorded on the member (None when unknown)."""
    return (
        MemberMovement.objects.filter(subtree_q(paths, "organisation__path"), kind=MovementKind.ADMITTED)
        .filter(date__gte=start, date__lte=end)
        .annotate(introducer=Coalesce("member__candidate__introduced_by", NullIf("member__introduced_by", Value(""))))
    )


_NAMES = tuple(f.name for f in fields(Admission))


def admissions_between(lineage: Lineage, start: datetime.date, end: datetime.date) -> list[Admission]:
    rows = admitted_movements(lineage.paths, start, end).values_list(*FIELDS).order_by("date", "pk")
    # A province's report reads ~10^5 rows: each cell's owner is found once, and each Admission is filled
    # in directly (what the frozen dataclass's __init__ does, without its per-field object.__setattr__;
    # tests/reports/progress/test_cold_fast_paths.py compares them).
    owners: dict[str, str] = {}
    new, names, out = object.__new__, _NAMES, []
    append = out.append
    for row in rows:
        path = row[1]
        owner = owners.get(path)
        if owner is None:
            owner = owners[path] = lineage.owner_path(path)
        admission = new(Admission)
        admission.__dict__.update(zip(names, row, strict=True))
        if owner != path:
            admission.__dict__["path"] = owner
        append(admission)
    return out
