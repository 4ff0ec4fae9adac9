"""One candidate: proposing them, their page and timeline, each step, exits and verification.

Every view answers 404 outside the user's subtree (members.scoping) and 403 when the user may see
the candidate but not record the step (recruitment.permissions). A step the rules refuse re-renders
its form with the service's messages and saves nothing.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from members import scoping
from members.models import Organisation
from partyhub import audit
from partyhub.forms import show_refusal

from .. import forms, permissions
from .. import scoping as pipeline_scoping
from ..models import VerificationRequest
from ..papers import selectors as papers
from ..papers.catalogue import PAPERS
from ..selectors import corrections as correction_view
from ..selectors import pipeline
from ..vocabulary import EXITS_FROM, NEXT_STEP, OPEN_STAGES, Stage

GET_POST = require_http_methods(["GET", "POST"])


@dataclass(frozen=True)
class Crumb:
    """A breadcrumb that is not an organisation (the candidate, on the pages of their steps)."""

    name: str
    url: str

    def get_absolute_url(self) -> str:
        return self.url


def _breadcrumbs(user, cell, ancestors=None, candidate=None) -> list:
    ancestors = ancestors if ancestors is not None else list(Organisation.objects.get_ancestors(cell))
    crumbs = [*pipeline.visible_ancestors(user, ancestors), cell]
    if candidate is not None:
        crumbs.append(Crumb(candidate.person.full_name, candidate.get_absolute_url()))
    return crumbs


def _submit(request, form) -> tuple[object | None, list]:
    """Validate and record; on refusal put the messages on the form. Returns (record, findings)."""
    if request.method != "POST" or not form.is_valid():
        return None, []
    try:
        return form.record(by=request.user), []
    except ValidationError as error:
        show_refusal(form, error)
        return None, [f for f in getattr(error, "findings", []) if not f.blocks]


@login_required
@GET_POST
def propose(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    form = forms.ProposeForm(
        request.POST or None,
        organisation=organisation,
        user=request.user,
        initial={"cell": request.GET.get("cell", "")},
    )
    candidate, _findings = _submit(request, form)
    if candidate is not None:
        messages.success(
            request,
            _("Đã đưa “%(name)s” vào danh sách quần chúng ưu tú của %(cell)s.")
            % {"name": candidate.person.full_name, "cell": candidate.cell.name},
        )
        return redirect(candidate)
    context = {
        "organisation": organisation,
        "breadcrumbs": [
            *_breadcrumbs(request.user, organisation),
            Crumb(_("Phát triển đảng viên"), reverse("recruitment:board", args=[organisation.pk])),
        ],
        "form": form,
    }
    return render(request, "recruitment/propose.html", context)


def _replies(file) -> bool:
    """Does the page show a reply of the background verification (thẩm tra lý lịch)?"""
    return any(v.replied_on for v in file.verifications)


@login_required
@require_GET
def detail(request, pk):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    file = pipeline.candidate_file(candidate)
    candidate, user = file.candidate, request.user
    step_form = None
    if file.next_step and permissions.can_record(user, file.next_step, candidate.cell):
        step_form = forms.STEP_FORMS[file.next_step](candidate=candidate)
    can_return = candidate.stage in (Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW) and permissions.can_record(
        user, "return", candidate.cell
    )
    show_sensitive = scoping.can_see_sensitive(user, candidate.cell)
    for e in file.timeline:
        if e.kind == "correction":
            e.extra.update(title=correction_view.title(e.record), rows=correction_view.rows(e.record, show_sensitive))
    # The log of sensitive reads (partyhub/audit.py), one row for this page: the personal fields to the
    # sensitive-data roles, the background verification's replies to whoever the page shows them.
    shown = [*(audit.PERSONAL if show_sensitive else ()), *([audit.VERIFICATION] if _replies(file) else [])]
    audit.sensitive_shown(user, fields=shown, where="candidate_page", people=[candidate.person_id])
    context = {
        **correction_view.timeline_links(user, file),
        "candidate": candidate,
        "person": candidate.person,
        "file": file,
        "breadcrumbs": _breadcrumbs(user, candidate.cell, file.ancestors),
        "show_sensitive": show_sensitive,
        "step_form": step_form,
        "waiting_for": NEXT_STEP.get(candidate.stage, ""),
        "can_return": can_return,
        "exit_kinds": [(k, Stage(k).label) for k in pipeline.exit_kinds_for(user, candidate)],
        "can_verify": candidate.stage in OPEN_STAGES and permissions.can_record(user, "verification", candidate.cell),
        "today": timezone.localdate(),
        **_papers_context(file),
    }
    return render(request, "recruitment/candidate.html", context)


def _papers_context(file) -> dict:
    """The papers of the recorded steps and the scans on file (one query: the scans)."""
    steps = papers.recorded_steps_of(file.timeline)
    available = papers.available_papers(steps, has_introductions=papers.has_introductions(file.timeline))
    return {
        "papers": [PAPERS[slug] for slug in available],
        "attachments": papers.attachments_of(file.candidate),
        "can_attach": bool(steps),
    }


@login_required
@GET_POST
def step(request, pk, step):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    form_class = forms.STEP_FORMS.get(step)
    if form_class is None:
        raise Http404(_("Không có bước này."))
    if not permissions.can_record(request.user, step, candidate.cell):
        raise PermissionDenied(_("Bước này do cấp ủy cấp trên ghi nhận."))
    form = form_class(request.POST or None, candidate=candidate)
    record, findings = _submit(request, form)
    if record is not None:
        messages.success(
            request,
            _("Đã ghi nhận “%(step)s” cho %(name)s.") % {"step": form.title, "name": candidate.person.full_name},
        )
        return redirect(candidate)
    context = {
        "candidate": candidate,
        "breadcrumbs": _breadcrumbs(request.user, candidate.cell, candidate=candidate),
        "form": form,
        "findings": findings,
        "expected_step": pipeline.next_step_for(candidate),
    }
    return render(request, "recruitment/step.html", context)


@login_required
@GET_POST
def exit(request, pk):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    kinds = pipeline.exit_kinds_for(request.user, candidate)
    if EXITS_FROM.get(candidate.stage) and not kinds:
        raise PermissionDenied(_("Ở giai đoạn này chỉ cấp ủy cấp trên mới ghi được."))
    form = forms.ExitForm(request.POST or None, candidate=candidate, kinds=kinds)
    if request.method == "GET" and request.GET.get("kind") in kinds:
        form.fields["kind"].initial = request.GET["kind"]
    record, _findings = _submit(request, form) if kinds else (None, [])
    if record is not None:
        messages.success(
            request,
            _("Đã ghi “%(kind)s” cho %(name)s.")
            % {"kind": record.get_kind_display(), "name": candidate.person.full_name},
        )
        return redirect(candidate)
    context = {
        "candidate": candidate,
        "breadcrumbs": _breadcrumbs(request.user, candidate.cell, candidate=candidate),
        "form": form,
        "kinds": kinds,
    }
    return render(request, "recruitment/exit.html", context)


@login_required
@GET_POST
def verification_add(request, pk):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    if not permissions.can_record(request.user, "verification", candidate.cell):
        raise PermissionDenied
    form = forms.VerificationForm(request.POST or None, candidate=candidate)
    record, _findings = _submit(request, form)
    if record is not None:
        messages.success(request, _("Đã ghi yêu cầu thẩm tra lý lịch gửi %(to)s.") % {"to": record.sent_to})
        return redirect(candidate)
    context = {
        "candidate": candidate,
        "breadcrumbs": _breadcrumbs(request.user, candidate.cell, candidate=candidate),
        "form": form,
        "title": _("Gửi yêu cầu thẩm tra lý lịch"),
    }
    return render(request, "recruitment/verification_form.html", context)


@login_required
@GET_POST
def verification_reply(request, pk):
    queryset = VerificationRequest.objects.select_related("candidate__person", "candidate__cell")
    try:
        verification = scoping.scoped(queryset, request.user, "candidate__cell__path").get(pk=pk)
    except VerificationRequest.DoesNotExist:
        raise Http404(_("Không tìm thấy yêu cầu thẩm tra trong phạm vi của bạn.")) from None
    candidate = verification.candidate
    if not permissions.can_record(request.user, "verification", candidate.cell):
        raise PermissionDenied
    form = forms.VerificationReplyForm(request.POST or None, request=verification)
    record, _findings = _submit(request, form)
    if record is not None:
        messages.success(request, _("Đã ghi trả lời của %(to)s.") % {"to": record.sent_to})
        return redirect(candidate)
    context = {
        "candidate": candidate,
        "breadcrumbs": _breadcrumbs(request.user, candidate.cell, candidate=candidate),
        "form": form,
        "verification": verification,
        "title": _("Ghi kết quả thẩm tra lý lịch"),
    }
    return render(request, "recruitment/verification_form.html", context)
