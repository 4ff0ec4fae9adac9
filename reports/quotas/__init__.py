"""Quotas (chỉ tiêu): setting them (services.py), their arithmetic (arithmetic.py), and the quota
screen where a board hands its quota down to the units below (screen.py, forms.py, views.py, urls.py)."""
