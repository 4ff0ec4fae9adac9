"""django-axes hooks: which address a login comes from, and the page a locked-out login gets.

A login is locked per username and address (AXES_LOCKOUT_PARAMETERS in partyhub/settings.py) after
AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_TIME after the last one; every attempt during the
lockout, with the right password or not, starts the wait again.
"""

import ipaddress

from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str | None:
    """The address of the browser, as the reverse proxy saw it.

    Behind PARTYHUB_PROXY_COUNT proxies that each append the address they were called from to
    X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`), the browser's address is that many
    entries from the right; anything further left was written by the client and proves nothing.
    Without a proxy, or when the header is shorter or not an address, REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PARTYHUB_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


def lockout_response(request, original_response=None, credentials=None):
    """The Vietnamese page for a login that is locked: how long to wait and whom to ask."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    context = {
        "username": (credentials or {}).get("username") or request.POST.get("username", ""),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
        "help_contact": settings.PARTYHUB_LOGIN_HELP,
    }
    return render(request, "accounts/lockout.html", context, status=429)
