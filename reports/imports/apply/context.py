"""What every sheet's rows share: the refusal of a row, the import's context, and finding people."""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q

from members import services as member_services
from members.models import Member, Organisation, Person
from members.vocabulary import CELL_LEVELS
from recruitment.models import Candidate

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


@dataclass
class Context:
    user: object  # None: an administrator's import from the command line, no subtree limit
    roots: list[str] | None
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

    def in_scope(self, path: str) -> bool:
        return self.roots is None or any(path.startswith(root) for root in self.roots)

    def org(self, code: str, column: str, *, scoped: bool = True) -> Organisation:
        org = self.orgs.get(code)
        if org is None:
            refuse(column, f"Không có tổ chức mã “{code}” trong hệ thống hay trong trang “Tổ chức”.", RULE_CODE)
        if scoped and not self.in_scope(org.path):
            refuse(column, f"Tổ chức mã “{code}” nằm ngoài phạm vi bạn quản lý.", RULE_SCOPE)
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


def person_key(values: dict) -> tuple:
    if values.get("citizen_id"):
        return ("cccd", values["citizen_id"])
    if values.get("card_number"):
        return ("card", values["card_number"])
    return ("name", cells.fold(values.get("full_name") or ""), values.get("date_of_birth"))


def find_person(values: dict) -> Person | None:
    qs = Person.objects.select_related("member__cell", "candidate__cell")
    if values.get("citizen_id"):
        return qs.filter(citizen_id=values["citizen_id"]).first()
    if values.get("card_number"):
        member = Member.objects.filter(card_number=values["card_number"]).select_related("person").first()
        if member:
            return qs.get(pk=member.person_id)
    if values.get("date_of_birth") is None:
        return None
    # Few people share a birthday, so the names are compared here, where both tone-mark placements
    # ("Hoà" / "Hòa") count as the same name, rather than by the database's exact match.
    name = cells.fold(values["full_name"])
    found = [p for p in qs.filter(date_of_birth=values["date_of_birth"]) if cells.fold(p.full_name) == name][:2]
    if len(found) > 1:
        refuse("full_name", "Có hơn một người cùng họ tên và ngày sinh; hãy ghi số CCCD.", RULE_DUPLICATE_DB)
    return found[0] if found else None


def unit_of(person: Person) -> Organisation | None:
    member = getattr(person, "member", None) if hasattr(person, "member") else None
    if member is not None:
        return member.cell
    candidate = Candidate.objects.filter(person=person).select_related("cell").first()
    return candidate.cell if candidate else None


def same_person(ctx: Context, person: Person, values: dict) -> None:
    """The recorded person matched by ID must be the row's person, or the ID is someone else's."""
    unit = unit_of(person)
    if unit is not None and not ctx.in_scope(unit.path):
        refuse(
            "citizen_id" if values.get("citizen_id") else "full_name",
            "Người này đã có trong hệ thống ở một đơn vị ngoài phạm vi bạn quản lý.",
            RULE_SCOPE,
        )
    if cells.fold(person.full_name) != cells.fold(values["full_name"]) or (
        values.get("date_of_birth") and person.date_of_birth != values["date_of_birth"]
    ):
        refuse(
            "citizen_id" if values.get("citizen_id") else "card_number",
            f"Số này đã có trong hệ thống cho người khác: {person.full_name}, sinh {person.date_of_birth:%d/%m/%Y}.",
            RULE_DUPLICATE_DB,
        )


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


def member_by_reference(text: str, column: str) -> Member:
    """A member named by citizen ID or party card number (introducers, helpers)."""
    text = cells.normal_text(text).replace(" ", "")
    member = (
        Member.objects.select_related("person", "cell").filter(Q(person__citizen_id=text) | Q(card_number=text)).first()
    )
    if member is None:
        refuse(column, f"Không tìm thấy đảng viên có số CCCD hoặc số thẻ đảng “{text}”.", RULE_CODE)
    return member
