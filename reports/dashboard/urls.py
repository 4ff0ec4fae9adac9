"""URLs of the dashboard (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("to-chuc/<int:org_pk>/bao-cao/", views.dashboard, name="dashboard"),
    path("to-chuc/<int:org_pk>/bao-cao/chi-bo/<slug:which>/", views.cells, name="dashboard_cells"),
]
