"""A unit's progress dashboard: what it shows (selectors.py) and its page (views.py, urls.py)."""
