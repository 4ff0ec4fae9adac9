"""Our members against the national list: a pure function of two lists, no database, no writes.

Matching order (docs/reconciliation.md):
1. by citizen ID, when both sides have it;
2. what is left, by name and date of birth, when exactly one person on each side has them and at
   least one of the two has no citizen ID (the board should add it). Two people with the same
   name and birthday but two different citizen IDs are two people: they stay unmatched, each
   with a note pointing at the other, because one of the IDs may be mistyped.
Names are compared as `cells.fold` gives them: Unicode NFC, case-folded, single spaces, with
their diacritics ("Nguyễn Văn An" is not "Nguyen Van An").

A pair matched by citizen ID with any field different is "differing"; one matched by name and
date of birth is "matched_by_name_dob" whatever its other fields (its differences are listed too).
A national row that matches none of our active members, but one who left the roll here, stays in
"only_there" with that member attached: the national database may not know they left.
"""

import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from members.names import sort_key

from ..imports import cells
from . import national
from .national import NationalList, NationalRow, RowProblem


def name_key(name: str) -> str:
    return unicodedata.normalize("NFC", cells.fold(name))


def shown(value) -> str:
    return "(trống)" if value in (None, "") else cells.shown(value)


@dataclass(frozen=True)
class OurRow:
    """One PartyHub member as the comparison sees them (members of the subtree, selectors.py)."""

    member_id: int
    citizen_id: str  # "" when PartyHub has none
    full_name: str
    date_of_birth: datetime.date
    cell_name: str
    cell_code: str
    admission_decision_date: datetime.date | None
    recognition_date: datetime.date | None
    status: str

    @property
    def cell(self) -> str:
        return f"{self.cell_name} ({self.cell_code})"


@dataclass(frozen=True)
class Difference:
    field: str  # a national column key
    label: str  # its header
    ours: object
    theirs: object

    @property
    def ours_text(self) -> str:
        return shown(self.ours)

    @property
    def theirs_text(self) -> str:
        return shown(self.theirs)


@dataclass(frozen=True)
class Pair:
    ours: OurRow
    theirs: NationalRow
    differences: tuple[Difference, ...]

    @property
    def missing_citizen_id(self) -> str:
        """For a pair matched by name and date of birth: which side lacks the citizen ID."""
        here, there = bool(self.ours.citizen_id), bool(self.theirs.citizen_id)
        if not here and not there:
            return "Cả hai bên chưa có Số CCCD"
        if not here:
            return "PartyHub chưa có Số CCCD"
        return "CSDL đảng viên chưa có Số CCCD"


@dataclass(frozen=True)
class OnlyHere:
    ours: OurRow
    note: str = ""


@dataclass(frozen=True)
class OnlyThere:
    theirs: NationalRow
    note: str = ""
    left_member: OurRow | None = None  # a member who left PartyHub's roll and is this person


@dataclass
class Reconciliation:
    only_here: list[OnlyHere]
    only_there: list[OnlyThere]
    differing: list[Pair]
    matched_by_name_dob: list[Pair]
    identical: int
    ours_total: int
    theirs_total: int
    compared_fields: tuple[str, ...]
    problems: list[RowProblem] = field(default_factory=list)  # national rows set aside, not compared

    @property
    def counts(self) -> dict[str, int]:
        return {
            "ours": self.ours_total,
            "theirs": self.theirs_total,
            "identical": self.identical,
            "differing": len(self.differing),
            "matched_by_name_dob": len(self.matched_by_name_dob),
            "only_here": len(self.only_here),
            "only_there": len(self.only_there),
            "problems": len(self.problems),
        }

    @property
    def in_step(self) -> bool:
        """Nothing to fix on either side."""
        return not (self.only_here or self.only_there or self.differing or self.matched_by_name_dob or self.problems)


def _same_cell(ours: OurRow, theirs: str) -> bool:
    key = name_key(theirs)
    return key in (name_key(ours.cell_name), name_key(ours.cell_code))


def differences(ours: OurRow, theirs: NationalRow, fields: Iterable[str]) -> tuple[Difference, ...]:
    """The compared fields that differ, in the national columns' order."""
    found = []
    for key in fields:
        if key == national.CITIZEN_ID.key:
            continue  # the match itself, or shown apart for a match by name and date of birth
        if key == national.FULL_NAME.key:
            same = name_key(ours.full_name) == name_key(theirs.full_name)
            mine = ours.full_name
        elif key == national.CELL.key:
            same = _same_cell(ours, theirs.cell)
            mine = ours.cell
        else:
            mine = getattr(ours, key)
            same = mine == getattr(theirs, key)
        if not same:
            found.append(Difference(key, national.BY_KEY[key].header, mine, getattr(theirs, key)))
    return tuple(found)


def _by_name_dob(rows, name_of):
    index = defaultdict(list)
    for row in rows:
        index[(name_key(name_of(row)), row.date_of_birth)].append(row)
    return index


def reconcile(
    ours: Iterable[OurRow],
    theirs: Iterable[NationalRow],
    *,
    fields: Iterable[str] = national.BY_KEY,
    left: Iterable[OurRow] = (),
    problems: Iterable[RowProblem] = (),
) -> Reconciliation:
    """Match and compare. `fields` are the national columns the file has; `left` are members who
    left the roll here (only used to explain a national row that has no active match)."""
    ours, theirs, fields = list(ours), list(theirs), tuple(k for k in national.BY_KEY if k in set(fields))
    theirs_by_id = {t.citizen_id: t for t in theirs if t.citizen_id}

    differing: list[Pair] = []
    identical = 0
    matched_ours: set[int] = set()
    matched_theirs: set[int] = set()
    for mine in ours:
        other = theirs_by_id.get(mine.citizen_id) if mine.citizen_id else None
        if other is None:
            continue
        matched_ours.add(mine.member_id)
        matched_theirs.add(other.row)
        found = differences(mine, other, fields)
        if found:
            differing.append(Pair(mine, other, found))
        else:
            identical += 1

    rest_ours = [o for o in ours if o.member_id not in matched_ours]
    rest_theirs = [t for t in theirs if t.row not in matched_theirs]
    ours_index = _by_name_dob(rest_ours, lambda o: o.full_name)
    theirs_index = _by_name_dob(rest_theirs, lambda t: t.full_name)
    by_name_dob: list[Pair] = []
    notes_ours: dict[int, str] = {}
    notes_theirs: dict[int, str] = {}
    for key, mine_list in ours_index.items():
        other_list = theirs_index.get(key, [])
        if not other_list:
            continue
        if len(mine_list) > 1 or len(other_list) > 1:
            note = "Có nhiều người cùng họ tên và ngày sinh; không tự ghép được, hãy kiểm tra và bổ sung Số CCCD."
            notes_ours.update((o.member_id, note) for o in mine_list)
            notes_theirs.update((t.row, note) for t in other_list)
            continue
        mine, other = mine_list[0], other_list[0]
        if mine.citizen_id and other.citizen_id:
            notes_ours[mine.member_id] = (
                f"Dòng {other.row} của danh sách CSDL cùng họ tên và ngày sinh nhưng Số CCCD khác "
                f"({other.citizen_id}); kiểm tra lại Số CCCD."
            )
            notes_theirs[other.row] = (
                f"PartyHub có đảng viên cùng họ tên và ngày sinh nhưng Số CCCD khác ({mine.citizen_id}); "
                "kiểm tra lại Số CCCD."
            )
            continue
        matched_ours.add(mine.member_id)
        matched_theirs.add(other.row)
        by_name_dob.append(Pair(mine, other, differences(mine, other, fields)))

    only_here = [
        OnlyHere(o, notes_ours.get(o.member_id, ""))
        for o in sorted(
            (o for o in ours if o.member_id not in matched_ours),
            key=lambda o: (name_key(o.cell_name), sort_key(o.full_name), o.member_id),
        )
    ]
    left = list(left)
    left_by_id = {o.citizen_id: o for o in left if o.citizen_id}
    left_index = _by_name_dob(left, lambda o: o.full_name)
    only_there = []
    for t in theirs:
        if t.row in matched_theirs:
            continue
        former = left_by_id.get(t.citizen_id) if t.citizen_id else None
        if former is None:
            candidates = left_index.get((name_key(t.full_name), t.date_of_birth), [])
            if len(candidates) == 1 and not (candidates[0].citizen_id and t.citizen_id):
                former = candidates[0]
        only_there.append(OnlyThere(t, notes_theirs.get(t.row, ""), former))

    return Reconciliation(
        only_here=only_here,
        only_there=sorted(only_there, key=lambda r: r.theirs.row),
        differing=sorted(differing, key=lambda p: p.theirs.row),
        matched_by_name_dob=sorted(by_name_dob, key=lambda p: p.theirs.row),
        identical=identical,
        ours_total=len(ours),
        theirs_total=len(theirs),
        compared_fields=fields,
        problems=list(problems),
    )


def reconcile_list(ours: Iterable[OurRow], national_list: NationalList, *, left: Iterable[OurRow] = ()):
    """`reconcile` against an uploaded list: its columns decide what is compared."""
    return reconcile(ours, national_list.rows, fields=national_list.columns, left=left, problems=national_list.problems)
