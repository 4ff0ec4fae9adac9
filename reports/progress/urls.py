"""URLs of the recompute button and its progress bar (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    # Recompute the snapshots of a unit's subtree now, and follow the run (htmx progress bar)
    path("to-chuc/<int:org_pk>/bao-cao/tinh-lai/", views.recompute, name="recompute"),
    path("bao-cao/tinh-lai/<slug:run_id>/", views.recompute_status, name="recompute_status"),
]
