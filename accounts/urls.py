from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("tai-khoan/doi-mat-khau/", views.PasswordChange.as_view(), name="password_change"),
]
