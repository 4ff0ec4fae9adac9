"""Nothing but the second-factor pages for a user who must pass it and has not yet (accounts/second_factor.py)."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from . import second_factor

# URL names a signed-in but unconfirmed user may still open: signing in and out, the language
# switch, and the pages that confirm the login or set up the authenticator.
EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "accounts:otp_verify",
        "accounts:otp_enrol",
        "admin:logout",
    }
)


class RequireSecondFactor:
    """Board staff, administrators and superusers confirm their login before any page.

    Without a confirmed authenticator they are sent to set one up, with one to enter its code. Must
    come after django_otp's OTPMiddleware, which tells whether this session is confirmed. The
    address they asked for comes back as `next`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_confirm(request):
            name = "accounts:otp_verify" if second_factor.has_app_device(request.user) else "accounts:otp_enrol"
            target = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)

    def _must_confirm(self, request) -> bool:
        if not settings.PARTYHUB_REQUIRE_OTP_ROLES:
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False  # the 404 page shows nothing of anyone's
        if match.view_name in EXEMPT_URL_NAMES:
            return False
        return second_factor.is_required(user) and not second_factor.is_verified(user)
