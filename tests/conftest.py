import datetime
import os
import uuid
import zoneinfo

import pytest
import time_machine

# Playwright's sync API runs an event loop in the test thread; live_server's ORM calls from that
# thread are safe here because each test owns its database connection.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"

# --- the calendar as a test input ----------------------------------------------------------------
# Tests marked `calendar` depend on today's date: the demo builds and the round trip through the
# import, pages that show this term's, year's or month's figures, dates counted back from today.
# `--today=YYYY-MM-DD` (or PARTYHUB_TODAY) runs them as if that were today: the clock starts at 09:00
# in Vietnam on that day and keeps ticking, in the test process and in a live server's thread alike
# (Chromium's own clock is not moved; no page reads it). Without it they run on the real today.
# `make test-dates` runs them on each day of its set. Tests that pin their own day (the deadlines,
# progress, forecast and digest-schedule tests) need no marker: the option changes nothing for them.
CALENDAR_TIME_ZONE = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR_HOUR = datetime.time(9, 0)


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        metavar="YYYY-MM-DD",
        default=os.environ.get("PARTYHUB_TODAY") or None,
        help="run the tests marked `calendar` as if today were this day (09:00 in Vietnam, the clock ticking); "
        "default: the real today, or PARTYHUB_TODAY",
    )


def pytest_configure(config):
    value = config.getoption("--today")
    if value:
        try:
            config.calendar_today = datetime.date.fromisoformat(value)
        except ValueError:
            raise pytest.UsageError(f"--today={value}: expected a date as YYYY-MM-DD") from None
    else:
        config.calendar_today = None


def pytest_report_header(config):
    if config.calendar_today:
        return f"calendar-marked tests run on {config.calendar_today:%Y-%m-%d} (--today)"
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Around setup, call and teardown, so class- and module-scoped fixtures (a demo built once for a
    class) are built on the chosen day too."""
    day = item.config.calendar_today
    if day is None or item.get_closest_marker("calendar") is None:
        return (yield)
    with time_machine.travel(datetime.datetime.combine(day, CALENDAR_HOUR, tzinfo=CALENDAR_TIME_ZONE), tick=True):
        return (yield)


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


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language (Vietnamese). A request served in English leaves
    English active in the worker's thread (LocaleMiddleware activates, nothing deactivates), and a
    later test comparing a Vietnamese message would then depend on which tests ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# --- the permission fuzz's summary (tests/test_permission_fuzz.py) --------------------------------
# Each role's test records its counts as a user property, which xdist carries back to the controller.
_PERMISSION_FUZZ: list[dict] = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        _PERMISSION_FUZZ.extend(value for key, value in report.user_properties if key == "permission_fuzz")


def pytest_terminal_summary(terminalreporter):
    if not _PERMISSION_FUZZ:
        return
    patterns = max(entry["patterns"] for entry in _PERMISSION_FUZZ)
    total = {key: sum(entry[key] for entry in _PERMISSION_FUZZ) for key in ("requests", "leaks", "failures")}
    terminalreporter.write_line(
        f"permission fuzz: {patterns} URL patterns × 2 methods × {len(_PERMISSION_FUZZ)} roles "
        f"(the cast and anonymous): {total['requests']} requests, {total['leaks']} leaks, "
        f"{total['failures']} other failures (500, outside ≠ missing)"
    )


@pytest.fixture(autouse=True)
def _fresh_page_cache(settings):
    """Each test has page parts of its own (partyhub/pagecache.py): on SQLite a rolled-back test's
    history ids come back in the next test with other data, which would find the last test's parts;
    and the test workers share one Redis, where one test's `forget_all()` must not drop another's."""
    settings.PARTYHUB_PAGE_CACHE_SALT = uuid.uuid4().hex
    yield
