"""What a user may see: the one place that answers it.

A role on an organisation covers that organisation's whole subtree, so the visible set is the
union of a few path prefixes (`path LIKE 'prefix%'`), one indexed filter whatever the tree's size.
Every view or selector that returns organisations or people starts from a function here; an
object outside the user's subtree is answered with 404, never 403, so its existence does not leak.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Member, Organisation, Person, RoleAssignment
from .vocabulary import SENSITIVE_DATA_ROLES

_CACHE_ATTR = "_partyhub_role_assignments"


def role_assignments(user) -> list[RoleAssignment]:
    """The user's roles with their organisations, read once per request (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user=user).select_related("organisation").order_by("organisation__path")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _sees_everything(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


def root_paths(user) -> list[str]:
    """The smallest set of path prefixes covering every organisation the user holds a role in."""
    paths = sorted({ra.organisation.path for ra in role_assignments(user)})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(r) for r in roots):
            roots.append(path)
    return roots


def subtree_q(paths: list[str], field: str = "path") -> Q:
    """Q for "inside any of these subtrees"; matches nothing for an empty list."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


def organisations_for(user) -> QuerySet[Organisation]:
    qs = Organisation.objects.all()
    if _sees_everything(user):
        return qs
    return qs.filter(subtree_q(root_paths(user)))


def top_organisations_for(user) -> list[Organisation]:
    """The organisations at the top of what the user can see (their role organisations, deduplicated)."""
    if _sees_everything(user):
        return list(Organisation.objects.get_root_nodes())
    roots = set(root_paths(user))
    seen: dict[str, Organisation] = {}
    for ra in role_assignments(user):
        if ra.organisation.path in roots:
            seen[ra.organisation.path] = ra.organisation
    return [seen[p] for p in sorted(seen)]


def scoped(queryset: QuerySet, user, path_field: str) -> QuerySet:
    """Any queryset of things that live in a cell or organisation, cut to the user's subtrees.

    `path_field` is the lookup to the organisation's path, e.g. "cell__path" for candidates.
    """
    if _sees_everything(user):
        return queryset
    return queryset.filter(subtree_q(root_paths(user), path_field))


def members_for(user) -> QuerySet[Member]:
    return scoped(Member.objects.all(), user, "cell__path")


def candidates_for(user) -> QuerySet:
    from recruitment.models import Candidate  # recruitment builds on members, not the reverse

    return scoped(Candidate.objects.all(), user, "cell__path")


def people_for(user) -> QuerySet[Person]:
    if _sees_everything(user):
        return Person.objects.all()
    paths = root_paths(user)
    return Person.objects.filter(
        subtree_q(paths, "member__cell__path") | subtree_q(paths, "candidate__cell__path")
    ).distinct()


def organisation_for_user_or_404(user, pk) -> Organisation:
    try:
        return organisations_for(user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy tổ chức trong phạm vi của bạn.") from None


def member_for_user_or_404(user, pk) -> Member:
    try:
        return members_for(user).select_related("person", "cell").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy đảng viên trong phạm vi của bạn.") from None


def candidate_for_user_or_404(user, pk):
    from recruitment.models import Candidate

    try:
        return candidates_for(user).select_related("person", "cell").get(pk=pk)
    except (Candidate.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy quần chúng trong phạm vi của bạn.") from None


def can_see_sensitive(user, organisation: Organisation) -> bool:
    """Ethnicity, religion and citizen ID: only for a sensitive-data role on this unit or above it."""
    if _sees_everything(user):
        return True
    return any(
        ra.role in SENSITIVE_DATA_ROLES and organisation.path.startswith(ra.organisation.path)
        for ra in role_assignments(user)
    )


def holds_role(user, *roles: str) -> bool:
    return any(ra.role in roles for ra in role_assignments(user))
