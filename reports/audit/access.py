"""Who may open the audit page: superusers, and staff given the permission "reports.view_audit"."""

from django.http import Http404
from django.utils.translation import gettext as _

PERMISSION = "reports.view_audit"


def can_audit(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or (user.is_staff and user.has_perm(PERMISSION))))


def audit_user_or_404(request):
    """Anyone else gets a 404, as for the administrators' part of the digest preview: the page's very
    existence is not shown to them."""
    if not can_audit(request.user):
        raise Http404(_("Không tìm thấy trang."))
    return request.user
