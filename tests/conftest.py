import os

import pytest

# Playwright's sync API runs an event loop in the test thread; live_server's ORM calls from that
# thread are safe here because each test owns its database connection.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium: Playwright cannot download its own browser on this network."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def cast(db):
    from .cast import build_cast

    return build_cast()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is deliberately slow; tests create dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries):
    """Query budgets measure the plan for the data the test built: refresh statistics first."""
    from .planner import refresh_statistics

    def budget(*args, **kwargs):
        refresh_statistics()
        return django_assert_max_num_queries(*args, **kwargs)

    return budget


@pytest.fixture(autouse=True)
def _second_factor_only_where_asked(request, settings):
    """Tests sign board users in with force_login and open board pages at once; the second factor
    (accounts/middleware.py) is on only in tests marked `require_otp` (tests/accounts/)."""
    if request.node.get_closest_marker("require_otp") is None:
        settings.PARTYHUB_REQUIRE_OTP_ROLES = ()
