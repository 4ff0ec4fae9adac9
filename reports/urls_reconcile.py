"""URLs of the reconcile pages (included by reports/urls.py)."""

urlpatterns: list = []
