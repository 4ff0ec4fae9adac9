"""URLs of the imports pages (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("to-chuc/<int:org_pk>/nhap-excel/", views.upload, name="import_upload"),
    path("nhap-excel/mau.xlsx", views.template, name="import_template"),
    path("nhap-excel/<int:run_pk>/", views.run_page, name="import_run"),
    path("nhap-excel/<int:run_pk>/bao-cao.xlsx", views.marked, name="import_marked"),
]
