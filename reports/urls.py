from django.urls import path

from .dashboard import urls as dashboard_urls
from .digest import views as digest_views
from .exports import urls as exports_urls
from .imports import urls as imports_urls
from .progress import urls as progress_urls
from .quotas import urls as quotas_urls
from .reconcile import urls as reconcile_urls

app_name = "reports"

urlpatterns = [
    # Progress dashboard and quotas of a unit
    *dashboard_urls.urlpatterns,
    *quotas_urls.urlpatterns,
    *progress_urls.urlpatterns,
]

# The monthly digest (reports/digest/): the user's preferences, a preview, the one-click unsubscribe.
urlpatterns += [
    path("ban-tin-thang/tuy-chon/", digest_views.preferences, name="digest_preferences"),
    path("ban-tin-thang/xem-truoc/", digest_views.preview, name="digest_preview"),
    path("ban-tin-thang/ngung-nhan/<str:token>/", digest_views.unsubscribe, name="digest_unsubscribe"),
]

# Downloads (reports/exports/)
urlpatterns += exports_urls.urlpatterns

# Excel in (reports/imports/) and the reconciliation with the national
# party-member database (reports/reconcile/): board staff and administrators, in their own subtree.
urlpatterns += imports_urls.urlpatterns + reconcile_urls.urlpatterns
