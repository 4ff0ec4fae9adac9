from django.urls import path

from . import movement_views, views

app_name = "members"

urlpatterns = [
    path("to-chuc/", views.tree, name="tree"),
    path("to-chuc/<int:pk>/con/", views.tree_children, name="tree_children"),
    path("to-chuc/<int:pk>/", views.organisation_detail, name="organisation"),
    path("to-chuc/<int:pk>/chuyen-sinh-hoat/", movement_views.transfers, name="transfers"),
    path("to-chuc/<int:pk>/tiep-nhan-tinh-khac/", movement_views.transfer_in, name="transfer_in"),
    path("to-chuc/<int:pk>/lap-don-vi/", movement_views.unit_create, name="unit_create"),
    path("to-chuc/<int:pk>/doi-ten/", movement_views.unit_rename, name="unit_rename"),
    path("to-chuc/<int:pk>/giai-the/", movement_views.unit_dissolve, name="unit_dissolve"),
    path("to-chuc/<int:pk>/sap-nhap/", movement_views.unit_merge, name="unit_merge"),
    path("to-chuc/<int:pk>/chia-tach/", movement_views.unit_split, name="unit_split"),
    path("dang-vien/<int:pk>/", views.member_detail, name="member"),
    path("dang-vien/<int:pk>/chuyen-sinh-hoat/", movement_views.member_transfer, name="member_transfer"),
    path("dang-vien/<int:pk>/ra-khoi-danh-sach/", movement_views.member_exit, name="member_exit"),
    path("dang-vien/<int:pk>/ket-nap-lai/", movement_views.member_readmit, name="member_readmit"),
]
