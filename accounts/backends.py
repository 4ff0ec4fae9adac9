"""The lockout check of django-axes, for the logins that can be counted."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """axes' check for every login that comes with a request (the login page, the Django admin).

    authenticate() without a request comes only from code on the server (Django's test client's
    login(), a shell, a test): there is no address to count and no one outside can make such a call,
    so it goes straight to the password check instead of failing with axes' "requires a request".
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
