"""The deadlines of an organisation's subtree."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from members import scoping
from members import selectors as member_selectors

from ..selectors.deadlines import deadlines_for


@login_required
@require_GET
def deadlines(request, org_pk):
    # A role covers a whole subtree, so whoever sees the organisation sees every deadline under it.
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    context = {
        "organisation": organisation,
        "breadcrumbs": member_selectors.ancestors_within(
            organisation, None if request.user.is_superuser else scoping.root_paths(request.user)
        ),
        "deadlines": deadlines_for(organisation, timezone.localdate()),
    }
    return render(request, "recruitment/deadlines.html", context)
