"""Where a reports page sits in the tree: the breadcrumbs of the units above it that the user may open.

Shared by the dashboard, the quota screen, the import upload and the reconciliation pages
(template: reports/templates/reports/_breadcrumbs.html).
"""

from members import scoping
from members import selectors as member_selectors


def breadcrumbs(user, organisation):
    """The ancestors of `organisation` within the user's subtrees (all of them for a superuser)."""
    roots = None if user.is_superuser else scoping.root_paths(user)
    return member_selectors.ancestors_within(organisation, roots)
