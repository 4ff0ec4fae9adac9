"""The commune board on a phone imports from Excel: a file with errors is refused row by row and marked,
uploaded again unfixed it is still refused, and nothing is written; a good file lands behind a progress
bar and the dashboard shows the new unit, its members and its quota."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from members.models import Member, Organisation
from reports.imports.columns import MEMBERS, ORGANISATIONS, QUOTAS, SheetSpec
from reports.models import ImportRun, ImportStatus, Quota

from .conftest import PHONE, login, screenshot, scroll_width

# calendar: quotas and dashboard of this year; the live server shares the frozen clock
# (make test-dates runs it on each day of its set).
pytestmark = [pytest.mark.browser, pytest.mark.calendar]

NEW_CELL = {
    "code": "X-D",
    "name": "Chi bộ thôn Đông",
    "level": "Chi bộ trực thuộc",
    "sector": "Nông thôn, khu dân cư",
    "parent_code": "X",
}
ORPHAN_MESSAGE_COLUMN = "Mã tổ chức cấp trên"


def workbook(sheets: dict[SheetSpec, list[dict]]) -> bytes:
    """Headers in row 1 from the format, data from row 2, as a committee would type it."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec, rows in sheets.items():
        sheet = book.create_sheet(spec.title)
        sheet.append(spec.headers)
        for row in rows:
            sheet.append([row.get(c.key) for c in spec.columns])
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def quota_row(code: str, value: int) -> dict:
    return {
        "organisation_code": code,
        "period": str(timezone.localdate().year),
        "source": "Cấp trên giao",
        "metric": "Kết nạp đảng viên",
        "value_kind": "Số cụ thể",
        "value": value,
    }


def member_row(n: int) -> dict:
    return {
        "citizen_id": f"0010850{n:05d}",
        "full_name": f"Nguyễn Văn Thành {n}",
        "gender": "Nam",
        "date_of_birth": "15/03/1985",
        "cell_code": "X-D",
        "admission_decision_date": "12/05/2010",
        "ceremony_date": "20/05/2010",
        "recognition_date": "20/05/2011",
    }


def bad_workbook() -> bytes:
    orphan = {**NEW_CELL, "code": "X-E", "name": "Chi bộ thôn Tây", "parent_code": "KHONG-CO"}
    return workbook({ORGANISATIONS: [orphan], QUOTAS: [quota_row("X", 5)]})


def good_workbook() -> bytes:
    return workbook(
        {
            ORGANISATIONS: [NEW_CELL],
            MEMBERS: [member_row(1), member_row(2)],
            QUOTAS: [quota_row("X", 4), quota_row("X-D", 3)],
        }
    )


def figures() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "members": Member.objects.count(),
        "quotas": Quota.objects.count(),
    }


def fits_the_phone(page: Page) -> None:
    assert scroll_width(page) <= PHONE["width"], f"{page.url} scrolls sideways on a phone"


def upload(page: Page, path, *, name: str) -> None:
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


@pytest.fixture
def import_workers(transactional_db):
    from tests.celery_workers import Workers

    workers = Workers("import")
    try:
        yield workers
    finally:
        workers.stop_all()


def test_the_commune_board_imports_from_excel_on_a_phone(live_cast, live_server, phone, settings, tmp_path, request):
    x = live_cast.commune_x
    before = figures()
    login(phone, live_server, "commune_board")

    # From the commune's dashboard to the import page.
    phone.goto(f"{live_server.url}{reverse('reports:dashboard', args=[x.pk])}")
    phone.get_by_role("link", name="Nhập từ Excel").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Nhập dữ liệu từ Excel")
    expect(phone.get_by_role("link", name="Tải tệp mẫu (.xlsx)")).to_be_visible()
    fits_the_phone(phone)
    screenshot(phone, "import-upload-390")

    # A file with errors: the row-by-row report, and nothing written.
    bad = tmp_path / "du-lieu-sai.xlsx"
    bad.write_bytes(bad_workbook())
    upload(phone, bad, name="du-lieu-sai.xlsx")
    expect(phone.locator("#import-outcome")).to_contain_text("Không có dữ liệu nào được ghi.")
    issues = phone.locator("#import-issues tbody tr")
    expect(issues.first).to_be_visible()
    orphan_row = issues.filter(has_text="KHONG-CO")
    expect(orphan_row).to_have_count(1)
    expect(orphan_row.locator("td").nth(0)).to_have_text("Tổ chức")
    expect(orphan_row.locator("td").nth(1)).to_have_text("2")
    expect(orphan_row.locator("td").nth(2)).to_have_text(ORPHAN_MESSAGE_COLUMN)
    message = orphan_row.locator("td").nth(4).inner_text()
    assert message
    fits_the_phone(phone)
    screenshot(phone, "import-refused-390")
    assert figures() == before

    # The marked workbook: the message beside the row.
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Tải tệp đánh dấu lỗi (.xlsx)").click()
    marked = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(marked)
    book = openpyxl.load_workbook(marked)
    sheet = book[ORGANISATIONS.title]
    error_column = [c.value for c in sheet[1]].index("Lỗi") + 1
    assert message in sheet.cell(row=2, column=error_column).value

    # Uploaded again without fixing anything: refused again, still nothing written.
    phone.get_by_role("link", name="Nhập tệp khác").click()
    upload(phone, marked, name=marked.name)
    expect(phone.locator("#import-outcome")).to_contain_text("Không có dữ liệu nào được ghi.")
    expect(phone.locator("#import-issues tbody tr").filter(has_text="KHONG-CO")).to_have_count(1)
    assert figures() == before
    assert list(ImportRun.objects.values_list("status", flat=True)) == [ImportStatus.REFUSED] * 2

    # A good file, large enough (threshold 0) to go to the worker behind the progress bar. With Redis
    # (CI's PostgreSQL pass) a real worker on a queue of this test's own runs it; else Celery is eager.
    settings.PARTYHUB_IMPORT_ASYNC_ROWS = 0
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        workers = request.getfixturevalue("import_workers")
        settings.PARTYHUB_IMPORT_QUEUE = workers.queue
        workers.start()
    good = tmp_path / "du-lieu-dung.xlsx"
    good.write_bytes(good_workbook())
    phone.get_by_role("link", name="Nhập tệp khác").click()
    upload(phone, good, name="du-lieu-dung.xlsx")
    bar = phone.get_by_role("progressbar", name="Tiến độ nhập dữ liệu")
    expect(bar).to_be_visible()
    # Eager Celery has finished by the time the page loads; a real worker needs to start first.
    expect(bar).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(phone.locator("#import-outcome")).to_contain_text("Đã nhập xong.")
    expect(phone.locator("#import-counts")).to_contain_text("Đảng viên")
    fits_the_phone(phone)
    screenshot(phone, "import-done-390")
    assert figures() == {
        "organisations": before["organisations"] + 1,
        "members": before["members"] + 2,
        "quotas": before["quotas"] + 2,
    }

    # The new figures: the commune's quota for the year, the new cell ranked with its own.
    phone.get_by_role("link", name="Xem số liệu mới").click()
    expect(phone).to_have_url(re.compile(re.escape(reverse("reports:dashboard", args=[x.pk]))))
    phone.goto(f"{live_server.url}{reverse('reports:dashboard', args=[x.pk])}?ky={timezone.localdate().year}")
    expect(phone.locator(".quota-card")).to_contain_text("/ 4")
    new_cell = Organisation.objects.get(code="X-D")
    expect(phone.locator(f"#child-{new_cell.pk}")).to_contain_text("Chi bộ thôn Đông")
    expect(phone.locator(f"#child-{new_cell.pk}")).to_contain_text("/ 3")
    # Members at the end of the year: cells A and B had one each, the new cell brought two.
    expect(phone.locator("#members-movements .fs-4").nth(1)).to_have_text("4")
    fits_the_phone(phone)
    screenshot(phone, "import-new-figures-390")
