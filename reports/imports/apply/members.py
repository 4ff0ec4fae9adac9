"""Rows of the members sheet: members admitted before PartyHub, entering the roll on their admission."""

from django.core.exceptions import ValidationError

from members.models import Member, MemberMovement, Organisation
from members.vocabulary import MemberStatus, MovementKind
from recruitment.models import Candidate

from ...progress.jobs import request_recompute
from ..columns import MEMBERS
from ..rows import Problem
from .context import (
    RULE_DUPLICATE_DB,
    RULE_MODEL,
    RULE_MOVEMENT,
    RULE_TREE,
    Context,
    create_person,
    ensure_number_free,
    find_person,
    person_key,
    refusal,
    refuse,
    same_person,
)

MEMBER_FIELDS = {"cell": "cell_code", "person": "full_name", "*": "full_name"}


def apply_member(ctx: Context, values: dict, row: int) -> str:
    cell = ctx.cell(values["cell_code"], "cell_code")
    key = person_key(values)
    ctx.claim(key, f"dòng {row} trang “{MEMBERS.title}”", "citizen_id" if values.get("citizen_id") else "full_name")
    person = find_person(ctx, values)
    if person is None:
        ensure_number_free(values)
    else:
        same_person(ctx, person, values)
        if Candidate.objects.filter(person=person).exists():
            refuse(
                "citizen_id",
                "Người này được kết nạp qua quy trình trong PartyHub; các bước ghi ở trang “Quần chúng”.",
                RULE_DUPLICATE_DB,
            )
        member = getattr(person, "member", None) if hasattr(person, "member") else None
        if member is not None:
            ctx.final_cells[member.pk] = (row, cell)
            introducer = values.get("introduced_by") or ""
            if introducer and introducer != member.introduced_by:
                # A workbook imported again with the introducing body filled in: the shares count it.
                member.introduced_by = introducer
                member._history_user = ctx.user
                member.save(update_fields=["introduced_by"])
                request_recompute(member.cell)
                return "updated"
            return "unchanged"
    entry_code = values.get("entry_cell_code") or values["cell_code"]
    came_in = ctx.transferred_in.get(key)
    if came_in is not None:
        entry_code = came_in
    entry = ctx.cell(entry_code, "entry_cell_code")
    admitted = values["admission_decision_date"]
    if came_in is None and entry.dissolved_on is not None and admitted >= entry.dissolved_on:
        refuse(
            "admission_decision_date",
            f"Chi bộ “{entry.name}” đã giải thể / sáp nhập ngày {entry.dissolved_on:%d/%m/%Y}, trước ngày kết nạp.",
            RULE_TREE,
        )
    if person is None:
        person = create_person(values)
    member = Member(
        person=person,
        cell=entry,
        status=MemberStatus.FULL if values.get("recognition_date") else MemberStatus.PROBATIONARY,
        admission_decision_date=admitted,
        ceremony_date=values.get("ceremony_date"),
        recognition_date=values.get("recognition_date"),
        card_number=values.get("card_number") or "",
        is_readmitted=bool(values.get("is_readmitted")),
        introduced_by=values.get("introduced_by") or "",
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


def final_cell_problems(ctx: Context) -> list[tuple[int, Problem]]:
    """Members whose movements did not bring them to the cell their row names."""
    now = dict(Member.objects.filter(pk__in=list(ctx.final_cells)).values_list("pk", "cell_id"))
    problems = []
    successors = {org.pk: org.merged_into_id for org in ctx.orgs.values() if org.merged_into_id}
    for pk, (row, cell) in ctx.final_cells.items():
        # A row may name the cell a member was in before it merged: the merge moved them on.
        merged_on_to, seen = cell.pk, set()
        while merged_on_to in successors and now.get(pk) != merged_on_to and merged_on_to not in seen:
            seen.add(merged_on_to)
            merged_on_to = successors[merged_on_to]
        if now.get(pk) != merged_on_to:
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
