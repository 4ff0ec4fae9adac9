"""The pages a secretary and a commune board use, driven through headless Chromium."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from members.models import Organisation

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = pytest.mark.browser


def org_url(live_server, org) -> str:
    return f"{live_server.url}/to-chuc/{org.pk}/"


def dashboard_url(live_server, org) -> str:
    """Where a committee role lands after signing in."""
    return f"{live_server.url}{reverse('reports:dashboard', args=[org.pk])}"


def node(page: Page, org):
    return page.locator(f"#node-{org.pk}")


def children(page: Page, org):
    return page.locator(f"#children-{org.pk}")


def toggle(page: Page, org):
    return node(page, org).locator(".tree-node .tree-toggle").first


def member_count(page: Page, org):
    return node(page, org).locator(".tree-node .count-badges").first.get_by_title("Đảng viên đang sinh hoạt")


def open_tree_from_nav(page: Page) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # phone: the links sit behind the collapsed navbar
        toggler.click()
        expect(page.locator("#nav-main")).to_be_visible()
    page.locator("#nav-main").get_by_role("link", name="Cây tổ chức").click()
    expect(page).to_have_url(re.compile(r"/to-chuc/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cây tổ chức đảng")


def expand(page: Page, org) -> None:
    with page.expect_response(re.compile(rf"/to-chuc/{org.pk}/con/")):
        toggle(page, org).click()
    expect(toggle(page, org)).to_have_attribute("aria-expanded", "true")


def test_cell_secretary_on_a_phone_sees_only_their_cell(live_cast, live_server, phone):
    login(phone, live_server, "sec_a")
    expect(phone).to_have_url(f"{live_server.url}/")  # the start page, "Việc cần làm"
    phone.goto(org_url(live_server, live_cast.cell_a))
    expect(phone.get_by_role("heading", level=1)).to_have_text(live_cast.cell_a.name)
    members = phone.locator("#members ~ .table-responsive")
    expect(members.get_by_role("link", name="Đảng viên A")).to_be_visible()
    expect(phone.get_by_text("Đảng viên B", exact=True)).to_have_count(0)
    expect(phone.get_by_text("Đảng viên C", exact=True)).to_have_count(0)
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "cell-a-390")

    response = phone.goto(org_url(live_server, live_cast.cell_b))
    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang này")
    expect(phone.get_by_text(live_cast.cell_b.name)).to_have_count(0)
    assert scroll_width(phone) <= PHONE["width"]


def test_commune_board_walks_the_tree_down_to_a_member_and_back(live_cast, live_server, page):
    x, a, b = live_cast.commune_x, live_cast.cell_a, live_cast.cell_b
    login(page, live_server, "commune_board")
    expect(page).to_have_url(f"{live_server.url}/")  # the start page, "Việc cần làm"
    page.goto(dashboard_url(live_server, x))

    open_tree_from_nav(page)
    expect(node(page, x).get_by_role("link", name=x.name)).to_be_visible()
    expect(node(page, live_cast.commune_y)).to_have_count(0)
    expect(node(page, live_cast.province)).to_have_count(0)

    expand(page, x)
    for cell in (a, b):
        expect(children(page, x).locator(f"#node-{cell.pk}").get_by_role("link", name=cell.name)).to_be_visible()
        expect(member_count(page, cell)).to_have_text("1")
    expect(member_count(page, x)).to_have_text("2")
    expect(node(page, live_cast.cell_c)).to_have_count(0)

    # Collapsing empties the box without another request; expanding again fetches fresh counts.
    toggle(page, x).click()
    expect(toggle(page, x)).to_have_attribute("aria-expanded", "false")
    expect(node(page, a)).to_have_count(0)
    expect(node(page, b)).to_have_count(0)
    expand(page, x)
    expect(node(page, a)).to_be_visible()

    node(page, a).get_by_role("link", name=a.name).click()
    expect(page).to_have_url(org_url(live_server, a))
    expect(page.get_by_role("heading", level=1)).to_have_text(a.name)
    page.get_by_role("link", name="Đảng viên A").click()
    expect(page).to_have_url(f"{live_server.url}/dang-vien/{live_cast.member_a.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đảng viên A")

    breadcrumb = page.get_by_role("navigation", name="Đường dẫn")
    breadcrumb.get_by_role("link", name=a.name).click()
    expect(page).to_have_url(org_url(live_server, a))
    page.get_by_role("navigation", name="Đường dẫn").get_by_role("link", name=x.name).click()
    expect(page).to_have_url(org_url(live_server, x))
    expect(page.get_by_role("heading", level=1)).to_have_text(x.name)


def test_commune_board_opens_the_tree_on_a_phone(live_cast, live_server, phone):
    x, a, b = live_cast.commune_x, live_cast.cell_a, live_cast.cell_b
    login(phone, live_server, "commune_board")

    expect(phone.locator("#nav-main").get_by_role("link", name="Cây tổ chức")).to_be_hidden()
    open_tree_from_nav(phone)
    expand(phone, x)
    for cell in (a, b):
        expect(node(phone, cell).get_by_role("link", name=cell.name)).to_be_visible()
        expect(member_count(phone, cell)).to_have_text("1")
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "tree-390")

    toggle(phone, x).click()
    expect(node(phone, a)).to_have_count(0)
    node(phone, x).get_by_role("link", name=x.name).click()
    expect(phone).to_have_url(org_url(live_server, x))
    assert scroll_width(phone) <= PHONE["width"]


def test_tree_search_by_code_stays_inside_the_subtree(live_cast, live_server, page):
    # The cast's one-letter codes are substrings of every name ("Chi bộ…" contains "C"), and the
    # search also matches names; give the cells codes of the real shape so a code search is a code search.
    codes = {live_cast.cell_a: "CB-X-01", live_cast.cell_b: "CB-X-02", live_cast.cell_c: "CB-Y-01"}
    for org, code in codes.items():
        Organisation.objects.filter(pk=org.pk).update(code=code)
    login(page, live_server, "commune_board")
    open_tree_from_nav(page)

    search = page.get_by_role("search")
    search.get_by_label("Tìm theo tên hoặc mã").fill("cb-x-01")
    search.get_by_role("button", name="Xem").click()
    expect(page).to_have_url(re.compile(r"[?&]q=cb-x-01"))
    expect(page.get_by_text("1 tổ chức khớp với “cb-x-01”.")).to_be_visible()
    expect(node(page, live_cast.cell_a).get_by_role("link", name=live_cast.cell_a.name)).to_be_visible()
    expect(page.locator(".tree-list > li[id^=node-]")).to_have_count(1)

    search = page.get_by_role("search")
    expect(search.get_by_label("Tìm theo tên hoặc mã")).to_have_value("cb-x-01")
    search.get_by_label("Tìm theo tên hoặc mã").fill("CB-Y-01")
    search.get_by_role("button", name="Xem").click()
    expect(page.get_by_text("0 tổ chức khớp với “CB-Y-01”.")).to_be_visible()
    expect(page.get_by_text("Không tìm thấy tổ chức nào trong phạm vi của bạn.")).to_be_visible()
    expect(page.locator("li[id^=node-]")).to_have_count(0)
    expect(page.get_by_text(live_cast.cell_c.name)).to_have_count(0)


def test_logout_from_the_navbar_returns_to_the_login_page(live_cast, live_server, page):
    login(page, live_server, "sec_a")
    expect(page).to_have_url(f"{live_server.url}/")  # the start page, "Việc cần làm"

    page.locator("#nav-main").get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(f"{live_server.url}/dang-nhap/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_role("button", name="Đăng xuất")).to_have_count(0)

    # The session is really gone: the cell page sends us back to the form.
    page.goto(org_url(live_server, live_cast.cell_a))
    expect(page).to_have_url(re.compile(r"/dang-nhap/\?next="))


def test_commune_shows_how_many_cells_it_has(live_cast, live_server, page):
    x = live_cast.commune_x
    login(page, live_server, "commune_board")
    expect(page).to_have_url(f"{live_server.url}/")  # the start page, "Việc cần làm"
    page.goto(dashboard_url(live_server, x))
    open_tree_from_nav(page)
    expect(member_count(page, x)).to_have_text("2")
    cells = node(page, x).locator(".tree-node .count-badges").first.get_by_title("Chi bộ đang hoạt động", exact=True)
    expect(cells).to_have_text("2 chi bộ", timeout=1_000)
