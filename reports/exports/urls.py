"""URLs of the downloads (included by reports/urls.py): anyone who sees the unit may export it; the
whole subtree in the import format (du-lieu.xlsx) only whoever may import there."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("to-chuc/<int:org_pk>/bao-cao/tai-xuong.xlsx", views.progress_xlsx, name="export_progress_xlsx"),
    path("to-chuc/<int:org_pk>/bao-cao/tai-xuong.pdf", views.progress_pdf, name="export_progress_pdf"),
    path("to-chuc/<int:org_pk>/bao-cao/bieu-2.xlsx", views.breakdown_xlsx, name="export_breakdown_xlsx"),
    path("to-chuc/<int:org_pk>/han-xu-ly.xlsx", views.deadlines_xlsx, name="export_deadlines_xlsx"),
    path("to-chuc/<int:org_pk>/dang-vien.xlsx", views.people_xlsx, name="export_people_xlsx"),
    path("to-chuc/<int:org_pk>/du-lieu.xlsx", views.export_import_format, name="export_import_format"),
    # Large exports, made by a worker: the run's page (progress, then the link) and its file
    path("xuat-tep/<int:export_pk>/", views.run_page, name="export_run"),
    path("xuat-tep/<int:export_pk>/tai-xuong/", views.run_file, name="export_run_file"),
]
