"""The roll's movements (transfer, exit, re-admission) and the tree's changes (create, rename, dissolve,
merge, split): scope or 404, permission or 403, form, service, redirect. Destructive changes are shown
as a summary first and made on the second submit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partyhub.forms import show_refusal

from . import scoping, selectors, services
from .forms import (
    CreateUnitForm,
    DissolveForm,
    ExitForm,
    MergeForm,
    ReadmitForm,
    RenameForm,
    SplitForm,
    TransferForm,
    TransferInForm,
)
from .models import MemberTransfer, Organisation
from .permissions import (
    may_cancel_transfer,
    may_confirm_transfer,
    may_record_movements,
    may_reorganise,
    may_reorganise_under,
)
from .vocabulary import CELL_LEVELS, MemberStatus, TransferStatus


def _visible_roots(user):
    return None if user.is_superuser else scoping.root_paths(user)


def _crumbs(user, organisation, *, include_self=True):
    crumbs = selectors.ancestors_within(organisation, _visible_roots(user))
    return [*crumbs, organisation] if include_self else crumbs


def _member_in_scope(request, pk):
    member = scoping.member_for_user_or_404(request.user, pk)
    if not may_record_movements(request.user, member.cell):
        raise PermissionDenied
    return member


def _refuse(request, obj, message, organisation=None):
    """An action the object's state does not allow: back to its page with why (not a 404: it exists)."""
    messages.warning(request, message)
    if obj is None:
        return redirect("members:transfers", pk=organisation.pk)
    return redirect(obj)


def _render(request, template, context):
    return render(request, f"members/{template}", context)


# --- a member's movements -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def member_transfer(request, pk):
    member = _member_in_scope(request, pk)
    if not member.is_active:
        return _refuse(request, member, _("Người này không còn trong danh sách đảng viên."))
    form = TransferForm(request.POST or None, member=member, cells=scoping.organisations_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["where"] == TransferForm.OUT:
                services.member_transfer_out_of_province(
                    member=member, destination=data["destination"], on=data["on"], note=data["note"], by=request.user
                )
                messages.success(request, _("Đã ghi chuyển sinh hoạt đi tỉnh khác."))
            else:
                services.transfer_request(
                    member=member, to_cell=data["to_cell"], on=data["on"], note=data["note"], by=request.user
                )
                messages.success(request, _("Đã gửi đề nghị; chuyển sinh hoạt khi chi bộ nơi đến xác nhận."))
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            return redirect(member)
    context = {"member": member, "form": form, "breadcrumbs": _crumbs(request.user, member.cell)}
    return _render(request, "member_transfer.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_exit(request, pk):
    member = _member_in_scope(request, pk)
    if not member.is_active:
        return _refuse(request, member, _("Người này không còn trong danh sách đảng viên."))
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.confirmed:
        data = form.cleaned_data
        try:
            services.member_record_exit(
                member=member, kind=data["kind"], on=data["on"], note=data["note"], by=request.user
            )
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Đã ghi biến động."))
            return redirect(member)
    context = {
        "member": member,
        "form": form,
        "preview": request.method == "POST" and form.is_valid() and not form.errors,
        "breadcrumbs": _crumbs(request.user, member.cell),
    }
    return _render(request, "member_exit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_readmit(request, pk):
    member = _member_in_scope(request, pk)
    if member.status != MemberStatus.LEFT:
        return _refuse(request, member, _("Người này đang là đảng viên."))
    form = ReadmitForm(
        request.POST or None, cells=scoping.organisations_for(request.user), initial={"to_cell": member.cell}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_readmit(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Đã ghi kết nạp lại."))
            return redirect(member)
    context = {"member": member, "form": form, "breadcrumbs": _crumbs(request.user, member.cell)}
    return _render(request, "member_readmit.html", context)


# --- transfers waiting for a receiving cell ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transfers(request, pk):
    """Transfers into the cells of this unit that wait for confirmation, and those sent from them."""
    organisation = scoping.organisation_for_user_or_404(request.user, pk)
    pending = MemberTransfer.objects.filter(status=TransferStatus.PENDING).select_related(
        "person", "from_cell", "to_cell", "requested_by"
    )
    incoming = list(pending.filter(to_cell__path__startswith=organisation.path).order_by("date", "pk"))
    outgoing = list(pending.filter(from_cell__path__startswith=organisation.path).order_by("date", "pk"))
    if request.method == "POST":
        by_id = {t.pk: t for t in incoming + outgoing}
        raw = request.POST.get("transfer", "")
        transfer = by_id.get(int(raw)) if raw.isdigit() else None
        if transfer is None:
            return _refuse(request, None, _("Không tìm thấy đề nghị đang chờ trong phạm vi này."), organisation)
        action = request.POST.get("action")
        try:
            if action == "confirm":
                if not may_confirm_transfer(request.user, transfer):
                    raise PermissionDenied(_("Chỉ chi bộ nơi đến xác nhận việc chuyển sinh hoạt."))
                services.transfer_confirm(transfer=transfer, by=request.user)
                messages.success(
                    request,
                    _("Đã xác nhận: %(name)s sinh hoạt tại %(cell)s.")
                    % {"name": transfer.person.full_name, "cell": transfer.to_cell.name},
                )
            elif action == "cancel":
                if not may_cancel_transfer(request.user, transfer):
                    raise PermissionDenied
                services.transfer_cancel(transfer=transfer, by=request.user)
                messages.success(request, _("Đã hủy đề nghị chuyển sinh hoạt."))
            else:
                messages.error(request, _("Hãy chọn xác nhận hoặc hủy đề nghị."))
        except ValidationError as refusal:
            for message in refusal.messages:
                messages.error(request, message)
        return redirect("members:transfers", pk=organisation.pk)
    rows = [
        {
            "transfer": t,
            "incoming": t in incoming,
            "from_name": t.origin
            if t.from_cell is None
            else (
                t.from_cell.name
                if scoping.sees_organisation(request.user, t.from_cell)
                else _("chi bộ khác trong tỉnh")
            ),
            "to_name": t.to_cell.name
            if scoping.sees_organisation(request.user, t.to_cell)
            else _("chi bộ khác trong tỉnh"),
            "can_confirm": t in incoming and may_confirm_transfer(request.user, t),
            "can_cancel": may_cancel_transfer(request.user, t),
        }
        for t in incoming + [t for t in outgoing if t not in incoming]
    ]
    context = {
        "organisation": organisation,
        "rows": rows,
        "breadcrumbs": _crumbs(request.user, organisation, include_self=False),
        "can_receive": organisation.level in CELL_LEVELS and may_record_movements(request.user, organisation),
    }
    return _render(request, "transfers.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_in(request, pk):
    """A member coming from another province, waiting for this cell's confirmation."""
    cell = scoping.organisation_for_user_or_404(request.user, pk)
    if cell.level not in CELL_LEVELS or not may_record_movements(request.user, cell):
        raise PermissionDenied
    form = TransferInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        person_fields = {f: data.pop(f) for f in TransferInForm.PERSON_FIELDS}
        try:
            services.transfer_in_request(to_cell=cell, person_fields=person_fields, by=request.user, **data)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Đã ghi; đảng viên vào danh sách khi chi bộ xác nhận."))
            return redirect("members:transfers", pk=cell.pk)
    context = {"organisation": cell, "form": form, "breadcrumbs": _crumbs(request.user, cell)}
    return _render(request, "transfer_in.html", context)


# --- the tree's changes -------------------------------------------------------------------------------


def _unit_for(request, pk, *, under: bool):
    organisation = scoping.organisation_for_user_or_404(request.user, pk)
    allowed = may_reorganise_under if under else may_reorganise
    if not allowed(request.user, organisation):
        raise PermissionDenied
    return organisation


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request, pk):
    parent = _unit_for(request, pk, under=True)
    form = CreateUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.organisation_create(parent=parent, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Đã lập %(name)s.") % {"name": created.name})
            return redirect(created)
    context = {"organisation": parent, "form": form, "breadcrumbs": _crumbs(request.user, parent)}
    return _render(request, "unit_create.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_rename(request, pk):
    organisation = _unit_for(request, pk, under=False)
    form = RenameForm(request.POST or None, initial={"name": organisation.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_rename(organisation=organisation, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Đã đổi tên."))
            return redirect(organisation)
    context = {"organisation": organisation, "form": form, "breadcrumbs": _crumbs(request.user, organisation)}
    return _render(request, "unit_rename.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_dissolve(request, pk):
    organisation = _unit_for(request, pk, under=False)
    form = DissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.confirmed:
        try:
            services.organisation_dissolve(organisation=organisation, by=request.user, **_without_confirm(form))
        except ValidationError as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Đã ghi giải thể."))
            return redirect(organisation)
    context = {
        "organisation": organisation,
        "form": form,
        "preview": request.method == "POST" and form.is_valid() and not form.errors,
        "counts": selectors.node_counts([organisation])[organisation.pk],
        "breadcrumbs": _crumbs(request.user, organisation),
    }
    return _render(request, "unit_dissolve.html", context)


def _without_confirm(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "xac_nhan"}


@login_required
@require_http_methods(["GET", "POST"])
def unit_merge(request, pk):
    """Merge several units under this one into one of them or into a new unit."""
    parent = _unit_for(request, pk, under=True)
    children = Organisation.objects.get_children(parent).filter(dissolved_on__isnull=True).order_by("name")
    form = MergeForm(request.POST or None, children=children)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        into = data["into"] if data["target"] == MergeForm.INTO_EXISTING else None
        sources = [o for o in data["sources"] if into is None or o.pk != into.pk]
        if form.confirmed:
            try:
                if into is None:
                    into = services.organisations_merge_into_new(
                        organisations=sources,
                        parent=parent,
                        code=data["new_code"],
                        name=data["new_name"],
                        on=data["on"],
                        by=request.user,
                    )
                else:
                    services.organisations_merge(organisations=sources, into=into, on=data["on"], by=request.user)
            except ValidationError as refusal:
                show_refusal(form, refusal, rename={"organisations": "sources", "code": "new_code", "name": "new_name"})
            else:
                messages.success(request, _("Đã sáp nhập vào %(name)s.") % {"name": into.name})
                return redirect(into)
        else:
            preview = selectors.moving_members(sources)
            if not sources:
                form.add_error("sources", _("Hãy chọn ít nhất một đơn vị khác đơn vị nhận."))
                preview = None
    context = {
        "organisation": parent,
        "form": form,
        "preview": preview,
        "breadcrumbs": _crumbs(request.user, parent),
    }
    return _render(request, "unit_merge.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_split(request, pk):
    """Split a cell into new cells, choosing where each member goes."""
    cell = _unit_for(request, pk, under=False)
    if cell.level not in CELL_LEVELS or cell.dissolved_on:
        return _refuse(request, cell, _("Chỉ chia tách được chi bộ đang hoạt động."))
    members = selectors.active_members_of(cell)
    form = SplitForm(request.POST or None, members=members)
    preview = None
    if request.method == "POST" and form.is_valid():
        parts, assignment = form.assignment()
        if form.confirmed:
            try:
                created = services.organisation_split(
                    organisation=cell, parts=parts, assignment=assignment, on=form.cleaned_data["on"], by=request.user
                )
            except ValidationError as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(request, _("Đã chia tách thành %(n)d chi bộ.") % {"n": len(created)})
                return redirect(cell)
        else:
            missing = [m for m in members if m.pk not in assignment]
            if missing:
                form.add_error(
                    None,
                    _("Còn %(n)d đảng viên chưa được chọn chi bộ mới: %(names)s.")
                    % {"n": len(missing), "names": ", ".join(m.person.full_name for m in missing[:5])},
                )
            elif len(parts) < 2:
                form.add_error(None, _("Chia tách cần ít nhất hai chi bộ mới."))
            else:
                preview = [
                    {"part": part, "members": [m for m in members if assignment[m.pk] == index]}
                    for index, part in enumerate(parts)
                ]
    context = {"organisation": cell, "form": form, "preview": preview, "breadcrumbs": _crumbs(request.user, cell)}
    return _render(request, "unit_split.html", context)
