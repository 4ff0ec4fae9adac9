"""The deadlines of an organisation's subtree.

The page stays small however large the subtree: each section shows its most urgent rows (the earliest
dates first) with a link to the whole section page by page (`?muc=<section>&trang=N`), and above a
handful of deadlines a committee's page counts them per child unit, each with a link to the child's page.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from members import scoping
from members import selectors as member_selectors
from members.models import Organisation
from partyhub import pagecache
from partyhub.pagination import paginate

from ..selectors.deadlines import deadlines_for, per_child

# Rows of each section on the page itself; the rest is one click away.
SECTION_PREVIEW = 10
# Rows per page of one whole section.
ROWS_PER_PAGE = 50
# From this many deadlines in the subtree a committee's page counts them per child unit.
SUMMARY_FROM = 20


@login_required
@require_GET
def deadlines(request, org_pk):
    # A role covers a whole subtree, so whoever sees the organisation sees every deadline under it.
    organisation = scoping.organisation_for_user_or_404(request.user, org_pk)
    today = timezone.localdate()
    # Computed only when needed: the summary's rendered part is kept until the records change
    # (partyhub/pagecache.py), and a request that finds it reads none of the subtree's deadlines.
    result = SimpleLazyObject(lambda: deadlines_for(organisation, today))
    context = {
        "organisation": organisation,
        "breadcrumbs": member_selectors.ancestors_within(
            organisation, None if request.user.is_superuser else scoping.root_paths(request.user)
        ),
        "deadlines": result,
        "today": today,
    }
    asked = request.GET.get("muc", "")
    section = {s.kind: s for s in result.sections}.get(asked) if asked else None
    if section is not None:
        page, querystring = paginate(request, section.rows, ROWS_PER_PAGE)
        context.update(section=section, rows=page.object_list, page=page, querystring=querystring)
        return render(request, "recruitment/deadline_list.html", context)

    def children():
        if organisation.is_cell or result.total < SUMMARY_FROM:
            return []
        return per_child(result, organisation, list(Organisation.objects.get_children(organisation)))

    context.update(
        previews=SimpleLazyObject(lambda: [(s, s.rows[:SECTION_PREVIEW]) for s in result.sections]),
        children=SimpleLazyObject(children),
        summary_key=pagecache.live_key("deadlines", organisation.pk, today),
    )
    return render(request, "recruitment/deadlines.html", context)
