"""URLs of the reconcile pages (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    # Upload the national list (GET: the form; POST: the difference report)
    path("to-chuc/<int:org_pk>/doi-chieu/", views.reconcile, name="reconcile"),
    # The difference report just shown, as Excel (POST with its token)
    path("to-chuc/<int:org_pk>/doi-chieu/bao-cao.xlsx", views.report_xlsx, name="reconcile_xlsx"),
    # Members admitted or recognised in a period, in the national list's columns (?period=2026)
    path("to-chuc/<int:org_pk>/doi-chieu/ket-nap.xlsx", views.upward_xlsx, name="reconcile_upward_xlsx"),
]
