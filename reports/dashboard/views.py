"""The dashboard of a unit: scope, the period asked for, the stored report, the page."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from members import scoping
from partyhub import pagecache
from partyhub.pagination import paginate
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
    can_set_quotas = is_committee_over(request.user, organisation)
    ranking = request.GET.get("xep_hang") or None

    def build():
        # The long lists' heads and lengths only (the cells without admission and dormant): a province's
        # snapshot reads in kilobytes instead of hundreds of them (issue 15).
        stored = snapshots.report_for(organisation, period, today, whole_lists=False)
        stored = replace(stored, report=sensitive.for_viewer(stored.report, may_see))
        dash = dashboard_selectors.build(
            organisation=organisation, period=period, stored=stored, today=today, ranking=ranking
        )
        if not may_see:  # the member list's filters on ethnicity and religion are not theirs to open
            for card in dash.quotas:
                if sensitive.is_sensitive(card.get("attribute")):
                    card["achieved_url"] = None
        return dash

    # The figures' part of the page is kept per snapshot (partyhub/pagecache.py): a request whose
    # snapshot is unchanged reads it and neither decodes the report nor renders it again.
    computed_at = snapshots.computed_at(organisation, period, today)
    dash = SimpleLazyObject(build)
    if computed_at is None:  # no snapshot yet: computed (and stored) now
        computed_at = dash.computed_at
    body_key = pagecache.key(
        "dashboard",
        organisation.pk,
        period.key,
        period.start,
        period.end,
        today,
        computed_at.isoformat(),
        may_see,
        can_set_quotas,
        ranking,
    )
    context = {
        "organisation": organisation,
        "breadcrumbs": breadcrumbs(request.user, organisation),
        "dash": dash,
        "computed_at": computed_at,
        "period_label": dashboard_selectors.period_label(period),
        "body_key": body_key,
        "sensitive_note": None if may_see else sensitive.NOTE,
        "period": period,
        "period_error": period_error,
        "choices": dashboard_selectors.period_choices(today),
        "custom": period.kind == "custom",
        "can_set_quotas": can_set_quotas,
    }
    return render(request, "reports/dashboard.html", context)


# The dashboard's lists of cells, whole, a page at a time: address slug -> the report's list and its title.
CELL_LISTS = {
    "chua-ket-nap": ("no_admission", _("Chi bộ chưa kết nạp đảng viên nào trong kỳ")),
    "nhieu-nam-chua-ket-nap": ("dormant_cells", _("Chi bộ nhiều năm chưa kết nạp đảng viên")),
}
CELLS_PER_PAGE = 100


@login_required
@require_GET
def cells(request, org_pk, which):
    """Every cell of one of the dashboard's lists (it names the first hundred), read from the list the
    snapshot stores apart (reports/progress/snapshots.py, "Long lists"), a hundred a page."""
    if which not in CELL_LISTS:
        raise Http404
    key, title = CELL_LISTS[which]
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    today = timezone.localdate()
    period, period_error = period_from_request(request, default=periods.term_containing(today))
    stored = snapshots.whole_list(organisation, period, today, key)
    page, querystring = paginate(request, getattr(stored.report, key), CELLS_PER_PAGE)
    context = {
        "organisation": organisation,
        "breadcrumbs": breadcrumbs(request.user, organisation),
        "period": period,
        "period_error": period_error,
        "period_label": dashboard_selectors.period_label(period),
        "title": title,
        "dormant": key == "dormant_cells",
        "page": page,
        "querystring": querystring,
        "computed_at": stored.computed_at,
    }
    return render(request, "reports/dashboard_cells.html", context)
