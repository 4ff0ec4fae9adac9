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


def _filler():
    """`fill(row) -> Admission`: the object made as the frozen dataclass's __init__ makes it, its fields set
    straight in its __dict__ rather than one object.__setattr__ each (a province's report makes ~10^5 of them;
    tests/reports/progress/test_cold_fast_paths.py compares them). Generated from the fields, as dataclasses
    generates __init__, so a field added to Admission (and FIELDS) cannot be missed."""
    targets = ", ".join(f"d[{f.name!r}]" for f in fields(Admission))
    source = f"def fill(row):\n    a = new(cls)\n    d = a.__dict__\n    {targets} = row\n    return a\n"
    namespace = {"new": object.__new__, "cls": Admission}
    exec(source, namespace)  # a fixed text, built from the dataclass's own field names
    return namespace["fill"]


_fill = _filler()


def admissions_between(lineage: Lineage, start: datetime.date, end: datetime.date) -> list[Admission]:
    rows = admitted_movements(lineage.paths, start, end).values_list(*FIELDS).order_by("date", "pk")
    admissions = list(map(_fill, rows))
    if lineage.merged_into:  # without predecessors, every path is its own owner (Lineage.owner_path)
        owners: dict[str, str] = {}  # each cell's owner, found once
        for admission in admissions:
            path = admission.path
            owner = owners.get(path)
            if owner is None:
                owner = owners[path] = lineage.owner_path(path)
            if owner != path:
                admission.__dict__["path"] = owner
    return admissions
