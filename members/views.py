"""Thin views: scope, read through selectors, render."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from partyhub import audit, pagecache
from partyhub.pagination import paginate

from . import permissions, scoping, selectors
from .filters import MemberFilter
from .models import MemberTransfer, Organisation
from .names import order_by_name
from .vocabulary import CELL_LEVELS, MemberStatus, Role, TransferStatus

MEMBERS_PER_PAGE = 25
# Units per expand of the tree browser, and per page of an organisation's own list of units under it.
TREE_CHILDREN_PER_PAGE = 100
CHILDREN_PAGE_PARAM = "trang_don_vi"
SEARCH_LIMIT = 50
# The committee leadership and board staff start on their organisation's dashboard (quotas,
# progress, lagging units); a cell secretary starts on the cell's own page.
DASHBOARD_ROLES = frozenset({Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.BOARD_STAFF, Role.ADMINISTRATOR})


@login_required
def home(request):
    """Send each role to its own start page."""
    assignments = scoping.role_assignments(request.user)
    if not assignments and not request.user.is_superuser:
        return render(request, "members/no_role.html")
    tops = scoping.top_organisations_for(request.user)
    if len(tops) == 1:
        if any(ra.role in DASHBOARD_ROLES for ra in assignments):
            return redirect("reports:dashboard", org_pk=tops[0].pk)
        return redirect(tops[0])
    if request.user.is_superuser and not assignments:
        return redirect("members:tree")
    # Several organisations: a cell secretary of two cells, or a board member with extra roles.
    cell_roles = [ra for ra in assignments if ra.role == Role.CELL_SECRETARY]
    if cell_roles and len(cell_roles) == len(assignments):
        return redirect(cell_roles[0].organisation)
    return redirect("members:tree")


def _day_param(request) -> datetime.date:
    raw = request.GET.get("ngay", "")
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return timezone.localdate()


def _with_counts(orgs, day: datetime.date | None = None):
    """Each organisation with its counts, of `day` when the tree is shown as on a past day."""
    counts = selectors.node_counts(orgs, day)
    return [(org, counts[org.pk]) for org in orgs]


@login_required
@require_GET
def tree(request):
    day = _day_param(request)
    query = request.GET.get("q", "").strip()
    visible = scoping.organisations_for(request.user)
    if query:
        found = selectors.tree_on(
            day=day, within=visible.filter(name__icontains=query) | visible.filter(code__iexact=query)
        )
        rows = _with_counts(found[:SEARCH_LIMIT], day)
        context = {"query": query, "rows": rows, "truncated": len(found) > SEARCH_LIMIT}
    else:
        tops = [o for o in scoping.top_organisations_for(request.user) if o.active_on(day)]
        # The counts are read only when the rendered list is not kept (partyhub/pagecache.py).
        context = {
            "rows": SimpleLazyObject(lambda: _with_counts(tops, day)),
            "rows_key": pagecache.live_key("tree", day, timezone.localdate(), *(o.pk for o in tops)),
        }
    context.update(day=day, today=timezone.localdate())
    return render(request, "members/tree.html", context)


@login_required
@require_GET
def tree_children(request, pk):
    parent = scoping.organisation_for_user_or_404(request.user, pk)
    day = _day_param(request)
    # Whoever sees the parent sees every unit under it: the rows are kept per parent, day and page
    # until the records change (partyhub/pagecache.py).
    key = pagecache.live_key("tree-children", parent.pk, day, timezone.localdate(), request.GET.get("trang", ""))
    html = pagecache.get(key)
    if html is None:
        children = selectors.tree_on(day=day, within=Organisation.objects.get_children(parent))
        # One level at a time, TREE_CHILDREN_PER_PAGE units at a time: the counts are read for those only.
        page, _query = paginate(request, children, TREE_CHILDREN_PER_PAGE)
        context = {
            "rows": _with_counts(list(page.object_list), day),
            "day": day,
            "parent": parent,
            "next_page": page.next_page_number() if page.has_next() else None,
            "remaining": page.paginator.count - page.end_index(),
        }
        # The next pages replace the "more" row they were asked from: their rows only, without the list around.
        template = "members/_tree_items.html" if page.number > 1 else "members/_tree_nodes.html"
        html = render_to_string(template, context, request=request)
        pagecache.put(key, html)
    return HttpResponse(html)


@login_required
@require_GET
def organisation_detail(request, pk):
    organisation = scoping.organisation_for_user_or_404(request.user, pk)
    # The units under it, a page at a time (their rows are read in one query, their counts for the page only).
    children, children_querystring = paginate(
        request,
        list(
            Organisation.objects.get_children(organisation)
            .select_related("merged_into")
            .order_by("dissolved_on", "name")
        ),
        TREE_CHILDREN_PER_PAGE,
        param=CHILDREN_PAGE_PARAM,
    )
    members = order_by_name(
        scoping.members_for(request.user)
        .filter(cell__path__startswith=organisation.path)
        .select_related("person", "cell")
    )
    member_filter = MemberFilter(
        request.GET,
        queryset=members,
        organisation=organisation,
        sees_sensitive=scoping.can_see_sensitive(request.user, organisation),
    )
    page, querystring = paginate(request, member_filter.qs, MEMBERS_PER_PAGE)
    context = {
        "organisation": organisation,
        "breadcrumbs": selectors.ancestors_within(
            organisation, None if request.user.is_superuser else scoping.root_paths(request.user)
        ),
        "children": _with_counts(list(children.object_list)),
        "children_page": children,
        "children_querystring": children_querystring,
        "counts": selectors.node_counts([organisation])[organisation.pk],
        "predecessors": list(organisation.predecessors.order_by("name")),
        "filter": member_filter,
        "page": page,
        "querystring": querystring,
        "is_cell": organisation.level in CELL_LEVELS,
        # The tree's changes and the transfers (members/movement_views.py); roles are cached, no query.
        "can_reorganise_under": organisation.is_active and permissions.may_reorganise_under(request.user, organisation),
        "can_reorganise": organisation.is_active and permissions.may_reorganise(request.user, organisation),
    }
    return render(request, "members/organisation.html", context)


@login_required
@require_GET
def member_detail(request, pk):
    member = scoping.member_for_user_or_404(request.user, pk)
    visible_roots = None if request.user.is_superuser else scoping.root_paths(request.user)
    cell_ancestors = selectors.ancestors_within(member.cell, visible_roots)
    show_sensitive = scoping.can_see_sensitive(request.user, member.cell)
    if show_sensitive:  # the log of sensitive reads (partyhub/audit.py): one row for this page
        audit.sensitive_shown(request.user, fields=audit.PERSONAL, where="member_page", people=[member.person_id])
    context = {
        "breadcrumbs": [*cell_ancestors, member.cell],
        "member": member,
        "person": member.person,
        "show_sensitive": show_sensitive,
        # A former or later cell outside the viewer's subtree is not named (nor its note shown).
        "movements": [
            (movement, visible_roots is None or any(movement.organisation.path.startswith(r) for r in visible_roots))
            for movement in member.movements.select_related("organisation")
        ],
        "history": list(member.history.select_related("history_user").order_by("-history_date")[:10]),
        "person_history": list(member.person.history.select_related("history_user").order_by("-history_date")[:10]),
        "statuses": MemberStatus,
        "can_move": (can_move := permissions.may_record_movements(request.user, member.cell)),
        "pending_transfer": (
            MemberTransfer.objects.filter(member=member, status=TransferStatus.PENDING).first() if can_move else None
        ),
    }
    return render(request, "members/member.html", context)
