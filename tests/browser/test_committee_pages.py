"""The commune board on a phone: the queue of dossiers, returning one, classes and deadlines."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from members.vocabulary import MemberStatus
from recruitment import services
from recruitment.models import Enrolment
from tests.cast import add_recruitment
from tests.factories import MemberFactory
from tests.recruitment.journey import walk

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = pytest.mark.browser

REASON = "Thiếu giấy giới thiệu của Đoàn cơ sở"


def fits_the_phone(page: Page) -> None:
    assert scroll_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone"


def open_tab(page: Page, live_server, organisation, name: str) -> None:
    """From the organisation's page (not wherever the login lands), open one of its tabs."""
    page.goto(f"{live_server.url}/to-chuc/{organisation.pk}/")
    page.get_by_role("tablist").get_by_role("link", name=name).click()


@pytest.fixture
def dossier(live_cast):
    """A candidate of cell A whose cell has voted (the journey's dates, in early 2024)."""
    introducers = [MemberFactory(cell=live_cast.cell_a, status=MemberStatus.FULL) for _ in range(2)]
    candidate = services.candidate_propose(
        cell=live_cast.cell_a,
        introduced_by="youth_union",
        proposed_on=datetime.date(2023, 12, 1),
        person_fields={
            "full_name": "Hoàng Thị Lan",
            "gender": "female",
            "date_of_birth": datetime.date(2000, 4, 12),
            "general_education": "upper_secondary",
            "is_youth_union_member": True,
        },
        by=None,
    )
    return walk(candidate, to="cell_resolution", introducers=introducers, by=None)


def test_the_commune_board_returns_a_dossier_from_the_queue_on_a_phone(live_cast, live_server, phone, dossier):
    login(phone, live_server, "commune_board")
    open_tab(phone, live_server, live_cast.commune_x, "Hồ sơ chờ xét")
    expect(phone.get_by_role("heading", level=2)).to_have_text("Hồ sơ chờ cấp ủy xét duyệt, quyết định")
    row = phone.locator(f"#queue-row-{dossier.pk}")
    expect(row.get_by_role("link", name="Hoàng Thị Lan")).to_be_visible()
    expect(row).to_contain_text("Đảng bộ xã Xuân quyết định kết nạp")
    expect(row).to_have_class(re.compile(r"table-danger"))  # voted in 2024: long past 60 working days
    fits_the_phone(phone)
    screenshot(phone, "committee-queue-390")

    row.get_by_role("link", name="Trả lại chi bộ").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Trả lại hồ sơ cho chi bộ")
    fits_the_phone(phone)
    phone.get_by_role("button", name="Trả lại chi bộ").click()
    expect(phone.get_by_text("Hãy ghi lý do trả lại hồ sơ để chi bộ biết cần bổ sung gì.")).to_be_visible()
    phone.get_by_label("Lý do trả lại hồ sơ").fill(REASON)
    phone.get_by_role("button", name="Trả lại chi bộ").click()

    expect(phone).to_have_url(re.compile(rf"/to-chuc/{live_cast.commune_x.pk}/xet-duyet/$"))
    expect(phone.get_by_role("alert")).to_contain_text(
        f"Đã trả lại hồ sơ của Hoàng Thị Lan cho Chi bộ thôn A: {REASON}"
    )
    expect(phone.locator(f"#queue-row-{dossier.pk}")).to_have_count(0)
    expect(phone.get_by_text("Không có hồ sơ nào đang chờ cấp ủy xét duyệt hoặc quyết định.")).to_be_visible()

    # The cell's board puts the returned dossier first, with the reason; so does its timeline.
    phone.goto(f"{live_server.url}/to-chuc/{live_cast.cell_a.pk}/phat-trien-dang/")
    returned = phone.get_by_role("region", name="Hồ sơ cấp ủy trả lại, cần bổ sung")
    expect(returned).to_contain_text("Hoàng Thị Lan")
    expect(returned).to_contain_text(REASON)
    fits_the_phone(phone)
    returned.get_by_role("link", name="Hoàng Thị Lan").click()
    expect(phone.locator("#returned-reason")).to_contain_text(REASON)
    fits_the_phone(phone)


def test_the_commune_board_enrols_a_class_and_records_its_results_on_a_phone(live_cast, live_server, phone):
    rc = add_recruitment(live_cast)
    login(phone, live_server, "commune_board")
    open_tab(phone, live_server, live_cast.commune_x, "Lớp bồi dưỡng")
    phone.get_by_role("link", name="Lớp bồi dưỡng X").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Lớp bồi dưỡng X")

    phone.get_by_role("link", name="Cử người đi học").click()
    phone.get_by_label("Quần chúng A (2000, Chi bộ thôn A)").check()
    phone.get_by_label("Quần chúng B (2000, Chi bộ thôn B)").check()
    fits_the_phone(phone)
    phone.get_by_role("button", name="Ghi danh").click()
    expect(phone.get_by_role("alert")).to_contain_text("Đã cử 2 người đi học lớp “Lớp bồi dưỡng X”.")

    phone.get_by_role("link", name="Ghi kết quả").click()
    row_a, row_b = phone.locator(f"#row-{rc.candidate_a.pk}"), phone.locator(f"#row-{rc.candidate_b.pk}")
    expect(row_a.get_by_label("Ngày cấp")).to_have_value("2024-03-05")  # the class's last day
    row_a.get_by_text("Đạt", exact=True).click()
    expect(row_a.get_by_label("Đạt", exact=True)).to_be_checked()
    row_b.get_by_text("Đạt", exact=True).click()
    row_a.get_by_label("Số giấy chứng nhận").fill("CN-2024-001")
    phone.get_by_role("button", name="Lưu kết quả").click()

    # B has no certificate number: the message sits on B's row and nothing is saved.
    expect(row_b.locator(".row-errors")).to_contain_text("Quần chúng B: Thiếu số giấy chứng nhận (CN-NTVĐ).")
    expect(row_a.locator(".row-errors")).to_have_count(0)
    expect(row_a.get_by_label("Số giấy chứng nhận")).to_have_value("CN-2024-001")
    assert not Enrolment.objects.filter(passed__isnull=False).exists()
    fits_the_phone(phone)
    screenshot(phone, "class-results-390")

    row_b.get_by_text("Chưa đạt", exact=True).click()
    phone.get_by_role("button", name="Lưu kết quả").click()
    expect(phone.get_by_role("alert")).to_contain_text("Đã ghi kết quả học tập của 2 người.")
    roster_a = phone.locator(f"#row-{rc.candidate_a.pk}")
    expect(roster_a).to_contain_text("Số CN-2024-001, cấp ngày 05/03/2024")
    expect(phone.locator(f"#row-{rc.candidate_b.pk}")).to_contain_text("Chưa đạt")
    fits_the_phone(phone)


def test_the_deadlines_page_fits_a_phone(live_cast, live_server, phone):
    add_recruitment(live_cast)  # verification requests long past their reply date
    login(phone, live_server, "commune_board")
    open_tab(phone, live_server, live_cast.commune_x, "Hạn xử lý")
    section = phone.locator("#verifications")
    expect(section.locator(".section-count")).to_have_text("2")
    expect(section.get_by_role("link", name="Quần chúng A")).to_be_visible()
    expect(phone.locator("#ceremonies")).to_contain_text("Không có lễ kết nạp nào quá hạn hoặc sắp đến hạn.")
    fits_the_phone(phone)
    screenshot(phone, "deadlines-390")
