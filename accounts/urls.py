from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("tai-khoan/doi-mat-khau/", views.PasswordChange.as_view(), name="password_change"),
    path("tai-khoan/xac-thuc-hai-buoc/", views.otp_settings, name="otp_settings"),
    path("tai-khoan/xac-thuc-hai-buoc/nhap-ma/", views.otp_verify, name="otp_verify"),
    path("tai-khoan/xac-thuc-hai-buoc/thiet-lap/", views.otp_enrol, name="otp_enrol"),
    path("tai-khoan/xac-thuc-hai-buoc/ma-du-phong/", views.otp_recovery_codes, name="otp_recovery_codes"),
]
