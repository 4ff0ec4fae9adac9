"""Long lists a page at a time (issue 15 item 3), on a phone: the tree's "xem thêm", the deadlines counted
per child unit with one section page by page, and a board column's whole stage. The page sizes are made
tiny here so that the cast's few rows fill several pages."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from members import views as member_views
from recruitment.selectors import pipeline
from recruitment.views import deadlines as deadlines_view
from tests.cast import add_recruitment

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = pytest.mark.browser


def fits_the_phone(page) -> None:
    assert scroll_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone"


def test_a_long_level_of_the_tree_loads_the_rest_in_place(live_cast, live_server, phone, monkeypatch):
    monkeypatch.setattr(member_views, "TREE_CHILDREN_PER_PAGE", 1)
    x, a, b = live_cast.commune_x, live_cast.cell_a, live_cast.cell_b
    login(phone, live_server, "commune_board")
    phone.goto(f"{live_server.url}{reverse('members:tree')}")
    with phone.expect_response(re.compile(rf"/to-chuc/{x.pk}/con/")):
        phone.locator(f"#node-{x.pk} .tree-toggle").first.click()
    box = phone.locator(f"#children-{x.pk}")
    expect(box.locator(f"#node-{a.pk}")).to_be_visible()
    expect(box.locator(f"#node-{b.pk}")).to_have_count(0)
    more = box.get_by_role("button", name="Xem thêm (1 tổ chức nữa)")
    fits_the_phone(phone)
    with phone.expect_response(re.compile(rf"/to-chuc/{x.pk}/con/\?.*trang=2")):
        more.click()
    expect(box.locator(f"#node-{b.pk}").get_by_role("link", name=b.name)).to_be_visible()
    expect(box.locator("> ul > li[id^=node-]")).to_have_count(2)
    expect(box.get_by_role("button", name=re.compile("Xem thêm"))).to_have_count(0)
    fits_the_phone(phone)


def test_the_deadlines_count_per_child_unit_and_list_a_section_page_by_page(live_cast, live_server, phone, monkeypatch):
    monkeypatch.setattr(deadlines_view, "SECTION_PREVIEW", 1)
    monkeypatch.setattr(deadlines_view, "SUMMARY_FROM", 1)
    monkeypatch.setattr(deadlines_view, "ROWS_PER_PAGE", 1)
    add_recruitment(live_cast)  # verification requests of A and B (commune X) long past their reply date
    login(phone, live_server, "commune_board")
    phone.goto(f"{live_server.url}{reverse('recruitment:deadlines', args=[live_cast.commune_x.pk])}")
    per_child = phone.locator("#per-child")
    expect(per_child.locator("tr.child-deadlines")).to_have_count(2)
    expect(per_child.get_by_role("link", name=live_cast.cell_a.name)).to_be_visible()
    expect(per_child).not_to_contain_text(live_cast.cell_c.name)
    section = phone.locator("#verifications")
    expect(section.locator(".section-count")).to_have_text("2")
    expect(section.get_by_role("link", name=re.compile("^Quần chúng"))).to_have_count(1)
    fits_the_phone(phone)
    screenshot(phone, "deadlines-summary-390")

    section.get_by_role("link", name=re.compile("Xem tất cả 2 trường hợp")).click()
    expect(phone).to_have_url(re.compile(r"\?muc=verifications$"))
    expect(phone.get_by_text("Trang 1/2")).to_be_visible()
    first = phone.locator("#verifications").get_by_role("link", name=re.compile("^Quần chúng")).inner_text()
    phone.get_by_role("link", name="Sau").click()
    expect(phone).to_have_url(re.compile(r"\?muc=verifications&trang=2#verifications$"))
    expect(phone.get_by_text("Trang 2/2")).to_be_visible()
    second = phone.locator("#verifications").get_by_role("link", name=re.compile("^Quần chúng")).inner_text()
    assert {first, second} == {"Quần chúng A", "Quần chúng B"}
    fits_the_phone(phone)

    # Down to cell A's own page from the summary.
    phone.get_by_role("link", name="Mọi hạn xử lý").click()
    phone.locator("#per-child").get_by_role("link", name=live_cast.cell_a.name).click()
    expect(phone).to_have_url(f"{live_server.url}{reverse('recruitment:deadlines', args=[live_cast.cell_a.pk])}")
    expect(phone.locator("#per-child")).to_have_count(0)
    expect(phone.locator("#verifications").get_by_role("link", name="Quần chúng A")).to_be_visible()


def test_a_full_board_column_opens_its_whole_stage_page_by_page(live_cast, live_server, phone, monkeypatch):
    monkeypatch.setattr(pipeline, "COLUMN_LIMIT", 1)
    monkeypatch.setattr(pipeline, "STAGE_PAGE_SIZE", 1)
    add_recruitment(live_cast)  # A and B proposed in commune X
    login(phone, live_server, "commune_board")
    phone.goto(f"{live_server.url}{reverse('recruitment:board', args=[live_cast.commune_x.pk])}")
    column = phone.locator("#stage-source")
    expect(column.locator(".pipeline-card")).to_have_count(1)
    column.get_by_role("link", name="Còn 1 người nữa: xem cả danh sách").click()
    expect(phone).to_have_url(re.compile(r"\?giai_doan=source$"))
    expect(phone.get_by_text("Trang 1/2")).to_be_visible()
    expect(phone.locator(".pipeline-card")).to_have_count(1)
    fits_the_phone(phone)
    screenshot(phone, "board-stage-390")
    phone.get_by_role("link", name="Sau").click()
    expect(phone.get_by_text("Trang 2/2")).to_be_visible()
    expect(phone.locator(".pipeline-card")).to_have_count(1)
    expect(phone.get_by_text("Quần chúng C")).to_have_count(0)
    phone.get_by_role("link", name="Về bảng theo dõi").click()
    expect(phone.locator("#stage-source")).to_be_visible()
