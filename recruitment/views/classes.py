"""Party-awareness classes: list, create, roster, enrolment and the results of a whole class."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import scoping
from members import selectors as member_selectors
from partyhub.forms import show_refusal
from partyhub.pagination import paginate

from .. import services
from ..forms import ClassEnrolForm, ClassForm, ResultsForm
from ..permissions import is_committee_over
from ..selectors import classes as selectors
from ..services import StepRefused

CLASSES_PER_PAGE = 20
# People offered on the enrolment page at once (by cell, then name); the search by name finds the others.
ENROL_CHOICES_SHOWN = 200


def _visible_roots(user) -> list[str] | None:
    return None if user.is_superuser else scoping.root_paths(user)


def _org_breadcrumbs(user, organisation):
    return member_selectors.ancestors_within(organisation, _visible_roots(user))


def _class_breadcrumbs(user, party_class, *, link_class: bool = False) -> list:
    """The organiser's ancestors the user may see, the organiser if they may see it, then the class."""
    organiser = party_class.organiser
    crumbs = member_selectors.ancestors_within(organiser, _visible_roots(user))
    if scoping.sees_organisation(user, organiser):
        crumbs.append(organiser)
    return [*crumbs, party_class] if link_class else crumbs


def _class_for_committee(user, pk):
    party_class = selectors.class_for_user_or_404(user, pk)
    if not is_committee_over(user, party_class.organiser):
        raise PermissionDenied
    return party_class


@login_required
@require_http_methods(["GET"])
def class_list(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    page, querystring = paginate(request, selectors.classes_for_organisation(organisation), CLASSES_PER_PAGE)
    context = {
        "organisation": organisation,
        "breadcrumbs": _org_breadcrumbs(request.user, organisation),
        "page": page,
        "querystring": querystring,
        "can_create": is_committee_over(request.user, organisation),
        "managed": {c.pk for c in page.object_list if is_committee_over(request.user, c.organiser)},
        # A class held by a committee above the user's subtree says "the committee above", not its name.
        "named": {c.pk for c in page.object_list if scoping.sees_organisation(request.user, c.organiser)},
    }
    return render(request, "recruitment/classes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def class_create(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    if not is_committee_over(request.user, organisation):
        raise PermissionDenied
    form = ClassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            party_class = services.class_create(organiser=organisation, by=request.user, **form.cleaned_data)
        except StepRefused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(request, _("Đã mở lớp “%(name)s”.") % {"name": party_class.name})
            return redirect(party_class)
    context = {
        "organisation": organisation,
        "breadcrumbs": [*_org_breadcrumbs(request.user, organisation), organisation],
        "form": form,
    }
    return render(request, "recruitment/class_create.html", context)


@login_required
@require_http_methods(["GET"])
def class_detail(request, pk):
    party_class = selectors.class_for_user_or_404(request.user, pk)
    context = {
        "party_class": party_class,
        "organiser_named": scoping.sees_organisation(request.user, party_class.organiser),
        "breadcrumbs": _class_breadcrumbs(request.user, party_class),
        "roster": selectors.class_roster(party_class, request.user),
        "can_manage": is_committee_over(request.user, party_class.organiser),
    }
    return render(request, "recruitment/class_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def class_enrol(request, pk):
    party_class = _class_for_committee(request.user, pk)
    candidates = selectors.enrollable_candidates(party_class, request.user)
    # Everyone enrollable is a valid choice; the page lists at most ENROL_CHOICES_SHOWN of them, narrowed by name.
    form = ClassEnrolForm(request.POST or None, candidates=candidates)
    query = request.GET.get("q", "").strip()[:100]
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["candidates"])
        try:
            services.class_enroll_candidates(party_class=party_class, candidates=chosen, by=request.user)
        except StepRefused as refusal:
            show_refusal(form, refusal)
        else:
            messages.success(
                request, _("Đã cử %(n)s người đi học lớp “%(name)s”.") % {"n": len(chosen), "name": party_class.name}
            )
            return redirect(party_class)
    has_choices = candidates.exists()
    shown = candidates.filter(person__full_name__icontains=query) if query else candidates
    total = shown.count() if has_choices else 0
    form.fields["candidates"].queryset = shown[:ENROL_CHOICES_SHOWN]
    context = {
        "party_class": party_class,
        "breadcrumbs": _class_breadcrumbs(request.user, party_class, link_class=True),
        "form": form,
        "has_choices": has_choices,
        "query": query,
        "total": total,
        "shown": min(total, ENROL_CHOICES_SHOWN),
    }
    return render(request, "recruitment/class_enrol.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def class_results(request, pk):
    party_class = _class_for_committee(request.user, pk)
    enrolments = selectors.enrolments_awaiting_results(party_class, request.user)
    form = ResultsForm(request.POST or None, party_class=party_class, enrolments=enrolments)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.class_record_results(party_class=party_class, results=form.results(), by=request.user)
        except StepRefused as refusal:
            form.show_refusal(refusal)
        else:
            messages.success(request, _("Đã ghi kết quả học tập của %(n)s người.") % {"n": recorded})
            return redirect(party_class)
    rows = form.rows()
    context = {
        "party_class": party_class,
        "breadcrumbs": _class_breadcrumbs(request.user, party_class, link_class=True),
        "form": form,
        "rows": rows,
        "row_errors": any(row.errors for row in rows),
    }
    return render(request, "recruitment/class_results.html", context)
