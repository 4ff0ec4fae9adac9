"""The province board on a phone: from its dashboard down to a cell's, then to the people behind a number."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from members.vocabulary import MemberStatus
from reports.dashboard.selectors import CHILDREN_SHOWN
from reports.progress import periods
from tests.factories import MemberFactory, PersonFactory
from tests.reports.builders import cell, quota

from .conftest import DESKTOP, PHONE, login, screenshot, scroll_width

# calendar: admissions of this term; the live server shares the frozen clock
# (make test-dates runs it on each day of its set).
pytestmark = [pytest.mark.browser, pytest.mark.calendar]

ADMITTED = ("Lò Thị Mai", "Hà Văn Sơn")


def fits_the_phone(page: Page) -> None:
    assert scroll_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone"


def dashboard_of(live_server, org) -> re.Pattern:
    return re.compile(re.escape(f"{live_server.url}{reverse('reports:dashboard', args=[org.pk])}") + r"(\?.*)?$")


def chart_is_drawn(page: Page) -> bool:
    """The chart drawn within a few seconds: the script runs after the page has loaded, so a check made
    at once can come before it (it failed so once in CI, the page otherwise right)."""
    try:
        page.wait_for_function(
            "() => Boolean(window.Chart && Chart.getChart(document.getElementById('admissions-chart')))", timeout=10_000
        )
    except PlaywrightTimeoutError:
        return False
    return True


@pytest.fixture
def admissions(live_cast):
    """Two people admitted in cell A this term (after its first day, before today); quotas for X and A."""
    today = timezone.localdate()
    term = periods.term_containing(today)
    days = [min(term.start + datetime.timedelta(days=n), today) for n in (3, 10)]
    for name, day in zip(ADMITTED, days, strict=True):
        MemberFactory(
            cell=live_cast.cell_a,
            person=PersonFactory(full_name=name, gender="female"),
            status=MemberStatus.PROBATIONARY,
            admission_decision_date=day,
            ceremony_date=day,
            recognition_date=None,
        )
    quota(live_cast.commune_x, term, 10, source="assigned")
    quota(live_cast.cell_a, term, 6, source="assigned")
    return term


def test_the_province_board_drills_down_to_a_cell_and_opens_the_people_behind_a_number(
    live_cast, live_server, phone, admissions
):
    x, a = live_cast.commune_x, live_cast.cell_a
    login(phone, live_server, "province_board")

    # The start page is "Việc cần làm" (issue 13 item 5); the province's dashboard is one tap from it, its
    # communes ranked.
    expect(phone.get_by_role("heading", name="Việc cần làm", level=1)).to_be_visible()
    phone.get_by_role("link", name=f"Tổng quan · {live_cast.province.name}").click()
    expect(phone).to_have_url(dashboard_of(live_server, live_cast.province))
    expect(phone.get_by_role("heading", level=1)).to_have_text(live_cast.province.name)
    expect(phone.locator(".nav-tabs .nav-link.active")).to_contain_text("Tổng quan")
    ranking = phone.locator("#ranking")
    expect(ranking.get_by_role("link", name=live_cast.commune_y.name)).to_be_visible()
    assert chart_is_drawn(phone)
    fits_the_phone(phone)
    screenshot(phone, "dashboard-province-390")

    # Down to commune X: its quota card, its cells ranked.
    ranking.get_by_role("link", name=x.name).click()
    expect(phone).to_have_url(dashboard_of(live_server, x))
    expect(phone.get_by_role("heading", level=1)).to_have_text(x.name)
    expect(phone.locator(".quota-card .quota-achieved")).to_have_text("2")
    expect(phone.locator("#ranking").get_by_role("link", name=a.name)).to_be_visible()
    fits_the_phone(phone)
    screenshot(phone, "dashboard-commune-390")

    # Down to cell A: a cell has no ranking, and the breadcrumbs lead back up.
    phone.locator("#ranking").get_by_role("link", name=a.name).click()
    expect(phone).to_have_url(dashboard_of(live_server, a))
    expect(phone.get_by_role("heading", level=1)).to_have_text(a.name)
    expect(phone.locator("#ranking")).to_have_count(0)
    crumbs = phone.get_by_role("navigation", name="Đường dẫn")
    expect(crumbs.get_by_role("link", name=x.name)).to_be_visible()
    expect(crumbs.get_by_role("link", name=live_cast.province.name)).to_be_visible()
    assert chart_is_drawn(phone)
    fits_the_phone(phone)
    screenshot(phone, "dashboard-cell-390")

    # The admissions of the term open the member list filtered to exactly those people.
    phone.locator("#admission-tiles").get_by_role("link").first.click()
    expect(phone).to_have_url(re.compile(rf"/to-chuc/{a.pk}/\?admitted_from={admissions.start}&"))
    members = phone.locator("#members ~ .table-responsive")
    for name in ADMITTED:
        expect(members.get_by_role("link", name=name)).to_be_visible()
    expect(members.get_by_role("link", name="Đảng viên A")).to_have_count(0)  # admitted in 2015
    expect(phone.locator("#members")).to_contain_text("(2)")
    fits_the_phone(phone)

    # Back on the cell's dashboard, the breadcrumb climbs to the commune's.
    phone.go_back()
    phone.get_by_role("navigation", name="Đường dẫn").get_by_role("link", name=x.name).click()
    expect(phone).to_have_url(dashboard_of(live_server, x))


def test_the_dashboard_on_a_desktop_draws_the_chart_beside_the_cards(live_cast, live_server, page, admissions):
    login(page, live_server, "commune_board")
    page.get_by_role("link", name=f"Tổng quan · {live_cast.commune_x.name}").click()
    expect(page).to_have_url(dashboard_of(live_server, live_cast.commune_x))
    expect(page.locator(".quota-card")).to_have_count(1)
    assert chart_is_drawn(page)
    assert scroll_width(page) <= DESKTOP["width"]
    screenshot(page, "dashboard-commune-1280")


def test_a_long_ranking_shows_its_first_units_on_a_phone_and_unfolds_the_rest(live_cast, live_server, phone):
    x = live_cast.commune_x
    extra = [cell(x) for _ in range(CHILDREN_SHOWN + 1)]  # with cells A and B: 33 child units
    term = periods.term_containing(timezone.localdate())
    for unit in extra:
        quota(unit, term, 5, source="assigned")
    login(phone, live_server, "province_board")
    phone.goto(f"{live_server.url}{reverse('reports:dashboard', args=[x.pk])}")
    ranking = phone.locator("#ranking")
    expect(ranking.locator("tr[id^='child-']")).to_have_count(CHILDREN_SHOWN + 3)
    folded = ranking.locator("#more-children")
    expect(folded.locator("summary")).to_have_text("Xem thêm 3 đơn vị")
    expect(folded.locator("tr[id^='child-']").first).to_be_hidden()
    screenshot(phone, "dashboard-long-ranking-folded-390")
    # The funnel follows the open rows; unfolding the rest pushes it down by their height.
    funnel_top = "document.getElementById('funnel').getBoundingClientRect().top + window.scrollY"
    funnel_before = phone.evaluate(funnel_top)
    folded.locator("summary").click()
    expect(folded.locator("tr[id^='child-']").first).to_be_visible()
    row_height = folded.locator("tr[id^='child-']").first.bounding_box()["height"]
    assert phone.evaluate(funnel_top) >= funnel_before + 3 * row_height
    expect(folded.locator("tr[id^='child-'] td").first).to_have_text(str(CHILDREN_SHOWN + 1))
    fits_the_phone(phone)
    screenshot(phone, "dashboard-long-ranking-390")
