"""Responses that carry personal data are never kept by a browser or a proxy; pages travel gzipped."""

import time

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control


class NoStoreForSignedInUsers:
    """Every response to a signed-in user gets `Cache-Control: no-store, private`.

    Pages and downloads behind the login hold names, citizen IDs and the figures of a subtree: a
    shared computer's back button or a caching proxy must not show them to the next person. A view
    that set its own Cache-Control keeps it only if it already says no-store.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
        return response


class RenewActiveSessions:
    """Keep a session alive while its user works, writing it at most once every few minutes.

    A session ends SESSION_COOKIE_AGE seconds after it was last saved. Saving on every request would
    add a write to every page; marking the session modified once it is RENEW_SECONDS old renews it
    for a user who is still active, so the idle limit holds to within those few minutes.
    """

    RENEW_SECONDS = 300
    KEY = "_partyhub_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key:
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.RENEW_SECONDS:
                session[self.KEY] = now
        return self.get_response(request)


def stamp_new_session(sender, request, user, **kwargs):
    """A session starts as seen now (login saves it anyway), so the first page after logging in
    writes nothing more. Connected to `user_logged_in` in PartyhubConfig.ready()."""
    if request is not None and hasattr(request, "session"):
        request.session[RenewActiveSessions.KEY] = int(time.time())


# The types worth compressing: text. An .xlsx, a .docx or an image is already compressed, and a PDF
# mostly is: gzipping them again costs the server's CPU for a few per cent.
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


class GZipPages(GZipMiddleware):
    """Django's GZipMiddleware (with its Heal The Breach padding) for text responses only."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
