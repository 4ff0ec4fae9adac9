"""`{% may_import organisation as can_import %}`: whether to offer the Excel import on a unit's pages.

A tag rather than a context variable so the link can sit on any page of the unit without each view
computing it; it reads the roles scoping caches on the user, so it costs no query.
"""

from django import template

from reports.imports import jobs as import_jobs

register = template.Library()


@register.simple_tag(takes_context=True)
def may_import(context, organisation) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and import_jobs.can_import(user, organisation))
