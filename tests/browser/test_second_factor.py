"""A board user's first login on a phone: the password, then setting up an authenticator app."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = [pytest.mark.browser, pytest.mark.require_otp]


def test_a_board_user_sets_up_the_authenticator_and_reaches_the_dashboard(live_cast, live_server, phone):
    login(phone, live_server, "commune_board")
    expect(phone.get_by_role("heading", name="Thiết lập xác thực hai bước")).to_be_visible()
    expect(phone.get_by_role("img", name="Mã QR để thêm PartyHub vào ứng dụng xác thực")).to_be_visible()
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "otp-enrol-phone")

    # What a phone does with the secret typed by hand.
    secret = phone.locator("#otp-secret").inner_text().replace(" ", "")
    code = f"{totp(b32decode(secret)):06d}"
    phone.get_by_label("Mã xác thực").fill(code)
    phone.get_by_role("button", name="Xác nhận").click()

    codes = phone.locator("#recovery-codes li")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[a-z2-7]{8}", text) for text in codes.all_inner_texts())
    screenshot(phone, "otp-recovery-codes-phone")
    phone.get_by_role("link", name="Tôi đã lưu các mã, tiếp tục").click()
    # The start page ("Việc cần làm"), whose first link leads to the unit's dashboard.
    expect(phone).to_have_url(f"{live_server.url}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Việc cần làm")
    phone.get_by_role("link", name=re.compile(r"Tổng quan · ")).first.click()
    expect(phone).to_have_url(re.compile(r"/to-chuc/\d+/bao-cao/$"))
