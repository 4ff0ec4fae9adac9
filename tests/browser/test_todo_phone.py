"""Issue 13 items 5 and 6 on a phone (390 px): the secretary lands on "Việc cần làm", taps to a form; the
pipeline board is one tap from the menu; the organisation's tabs are not cut off; the bell shows the unread."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from recruitment import services
from recruitment.models import Candidate
from tests.cast import add_recruitment

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = pytest.mark.browser


def test_the_secretary_lands_on_the_to_do_list_and_taps_to_a_form(live_cast, live_server, phone):
    recruitment = add_recruitment(live_cast)
    a = recruitment.candidate_a
    Candidate.objects.filter(pk=a.pk).update(stage_entered_on=datetime.date.today() - datetime.timedelta(days=395))
    login(phone, live_server, "sec_a")
    assert phone.url == f"{live_server.url}/"
    expect(phone.get_by_role("heading", name="Việc cần làm", level=1)).to_be_visible()
    stuck = phone.locator(".todo-item.todo-stuck").filter(has_text="Quần chúng A").first
    expect(stuck).to_contain_text("Bị tắc")
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "todo-phone")
    stuck.get_by_role("link", name="Quần chúng A").click()
    phone.wait_for_url(f"**{reverse('recruitment:candidate_step', args=[a.pk, 'enrol'])}")
    expect(phone.locator("form")).not_to_have_count(0)


def test_the_board_is_one_tap_from_the_phone_menu_and_its_tab_is_not_cut_off(live_cast, live_server, phone):
    add_recruitment(live_cast)
    login(phone, live_server, "sec_a")
    phone.get_by_role("button", name="Mở menu").click()
    board = phone.locator("#nav-board")
    expect(board).to_be_visible()
    board.click()
    phone.wait_for_url(f"**{reverse('recruitment:board', args=[live_cast.cell_a.pk])}")
    tab = phone.locator(".org-tabs .nav-link", has_text="Phát triển đảng viên")
    expect(tab).to_be_visible()
    box = tab.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for link in phone.locator(".org-tabs .nav-link").all():
        b = link.bounding_box()
        assert b["x"] + b["width"] <= PHONE["width"], link.inner_text()
    screenshot(phone, "board-tabs-phone")


def test_the_bell_counts_the_unread_and_the_list_marks_them_read(live_cast, live_server, phone):
    recruitment = add_recruitment(live_cast)
    services.verification_request_record_reply(
        request=recruitment.verification_a,
        replied_on=datetime.date(2024, 3, 20),
        reply="Tốt",
        by=live_cast.commune_board,
    )
    login(phone, live_server, "sec_a")
    expect(phone.locator("#nav-unread .unread-count")).to_have_text("1")
    phone.goto(f"{live_server.url}{reverse('recruitment:notifications')}")
    expect(phone.locator(".notification-unread")).to_contain_text("thẩm tra")
    phone.goto(f"{live_server.url}/")
    expect(phone.locator("#nav-unread")).to_be_attached()
    expect(phone.locator("#nav-unread .unread-count")).to_have_count(0)
