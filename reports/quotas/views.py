"""The quota screen of a unit: scope, read through the screen, forms, service, redirect."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members import scoping
from recruitment.permissions import is_committee_over

from ..dashboard import selectors as dashboard_selectors
from ..navigation import breadcrumbs
from ..progress import periods
from ..progress.terms import load_unit_terms
from . import screen as quota_screen
from .forms import ChildQuotasForm, OwnQuotaForm, QuotaPeriodForm, TermDatesForm
from .screen import ChildRowsRefused, quota_assign_children


def _quota_period(request, today: datetime.date) -> tuple[QuotaPeriodForm, periods.Period, str]:
    form = QuotaPeriodForm(request.GET or None, today=today)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["period"], form.cleaned_data["source"]
    return form, periods.year(today.year), quota_screen.DEFAULT_SOURCE


@login_required
@require_http_methods(["GET", "POST"])
def quotas(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    if not is_committee_over(request.user, organisation):
        raise PermissionDenied
    today = timezone.localdate()
    period_form, period, source = _quota_period(request, today)
    screen = quota_screen.load(organisation=organisation, period=period, source=source)
    children_form = ChildQuotasForm(
        request.POST if request.POST.get("form") == "children" else None, rows=screen.children
    )
    editing = quota_screen.quota_to_edit(organisation, request.GET.get("sua"))
    own_form = OwnQuotaForm(
        request.POST if request.POST.get("form") == "own" else None,
        initial=OwnQuotaForm.initial_for(editing, period=period, source=source),
        today=today,
        editing=editing,
    )
    term_form = TermDatesForm(request.POST if request.POST.get("form") == "term" else None, today=today)
    here = f"{reverse('reports:quotas', args=[organisation.pk])}?{urlencode({'ky': period.key, 'nguon': source})}"
    if request.method == "POST" and children_form.is_bound and children_form.is_valid():
        try:
            changed = quota_assign_children(
                parent=organisation, period=period, source=source, values=children_form.changes(), by=request.user
            )
        except ChildRowsRefused as refusal:
            children_form.show_refusal(refusal)
        else:
            if changed:
                messages.success(request, _("Đã lưu chỉ tiêu của %(n)s đơn vị trực thuộc.") % {"n": changed})
            else:
                messages.info(request, _("Không có chỉ tiêu nào thay đổi."))
            return redirect(here)
    if request.method == "POST" and own_form.is_bound and own_form.is_valid():
        try:
            own_form.save(organisation=organisation, by=request.user)
        except ValidationError as refusal:
            own_form.show_refusal(refusal)
        else:
            messages.success(request, _("Đã lưu chỉ tiêu của %(org)s.") % {"org": organisation.name})
            return redirect(here)
    if request.method == "POST" and term_form.is_bound and term_form.is_valid():
        try:
            term = term_form.save(organisation=organisation, by=request.user)
        except ValidationError as refusal:
            term_form.show_refusal(refusal)
        else:
            messages.success(
                request,
                _("Đã lưu nhiệm kỳ %(term)s của %(org)s: %(a)s – %(b)s.")
                % {
                    "term": f"{term.first_year}-{term.first_year + periods.TERM_YEARS}",
                    "org": organisation.name,
                    "a": term.start.strftime("%d/%m/%Y"),
                    "b": term.end.strftime("%d/%m/%Y"),
                },
            )
            return redirect(here)
    context = {
        "organisation": organisation,
        "breadcrumbs": [*breadcrumbs(request.user, organisation), organisation],
        "period": period,
        "period_label": dashboard_selectors.period_label(period),
        "source": source,
        "period_form": period_form,
        "screen": screen,
        "rows": children_form.rows(),
        "children_form": children_form,
        "own_form": own_form,
        "editing": editing,
        "existing": quota_screen.existing_quotas(organisation),
        "term_form": term_form,
        "current_term": load_unit_terms(organisation).containing(today),
        "own_terms": list(organisation.terms.order_by("-first_year")),
    }
    return render(request, "reports/quotas.html", context)
