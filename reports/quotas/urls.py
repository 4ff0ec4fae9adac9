"""URLs of the quota screen (included by reports/urls.py)."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("to-chuc/<int:org_pk>/chi-tieu/", views.quotas, name="quotas"),
]
