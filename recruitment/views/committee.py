"""The committee's queue of dossiers and sending a dossier back to the cell."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import scoping
from members import selectors as member_selectors
from partyhub.forms import show_refusal
from partyhub.pagination import paginate

from .. import rule_numbers as N
from .. import scoping as pipeline_scoping
from .. import services
from ..forms import ReturnForm
from ..permissions import COMMITTEE_ROLES, is_committee_over
from ..selectors import committee as selectors
from ..services import StepRefused

ROWS_PER_PAGE = 25


@login_required
@require_http_methods(["GET"])
def queue(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    if not is_committee_over(request.user, organisation):
        raise PermissionDenied
    today = timezone.localdate()
    page, querystring = paginate(request, selectors.queue_candidates(organisation), ROWS_PER_PAGE)
    context = {
        "organisation": organisation,
        "breadcrumbs": member_selectors.ancestors_within(
            organisation, None if request.user.is_superuser else scoping.root_paths(request.user)
        ),
        "page": page,
        "querystring": querystring,
        "rows": selectors.queue_rows(page.object_list, today),
        "summary": selectors.queue_summary(organisation, today),
        "today": today,
        "limit": N.DECISION_WORKING_DAYS,
        "extension": N.DECISION_EXTENSION_WORKING_DAYS,
        "near": selectors.NEAR_LIMIT_WORKING_DAYS,
    }
    return render(request, "recruitment/committee_queue.html", context)


def _back_to(request, candidate) -> str:
    """Where to go after a return: the page the committee came from, else its queue."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    over = [
        ra.organisation
        for ra in scoping.role_assignments(request.user)
        if ra.role in COMMITTEE_ROLES and candidate.cell.path.startswith(ra.organisation.path)
    ]
    if over:
        nearest = max(over, key=lambda o: len(o.path))
        return reverse("recruitment:committee_queue", args=[nearest.pk])
    return reverse("recruitment:candidate", args=[candidate.pk])


@login_required
@require_http_methods(["GET", "POST"])
def return_dossier(request, pk):
    candidate = pipeline_scoping.candidate_for_user_or_404(request.user, pk)
    if not is_committee_over(request.user, candidate.cell):
        raise PermissionDenied
    returnable = candidate.stage in selectors.WAITING_STAGES
    form = ReturnForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and returnable and form.is_valid():
        try:
            record = services.committee_return_dossier(candidate=candidate, by=request.user, **form.cleaned_data)
        except StepRefused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(
                request,
                _("Đã trả lại hồ sơ của %(name)s cho %(cell)s: %(reason)s")
                % {"name": candidate.person.full_name, "cell": candidate.cell.name, "reason": record.reason},
            )
            return redirect(_back_to(request, candidate))
    visible_roots = None if request.user.is_superuser else scoping.root_paths(request.user)
    context = {
        "candidate": candidate,
        "breadcrumbs": [*member_selectors.ancestors_within(candidate.cell, visible_roots), candidate.cell],
        "form": form,
        "returnable": returnable,
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "recruitment/return_dossier.html", context)
