from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("to-chuc/", views.tree, name="tree"),
    path("to-chuc/<int:pk>/con/", views.tree_children, name="tree_children"),
    path("to-chuc/<int:pk>/", views.organisation_detail, name="organisation"),
    path("dang-vien/<int:pk>/", views.member_detail, name="member"),
]
