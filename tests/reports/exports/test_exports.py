"""The downloads: the progress report (.xlsx and PDF), Biểu 2, the deadlines and the member list."""

import datetime
import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from members.vocabulary import Level
from reports.exports import common, pdf
from reports.progress import periods
from tests.reports.builders import admit, cell, org, quota, spread

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
YEAR = periods.year(2026)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    return TODAY


@pytest.fixture
def commune():
    """Đảng bộ xã Minh Sơn: two cells, 12 admissions this year (4 women), 5 last year, a quota of 20."""
    province = org(Level.PROVINCE, name="Đảng bộ tỉnh Hòa Bình Mới", code="P01")
    commune = org(Level.COMMUNE, province, name="Đảng bộ xã Minh Sơn", code="X01")
    first, second = cell(commune), cell(commune)
    admit(first, spread(8, datetime.date(2026, 1, 10), datetime.date(2026, 10, 30)))
    admit(second, spread(4, datetime.date(2026, 2, 1), datetime.date(2026, 9, 1)), gender="female")
    admit(first, spread(5, datetime.date(2025, 1, 10), datetime.date(2025, 10, 1)))
    quota(commune, YEAR, value=20, metric="admissions")
    return commune


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and disposition.isascii()
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _values(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_progress_workbook_has_titles_headers_figures_and_formats(client, admin_user, commune, today):
    client.force_login(admin_user)
    response = client.get(reverse("reports:export_progress_xlsx", args=[commune.pk]), {"ky": "2026"})
    assert 'filename="bao-cao-tien-do-x01-2026.xlsx"' in response["Content-Disposition"]
    wb = _workbook(response)
    assert wb.sheetnames == ["Tiến độ", "Đơn vị trực thuộc", "Biểu 2-BTCTW"]
    ws = wb["Tiến độ"]
    assert ws["A1"].value == "BÁO CÁO KẾT QUẢ CÔNG TÁC PHÁT TRIỂN ĐẢNG VIÊN"
    assert ws["A2"].value == "Đảng bộ xã Minh Sơn"
    assert "Năm 2026" in ws["A3"].value
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.bold
    assert ws.freeze_panes == "B6"
    rows = _values(ws)
    header = rows.index(["Chỉ tiêu", "Chỉ tiêu giao", "Đã đạt", "Tỷ lệ (%)", "Cần đạt đến nay", "Đánh giá"])
    quota_row = header + 1
    assert rows[quota_row][1:4] == [20, 12, pytest.approx(0.6)]  # 60,0%: the fraction, shown as a percentage
    for column, number_format in ((2, "#,##0"), (3, "#,##0"), (4, "0.0%")):
        cell = ws.cell(row=quota_row + 1, column=column)
        assert cell.data_type == "n" and cell.number_format == number_format
    assert ws.cell(row=header + 1, column=1).font.bold  # headers are bold
    assert ["Trong kỳ báo cáo", 12] in [r[:2] for r in rows]
    assert ws.column_dimensions["A"].width == 52

    children = wb["Đơn vị trực thuộc"]
    child_rows = _values(children)
    assert child_rows[5][:3] == ["STT", "Đơn vị", "Mã"]
    assert sorted(r[4] for r in child_rows[6:]) == [4, 8]
    assert children.freeze_panes == "C7"


def test_breakdown_workbook_compares_with_last_year(client, admin_user, commune, today):
    client.force_login(admin_user)
    wb = _workbook(client.get(reverse("reports:export_breakdown_xlsx", args=[commune.pk]), {"ky": "2026"}))
    ws = wb["Biểu 2-BTCTW"]
    assert ws["A1"].value == "THỐNG KÊ ĐẢNG VIÊN MỚI KẾT NẠP (BIỂU 2-BTCTW)"
    rows = _values(ws)
    assert rows[5][:3] == ["Chỉ tiêu thống kê", "Kỳ này", "Tỷ lệ trong tổng số (%)"]
    assert rows[5][4] == "So với cùng kỳ (%)"
    by_label = {r[0]: r for r in rows[6:]}
    assert by_label["Tổng số"][1:5] == [12, pytest.approx(1.0), 5, pytest.approx(2.4)]  # 100,0% and 240,0%
    assert by_label["Nữ"][1:3] == [4, pytest.approx(0.333)]
    for column, number_format in ((2, "#,##0"), (3, "0.0%"), (4, "#,##0"), (5, "0.0%")):
        assert ws.cell(row=7, column=column).number_format == number_format
        assert ws.cell(row=7, column=column).data_type == "n"
    assert ws.freeze_panes == "B7"


def test_deadlines_workbook(client, admin_user, commune, today):
    client.force_login(admin_user)
    response = client.get(reverse("reports:export_deadlines_xlsx", args=[commune.pk]))
    assert 'filename="han-xu-ly-x01-2026-11-23.xlsx"' in response["Content-Disposition"]
    ws = _workbook(response).active
    assert ws["A1"].value == "DANH SÁCH HẠN XỬ LÝ HỒ SƠ PHÁT TRIỂN ĐẢNG VIÊN"
    assert ws["A3"].value == "Tính đến ngày 23/11/2026"
    assert [c.value for c in ws[5]][:4] == ["STT", "Mục", "Họ và tên", "Chi bộ"]
    assert ws.freeze_panes == "D6"


def test_people_workbook_follows_the_member_list_filters(client, admin_user, commune, today):
    client.force_login(admin_user)
    url = reverse("reports:export_people_xlsx", args=[commune.pk])
    ws = _workbook(client.get(url, {"gender": "female"})).active
    rows = _values(ws)
    assert rows[0][0] == "DANH SÁCH ĐẢNG VIÊN"
    assert rows[2][:3] == ["STT", "Họ và tên", "Giới tính"]
    assert len(rows) == 3 + 4 and {r[2] for r in rows[3:]} == {"Nữ"}
    assert ws.freeze_panes == "C4"
    everyone = _values(_workbook(client.get(url)).active)
    assert len(everyone) == 3 + 17
    assert isinstance(everyone[3][6], datetime.datetime)  # a real date, formatted DD/MM/YYYY


def test_people_export_queries_do_not_grow_with_the_list(client, cast):
    client.force_login(cast.province_board)
    url = reverse("reports:export_people_xlsx", args=[cast.commune_x.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"status": "all"})
            rows = _values(_workbook(response).active)
        return len(queries), len(rows)

    small_queries, small_rows = count()
    admit(cast.cell_a, spread(40, datetime.date(2024, 1, 1), datetime.date(2024, 12, 1)))
    large_queries, large_rows = count()
    assert large_rows == small_rows + 40
    assert large_queries == small_queries
    assert small_queries <= 8


@pytest.mark.parametrize(
    "name", ["export_progress_xlsx", "export_progress_pdf", "export_breakdown_xlsx", "export_deadlines_xlsx"]
)
def test_outside_the_subtree_is_404(client, cast, name):
    client.force_login(cast.sec_a)
    assert client.get(reverse(f"reports:{name}", args=[cast.commune_y.pk])).status_code == 404


def test_people_export_outside_the_subtree_is_404(client, cast):
    client.force_login(cast.sec_a)
    assert client.get(reverse("reports:export_people_xlsx", args=[cast.cell_b.pk])).status_code == 404
    response = client.get(reverse("reports:export_people_xlsx", args=[cast.cell_a.pk]))
    assert response.status_code == 200
    # Read to the end, as a server would: the test client then closes the FileResponse and its
    # temporary file without firing request_finished, which would close a PostgreSQL test connection.
    assert b"".join(response.streaming_content)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_text_keeps_the_header_title_and_vietnamese_figures(client, admin_user, commune, today, tmp_path):
    client.force_login(admin_user)
    response = client.get(reverse("reports:export_progress_pdf", args=[commune.pk]), {"ky": "2026"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-tien-do-x01-2026.pdf"'
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "BÁO CÁO KẾT QUẢ CÔNG TÁC PHÁT TRIỂN ĐẢNG VIÊN" in text
    assert "ĐẢNG ỦY XÃ MINH SƠN" in text
    assert "Minh Sơn, ngày 23 tháng 11 năm 2026" in text
    assert "T/M BAN THƯỜNG VỤ" in text
    assert "Trong kỳ báo cáo" in text
    assert "60,0%" in text  # 12 of 20, with the Vietnamese decimal comma
    assert "60.0" not in text
    first_page = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert "595.28 x 841.89" in first_page or "595.276 x 841.89" in first_page  # A4


def _women_share_quota(commune):
    quota(
        commune,
        YEAR,
        metric="share",
        share_attribute="women",
        value_kind="rate",
        rate_percent=Decimal("65.00"),
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_writes_share_targets_and_shares_as_vietnamese_percentages(client, admin_user, commune, today, tmp_path):
    _women_share_quota(commune)
    client.force_login(admin_user)
    response = client.get(reverse("reports:export_progress_pdf", args=[commune.pk]), {"ky": "2026"})
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "65,0%" in text and "33,3%" in text  # the target and 4 women of 12
    assert "65.00" not in text and "33.3" not in text


def test_workbook_share_quota_cells_are_percentages(client, admin_user, commune, today):
    _women_share_quota(commune)
    client.force_login(admin_user)
    wb = _workbook(client.get(reverse("reports:export_progress_xlsx", args=[commune.pk]), {"ky": "2026"}))
    ws = wb["Tiến độ"]
    row = next(r for r in ws.iter_rows() if r[2].value == 4 and r[0].data_type == "s")  # 4 women admitted
    target, share = row[1], row[3]
    assert (target.value, target.number_format, target.data_type) == (pytest.approx(0.65), "0.0%", "n")
    assert (share.value, share.number_format, share.data_type) == (pytest.approx(0.333), "0.0%", "n")


def test_place_date_and_committee_names():
    assert common.date_line("Minh Sơn", datetime.date(2026, 2, 5)) == "Minh Sơn, ngày 05 tháng 02 năm 2026"
    assert common.date_line("Minh Sơn", datetime.date(2026, 11, 23)) == "Minh Sơn, ngày 23 tháng 11 năm 2026"
    assert common.ascii_filename("bao-cao", "Đ01", "2023-01-01..2023-06-30", ext="xlsx") == (
        "bao-cao-d01-2023-01-01-2023-06-30.xlsx"
    )


def test_cell_report_is_signed_for_the_cell(commune, today):
    village = cell(commune)
    village.name = "Chi bộ thôn Đồng Tâm"
    context = pdf.context(village, _report(village), today)
    assert context["on_behalf"] == "T/M CHI BỘ"
    assert context["date_line"].startswith("Đồng Tâm, ngày 23")
    assert context["superior"] == "ĐẢNG BỘ XÃ MINH SƠN"


def _report(organisation):
    from reports.progress.report import progress_report

    return progress_report(organisation, YEAR, TODAY)
