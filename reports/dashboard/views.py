"""The dashboard of a unit: scope, the period asked for, the stored report, the page."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from members import scoping
from recruitment.permissions import is_committee_over

from .. import sensitive
from ..navigation import breadcrumbs
from ..progress import periods, snapshots
from ..progress.selection import period_from_request
from . import selectors as dashboard_selectors


@login_required
@require_GET
def dashboard(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    today = timezone.localdate()
    period, period_error = period_from_request(request, default=periods.term_containing(today))
    may_see = scoping.can_see_sensitive(request.user, organisation)
    # The long lists' heads and lengths only (the cells without admission and dormant): a province's
    # snapshot reads in kilobytes instead of hundreds of them (issue 15).
    stored = snapshots.report_for(organisation, period, today, whole_lists=False)
    stored = replace(stored, report=sensitive.for_viewer(stored.report, may_see))
    dash = dashboard_selectors.build(
        organisation=organisation,
        period=period,
        stored=stored,
        today=today,
        ranking=request.GET.get("xep_hang") or None,
    )
    if not may_see:  # the member list's filters on ethnicity and religion are not theirs to open
        for card in dash.quotas:
            if sensitive.is_sensitive(card.get("attribute")):
                card["achieved_url"] = None
    context = {
        "organisation": organisation,
        "breadcrumbs": breadcrumbs(request.user, organisation),
        "dash": dash,
        "sensitive_note": None if may_see else sensitive.NOTE,
        "period": period,
        "period_error": period_error,
        "choices": dashboard_selectors.period_choices(today),
        "custom": period.kind == "custom",
        "can_set_quotas": is_committee_over(request.user, organisation),
    }
    return render(request, "reports/dashboard.html", context)
