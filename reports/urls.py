from django.urls import path

from . import urls_imports, urls_reconcile, views_exports
from .dashboard import urls as dashboard_urls
from .digest import views as digest_views
from .progress import urls as progress_urls
from .quotas import urls as quotas_urls

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

# Downloads (reports/views_exports.py): anyone who sees the unit may export it; the whole subtree in
# the import format (du-lieu.xlsx) only whoever may import there.
urlpatterns += [
    path("to-chuc/<int:org_pk>/bao-cao/tai-xuong.xlsx", views_exports.progress_xlsx, name="export_progress_xlsx"),
    path("to-chuc/<int:org_pk>/bao-cao/tai-xuong.pdf", views_exports.progress_pdf, name="export_progress_pdf"),
    path("to-chuc/<int:org_pk>/bao-cao/bieu-2.xlsx", views_exports.breakdown_xlsx, name="export_breakdown_xlsx"),
    path("to-chuc/<int:org_pk>/han-xu-ly.xlsx", views_exports.deadlines_xlsx, name="export_deadlines_xlsx"),
    path("to-chuc/<int:org_pk>/dang-vien.xlsx", views_exports.people_xlsx, name="export_people_xlsx"),
    path("to-chuc/<int:org_pk>/du-lieu.xlsx", views_exports.export_import_format, name="export_import_format"),
]

# Excel in (reports/imports/, reports/views_imports.py) and the reconciliation with the national
# party-member database (reports/reconcile/): board staff and administrators, in their own subtree.
urlpatterns += urls_imports.urlpatterns + urls_reconcile.urlpatterns
