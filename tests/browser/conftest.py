"""Fixtures for the Playwright browser tests.

pytest-django treats any test whose fixture closure contains ``live_server`` as transactional (a
``TransactionTestCase``), so the rows written here are committed and the live server's thread can
read them; they are flushed after each test. ``live_cast`` asks for ``transactional_db`` and
``live_server`` explicitly so that does not depend on that rule, and never goes through the
``db``-based ``cast`` fixture. The test database is in-memory SQLite, which pytest-django shares
with the server thread; under pytest-xdist each worker has its own database and its own server.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.cast import PASSWORD, build_cast

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path("/tmp/shots")
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def base_url(pytestconfig) -> str | None:
    """pytest-playwright's own value (--base-url or the base_url ini option), as a plain function.

    Without pytest-base-url, pytest-playwright 0.10 provides this fixture as a method of a plugin
    object, which pytest 9 deprecates for session fixtures (PytestRemovedIn10Warning). The tests
    themselves go through live_server.url and set no base URL.
    """
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Chromium announces en-US by default and LocaleMiddleware would then serve English.
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def live_cast(transactional_db, live_server):
    return build_cast()


def _page_in(context: BrowserContext) -> Iterator[Page]:
    """A page with short timeouts that fails its test if the browser refused anything under the
    Content-Security-Policy (an inline script or style, eval, a foreign source): every browser test
    checks that the pages it visits run with the policy as served."""
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if CSP_REFUSAL in message.text else None)
    yield page
    assert not refused, "Content-Security-Policy refusals:\n" + "\n".join(refused)


# What Chromium writes to the console when the policy blocks something.
CSP_REFUSAL = "Content Security Policy"


@pytest.fixture
def page(new_context) -> Iterator[Page]:
    """A desktop page (pytest-playwright's own, with short timeouts)."""
    yield from _page_in(new_context(viewport=DESKTOP))


@pytest.fixture
def phone(new_context) -> Iterator[Page]:
    """A page in a 390x844 viewport, the width of a common phone."""
    yield from _page_in(new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2))


def login(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form and wait for the redirect away from it."""
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def screenshot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
