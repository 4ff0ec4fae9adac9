"""Rows of the movements sheet: transfers and exits, through the member services, in date order."""

import datetime

from django.core.exceptions import ValidationError

from members import services as member_services
from members.models import Member, MemberMovement
from members.vocabulary import MovementKind

from ...progress.jobs import request_recompute
from .. import cells
from ..columns import MovementChoice
from .context import (
    RULE_MOVEMENT,
    RULE_SCOPE,
    Context,
    find_person,
    refusal,
    refuse,
)


def _find_member(ctx: Context, values: dict) -> Member:
    """The member the row names, among those the uploader sees; anyone else is "not found", whatever
    the name written. Where they are is checked before anything is compared with the record."""
    person = find_person(ctx, values)
    member = getattr(person, "member", None) if person is not None and hasattr(person, "member") else None
    if member is None:
        refuse(
            "citizen_id" if values.get("citizen_id") else "full_name",
            "Không tìm thấy đảng viên này trong phạm vi bạn quản lý hay trong trang “Đảng viên” / “Quần chúng”.",
            RULE_MOVEMENT,
        )
    if not ctx.in_scope(member.cell.path):
        refuse("citizen_id", "Đảng viên này sinh hoạt ở đơn vị ngoài phạm vi đơn vị của trang nhập này.", RULE_SCOPE)
    if cells.fold(person.full_name) != cells.fold(values["full_name"]):
        refuse("full_name", f"Họ tên không khớp với đảng viên đã ghi: {person.full_name}.", RULE_MOVEMENT)
    return member


OUT_KINDS = {
    MovementChoice.TRANSFERRED_OUT: MovementKind.TRANSFERRED_OUT,
    MovementChoice.DIED: MovementKind.DIED,
    MovementChoice.STRUCK_OFF: MovementKind.STRUCK_OFF,
    MovementChoice.EXPELLED: MovementKind.EXPELLED,
    MovementChoice.LEFT_PARTY: MovementKind.LEFT_PARTY,
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
