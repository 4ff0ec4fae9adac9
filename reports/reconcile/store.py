"""Keeping a reconciliation's result between the page and its Excel download.

The result holds citizen IDs, so it is kept only as long as a download may reasonably follow the
page: in the cache (Redis in production), under a random token bound to the user and the
organisation, for PARTYHUB_RECONCILE_KEEP_SECONDS (30 minutes by default), then gone. Nothing is
written to the database and the uploaded file itself is never stored.
"""

import secrets

from django.conf import settings
from django.core.cache import cache

DEFAULT_KEEP_SECONDS = 30 * 60


def keep_seconds() -> int:
    return getattr(settings, "PARTYHUB_RECONCILE_KEEP_SECONDS", DEFAULT_KEEP_SECONDS)


def _key(user, organisation, token: str) -> str:
    return f"partyhub:reconcile:{user.pk}:{organisation.pk}:{token}"


def keep(user, organisation, payload: dict) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(_key(user, organisation, token), payload, timeout=keep_seconds())
    return token


def fetch(user, organisation, token: str) -> dict | None:
    if not token or len(token) > 64:
        return None
    return cache.get(_key(user, organisation, token))
