"""Corrections of a candidate's record: the details, a recorded step, undoing the latest step.

As the step pages: 404 outside the user's subtree, 403 when the user may see the candidate but not
record (so not correct) the step, the service's refusal shown on the form and nothing saved. Undoing
deletes a record, so it has its own confirmation page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from members import scoping
from members.models import Organisation
from partyhub.forms import show_refusal

from .. import forms, permissions
from .. import scoping as pipeline_scoping
from ..models import VerificationRequest
from ..selectors import pipeline
from ..services import corrections
from .candidate import GET_POST, Crumb


def _breadcrumbs(user, candidate) -> list:
    """The cell's ancestors the user sees, the cell, then the candidate (as on the step pages)."""
    cell = candidate.cell
    ancestors = list(Organisation.objects.get_ancestors(cell))
    return [
        *pipeline.visible_ancestors(user, ancestors),
        cell,
        Crumb(candidate.person.full_name, candidate.get_absolute_url()),
    ]


def _submit(request, form) -> tuple[object | None, list]:
    """Validate and correct; on refusal put the messages on the form. Returns (correction, warnings)."""
    if request.method != "POST" or not form.is_valid():
        return None, []
    try:
        return form.record(by=request.user), []
    except ValidationError as error:
        show_refusal(form, error)
        return None, [f for f in getattr(error, "findings", []) if not f.blocks]


def _page(request, candidate, form, *, title, template="recruitment/correction.html", **more):
    context = {
        "candidate": candidate,
        "breadcrumbs": _breadcrumbs(request.user, candidate),
        "form": form,
        "title": title,
        **more,
    }
    return render(request, template, context)


def _done(request, candidate, correction):
    messages.success(
        request,
        _("Đã sửa “%(kind)s” của %(name)s; lý do đã ghi vào quá trình.")
        % {"kind": corrections.kind_label(correction.kind), "name": candidate.person.full_name},
    )
    return redirect(candidate)


@login_required
@GET_POST
def details(request, pk):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    if not permissions.can_correct(request.user, corrections.DETAILS, candidate.cell):
        raise PermissionDenied(_("Bạn không sửa được thông tin của người này."))
    form = forms.DetailsForm(request.POST or None, candidate=candidate, user=request.user)
    correction, _findings = _submit(request, form)
    if correction is not None:
        return _done(request, candidate, correction)
    return _page(request, candidate, form, title=form.title, may_see_sensitive=form.may_see_sensitive)


@login_required
@GET_POST
def correct_step(request, pk, step):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    if step not in corrections.STEP_FIELDS or step == "verification":
        raise Http404(_("Không có bước này."))
    if not permissions.can_correct(request.user, step, candidate.cell):
        raise PermissionDenied(_("Bước này do cấp ủy cấp trên ghi nhận, nên cũng do cấp ủy cấp trên sửa."))
    record = corrections.step_record(candidate, step)
    if record is None:
        title = _("Sửa: %(kind)s") % {"kind": corrections.kind_label(step)}
        return _page(request, candidate, None, title=title, nothing=_("Chưa có bản ghi của bước này để sửa."))
    form = forms.StepCorrectionForm(request.POST or None, candidate=candidate, step=step, record=record)
    correction, findings = _submit(request, form)
    if correction is not None:
        return _done(request, candidate, correction)
    return _page(request, candidate, form, title=form.title, findings=findings)


@login_required
@GET_POST
def correct_verification(request, pk):
    queryset = VerificationRequest.objects.select_related("candidate__person", "candidate__cell")
    try:
        verification = scoping.scoped(queryset, request.user, "candidate__cell__path").get(pk=pk)
    except VerificationRequest.DoesNotExist:
        raise Http404(_("Không tìm thấy yêu cầu thẩm tra trong phạm vi của bạn.")) from None
    candidate = verification.candidate
    if not permissions.can_correct(request.user, "verification", candidate.cell):
        raise PermissionDenied
    form = forms.StepCorrectionForm(request.POST or None, candidate=candidate, step="verification", record=verification)
    correction, _findings = _submit(request, form)
    if correction is not None:
        return _done(request, candidate, correction)
    return _page(request, candidate, form, title=form.title)


@login_required
@GET_POST
def undo(request, pk):
    """The confirmation page (GET), then the undo itself (POST, with the reason)."""
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    latest = corrections.latest_step(candidate)
    title = _("Hoàn tác bước mới nhất")
    if latest is None or not latest.undoable:
        nothing = _("Chưa có bước nào sau khi đưa vào diện quần chúng ưu tú để hoàn tác.")
        return _page(request, candidate, None, title=title, template="recruitment/undo.html", nothing=nothing)
    if not permissions.can_correct(request.user, latest.kind, candidate.cell):
        raise PermissionDenied(_("Bước mới nhất do cấp ủy cấp trên ghi nhận, nên cũng do cấp ủy cấp trên hoàn tác."))
    form = forms.UndoForm(request.POST or None, candidate=candidate, initial={"entry": latest.entry.pk})
    correction, _findings = _submit(request, form)
    if correction is not None:
        messages.success(
            request,
            _("Đã hoàn tác “%(kind)s”; %(name)s trở lại giai đoạn “%(stage)s”.")
            % {
                "kind": latest.label,
                "name": candidate.person.full_name,
                "stage": latest.previous.get_stage_display(),
            },
        )
        return redirect(candidate)
    return _page(request, candidate, form, title=title, template="recruitment/undo.html", latest=latest)
