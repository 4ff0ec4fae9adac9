"""URLs of the imports pages (included by reports/urls.py)."""

from django.urls import path

from . import views_imports

urlpatterns: list = [
    path("to-chuc/<int:org_pk>/nhap-excel/", views_imports.upload, name="import_upload"),
    path("nhap-excel/mau.xlsx", views_imports.template, name="import_template"),
    path("nhap-excel/<int:run_pk>/", views_imports.run_page, name="import_run"),
    path("nhap-excel/<int:run_pk>/bao-cao.xlsx", views_imports.marked, name="import_marked"),
]
