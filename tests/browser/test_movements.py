"""On a phone: a transfer between cells, asked by the sending cell and confirmed by the receiving one;
the commune board merging two cells and splitting one, the commune's progress figures unchanged."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Member, MemberTransfer, Organisation
from members.vocabulary import MemberStatus, TransferStatus
from reports.progress import periods
from reports.progress.report import progress_report
from tests.factories import MemberFactory

from .conftest import PHONE, login, screenshot, scroll_width

pytestmark = pytest.mark.browser


def fits_the_phone(page: Page) -> None:
    assert scroll_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone"


def test_a_transfer_is_recorded_by_one_cell_and_confirmed_by_the_other_on_a_phone(live_cast, live_server, phone):
    today = timezone.localdate()
    # The commune's secretary (over both cells) records it; cell B's secretary confirms.
    login(phone, live_server, "commune_sec")
    phone.goto(f"{live_server.url}{live_cast.member_a.get_absolute_url()}")
    phone.get_by_role("link", name="Chuyển sinh hoạt").click()
    fits_the_phone(phone)
    phone.get_by_label("hoặc mã chi bộ nơi đến").fill("B")
    phone.get_by_label("Ngày chuyển").fill(today.isoformat())
    phone.get_by_role("button", name="Ghi chuyển sinh hoạt").click()
    expect(phone.get_by_text("chuyển sinh hoạt khi chi bộ nơi đến xác nhận")).to_be_visible()
    transfer = MemberTransfer.objects.get(member=live_cast.member_a)
    assert transfer.status == TransferStatus.PENDING
    assert Member.objects.get(pk=live_cast.member_a.pk).cell_id == live_cast.cell_a.pk

    phone.context.clear_cookies()
    login(phone, live_server, "sec_b")
    phone.goto(f"{live_server.url}/to-chuc/{live_cast.cell_b.pk}/")
    phone.get_by_role("link", name="Chuyển sinh hoạt chờ xác nhận").click()
    card = phone.locator(f'[data-transfer="{transfer.pk}"]')
    expect(card).to_contain_text("Đảng viên A")
    fits_the_phone(phone)
    screenshot(phone, "movements-transfer-confirm-phone")
    card.get_by_role("button", name="Xác nhận tiếp nhận").click()
    expect(phone.get_by_text("Đã xác nhận: Đảng viên A sinh hoạt tại Chi bộ thôn B.")).to_be_visible()
    assert Member.objects.get(pk=live_cast.member_a.pk).cell_id == live_cast.cell_b.pk
    assert MemberTransfer.objects.get(pk=transfer.pk).status == TransferStatus.CONFIRMED


def _figures(organisation, today):
    report = progress_report(organisation, periods.year(today.year), today).as_json()
    members = report["members"]
    return (
        report["quotas"],
        report["admissions"],
        report["pipeline"],
        report["breakdown"],
        (members["start"], members["end"], members["change"]),
    )


def test_the_board_merges_two_cells_and_splits_one_and_the_communes_figures_stay(live_cast, live_server, phone):
    today = timezone.localdate()
    # Admitted this year and before today, whatever the day the test runs (1 January included).
    admitted = max(datetime.date(today.year, 1, 1), today - datetime.timedelta(days=1))
    for cell in (live_cast.cell_a, live_cast.cell_b):
        MemberFactory(
            cell=cell, status=MemberStatus.PROBATIONARY, admission_decision_date=admitted, ceremony_date=admitted
        )
    before = _figures(live_cast.commune_x, today)

    login(phone, live_server, "commune_board")
    phone.goto(f"{live_server.url}/to-chuc/{live_cast.commune_x.pk}/")
    phone.get_by_role("link", name="Sáp nhập đơn vị").click()
    phone.get_by_label("Chi bộ thôn A (A)").check()
    phone.get_by_label("Chi bộ thôn B (B)").check()
    phone.get_by_label("Một đơn vị đang có").check()
    phone.get_by_label("Đơn vị nhận").select_option(label="Chi bộ thôn A (A)")
    phone.get_by_label("Ngày sáp nhập").fill(today.isoformat())
    phone.get_by_role("button", name="Xem trước").click()
    preview = phone.locator("[data-preview]")
    expect(preview).to_contain_text("Chi bộ thôn A")
    expect(phone.get_by_text("Đảng viên B")).to_be_visible()
    fits_the_phone(phone)
    screenshot(phone, "movements-merge-preview-phone")
    phone.get_by_role("button", name="Xác nhận sáp nhập").click()
    expect(phone.get_by_text("Đã sáp nhập vào Chi bộ thôn A.")).to_be_visible()
    assert Organisation.objects.get(pk=live_cast.cell_b.pk).merged_into_id == live_cast.cell_a.pk
    assert _figures(live_cast.commune_x, today) == before

    members = list(Member.objects.filter(cell=live_cast.cell_a).select_related("person").order_by("pk"))
    assert len(members) == 4
    phone.get_by_role("link", name="Chia tách").click()
    phone.get_by_label("Ngày chia tách").fill(today.isoformat())
    phone.get_by_label("Mã chi bộ mới 1").fill("A1")
    phone.get_by_label("Tên chi bộ mới 1").fill("Chi bộ thôn A1")
    phone.get_by_label("Mã chi bộ mới 2").fill("A2")
    phone.get_by_label("Tên chi bộ mới 2").fill("Chi bộ thôn A2")
    for index, member in enumerate(members):
        phone.get_by_label(member.person.full_name, exact=True).select_option(label=f"Chi bộ mới {index % 2 + 1}")
    fits_the_phone(phone)
    phone.get_by_role("button", name="Xem trước").click()
    expect(phone.locator("[data-preview]")).to_contain_text("giải thể")
    fits_the_phone(phone)
    screenshot(phone, "movements-split-preview-phone")
    phone.get_by_role("button", name="Xác nhận chia tách").click()
    expect(phone.get_by_text("Đã chia tách thành 2 chi bộ.")).to_be_visible()
    assert Organisation.objects.get(pk=live_cast.cell_a.pk).dissolved_on == today
    assert sorted(Member.objects.filter(pk__in=[m.pk for m in members]).values_list("cell__code", flat=True)) == [
        "A1",
        "A1",
        "A2",
        "A2",
    ]
    assert _figures(live_cast.commune_x, today) == before
