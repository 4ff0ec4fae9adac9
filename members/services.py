"""Writes to the organisation tree and the member rolls. Keyword-only, atomic, validate first."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partyhub.figures import figures_changed

from .models import Member, MemberMovement, Organisation, OrganisationTerm, Person
from .vocabulary import (
    ALLOWED_PARENT_LEVELS,
    CELL_LEVELS,
    OUTGOING_MOVEMENTS,
    Level,
    MemberStatus,
    MovementKind,
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
        return Organisation.objects.add_root(create_kwargs=fields)
    _recompute(parent)
    # treebeard locks and re-reads the parent, so concurrent creations get distinct paths.
    return Organisation.objects.add_child(parent, create_kwargs=fields)


def _active_children(organisation: Organisation, on: datetime.date):
    return Organisation.objects.get_children(organisation).filter(dissolved_on__isnull=True)


def _lock(organisation: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


@transaction.atomic
def organisation_dissolve(*, organisation: Organisation, on: datetime.date) -> Organisation:
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
    organisation.save(update_fields=["dissolved_on"])
    _recompute(organisation)
    return organisation


def _move_on_merge(members_qs, organisation: Organisation, into: Organisation, on: datetime.date) -> list[Member]:
    """The merge's moves: each active member of the merged cell out of it and into the successor on `on`."""
    members = list(
        members_qs.select_for_update().filter(
            cell=organisation, status__in=[MemberStatus.PROBATIONARY, MemberStatus.FULL]
        )
    )
    note = _("Sáp nhập “%(a)s” vào “%(b)s”") % {"a": organisation.name, "b": into.name}
    MemberMovement.objects.bulk_create(
        [
            MemberMovement(member=m, kind=MovementKind.TRANSFERRED_OUT, date=on, organisation=organisation, note=note)
            for m in members
        ]
        + [
            MemberMovement(member=m, kind=MovementKind.TRANSFERRED_IN, date=on, organisation=into, note=note)
            for m in members
        ]
    )
    Member.objects.filter(pk__in=[m.pk for m in members]).update(cell=into)
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
def organisation_merge(*, organisation: Organisation, into: Organisation, on: datetime.date) -> Organisation:
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
    _move_on_merge(Member.objects.filter(cell=organisation), organisation, into, on)
    organisation.dissolved_on = on
    organisation.merged_into = into
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
def member_transfer(*, member: Member, to_cell: Organisation, on: datetime.date, note: str = "") -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if to_cell.level not in CELL_LEVELS:
        raise ValidationError({"to_cell": _("Chỉ chuyển sinh hoạt đến một chi bộ.")})
    if not to_cell.active_on(on):
        raise ValidationError({"to_cell": _("Chi bộ “%(org)s” không hoạt động vào ngày này.") % {"org": to_cell.name}})
    if not member.is_active:
        raise ValidationError({"member": _("Người này không còn trong danh sách đảng viên.")})
    if member.cell_id == to_cell.pk:
        raise ValidationError({"to_cell": _("Đảng viên đã sinh hoạt ở chi bộ này.")})
    MemberMovement.objects.create(
        member=member, kind=MovementKind.TRANSFERRED_OUT, date=on, organisation=member.cell, note=note
    )
    MemberMovement.objects.create(
        member=member, kind=MovementKind.TRANSFERRED_IN, date=on, organisation=to_cell, note=note
    )
    _recompute(member.cell, to_cell)
    member.cell = to_cell
    member.save(update_fields=["cell"])
    return member


@transaction.atomic
def member_record_exit(*, member: Member, kind: str, on: datetime.date, note: str = "") -> Member:
    """Death, striking off, expulsion, or a transfer out of the province."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if kind not in OUTGOING_MOVEMENTS:
        raise ValidationError({"kind": _("Loại biến động không hợp lệ cho việc ra khỏi danh sách.")})
    if not member.is_active:
        raise ValidationError({"member": _("Người này không còn trong danh sách đảng viên.")})
    movement = MemberMovement(member=member, kind=kind, date=on, organisation=member.cell, note=note)
    movement.full_clean()
    movement.save()
    member.status = MemberStatus.LEFT
    member.save(update_fields=["status"])
    _recompute(member.cell)
    return member
