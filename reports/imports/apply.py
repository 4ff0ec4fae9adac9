"""Applying validated rows through the same services the forms use.

Each row is applied inside its own savepoint: a refused row leaves nothing behind and the import
goes on to the next, so one pass reports every row's problem. Rows are matched with what is
already recorded (organisations by code; people by citizen ID, else party card number, else full
name and date of birth; quotas by organisation, period, source, metric and share attribute), so a
workbook imported twice changes nothing the second time. Candidates walk the pipeline one step
after another through `recruitment.services`, so the pipeline's rules judge every imported step.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q

from members import services as member_services
from members.models import Member, MemberMovement, Organisation, Person
from members.vocabulary import CELL_LEVELS, INCOMING_MOVEMENTS, MemberStatus, MovementKind
from recruitment import services as steps
from recruitment.models import Candidate, Enrolment, PartyClass
from recruitment.vocabulary import EXITS, PIPELINE, Stage

from ..jobs import request_recompute
from ..services import quota_set
from ..vocabulary import QuotaMetric
from . import cells
from .columns import CANDIDATES, MEMBERS, MOVEMENTS, ORGANISATIONS, QUOTAS, MovementChoice, SheetSpec
from .rows import Problem

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
    # person key -> (date, cell code) of a "transferred in" movement: such members enter that way
    transferred_in: dict[tuple, tuple[datetime.date, str]] = field(default_factory=dict)
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


def _find_person(values: dict) -> Person | None:
    qs = Person.objects.select_related("member__cell", "candidate__cell")
    if values.get("citizen_id"):
        return qs.filter(citizen_id=values["citizen_id"]).first()
    if values.get("card_number"):
        member = Member.objects.filter(card_number=values["card_number"]).select_related("person").first()
        if member:
            return qs.get(pk=member.person_id)
    if values.get("date_of_birth") is None:
        return None
    found = list(qs.filter(full_name=values["full_name"], date_of_birth=values["date_of_birth"])[:2])
    if len(found) > 1:
        refuse("full_name", "Có hơn một người cùng họ tên và ngày sinh; hãy ghi số CCCD.", RULE_DUPLICATE_DB)
    return found[0] if found else None


def _unit_of(person: Person) -> Organisation | None:
    member = getattr(person, "member", None) if hasattr(person, "member") else None
    if member is not None:
        return member.cell
    candidate = Candidate.objects.filter(person=person).select_related("cell").first()
    return candidate.cell if candidate else None


def _same_person(ctx: Context, person: Person, values: dict) -> None:
    """The recorded person matched by ID must be the row's person, or the ID is someone else's."""
    unit = _unit_of(person)
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


def _person_fields(values: dict) -> dict:
    fields = {k: values.get(k) for k in PERSON_KEYS}
    for key in ("religion", "general_education", "professional_training", "occupation", "phone"):
        fields[key] = fields[key] or ""
    fields["ethnicity"] = fields["ethnicity"] or "Kinh"
    fields["is_youth_union_member"] = bool(fields["is_youth_union_member"])
    fields["is_business_owner"] = bool(fields["is_business_owner"])
    return fields


def _create_person(values: dict) -> Person:
    try:
        return member_services.person_create(**_person_fields(values))
    except ValidationError as error:
        raise refusal(error, {}, "full_name", RULE_MODEL) from None


def _member_by_reference(text: str, column: str) -> Member:
    """A member named by citizen ID or party card number (introducers, helpers)."""
    text = cells.normal_text(text).replace(" ", "")
    member = (
        Member.objects.select_related("person", "cell").filter(Q(person__citizen_id=text) | Q(card_number=text)).first()
    )
    if member is None:
        refuse(column, f"Không tìm thấy đảng viên có số CCCD hoặc số thẻ đảng “{text}”.", RULE_CODE)
    return member


# --- organisations ------------------------------------------------------------------------------

ORG_FIELDS = {
    "code": "code",
    "name": "name",
    "level": "level",
    "sector": "sector",
    "parent": "parent_code",
    "founded_on": "founded_on",
    "*": "code",
}


def apply_organisation(ctx: Context, values: dict, row: int) -> str:
    code = values["code"]
    existing = ctx.orgs.get(code)
    if existing is not None:
        return _update_organisation(ctx, existing, values)
    parent = None
    if values.get("parent_code"):
        parent = ctx.org(values["parent_code"], "parent_code")
    elif ctx.roots is not None:
        refuse(
            "parent_code", "Chỉ quản trị viên mới tạo được tổ chức cao nhất; hãy ghi mã tổ chức cấp trên.", RULE_SCOPE
        )
    try:
        org = member_services.organisation_create(
            code=code,
            name=values["name"],
            level=values["level"],
            parent=parent,
            sector=values.get("sector") or "",
            founded_on=values.get("founded_on"),
        )
    except ValidationError as error:
        raise refusal(error, ORG_FIELDS, "code", RULE_TREE) from None
    ctx.orgs[code] = org
    if parent is not None:
        parent.refresh_from_db()  # treebeard counts children on the parent row
    return "created"


def _update_organisation(ctx: Context, org: Organisation, values: dict) -> str:
    if not ctx.in_scope(org.path):
        refuse("code", f"Tổ chức mã “{org.code}” nằm ngoài phạm vi bạn quản lý.", RULE_SCOPE)
    if org.level != values["level"]:
        refuse("level", f"“{org.name}” đã có với cấp “{org.get_level_display()}”; không đổi cấp khi nhập.", RULE_TREE)
    parent = Organisation.objects.filter(path=org.path[: -Organisation.steplen]).first() if org.depth > 1 else None
    if (parent.code if parent else None) != values.get("parent_code") and (parent or values.get("parent_code")):
        refuse(
            "parent_code",
            f"“{org.name}” đã thuộc “{parent.name if parent else '—'}”; tổ chức không chuyển cấp trên khi nhập "
            "(hãy sáp nhập hoặc giải thể rồi lập tổ chức mới).",
            RULE_TREE,
        )
    changed = []
    if org.name != values["name"]:
        changed.append("name")
    if (values.get("sector") or "") != org.sector:
        changed.append("sector")
    if changed:
        org.name, org.sector = values["name"], values.get("sector") or ""
        org.full_clean(exclude=["path", "depth", "numchild", "code"])
        org.save(update_fields=changed)
        return "updated"
    return "unchanged"


def apply_dissolution(ctx: Context, values: dict, row: int) -> bool:
    """Dissolve or merge, after every organisation of the file exists; True when something changed."""
    org = ctx.org(values["code"], "code")
    on = values["dissolved_on"]
    into = ctx.org(values["merged_into_code"], "merged_into_code") if values.get("merged_into_code") else None
    if org.dissolved_on is not None:
        if org.dissolved_on == on and (org.merged_into_id or None) == (into.pk if into else None):
            return False
        refuse("dissolved_on", f"“{org.name}” đã giải thể / sáp nhập ngày {org.dissolved_on:%d/%m/%Y}.", RULE_TREE)
    if on > ctx.today:
        refuse("dissolved_on", f"Ngày {on:%d/%m/%Y} ở tương lai.", RULE_TREE)
    fields = {"organisation": "code", "into": "merged_into_code", "on": "dissolved_on", "*": "dissolved_on"}
    try:
        if into is not None:
            member_services.organisation_merge(organisation=org, into=into, on=on)
        else:
            member_services.organisation_dissolve(organisation=org, on=on)
    except ValidationError as error:
        raise refusal(error, fields, "dissolved_on", RULE_TREE) from None
    org.refresh_from_db()
    return True


# --- members ------------------------------------------------------------------------------------

MEMBER_FIELDS = {"cell": "cell_code", "person": "full_name", "*": "full_name"}


def apply_member(ctx: Context, values: dict, row: int) -> str:
    cell = ctx.cell(values["cell_code"], "cell_code")
    key = person_key(values)
    ctx.claim(key, f"dòng {row} trang “{MEMBERS.title}”", "citizen_id" if values.get("citizen_id") else "full_name")
    person = _find_person(values)
    if person is not None:
        _same_person(ctx, person, values)
        if Candidate.objects.filter(person=person).exists():
            refuse(
                "citizen_id",
                "Người này được kết nạp qua quy trình trong PartyHub; các bước ghi ở trang “Quần chúng”.",
                RULE_DUPLICATE_DB,
            )
        member = getattr(person, "member", None) if hasattr(person, "member") else None
        if member is not None:
            ctx.final_cells[member.pk] = (row, cell)
            return "unchanged"
    entry_code = values.get("entry_cell_code") or values["cell_code"]
    came_in = ctx.transferred_in.get(key)
    if came_in is not None:
        entry_code = came_in[1]
    entry = ctx.cell(entry_code, "entry_cell_code")
    admitted = values["admission_decision_date"]
    if came_in is None and entry.dissolved_on is not None and admitted >= entry.dissolved_on:
        refuse(
            "admission_decision_date",
            f"Chi bộ “{entry.name}” đã giải thể / sáp nhập ngày {entry.dissolved_on:%d/%m/%Y}, trước ngày kết nạp.",
            RULE_TREE,
        )
    if person is None:
        person = _create_person(values)
    member = Member(
        person=person,
        cell=entry,
        status=MemberStatus.FULL if values.get("recognition_date") else MemberStatus.PROBATIONARY,
        admission_decision_date=admitted,
        ceremony_date=values.get("ceremony_date"),
        recognition_date=values.get("recognition_date"),
        card_number=values.get("card_number") or "",
        is_readmitted=bool(values.get("is_readmitted")),
    )
    try:
        member.full_clean(exclude=["person"])
    except ValidationError as error:
        raise refusal(error, MEMBER_FIELDS, "full_name", RULE_MODEL) from None
    member._history_user = ctx.user
    member.save()
    if came_in is None:
        MemberMovement.objects.create(
            member=member,
            kind=MovementKind.ADMITTED,
            date=admitted,
            organisation=entry,
            note="Kết nạp lại" if member.is_readmitted else "",
        )
    request_recompute(entry)
    ctx.final_cells[member.pk] = (row, cell)
    return "created"


def attach_helper(ctx: Context, candidate_pk: int, reference: str) -> None:
    """The helper (đảng viên giúp đỡ) must have been a member of the candidate's cell on the day the
    candidate was proposed, as the member's movements tell; the proposal form checks the same today."""
    candidate = Candidate.objects.select_related("cell").get(pk=candidate_pk)
    helper = _member_by_reference(reference, "helper")
    last = (
        MemberMovement.objects.filter(member=helper, date__lte=candidate.proposed_on)
        .order_by("-date", "-pk")
        .values_list("kind", "organisation_id")
        .first()
    )
    if last is None or last[0] not in INCOMING_MOVEMENTS or last[1] != candidate.cell_id:
        refuse(
            "helper",
            f"{helper.person.full_name} không sinh hoạt tại “{candidate.cell.name}” ngày "
            f"{candidate.proposed_on:%d/%m/%Y}, ngày người này được đưa vào diện quần chúng ưu tú.",
            RULE_STAGE,
        )
    candidate.helper = helper
    candidate._history_user = ctx.user
    candidate.save(update_fields=["helper"])


def final_cell_problems(ctx: Context) -> list[tuple[int, Problem]]:
    """Members whose movements did not bring them to the cell their row names."""
    now = dict(Member.objects.filter(pk__in=list(ctx.final_cells)).values_list("pk", "cell_id"))
    problems = []
    for pk, (row, cell) in ctx.final_cells.items():
        if now.get(pk) != cell.pk:
            actual = Organisation.objects.get(pk=now[pk])
            problems.append(
                (
                    row,
                    Problem(
                        "cell_code",
                        f"Theo các biến động, đảng viên sinh hoạt ở “{actual.name}” (mã {actual.code}), "
                        f"không phải “{cell.name}”.",
                        RULE_MOVEMENT,
                    ),
                )
            )
    return problems


# --- movements ----------------------------------------------------------------------------------


def _find_member(ctx: Context, values: dict) -> Member:
    person = _find_person(values)
    member = getattr(person, "member", None) if person is not None and hasattr(person, "member") else None
    if member is None:
        refuse(
            "citizen_id" if values.get("citizen_id") else "full_name",
            "Không tìm thấy đảng viên này trong hệ thống hay trong trang “Đảng viên” / “Quần chúng”.",
            RULE_MOVEMENT,
        )
    if cells.fold(person.full_name) != cells.fold(values["full_name"]):
        refuse("full_name", f"Họ tên không khớp với đảng viên đã ghi: {person.full_name}.", RULE_MOVEMENT)
    if not ctx.in_scope(member.cell.path):
        refuse("citizen_id", "Đảng viên này thuộc đơn vị ngoài phạm vi bạn quản lý.", RULE_SCOPE)
    return member


OUT_KINDS = {
    MovementChoice.TRANSFERRED_OUT: MovementKind.TRANSFERRED_OUT,
    MovementChoice.DIED: MovementKind.DIED,
    MovementChoice.STRUCK_OFF: MovementKind.STRUCK_OFF,
    MovementChoice.EXPELLED: MovementKind.EXPELLED,
}


def apply_movement(ctx: Context, values: dict, row: int) -> str:
    member = _find_member(ctx, values)
    kind, on, note = values["kind"], values["date"], values.get("note") or ""
    if on > ctx.today:
        refuse("date", f"Ngày {on:%d/%m/%Y} ở tương lai.", RULE_MOVEMENT)
    movements = MemberMovement.objects.filter(member=member)
    fields = {"to_cell": "to_cell_code", "member": "full_name", "kind": "kind", "date": "date", "*": "date"}
    if kind in (MovementChoice.TRANSFER, MovementChoice.TRANSFERRED_IN):
        to = ctx.cell(values["to_cell_code"], "to_cell_code")
        if movements.filter(kind=MovementKind.TRANSFERRED_IN, date=on, organisation=to).exists():
            return "unchanged"
        if kind == MovementChoice.TRANSFERRED_IN:
            if movements.exists():
                refuse(
                    "kind",
                    "“Chuyển đến từ nơi khác” chỉ là biến động đầu tiên của một đảng viên; "
                    "chuyển giữa các chi bộ trong tỉnh là “Chuyển sinh hoạt trong tỉnh”.",
                    RULE_MOVEMENT,
                )
            MemberMovement.objects.create(
                member=member, kind=MovementKind.TRANSFERRED_IN, date=on, organisation=to, note=note
            )
            request_recompute(to)
            return "created"
        _not_before_entry(member, on)
        try:
            member_services.member_transfer(member=member, to_cell=to, on=on, note=note)
        except ValidationError as error:
            raise refusal(error, fields, "date", RULE_MOVEMENT) from None
        return "created"
    if movements.filter(kind=OUT_KINDS[kind], date=on).exists():
        return "unchanged"
    _not_before_entry(member, on)
    try:
        member_services.member_record_exit(member=member, kind=OUT_KINDS[kind], on=on, note=note)
    except ValidationError as error:
        raise refusal(error, fields, "date", RULE_MOVEMENT) from None
    return "created"


def _not_before_entry(member: Member, on: datetime.date) -> None:
    last = MemberMovement.objects.filter(member=member).order_by("-date", "-pk").values_list("date", flat=True).first()
    if last is not None and on < last:
        refuse(
            "date",
            f"Ngày {on:%d/%m/%Y} trước biến động đã ghi gần nhất của đảng viên ({last:%d/%m/%Y}); "
            "hãy ghi các biến động theo thứ tự ngày.",
            RULE_MOVEMENT,
        )


# --- candidates ---------------------------------------------------------------------------------

PROPOSE_FIELDS = {
    "cell": "cell_code",
    "helper": "helper",
    "person": "citizen_id",
    "proposed_on": "proposed_on",
    "introduced_by": "introduced_by",
}
CLASS_FIELDS = {
    "party_class": "class_name",
    "ends_on": "class_ends_on",
    "starts_on": "class_starts_on",
    "name": "class_name",
    "*": "certificate_issued_on",
}
DOSSIER_FIELDS = {
    "application_date": "application_date",
    "personal_history_date": "personal_history_date",
    "route": "route",
    "introducers": "introducer1",
    "submitted_on": "submitted_on",
    "verification_completed_on": "verification_completed_on",
    "opinions_date": "opinions_date",
    "body_introduction_date": "body_introduction_date",
    "youth_union_exists": "youth_union_exists",
}
VOTE_FIELDS = {
    "held_on": "vote_held_on",
    "votes_for": "votes_for",
    "full_members": "full_members",
    "absent_exempt": "absent_exempt",
    "over_age_exception": "over_age_exception",
    "education_exception": "education_exception",
}
COMMITTEE_FIELDS = {
    "held_on": "committee_held_on",
    "votes_for": "committee_votes_for",
    "committee_members": "committee_members",
}
DECISION_FIELDS = {
    "number": "decision_number",
    "decided_on": "decided_on",
    "received_on": "decision_received_on",
    "extended": "decision_extended",
}
CEREMONY_FIELDS = {"held_on": "ceremony_on", "superior_consent": "superior_consent"}
RECOGNITION_FIELDS = {"meeting_on": "recognition_meeting_on", "decision_number": "recognition_number"}
EXIT_FIELDS = {"kind": "stage", "on": "exit_on", "reason": "exit_reason"}


def _step(call, fields: dict, default: str):
    try:
        return call()
    except ValidationError as error:
        raise refusal(error, fields, default, RULE_STAGE) from None


def apply_candidate(ctx: Context, values: dict, row: int) -> str:
    cell = ctx.cell(values["cell_code"], "cell_code")
    key = person_key(values)
    ctx.claim(key, f"dòng {row} trang “{CANDIDATES.title}”", "citizen_id" if values.get("citizen_id") else "full_name")
    person = _find_person(values)
    candidate = None
    if person is not None:
        _same_person(ctx, person, values)
        candidate = Candidate.objects.filter(person=person).select_related("cell", "person").first()
        if candidate is not None and candidate.cell_id != cell.pk:
            refuse("cell_code", f"Người này đã là quần chúng ưu tú của “{candidate.cell.name}”.", RULE_DUPLICATE_DB)
    by = ctx.user
    outcome = "unchanged"
    if candidate is None:
        candidate = _step(
            lambda: steps.candidate_propose(
                cell=cell,
                introduced_by=values["introduced_by"],
                proposed_on=values["proposed_on"],
                by=by,
                person=person,
                person_fields=None if person else _person_fields(values),
            ),
            {**PROPOSE_FIELDS, "*": "full_name"},
            "cell_code",
        )
        outcome = "created"
        if values.get("helper"):
            # The helper may reach the cell only through a later row (a transfer, their own admission).
            ctx.helpers[candidate.pk] = (row, values["helper"])
    walked = _walk(ctx, candidate, values)
    candidate.refresh_from_db()
    if candidate.stage != values["stage"]:
        refuse(
            "stage",
            f"Giai đoạn ghi là “{Stage(values['stage']).label}” nhưng theo các bước đã ghi, người này ở giai đoạn "
            f"“{Stage(candidate.stage).label}”.",
            RULE_STAGE,
        )
    return outcome if outcome == "created" or not walked else "updated"


def _rank(stage: str) -> int:
    return PIPELINE.index(stage) if stage in PIPELINE else len(PIPELINE)


def _walk(ctx: Context, candidate: Candidate, v: dict) -> bool:
    """Carry the candidate through the steps the row records that are not yet on record."""
    by, walked = ctx.user, False

    def stage() -> str:
        candidate.refresh_from_db(fields=["stage", "stage_entered_on", "member"])
        return candidate.stage

    if v.get("class_name") and stage() == Stage.SOURCE:
        organiser = ctx.org(v["class_organiser_code"], "class_organiser_code", scoped=False)
        party_class = PartyClass.objects.filter(
            organiser=organiser, name=v["class_name"], starts_on=v["class_starts_on"]
        ).first()
        if party_class is None:
            party_class = _step(
                lambda: steps.class_create(
                    organiser=organiser,
                    name=v["class_name"],
                    starts_on=v["class_starts_on"],
                    ends_on=v["class_ends_on"],
                    by=by,
                ),
                CLASS_FIELDS,
                "class_name",
            )
        if not Enrolment.objects.filter(party_class=party_class, candidate=candidate, passed=False).exists():
            _step(
                lambda: steps.candidate_enroll_in_class(candidate=candidate, party_class=party_class, by=by),
                CLASS_FIELDS,
                "class_name",
            )
            walked = True
    if v.get("class_result") and stage() == Stage.TRAINING:
        enrolment = candidate.enrolments.filter(passed__isnull=True).select_related("party_class").first()
        if enrolment is not None:
            passed = v["class_result"] == "passed"
            result = steps.ClassResult(
                candidate_id=candidate.pk,
                passed=passed,
                certificate_number=v.get("certificate_number") or "",
                certificate_issued_on=v.get("certificate_issued_on"),
            )
            _step(
                lambda: steps.class_record_results(party_class=enrolment.party_class, results=[result], by=by),
                {f"row-{candidate.pk}": "certificate_issued_on", **CLASS_FIELDS},
                "class_result",
            )
            walked = True
    if v.get("application_date") and stage() == Stage.TRAINED:
        introducers = []
        for n in ("1", "2"):
            if v.get(f"introducer{n}"):
                introducers.append(
                    steps.IntroducerInput(
                        member=_member_by_reference(v[f"introducer{n}"], f"introducer{n}"),
                        known_since=v[f"introducer{n}_known_since"],
                        introduced_on=v[f"introducer{n}_on"],
                        is_replacement=bool(v.get(f"introducer{n}_replacement")),
                    )
                )
        _step(
            lambda: steps.candidate_submit_dossier(
                candidate=candidate,
                application_date=v["application_date"],
                personal_history_date=v["personal_history_date"],
                route=v["route"],
                introducers=introducers,
                submitted_on=v["submitted_on"],
                youth_union_exists=v.get("youth_union_exists") is not False,
                body_introduction_date=v.get("body_introduction_date"),
                verification_completed_on=v.get("verification_completed_on"),
                opinions_date=v.get("opinions_date"),
                by=by,
            ),
            DOSSIER_FIELDS,
            "application_date",
        )
        walked = True
    if v.get("vote_held_on") and stage() == Stage.DOSSIER:
        _step(
            lambda: steps.candidate_record_cell_vote(
                candidate=candidate,
                held_on=v["vote_held_on"],
                votes_for=v["votes_for"],
                full_members=v["full_members"],
                absent_exempt=v.get("absent_exempt") or 0,
                over_age_exception=v.get("over_age_exception") or "",
                education_exception=v.get("education_exception") or "",
                by=by,
            ),
            VOTE_FIELDS,
            "vote_held_on",
        )
        walked = True
    if v.get("committee_held_on") and stage() == Stage.CELL_RESOLUTION:
        _step(
            lambda: steps.candidate_record_committee_approval(
                candidate=candidate,
                held_on=v["committee_held_on"],
                votes_for=v["committee_votes_for"],
                committee_members=v["committee_members"],
                by=by,
            ),
            COMMITTEE_FIELDS,
            "committee_held_on",
        )
        walked = True
    if v.get("decided_on") and stage() in (Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW):
        _step(
            lambda: steps.candidate_record_decision(
                candidate=candidate,
                number=v["decision_number"],
                decided_on=v["decided_on"],
                received_on=v["decision_received_on"],
                extended=bool(v.get("decision_extended")),
                by=by,
            ),
            DECISION_FIELDS,
            "decided_on",
        )
        walked = True
    if v.get("ceremony_on") and stage() == Stage.DECIDED:
        _step(
            lambda: steps.candidate_record_ceremony(
                candidate=candidate, held_on=v["ceremony_on"], superior_consent=v.get("superior_consent") or "", by=by
            ),
            CEREMONY_FIELDS,
            "ceremony_on",
        )
        walked = True
    if v.get("card_number") and stage() and candidate.member_id:
        member = Member.objects.get(pk=candidate.member_id)
        if member.card_number != v["card_number"]:
            member.card_number = v["card_number"]
            member._history_user = by
            member.save(update_fields=["card_number"])
            walked = True
    if v.get("recognition_meeting_on") and stage() == Stage.PROBATIONARY:
        member = Member.objects.get(pk=candidate.member_id)
        _step(
            lambda: steps.member_recognise_full(
                member=member, meeting_on=v["recognition_meeting_on"], decision_number=v["recognition_number"], by=by
            ),
            RECOGNITION_FIELDS,
            "recognition_meeting_on",
        )
        walked = True
    if v["stage"] in EXITS and stage() != v["stage"] and stage() not in EXITS:
        _step(
            lambda: steps.candidate_exit(
                candidate=candidate, kind=v["stage"], on=v["exit_on"], reason=v["exit_reason"], by=by
            ),
            EXIT_FIELDS,
            "exit_on",
        )
        walked = True
    return walked


# --- quotas -------------------------------------------------------------------------------------

QUOTA_FIELDS = {
    "period_kind": "period",
    "period_start": "period",
    "period_end": "period",
    "organisation": "organisation_code",
    "metric": "metric",
    "share_attribute": "share_attribute",
    "value_kind": "value_kind",
    "value": "value",
    "upper": "upper",
    "rate_percent": "rate_percent",
    "base_members": "base_members",
    "*": "value",
}
QUOTA_VALUES = ("value_kind", "value", "upper", "rate_percent", "base_members", "carry_over", "note")


def apply_quota(ctx: Context, values: dict, row: int) -> str:
    org = ctx.org(values["organisation_code"], "organisation_code")
    period = values["period"]
    fields = {
        "period_kind": period.kind,
        "period_start": period.start,
        "period_end": period.end,
        "source": values["source"],
        "metric": values["metric"] or QuotaMetric.ADMISSIONS,
        "share_attribute": values.get("share_attribute") or "",
        "value_kind": values["value_kind"],
        "value": values.get("value"),
        "upper": values.get("upper"),
        "rate_percent": values.get("rate_percent"),
        "base_members": values.get("base_members"),
        "carry_over": bool(values.get("carry_over")),
        "note": values.get("note") or "",
    }
    existing = org.quotas.filter(
        period_start=period.start,
        period_end=period.end,
        source=fields["source"],
        metric=fields["metric"],
        share_attribute=fields["share_attribute"],
    ).first()
    if existing is not None and all(getattr(existing, k) == fields[k] for k in QUOTA_VALUES):
        return "unchanged"
    try:
        quota_set(organisation=org, by=ctx.user, **fields)
    except ValidationError as error:
        raise refusal(error, QUOTA_FIELDS, "value", RULE_QUOTA) from None
    return "updated" if existing is not None else "created"


APPLY: dict[str, object] = {
    ORGANISATIONS.key: apply_organisation,
    MEMBERS.key: apply_member,
    CANDIDATES.key: apply_candidate,
    MOVEMENTS.key: apply_movement,
    QUOTAS.key: apply_quota,
}


def sheet_of(key: str) -> SheetSpec:
    return {s.key: s for s in (ORGANISATIONS, MEMBERS, CANDIDATES, MOVEMENTS, QUOTAS)}[key]
