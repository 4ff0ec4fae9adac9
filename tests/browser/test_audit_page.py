"""The administrators' audit page on a phone (issue 14, finding 8): reached from the navbar, filtered,
the sensitive reads listed, nothing scrolls sideways at 390 px."""

import pytest
from playwright.sync_api import expect

from reports.models import SensitiveRead
from tests.cast import PASSWORD
from tests.factories import UserFactory

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = pytest.mark.browser


def test_the_audit_page_on_a_phone(live_cast, live_server, phone):
    UserFactory(username="quantri", is_staff=True, is_superuser=True, password=PASSWORD)
    person = live_cast.member_a.person
    person.full_name = "Nguyễn Thị Một Cái Tên Rất Dài Để Thử Bề Ngang Của Màn Hình Điện Thoại"
    person._history_user = live_cast.commune_board
    person.save()
    SensitiveRead.objects.create(
        user=live_cast.commune_sec, where="member_page", fields="citizen_id,ethnicity,religion", people=f",{person.pk},"
    )
    login(phone, live_server, "quantri")
    phone.get_by_role("button", name="Mở menu").click()
    phone.locator("#nav-audit").click()
    expect(phone.get_by_role("heading", name="Nhật ký kiểm tra")).to_be_visible()
    changes = phone.locator("#audit-changes")
    expect(changes).to_contain_text(person.full_name)
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "audit-phone-changes")

    phone.get_by_label("Loại").select_option(label="Xem dữ liệu nhạy cảm")
    phone.get_by_role("button", name="Lọc").click()
    reads = phone.locator("#audit-reads")
    expect(reads).to_contain_text("commune_sec")
    expect(reads).to_contain_text("Số CCCD, Dân tộc, Tôn giáo")
    expect(reads).to_contain_text(person.full_name)
    assert scroll_width(phone) <= PHONE["width"]
    screenshot(phone, "audit-phone-reads")
