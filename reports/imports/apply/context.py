"""What every sheet's rows share: the refusal of a row, the import's context, and finding people.

Whatever a row names by an identifier (a unit's code, a citizen ID, a party card number, a name and
birth date) is looked up only among the records the uploader sees (their subtree): a record outside
it is answered exactly as one that does not exist, and no message, report or marked workbook says
anything about it, not even that it exists (docs/security.md, "Lookups by identifier"). Only a
citizen ID or a unit code that a new row would take is necessarily refused when it is taken
elsewhere, with one neutral message.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q

from members import scoping
from members import services as member_services
from members.models import Member, Organisation, Person
from members.vocabulary import CELL_LEVELS

from .. import cells
from ..rows import Problem

RULE_SCOPE = "Chỉ nhập trong phạm vi tổ chức mình quản lý"
RULE_CODE = "Mã tổ chức phải có trong hệ thống hoặc trong tệp"
RULE_DUPLICATE_FILE = "Mỗi người một dòng trong tệp"
RULE_DUPLICATE_DB = "Mỗi người một số CCCD"
RULE_MODEL = "Ràng buộc dữ liệu"
RULE_TREE = "Quy định về cây tổ chức"
RULE_STAGE = "Giai đoạn khớp với các bước đã ghi"
RULE_QUOTA = "Quy định về chỉ tiêu"
RULE_MOVEMENT = "Quy định về biến động đảng viên"
RULE_UNIQUE_CODE = "Mỗi tổ chức một mã"
_RULE_NAMES = {
    "DATE_ORDER": "Thứ tự các ngày",
    "DATE_IN_FUTURE": "Ngày không ở tương lai",
}

PERSON_KEYS = (
    "citizen_id",
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "religion",
    "general_education",
    "professional_training",
    "occupation",
    "phone",
    "is_youth_union_member",
    "is_business_owner",
)


class RowRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


def refuse(column: str, message: str, rule: str):
    raise RowRefused([Problem(column, message, rule)])


def rule_of(code: str) -> str:
    if m := re.match(r"R(\d\d)_", code):
        return f"Quy tắc {int(m[1])} ({code})"
    return _RULE_NAMES.get(code, code)


def refusal(error: ValidationError, fields: dict[str, str], default: str, rule: str) -> RowRefused:
    """A service's ValidationError (or StepRefused) as row problems, each under its column."""
    findings = getattr(error, "findings", [])
    by_message = {f.message: f.code for f in findings if f.blocks}
    problems = []
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.messages)]
    for name, messages in items:
        column = fields.get(name, default if name in (NON_FIELD_ERRORS, "__all__") else fields.get("*", name))
        for message in messages:
            problems.append(
                Problem(column, str(message), rule_of(by_message[message]) if message in by_message else rule)
            )
    return RowRefused(problems)


# The one answer for a number that is already someone else's: the same whether that someone is in
# the uploader's subtree (and another person than the row's) or outside it, whoever and wherever they
# are, so that it names no one and tells nothing but that the number cannot be used for this row.
NUMBER_TAKEN = (
    "Số này đã có trong hệ thống nhưng không khớp với người ở dòng này trong phạm vi bạn quản lý; "
    "hãy kiểm tra lại số. Nếu người này chuyển đến từ đơn vị khác, việc chuyển sinh hoạt do cấp ủy "
    "quản lý cả hai đơn vị ghi."
)


@dataclass
class Context:
    user: object  # None: an administrator's import from the command line, no subtree limit
    # Where rows may write: the uploader's subtree, narrowed to the unit whose page was used. None: anywhere.
    roots: list[str] | None
    # What the uploader sees at all (their whole subtree, whatever the page): the only records an
    # identifier in the file may find. None: everything (an administrator).
    visible: list[str] | None
    today: datetime.date
    orgs: dict[str, Organisation] = field(default_factory=dict)
    # person key -> where in the file it was first seen, to report duplicates inside the file
    seen: dict[tuple, str] = field(default_factory=dict)
    # person key -> cell code of a "transferred in" movement: such members enter the roll that way
    transferred_in: dict[tuple, str] = field(default_factory=dict)
    # member pk -> (row reference, expected final cell) for the check after the movements
    final_cells: dict[int, tuple[int, Organisation]] = field(default_factory=dict)
    # candidate pk -> (row, helper reference): helpers are attached once the movements are in
    helpers: dict[int, tuple[int, str]] = field(default_factory=dict)
    # candidate pk -> the candidate as the bulk path wrote it (its helper is attached without reading it back)
    written: dict[int, object] = field(default_factory=dict)

    def in_scope(self, path: str) -> bool:
        return self.roots is None or any(path.startswith(root) for root in self.roots)

    def sees(self, path: str) -> bool:
        return self.visible is None or any(path.startswith(root) for root in self.visible)

    def sees_person(self, person: Person) -> bool:
        unit = unit_of(person)
        return self.visible is None if unit is None else self.sees(unit.path)

    def person_in_scope(self, person: Person) -> bool:
        unit = unit_of(person)
        return self.roots is None if unit is None else self.in_scope(unit.path)

    def visible_q(self, field_name: str) -> Q:
        return Q() if self.visible is None else scoping.subtree_q(self.visible, field_name)

    def org(self, code: str, column: str) -> Organisation:
        """A unit named by its code. One the uploader does not see is answered as one that does not exist."""
        org = self.orgs.get(code)
        if org is None or not self.sees(org.path):
            refuse(column, not_found_org(code), RULE_CODE)
        if not self.in_scope(org.path):
            # Seen by the uploader, but outside the unit whose import page was used.
            refuse(column, f"Tổ chức mã “{code}” nằm ngoài phạm vi đơn vị của trang nhập này.", RULE_SCOPE)
        return org

    def organiser(self, code: str, column: str, cell: Organisation) -> Organisation:
        """The unit that ran a party-awareness class: one the uploader sees, or one above the cell (a
        class of the district or the province); any other code is answered as one that does not exist."""
        org = self.orgs.get(code)
        if org is None or not (self.sees(org.path) or cell.path.startswith(org.path)):
            refuse(column, not_found_org(code), RULE_CODE)
        return org

    def cell(self, code: str, column: str) -> Organisation:
        org = self.org(code, column)
        if org.level not in CELL_LEVELS:
            refuse(column, f"“{org.name}” (mã {code}) không phải chi bộ.", RULE_TREE)
        return org

    def claim(self, key: tuple, where: str, column: str) -> None:
        first = self.seen.get(key)
        if first is not None:
            refuse(column, f"Người này đã có ở {first} của tệp.", RULE_DUPLICATE_FILE)
        self.seen[key] = where


def not_found_org(code: str) -> str:
    return f"Không có tổ chức mã “{code}” trong phạm vi bạn quản lý hay trong trang “Tổ chức”."


def person_key(values: dict) -> tuple:
    if values.get("citizen_id"):
        return ("cccd", values["citizen_id"])
    if values.get("card_number"):
        return ("card", values["card_number"])
    return ("name", cells.fold(values.get("full_name") or ""), values.get("date_of_birth"))


def find_person(ctx: Context, values: dict) -> Person | None:
    """The recorded person the row names, among those the uploader sees: by citizen ID, else party card
    number, else full name and date of birth. Someone outside the uploader's subtree is not found."""
    qs = Person.objects.select_related("member__cell", "candidate__cell")
    if values.get("citizen_id"):
        person = qs.filter(citizen_id=values["citizen_id"]).first()
        return person if person is not None and ctx.sees_person(person) else None
    if values.get("card_number"):
        member = (
            Member.objects.filter(ctx.visible_q("cell__path"), card_number=values["card_number"])
            .order_by("pk")
            .values_list("person_id", flat=True)
            .first()
        )
        if member is not None:
            return qs.get(pk=member)
    if values.get("date_of_birth") is None:
        return None
    # Few people share a birthday, so the names are compared here, where both tone-mark placements
    # ("Hoà" / "Hòa") count as the same name, rather than by the database's exact match. Only the
    # people the uploader sees count: a namesake elsewhere is somebody else, and is not mentioned.
    name = cells.fold(values["full_name"])
    found = [
        p
        for p in qs.filter(date_of_birth=values["date_of_birth"]).order_by("pk")
        if cells.fold(p.full_name) == name and ctx.sees_person(p)
    ][:2]
    if len(found) > 1:
        refuse("full_name", "Có hơn một người cùng họ tên và ngày sinh; hãy ghi số CCCD.", RULE_DUPLICATE_DB)
    return found[0] if found else None


def unit_of(person: Person) -> Organisation | None:
    """Where the person is now: the member's cell, else the candidate's; None for someone recorded with neither."""
    member = getattr(person, "member", None) if hasattr(person, "member") else None
    if member is not None:
        return member.cell
    candidate = getattr(person, "candidate", None) if hasattr(person, "candidate") else None
    return candidate.cell if candidate is not None else None


def ensure_number_free(values: dict) -> None:
    """Before a new person is created: their citizen ID must be nobody's. `find_person` found no one the
    uploader sees; anyone else holding the number gets the one neutral answer (`NUMBER_TAKEN`)."""
    if values.get("citizen_id") and Person.objects.filter(citizen_id=values["citizen_id"]).exists():
        refuse("citizen_id", NUMBER_TAKEN, RULE_DUPLICATE_DB)


def same_person(ctx: Context, person: Person, values: dict) -> None:
    """The recorded person matched by ID (one the uploader sees) must be the row's person, or the ID is
    someone else's."""
    if not ctx.person_in_scope(person):
        refuse(
            "citizen_id" if values.get("citizen_id") else "full_name",
            "Người này sinh hoạt ở một đơn vị ngoài phạm vi đơn vị của trang nhập này.",
            RULE_SCOPE,
        )
    if cells.fold(person.full_name) != cells.fold(values["full_name"]) or (
        values.get("date_of_birth") and person.date_of_birth != values["date_of_birth"]
    ):
        refuse("citizen_id" if values.get("citizen_id") else "card_number", NUMBER_TAKEN, RULE_DUPLICATE_DB)


def person_fields(values: dict) -> dict:
    fields = {k: values.get(k) for k in PERSON_KEYS}
    for key in ("religion", "general_education", "professional_training", "occupation", "phone"):
        fields[key] = fields[key] or ""
    fields["ethnicity"] = fields["ethnicity"] or "Kinh"
    fields["is_youth_union_member"] = bool(fields["is_youth_union_member"])
    fields["is_business_owner"] = bool(fields["is_business_owner"])
    return fields


def create_person(values: dict) -> Person:
    try:
        return member_services.person_create(**person_fields(values))
    except ValidationError as error:
        raise refusal(error, {}, "full_name", RULE_MODEL) from None


def member_by_reference(ctx: Context, text: str, column: str) -> Member:
    """A member named by citizen ID or party card number (introducers, helpers), among the members the
    uploader sees: one outside is answered as a number that belongs to no one."""
    text = cells.normal_text(text).replace(" ", "")
    members = Member.objects.select_related("person", "cell").filter(ctx.visible_q("cell__path"))
    member = members.filter(person__citizen_id=text).first() or members.filter(card_number=text).order_by("pk").first()
    if member is None:
        refuse(
            column,
            f"Không tìm thấy đảng viên có số CCCD hoặc số thẻ đảng “{text}” trong phạm vi bạn quản lý.",
            RULE_CODE,
        )
    return member
