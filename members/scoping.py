"""What a user may see: the one place that answers it.

A role on an organisation covers that organisation's whole subtree, so the visible set is the
union of a few path prefixes (`path LIKE 'prefix%'`), one indexed filter whatever the tree's size.
Every view or selector that returns organisations or people starts from a function here; an
object outside the user's subtree is answered with 404, never 403, so its existence does not leak.
"""

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Member, Organisation, Person, RoleAssignment
from .vocabulary import SENSITIVE_DATA_ROLES, Role

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


def sees_organisation(user, organisation: Organisation) -> bool:
    """Whether the unit lies in the user's subtree: its name may be shown (an ancestor's may not,
    as the breadcrumbs do not show it)."""
    return _sees_everything(user) or any(organisation.path.startswith(r) for r in root_paths(user))


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


def people_for(user, *, path_fields: Iterable[str] = ("member__cell__path",)) -> QuerySet[Person]:
    """People reached through any of these relations inside the user's subtrees (members by default;
    the pipeline adds its candidates, see recruitment/scoping.py)."""
    if _sees_everything(user):
        return Person.objects.all()
    paths = root_paths(user)
    q = Q(pk__in=[])
    for field in path_fields:
        q |= subtree_q(paths, field)
    return Person.objects.filter(q).distinct()


def object_for_user_or_404(queryset: QuerySet, user, pk, *, path_field: str, message: str):
    """One object of `queryset` inside the user's subtrees, or 404 whether it is outside or missing."""
    try:
        return scoped(queryset, user, path_field).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None


def organisation_for_user_or_404(user, pk) -> Organisation:
    try:
        return organisations_for(user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy tổ chức trong phạm vi của bạn.") from None


def member_for_user_or_404(user, pk) -> Member:
    return object_for_user_or_404(
        Member.objects.select_related("person", "cell"),
        user,
        pk,
        path_field="cell__path",
        message="Không tìm thấy đảng viên trong phạm vi của bạn.",
    )


def roles_over(user, organisation: Organisation) -> set[str]:
    """The roles the user holds on this organisation or an ancestor (a role covers its subtree).

    A superuser counts as an administrator everywhere.
    """
    if _sees_everything(user):
        return {Role.ADMINISTRATOR}
    return {ra.role for ra in role_assignments(user) if organisation.path.startswith(ra.organisation.path)}


def holds_role_over(user, organisation: Organisation, roles: Iterable[str]) -> bool:
    """Does the user hold one of these roles on this organisation or an ancestor? Superusers always do.

    The one answer to "may this user act here in this capacity": reading sensitive fields, recording
    a committee's steps, importing, reconciling all ask it with their own set of roles.
    """
    if _sees_everything(user):
        return True
    return bool(roles_over(user, organisation) & set(roles))


def can_see_sensitive(user, organisation: Organisation) -> bool:
    """Ethnicity, religion and citizen ID: only for a sensitive-data role on this unit or above it."""
    return holds_role_over(user, organisation, SENSITIVE_DATA_ROLES)


def holds_role(user, *roles: str) -> bool:
    return any(ra.role in roles for ra in role_assignments(user))
