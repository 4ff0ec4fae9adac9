from django.urls import path

from . import views, views_jobs
from .digest import views as digest_views

app_name = "reports"

urlpatterns = [
    # Progress dashboard and quotas of a unit
    path("to-chuc/<int:org_pk>/bao-cao/", views.dashboard, name="dashboard"),
    path("to-chuc/<int:org_pk>/chi-tieu/", views.quotas, name="quotas"),
    # Recompute the snapshots of a unit's subtree now, and follow the run (htmx progress bar)
    path("to-chuc/<int:org_pk>/bao-cao/tinh-lai/", views_jobs.recompute, name="recompute"),
    path("bao-cao/tinh-lai/<slug:run_id>/", views_jobs.recompute_status, name="recompute_status"),
]

# The monthly digest (reports/digest/): the user's preferences, a preview, the one-click unsubscribe.
urlpatterns += [
    path("ban-tin-thang/tuy-chon/", digest_views.preferences, name="digest_preferences"),
    path("ban-tin-thang/xem-truoc/", digest_views.preview, name="digest_preview"),
    path("ban-tin-thang/ngung-nhan/<str:token>/", digest_views.unsubscribe, name="digest_unsubscribe"),
]
