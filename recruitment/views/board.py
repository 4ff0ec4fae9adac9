"""The admission board of an organisation: a cell's candidates, or a committee's whole subtree."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from members import scoping
from members.models import Organisation

from ..selectors import pipeline


@login_required
@require_GET
def board(request, org_pk):
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    query = request.GET.get("q", "").strip()[:100]
    ancestors = pipeline.visible_ancestors(request.user, list(Organisation.objects.get_ancestors(organisation)))
    context = {
        "organisation": organisation,
        "breadcrumbs": [*ancestors, organisation],
        "query": query,
        "board": pipeline.board(organisation=organisation, user=request.user, today=timezone.localdate(), query=query),
        "column_limit": pipeline.COLUMN_LIMIT,
        "show_cell": not organisation.is_cell,
    }
    return render(request, "recruitment/board.html", context)
