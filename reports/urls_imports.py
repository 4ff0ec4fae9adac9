"""URLs of the imports pages (included by reports/urls.py)."""

urlpatterns: list = []
