"""The reports app's URLs: each capability keeps its own in its subpackage; the namespace stays `reports`."""

from .audit import urls as audit_urls
from .dashboard import urls as dashboard_urls
from .digest import urls as digest_urls
from .exports import urls as exports_urls
from .imports import urls as imports_urls
from .progress import urls as progress_urls
from .quotas import urls as quotas_urls
from .reconcile import urls as reconcile_urls

app_name = "reports"

urlpatterns = [
    # The progress dashboard and the quotas of a unit; recomputing its snapshots now
    *dashboard_urls.urlpatterns,
    *quotas_urls.urlpatterns,
    *progress_urls.urlpatterns,
    # The monthly digest: the user's preferences, a preview, the one-click unsubscribe
    *digest_urls.urlpatterns,
    # Downloads: anyone who sees the unit, except the whole subtree in the import format
    *exports_urls.urlpatterns,
    # Excel in, and the reconciliation with the national party-member database: board staff and
    # administrators, in their own subtree
    *imports_urls.urlpatterns,
    *reconcile_urls.urlpatterns,
    # The audit page (who changed what, who saw which sensitive field): administrators only
    *audit_urls.urlpatterns,
]
