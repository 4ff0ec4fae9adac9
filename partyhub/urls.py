from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from recruitment.views import todo as todo_views

urlpatterns = [
    path("", todo_views.home, name="home"),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("accounts.urls")),
    path("", include("members.urls")),
    path("", include("recruitment.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]
