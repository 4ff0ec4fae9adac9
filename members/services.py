"""Writes to the organisation tree and the member rolls. Keyword-only, atomic, validate first."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partyhub.figures import figures_changed

from .models import Member, MemberMovement, MemberTransfer, Organisation, OrganisationTerm, Person
from .readmission import READMISSION_MIN_MONTHS, readmission_problems
from .validation import history_reason, validate_plain_text
from .vocabulary import (
    ALLOWED_PARENT_LEVELS,
    CELL_LEVELS,
    OUTGOING_MOVEMENTS,
    Level,
    MemberStatus,
    MovementKind,
    TransferStatus,
)


def _recompute(*organisations) -> None:
    # The reports subscribe to this announcement; the tree knows nothing of them (partyhub/figures.py).
    figures_changed(*organisations)


def _level_label(level: str) -> str:
    return str(Level(level).label)


def check_placement(*, level: str, parent: Organisation | None, founded_on: datetime.date | None) -> None:
    """Refuse a tree the Party's structure does not allow (a cell under a cell, a child of a dissolved unit)."""
    allowed = ALLOWED_PARENT_LEVELS[level]
    if parent is None:
        if allowed:
            raise ValidationError(
                {"parent": _("%(level)s phải trực thuộc một tổ chức cấp trên.") % {"level": _level_label(level)}}
            )
        return
    if parent.level not in allowed:
        raise ValidationError(
            {
                "parent": _(
                    "Không thể đặt %(level)s dưới %(parent_level)s “%(parent)s”: "
                    "cấp trên trực tiếp phải là %(allowed)s."
                )
                % {
                    "level": _level_label(level),
                    "parent_level": _level_label(parent.level),
                    "parent": parent.name,
                    "allowed": ", ".join(_level_label(x) for x in sorted(allowed)),
                }
            }
        )
    if parent.dissolved_on and (founded_on is None or founded_on >= parent.dissolved_on):
        raise ValidationError(
            {
                "parent": _("“%(parent)s” đã giải thể từ ngày %(date)s, không thể lập tổ chức trực thuộc.")
                % {"parent": parent.name, "date": parent.dissolved_on.strftime("%d/%m/%Y")}
            }
        )


@transaction.atomic
def organisation_create(
    *,
    code: str,
    name: str,
    level: str,
    parent: Organisation | None = None,
    sector: str = "",
    founded_on: datetime.date | None = None,
    by=None,
    reason: str = "",
) -> Organisation:
    if parent is not None:
        # The caller's copy may be stale (dissolved meanwhile); the rules must see the stored row.
        parent = Organisation.objects.get(pk=parent.pk)
    check_placement(level=level, parent=parent, founded_on=founded_on)
    if Organisation.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Mã “%(code)s” đã được dùng cho tổ chức khác.") % {"code": code}})
    fields = {"code": code, "name": name, "level": level, "sector": sector, "founded_on": founded_on}
    probe = Organisation(**fields, path="0", depth=1)
    probe.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        created = Organisation.objects.add_root(create_kwargs=fields)
    else:
        _recompute(parent)
        # treebeard locks and re-reads the parent, so concurrent creations get distinct paths.
        created = Organisation.objects.add_child(parent, create_kwargs=fields)
    if by is not None or reason:
        _stamp_latest(created, by, reason or _("Lập tổ chức"))
    return created


def _active_children(organisation: Organisation, on: datetime.date):
    return Organisation.objects.get_children(organisation).filter(dissolved_on__isnull=True)


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


@transaction.atomic
def organisation_dissolve(*, organisation: Organisation, on: datetime.date, by=None) -> Organisation:
    """Dissolve a unit on a date. Its children must be dissolved or merged first, its members transferred."""
    organisation = _lock(organisation)
    if organisation.dissolved_on:
        raise ValidationError(
            {
                "organisation": _("“%(org)s” đã giải thể từ ngày %(date)s.")
                % {"org": organisation.name, "date": organisation.dissolved_on.strftime("%d/%m/%Y")}
            }
        )
    if organisation.founded_on and on < organisation.founded_on:
        raise ValidationError({"on": _("Ngày giải thể không thể trước ngày thành lập.")})
    children = list(_active_children(organisation, on).values_list("name", flat=True)[:5])
    if children:
        raise ValidationError(
            {
                "organisation": _(
                    "“%(org)s” còn tổ chức trực thuộc đang hoạt động (%(names)s); "
                    "hãy giải thể hoặc sáp nhập chúng trước."
                )
                % {"org": organisation.name, "names": ", ".join(children)}
            }
        )
    active = Member.objects.filter(cell=organisation, status__in=[MemberStatus.PROBATIONARY, MemberStatus.FULL]).count()
    if active:
        raise ValidationError(
            {
                "organisation": _(
                    "“%(org)s” còn %(n)d đảng viên sinh hoạt; hãy chuyển sinh hoạt đảng trước "
                    "hoặc sáp nhập vào một chi bộ khác."
                )
                % {"org": organisation.name, "n": active}
            }
        )
    organisation.dissolved_on = on
    _audit(organisation, by, _("Giải thể"))
    organisation.save(update_fields=["dissolved_on"])
    _recompute(organisation)
    return organisation


def _audit(instance, by, reason: str) -> None:
    """Who and why for the history row the next save() writes (simple-history reads these attributes)."""
    if by is not None:
        instance._history_user = by
    instance._change_reason = history_reason(reason)


def _stamp_latest(instance, by, reason: str) -> None:
    """Who and why on the history row a save we do not control wrote (treebeard's add_child)."""
    latest = instance.history.order_by("-history_id").values_list("history_id", flat=True).first()
    fields = {"history_change_reason": history_reason(reason)}
    if by is not None:
        fields["history_user"] = by
    instance.history.filter(history_id=latest).update(**fields)


def _move_members(members: list[Member], organisation: Organisation, into: Organisation, on, note: str, by=None):
    """Each member out of `organisation` and into `into` on `on`: two movements and a history row per member."""
    if not members:
        return
    bulk_create_with_history(
        [
            MemberMovement(member=m, kind=MovementKind.TRANSFERRED_OUT, date=on, organisation=organisation, note=note)
            for m in members
        ]
        + [
            MemberMovement(member=m, kind=MovementKind.TRANSFERRED_IN, date=on, organisation=into, note=note)
            for m in members
        ],
        MemberMovement,
        default_user=by,
        default_change_reason=history_reason(note),
    )
    for m in members:
        m.cell = into
    # One history row per moved member (issue 14 finding 8: an .update() left the roll's change unrecorded).
    bulk_update_with_history(members, Member, ["cell"], default_user=by, default_change_reason=history_reason(note))


def _move_on_merge(
    members_qs, organisation: Organisation, into: Organisation, on: datetime.date, by=None
) -> list[Member]:
    """The merge's moves: each active member of the merged cell out of it and into the successor on `on`."""
    members = list(
        members_qs.select_for_update().filter(
            cell=organisation, status__in=[MemberStatus.PROBATIONARY, MemberStatus.FULL]
        )
    )
    note = _("Sáp nhập “%(a)s” vào “%(b)s”") % {"a": organisation.name, "b": into.name}
    _move_members(members, organisation, into, on, note, by)
    return members


@transaction.atomic
def merged_cell_move_members(*, organisation: Organisation, member_ids) -> list[Member]:
    """Members recorded in a cell after its merge was (an import lists the merge before its members):
    those of `member_ids` still active in it move to the successor on the merge date, exactly as
    `organisation_merge` moved the members it found. Nothing happens for a unit not merged."""
    organisation = _lock(organisation)
    if organisation.merged_into_id is None or organisation.dissolved_on is None:
        return []
    into = organisation.merged_into
    assert into is not None  # merged_into_id is set
    moved = _move_on_merge(
        Member.objects.filter(pk__in=list(member_ids)), organisation, into, organisation.dissolved_on
    )
    if moved:
        _recompute(organisation, into)
    return moved


@transaction.atomic
def organisation_merge(*, organisation: Organisation, into: Organisation, on: datetime.date, by=None) -> Organisation:
    """Merge a unit into a successor on a date; a cell's members move to the successor cell.

    The merged unit keeps its place in the tree (and its history of admissions) with
    `merged_into` pointing at the successor, so reports on the successor can include it.
    """
    organisation, into = _lock(organisation), _lock(into)
    if organisation.pk == into.pk:
        raise ValidationError({"into": _("Không thể sáp nhập một tổ chức vào chính nó.")})
    if organisation.dissolved_on:
        raise ValidationError(
            {
                "organisation": _("“%(org)s” đã giải thể từ ngày %(date)s.")
                % {"org": organisation.name, "date": organisation.dissolved_on.strftime("%d/%m/%Y")}
            }
        )
    if not into.active_on(on):
        raise ValidationError(
            {
                "into": _("Không thể sáp nhập vào “%(org)s”: tổ chức này không hoạt động vào ngày %(date)s.")
                % {"org": into.name, "date": on.strftime("%d/%m/%Y")}
            }
        )
    if into.path.startswith(organisation.path):
        raise ValidationError({"into": _("Không thể sáp nhập một tổ chức vào tổ chức trực thuộc của chính nó.")})
    if (organisation.level in CELL_LEVELS) != (into.level in CELL_LEVELS):
        raise ValidationError(
            {
                "into": _("Chỉ sáp nhập chi bộ vào chi bộ, đảng bộ vào đảng bộ (“%(a)s” là %(la)s, “%(b)s” là %(lb)s).")
                % {
                    "a": organisation.name,
                    "la": _level_label(organisation.level),
                    "b": into.name,
                    "lb": _level_label(into.level),
                }
            }
        )
    children = list(_active_children(organisation, on).values_list("name", flat=True)[:5])
    if children:
        raise ValidationError(
            {
                "organisation": _(
                    "“%(org)s” còn tổ chức trực thuộc đang hoạt động (%(names)s); "
                    "hãy sáp nhập hoặc giải thể chúng trước."
                )
                % {"org": organisation.name, "names": ", ".join(children)}
            }
        )
    _move_on_merge(Member.objects.filter(cell=organisation), organisation, into, on, by)
    organisation.dissolved_on = on
    organisation.merged_into = into
    _audit(organisation, by, _("Sáp nhập vào “%(org)s”") % {"org": into.name})
    organisation.save(update_fields=["dissolved_on", "merged_into"])
    _recompute(organisation, into)
    return organisation


TERM_YEARS = 5
TERM_CYCLE_YEAR = 2020  # congress cycles: 2020, 2025, 2030 ... (and 2015, 2010 ... before)


def check_organisation_term(
    *, organisation: Organisation, first_year: int | None, start: datetime.date | None, end: datetime.date | None
) -> dict[str, list[str]]:
    """Every problem with an organisation's term dates, by field, in Vietnamese."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if first_year is None:
        add("first_year", _("Hãy chọn nhiệm kỳ."))
    elif (first_year - TERM_CYCLE_YEAR) % TERM_YEARS:
        add(
            "first_year",
            _("Nhiệm kỳ bắt đầu vào năm đại hội (2020, 2025, 2030 …), không phải năm %(y)s.") % {"y": first_year},
        )
    if start is None:
        add("start", _("Hãy nhập ngày bắt đầu nhiệm kỳ (ngày đại hội)."))
    if end is None:
        add("end", _("Hãy nhập ngày kết thúc nhiệm kỳ."))
    if errors or first_year is None or start is None or end is None:  # the last three for the type checker
        return errors
    label = f"{first_year}-{first_year + TERM_YEARS}"
    if abs(start.year - first_year) > 1:
        add(
            "start",
            _("Nhiệm kỳ %(term)s phải bắt đầu trong khoảng năm %(a)s–%(b)s (đã nhập %(d)s).")
            % {"term": label, "a": first_year - 1, "b": first_year + 1, "d": start.strftime("%d/%m/%Y")},
        )
    if end <= start:
        add("end", _("Ngày kết thúc nhiệm kỳ phải sau ngày bắt đầu."))
    elif abs(end.year - (first_year + TERM_YEARS)) > 1:
        add(
            "end",
            _("Nhiệm kỳ %(term)s phải kết thúc trong khoảng năm %(a)s–%(b)s (đã nhập %(d)s).")
            % {
                "term": label,
                "a": first_year + TERM_YEARS - 1,
                "b": first_year + TERM_YEARS + 1,
                "d": end.strftime("%d/%m/%Y"),
            },
        )
    if organisation.dissolved_on and start >= organisation.dissolved_on:
        add(
            "start",
            _("“%(org)s” đã giải thể / sáp nhập từ ngày %(d)s.")
            % {"org": organisation.name, "d": organisation.dissolved_on.strftime("%d/%m/%Y")},
        )
    if not errors:
        others = OrganisationTerm.objects.filter(organisation=organisation, start__lte=end, end__gte=start).exclude(
            first_year=first_year
        )
        for other in others.order_by("first_year"):
            add(
                "start",
                _("Trùng với nhiệm kỳ %(term)s đã ghi của “%(org)s” (%(a)s – %(b)s).")
                % {
                    "term": f"{other.first_year}-{other.first_year + TERM_YEARS}",
                    "org": organisation.name,
                    "a": other.start.strftime("%d/%m/%Y"),
                    "b": other.end.strftime("%d/%m/%Y"),
                },
            )
    return errors


@transaction.atomic
def organisation_term_set(
    *, organisation: Organisation, first_year: int, start: datetime.date, end: datetime.date, by=None
) -> OrganisationTerm:
    """Record (or change) an organisation's own term dates for one congress cycle."""
    errors = check_organisation_term(organisation=organisation, first_year=first_year, start=start, end=end)
    if errors:
        raise ValidationError(errors)
    term = OrganisationTerm.objects.select_for_update().filter(
        organisation=organisation, first_year=first_year
    ).first() or OrganisationTerm(organisation=organisation, first_year=first_year)
    term.start, term.end = start, end
    if by is not None:
        term._history_user = by  # type: ignore[attr-defined]  # simple-history reads it on save
    term.save()
    _recompute(organisation)
    return term


@transaction.atomic
def person_create(**fields) -> Person:
    if not fields.get("citizen_id"):
        fields["citizen_id"] = None
    person = Person(**fields)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def member_transfer(*, member: Member, to_cell: Organisation, on: datetime.date, note: str = "", by=None) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    _check_transfer(member, to_cell, on)
    from_cell = member.cell
    reason = note or _("Chuyển sinh hoạt đến “%(org)s”") % {"org": to_cell.name}
    bulk_create_with_history(
        [
            MemberMovement(
                member=member, kind=MovementKind.TRANSFERRED_OUT, date=on, organisation=from_cell, note=note
            ),
            MemberMovement(member=member, kind=MovementKind.TRANSFERRED_IN, date=on, organisation=to_cell, note=note),
        ],
        MemberMovement,
        default_user=by,
        default_change_reason=history_reason(reason),
    )
    _recompute(from_cell, to_cell)
    member.cell = to_cell
    _audit(member, by, reason)
    member.save(update_fields=["cell"])
    return member


def _check_transfer(member: Member, to_cell: Organisation, on: datetime.date) -> None:
    if to_cell.level not in CELL_LEVELS:
        raise ValidationError({"to_cell": _("Chỉ chuyển sinh hoạt đến một chi bộ.")})
    if not to_cell.active_on(on):
        raise ValidationError({"to_cell": _("Chi bộ “%(org)s” không hoạt động vào ngày này.") % {"org": to_cell.name}})
    if not member.is_active:
        raise ValidationError({"member": _("Người này không còn trong danh sách đảng viên.")})
    if member.cell_id == to_cell.pk:
        raise ValidationError({"to_cell": _("Đảng viên đã sinh hoạt ở chi bộ này.")})
    if to_cell.path[: Organisation.steplen] != member.cell.path[: Organisation.steplen]:
        raise ValidationError({"to_cell": _("Chi bộ nơi đến ở tỉnh khác: hãy ghi “chuyển đi tỉnh khác”.")})


@transaction.atomic
def member_record_exit(*, member: Member, kind: str, on: datetime.date, note: str = "", by=None) -> Member:
    """Death, striking off, expulsion, leaving the Party, or a transfer out of the province."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if kind not in OUTGOING_MOVEMENTS:
        raise ValidationError({"kind": _("Loại biến động không hợp lệ cho việc ra khỏi danh sách.")})
    if not member.is_active:
        raise ValidationError({"member": _("Người này không còn trong danh sách đảng viên.")})
    movement = MemberMovement(member=member, kind=kind, date=on, organisation=member.cell, note=note)
    movement.full_clean()
    reason = " — ".join(x for x in (str(MovementKind(kind).label), note) if x)
    _audit(movement, by, reason)
    movement.save()
    _cancel_pending_transfers(member, by)
    member.status = MemberStatus.LEFT
    _audit(member, by, reason)
    member.save(update_fields=["status"])
    _recompute(member.cell)
    return member


# --- transfers confirmed by the receiving cell ------------------------------------------------------


def _cancel_pending_transfers(member: Member, by) -> None:
    for transfer in MemberTransfer.objects.select_for_update().filter(member=member, status=TransferStatus.PENDING):
        transfer.status = TransferStatus.CANCELLED
        transfer.decided_by = by
        _audit(transfer, by, _("Hủy vì đảng viên đã ra khỏi danh sách"))
        transfer.save(update_fields=["status", "decided_by"])


def _already_decided(transfer: MemberTransfer) -> ValidationError:
    message = _("Đề nghị này đã được xử lý (%(s)s).") % {"s": transfer.get_status_display()}
    return ValidationError({"transfer": message})


@transaction.atomic
def transfer_request(
    *, member: Member, to_cell: Organisation, on: datetime.date, note: str = "", by=None
) -> MemberTransfer:
    """A transfer to another cell of the province; the roll changes when the receiving cell confirms."""
    member = Member.objects.select_for_update().select_related("cell").get(pk=member.pk)
    to_cell = Organisation.objects.get(pk=to_cell.pk)
    _check_transfer(member, to_cell, on)
    if MemberTransfer.objects.filter(member=member, status=TransferStatus.PENDING).exists():
        raise ValidationError(
            {"member": _("Đảng viên này đang có một đề nghị chuyển sinh hoạt chờ xác nhận; hãy hủy đề nghị đó trước.")}
        )
    transfer = MemberTransfer(
        person_id=member.person_id,
        member=member,
        from_cell=member.cell,
        to_cell=to_cell,
        date=on,
        note=note,
        requested_by=by,
    )
    transfer.full_clean()
    _audit(transfer, by, _("Đề nghị chuyển sinh hoạt"))
    transfer.save()
    return transfer


@transaction.atomic
def transfer_in_request(
    *,
    to_cell: Organisation,
    origin: str,
    on: datetime.date,
    member_status: str,
    admission_decision_date: datetime.date | None,
    person_fields: dict,
    note: str = "",
    by=None,
) -> MemberTransfer:
    """A member coming from another province: recorded as a person now, on the roll once the cell confirms."""
    to_cell = Organisation.objects.get(pk=to_cell.pk)
    if to_cell.level not in CELL_LEVELS:
        raise ValidationError({"to_cell": _("Chỉ chuyển sinh hoạt đến một chi bộ.")})
    if not to_cell.active_on(on):
        raise ValidationError({"to_cell": _("Chi bộ “%(org)s” không hoạt động vào ngày này.") % {"org": to_cell.name}})
    if member_status not in (MemberStatus.PROBATIONARY, MemberStatus.FULL):
        raise ValidationError({"member_status": _("Hãy chọn đảng viên dự bị hoặc chính thức.")})
    if not origin.strip():
        raise ValidationError({"origin": _("Hãy ghi nơi chuyển đến (đảng bộ tỉnh, thành phố nào).")})
    person = person_create(**person_fields)
    transfer = MemberTransfer(
        person=person,
        origin=origin,
        to_cell=to_cell,
        date=on,
        member_status=member_status,
        admission_decision_date=admission_decision_date,
        note=note,
        requested_by=by,
    )
    transfer.full_clean()
    _audit(transfer, by, _("Tiếp nhận từ tỉnh khác: %(origin)s") % {"origin": origin})
    transfer.save()
    return transfer


@transaction.atomic
def transfer_confirm(*, transfer: MemberTransfer, by=None) -> Member:
    """The receiving cell confirms: the member moves (or, from another province, joins the roll) on the transfer date.

    Who may confirm is the view's question (members/permissions.py: the receiving cell only)."""
    transfer = MemberTransfer.objects.select_for_update().select_related("to_cell", "person").get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise _already_decided(transfer)
    if transfer.member_id is not None:
        assert transfer.member is not None
        member = member_transfer(
            member=transfer.member, to_cell=transfer.to_cell, on=transfer.date, note=transfer.note, by=by
        )
    else:
        if not transfer.to_cell.active_on(transfer.date):
            raise ValidationError(
                {"to_cell": _("Chi bộ “%(org)s” không hoạt động vào ngày này.") % {"org": transfer.to_cell.name}}
            )
        reason = _("Chuyển đến từ %(origin)s") % {"origin": transfer.origin}
        member = Member(
            person=transfer.person,
            cell=transfer.to_cell,
            status=transfer.member_status,
            admission_decision_date=transfer.admission_decision_date,
        )
        member.full_clean()
        _audit(member, by, reason)
        member.save()
        movement = MemberMovement(
            member=member,
            kind=MovementKind.TRANSFERRED_IN,
            date=transfer.date,
            organisation=transfer.to_cell,
            note=(transfer.note or reason)[:200],
        )
        _audit(movement, by, reason)
        movement.save()
        transfer.member = member
        _recompute(transfer.to_cell)
    transfer.status = TransferStatus.CONFIRMED
    transfer.decided_by = by
    _audit(transfer, by, _("Chi bộ nơi đến xác nhận"))
    transfer.save(update_fields=["status", "decided_by", "member"])
    return member


@transaction.atomic
def transfer_cancel(*, transfer: MemberTransfer, by=None) -> MemberTransfer:
    transfer = MemberTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != TransferStatus.PENDING:
        raise _already_decided(transfer)
    transfer.status = TransferStatus.CANCELLED
    transfer.decided_by = by
    _audit(transfer, by, _("Hủy đề nghị chuyển sinh hoạt"))
    transfer.save(update_fields=["status", "decided_by"])
    return transfer


def member_transfer_out_of_province(
    *, member: Member, destination: str, on: datetime.date, note: str = "", by=None
) -> Member:
    """Out to another province: the receiving cell is not in this deployment, so the move is recorded at once."""
    if not destination.strip():
        raise ValidationError({"destination": _("Hãy ghi nơi chuyển đến (đảng bộ tỉnh, thành phố nào).")})
    text = _("Chuyển đến %(dest)s") % {"dest": destination.strip()}
    if note:
        text = f"{text} — {note}"
    return member_record_exit(member=member, kind=MovementKind.TRANSFERRED_OUT, on=on, note=text[:200], by=by)


# --- re-admission -----------------------------------------------------------------------------------


def readmission_check(*, member: Member, on: datetime.date, provincial_consent: bool, exit_reason: str = "") -> list:
    """Rule 13's problems for re-admitting this former member on `on` (empty when it may go ahead)."""
    if member.is_active:
        return [_("Người này đang là đảng viên.")]
    last_exit = member.movements.filter(kind__in=OUTGOING_MOVEMENTS).order_by("-date", "-pk").first()
    if last_exit is not None and last_exit.kind == MovementKind.DIED:
        return [_("Đảng viên đã từ trần.")]
    if last_exit is not None and last_exit.kind == MovementKind.TRANSFERRED_OUT:
        return [_("Đảng viên đã chuyển sinh hoạt đi nơi khác, không phải ra khỏi Đảng: hãy ghi chuyển đến.")]
    if exit_reason == "" and last_exit is not None and last_exit.kind == MovementKind.LEFT_PARTY:
        exit_reason = "asked_to_leave"
    problems = readmission_problems(
        left_on=last_exit.date if last_exit else None,
        on=on,
        times_readmitted_before=1 if member.is_readmitted else 0,
        provincial_consent=provincial_consent,
        exit_reason=exit_reason,
    )
    if last_exit is None:
        problems.append(
            _("Không có ngày ra khỏi Đảng trong hồ sơ; không tính được thời hạn %(n)d tháng.")
            % {"n": READMISSION_MIN_MONTHS}
        )
    return problems


@transaction.atomic
def member_readmit(
    *,
    member: Member,
    to_cell: Organisation,
    on: datetime.date,
    provincial_consent: bool,
    consent_reference: str,
    exit_reason: str = "",
    by=None,
) -> Member:
    """Re-admit a former member on the date of the admission decision: probationary again, once only."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    to_cell = Organisation.objects.get(pk=to_cell.pk)
    problems = readmission_check(member=member, on=on, provincial_consent=provincial_consent, exit_reason=exit_reason)
    if to_cell.level not in CELL_LEVELS or not to_cell.active_on(on):
        problems.append(_("Chi bộ “%(org)s” không hoạt động vào ngày này.") % {"org": to_cell.name})
    if problems:
        raise ValidationError({"on": problems})
    validate_plain_text(consent_reference)
    note = _("Kết nạp lại (văn bản đồng ý: %(ref)s)") % {"ref": consent_reference.strip() or "—"}
    member.cell = to_cell
    member.status = MemberStatus.PROBATIONARY
    member.admission_decision_date = on
    member.ceremony_date = None
    member.recognition_date = None
    member.is_readmitted = True
    member.full_clean()
    _audit(member, by, note)
    member.save()
    movement = MemberMovement(member=member, kind=MovementKind.ADMITTED, date=on, organisation=to_cell, note=note[:200])
    _audit(movement, by, note)
    movement.save()
    _recompute(to_cell)
    return member


# --- units: rename, merge several into one, split one into several ------------------------------


@transaction.atomic
def organisation_rename(*, organisation: Organisation, name: str, by=None) -> Organisation:
    organisation = _lock(organisation)
    old = organisation.name
    organisation.name = name
    organisation.full_clean(exclude=["path", "depth", "numchild"])
    if organisation.name == old:
        raise ValidationError({"name": _("Tên mới trùng với tên hiện tại.")})
    _audit(organisation, by, _("Đổi tên từ “%(old)s”") % {"old": old})
    organisation.save(update_fields=["name"])
    _recompute(organisation)
    return organisation


@transaction.atomic
def organisations_merge(*, organisations, into: Organisation, on: datetime.date, by=None) -> Organisation:
    """Merge several units into one (an existing unit; create the new one first with organisation_create)."""
    sources = [o for o in organisations if o.pk != into.pk]
    if not sources:
        raise ValidationError({"organisations": _("Hãy chọn ít nhất một đơn vị để sáp nhập.")})
    for organisation in sources:
        organisation_merge(organisation=organisation, into=into, on=on, by=by)
    return Organisation.objects.get(pk=into.pk)


@transaction.atomic
def organisations_merge_into_new(
    *, organisations, parent: Organisation, code: str, name: str, on: datetime.date, by=None
) -> Organisation:
    """Several units into a new one under `parent`, founded on the merge date."""
    organisations = list(organisations)
    if len(organisations) < 2:
        raise ValidationError({"organisations": _("Sáp nhập thành đơn vị mới cần ít nhất hai đơn vị.")})
    levels = {o.level for o in organisations}
    level = levels.pop() if len(levels) == 1 else Level.CELL
    into = organisation_create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        sector=organisations[0].sector,
        founded_on=on,
        by=by,
        reason=_("Lập do sáp nhập %(names)s") % {"names": ", ".join(o.name for o in organisations)},
    )
    return organisations_merge(organisations=organisations, into=into, on=on, by=by)


def _active_members(organisation: Organisation) -> list[Member]:
    return list(
        Member.objects.select_for_update().filter(
            cell=organisation, status__in=[MemberStatus.PROBATIONARY, MemberStatus.FULL]
        )
    )


@transaction.atomic
def organisation_split(
    *, organisation: Organisation, parts: list[dict], assignment: dict[int, int], on: datetime.date, by=None
) -> list[Organisation]:
    """Split a cell into new cells on a date: `parts` are their {code, name, sector?}, `assignment` maps
    every active member's id to the index of the part they go to. The cell is dissolved on that date."""
    organisation = _lock(organisation)
    if organisation.level not in CELL_LEVELS:
        raise ValidationError(
            {"organisation": _("Chỉ chia tách được chi bộ; với đảng bộ, hãy lập đơn vị mới và sáp nhập.")}
        )
    if organisation.dissolved_on:
        raise ValidationError({"organisation": _("“%(org)s” đã giải thể.") % {"org": organisation.name}})
    if len(parts) < 2:
        raise ValidationError({"parts": _("Chia tách cần ít nhất hai chi bộ mới.")})
    codes = [p["code"] for p in parts]
    if len(set(codes)) != len(codes):
        raise ValidationError({"parts": _("Mỗi chi bộ mới cần một mã riêng.")})
    members = _active_members(organisation)
    unassigned = [m for m in members if assignment.get(m.pk) not in range(len(parts))]
    if unassigned:
        names = ", ".join(str(m.person) for m in Member.objects.filter(pk__in=[m.pk for m in unassigned[:5]]))
        raise ValidationError(
            {
                "assignment": _("Còn %(n)d đảng viên chưa được chọn chi bộ mới: %(names)s.")
                % {"n": len(unassigned), "names": names}
            }
        )
    parent = Organisation.objects.get_parent(organisation)
    reason = _("Lập do chia tách “%(org)s”") % {"org": organisation.name}
    created = [
        organisation_create(
            code=p["code"],
            name=p["name"],
            level=organisation.level,
            parent=parent,
            sector=p.get("sector") or organisation.sector,
            founded_on=on,
            by=by,
            reason=reason,
        )
        for p in parts
    ]
    note = _("Chia tách “%(org)s”") % {"org": organisation.name}
    for index, part in enumerate(created):
        _move_members([m for m in members if assignment[m.pk] == index], organisation, part, on, note, by)
    organisation.dissolved_on = on
    _audit(organisation, by, note)
    organisation.save(update_fields=["dissolved_on"])
    _recompute(organisation, *created)
    return created
