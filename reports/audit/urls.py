"""URLs of the audit page (included by reports/urls.py): administrators only."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("nhat-ky/", views.audit_page, name="audit"),
    path("nhat-ky/xuat.xlsx", views.audit_xlsx, name="audit_xlsx"),
]
