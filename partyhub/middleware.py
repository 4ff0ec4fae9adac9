"""Responses that carry personal data are never kept by a browser or a proxy."""

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
