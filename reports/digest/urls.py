"""URLs of the digest (included by reports/urls.py): the user's preferences, a preview, the one-click unsubscribe."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("ban-tin-thang/tuy-chon/", views.preferences, name="digest_preferences"),
    path("ban-tin-thang/xem-truoc/", views.preview, name="digest_preview"),
    path("ban-tin-thang/ngung-nhan/<str:token>/", views.unsubscribe, name="digest_unsubscribe"),
]
