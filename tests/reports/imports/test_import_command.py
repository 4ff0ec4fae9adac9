"""`manage.py import_workbook`: the Excel import from the command line."""

import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from members.models import Member, Organisation, Person
from members.vocabulary import Level, MemberStatus, Role
from reports.imports.columns import MEMBERS, ORGANISATIONS, QUOTAS, SHEETS
from reports.imports.marked import ERROR_HEADER, REPORT_TITLE
from reports.imports.template import template_workbook
from reports.models import Quota
from tests.factories import OrganisationFactory, UserFactory, grant

pytestmark = pytest.mark.django_db

ORG_ROW = {
    "Mã tổ chức": "XT-CB1",
    "Tên tổ chức": "Chi bộ thôn Đông",
    "Cấp": "Chi bộ cơ sở",
    "Loại hình": "Nông thôn, khu dân cư",
    "Mã tổ chức cấp trên": "XT",
    "Ngày thành lập": "01/07/2025",
}
MEMBER_ROW = {
    "Số CCCD": "001085012345",
    "Họ và tên": "Nguyễn Văn An",
    "Giới tính": "Nam",
    "Ngày sinh": datetime.datetime(1985, 3, 15),
    "Mã chi bộ": "XT-CB1",
    "Ngày quyết định kết nạp": "12/05/2010",
    "Ngày lễ kết nạp": "20/05/2010",
    "Ngày công nhận chính thức": "20/05/2011",
    "Số thẻ đảng": "01234567",
}
QUOTA_ROW = {
    "Mã tổ chức": "XT",
    "Kỳ": "2026",
    "Nguồn chỉ tiêu": "Cấp trên giao",
    "Nội dung": "Kết nạp đảng viên",
    "Dạng chỉ tiêu": "Số cụ thể",
    "Số lượng / cận dưới": 12,
}


def workbook(path, *, orgs=(ORG_ROW,), members=(MEMBER_ROW,), quotas=(QUOTA_ROW,)):
    """The template with its example rows left in place and the given rows from row 3 on."""
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    for spec, rows in ((ORGANISATIONS, orgs), (MEMBERS, members), (QUOTAS, quotas)):
        ws = book[spec.title]
        for number, row in enumerate(rows, start=3):
            for index, header in enumerate(spec.headers, start=1):
                ws.cell(row=number, column=index, value=row.get(header))
    book.save(path)
    return path


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_workbook", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def province():
    return OrganisationFactory(level=Level.PROVINCE, code="TINH", name="Đảng bộ tỉnh Thử")


@pytest.fixture
def commune(province):
    return OrganisationFactory(level=Level.COMMUNE, code="XT", name="Đảng bộ xã Thử", parent=province)


def test_a_good_workbook_imports_an_organisation_a_member_and_a_quota(commune, tmp_path):
    path = workbook(tmp_path / "du-lieu.xlsx")
    out, _err = run(path)
    cell = Organisation.objects.get(code="XT-CB1")
    assert cell.level == Level.GRASSROOTS_CELL and cell.name == "Chi bộ thôn Đông"
    member = Member.objects.get(person__citizen_id="001085012345")
    assert (member.cell, member.status, member.card_number) == (cell, MemberStatus.FULL, "01234567")
    assert Quota.objects.filter(organisation=commune, value=12).count() == 1
    assert "Đã nhập 3 dòng." in out
    counts = {line.split()[0]: line.split()[-4:] for line in out.splitlines() if line.startswith(("Tổ", "Đảng", "Chỉ"))}
    assert counts["Tổ"] == ["1", "1", "0", "0"]
    assert not (tmp_path / "du-lieu.loi.xlsx").exists()
    assert not Organisation.objects.filter(code="XA-HOA-BINH-CB1").exists()  # the example row was skipped


def test_importing_the_same_workbook_twice_creates_no_duplicates(commune, tmp_path):
    path = workbook(tmp_path / "du-lieu.xlsx")
    run(path)
    out, _err = run(path)
    assert Organisation.objects.filter(code="XT-CB1").count() == 1
    assert Member.objects.count() == 1
    assert Quota.objects.count() == 1
    org_line = next(line for line in out.splitlines() if line.startswith("Tổ chức"))
    assert org_line.split()[-4:] == ["1", "0", "0", "1"]


def test_a_dry_run_checks_and_writes_nothing(commune, tmp_path):
    path = workbook(tmp_path / "du-lieu.xlsx")
    out, _err = run(path, "--dry-run")
    assert "không có lỗi" in out and "--dry-run" in out
    assert not Organisation.objects.filter(code="XT-CB1").exists()
    assert not Member.objects.exists() and not Person.objects.exists() and not Quota.objects.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["du-lieu.xlsx"]


def test_a_bad_workbook_is_refused_with_the_report_and_a_marked_copy(commune, tmp_path):
    bad_member = {**MEMBER_ROW, "Ngày quyết định kết nạp": "31/02/2024"}
    path = workbook(tmp_path / "du-lieu.xlsx", members=(bad_member,))
    out = io.StringIO()
    with pytest.raises(CommandError, match="lỗi; không dòng nào được ghi"):
        call_command("import_workbook", str(path), stdout=out, stderr=io.StringIO())
    reported = next(line for line in out.getvalue().splitlines() if "31/02/2024" in line)
    assert reported.split()[:3] == ["Đảng", "viên", "3"]
    assert not Organisation.objects.filter(code="XT-CB1").exists()  # all or nothing
    marked = openpyxl.load_workbook(tmp_path / "du-lieu.loi.xlsx")
    assert marked.sheetnames[0] == REPORT_TITLE
    ws = marked[MEMBERS.title]
    errors = next(c.column for c in ws[1] if c.value == ERROR_HEADER)
    assert "Cột Ngày quyết định kết nạp: Ngày 31/02/2024 không có trong lịch." in ws.cell(row=3, column=errors).value
    assert ws.cell(row=2, column=errors).value is None


def test_the_marked_copy_goes_where_report_says(commune, tmp_path):
    path = workbook(tmp_path / "du-lieu.xlsx", quotas=({**QUOTA_ROW, "Mã tổ chức": "KHONG-CO"},))
    target = tmp_path / "bao-cao" / "loi.xlsx"
    target.parent.mkdir()
    with pytest.raises(CommandError):
        run(path, "--dry-run", "--report", target)
    assert target.exists()
    assert not (tmp_path / "du-lieu.loi.xlsx").exists()


def test_a_file_that_is_not_a_workbook_is_refused_as_a_whole(tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    path.write_text("Mã tổ chức,Tên tổ chức\nX01,Xã Một\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="tệp bị từ chối"):
        call_command("import_workbook", str(path), stdout=out, stderr=io.StringIO())
    assert "không phải bảng tính Excel" in out.getvalue()
    assert openpyxl.load_workbook(tmp_path / "danh-sach.loi.xlsx").sheetnames == [REPORT_TITLE]


def test_with_user_only_that_users_subtree_may_be_written(commune, province, tmp_path):
    other = OrganisationFactory(level=Level.COMMUNE, code="XK", name="Đảng bộ xã Khác", parent=province)
    staff = UserFactory(username="can-bo-xa-khac")
    grant(staff, other, Role.BOARD_STAFF)
    path = workbook(tmp_path / "du-lieu.xlsx", members=(), quotas=())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path), "--user", "can-bo-xa-khac", stdout=out, stderr=io.StringIO())
    # The parent is outside that user's subtree: answered as a code that does not exist.
    assert "Không có tổ chức mã “XT” trong phạm vi bạn quản lý" in out.getvalue()
    assert not Organisation.objects.filter(code="XT-CB1").exists()
    run(path)  # the administrator's import, over the whole tree
    assert Organisation.objects.filter(code="XT-CB1").exists()


def test_an_unknown_user_or_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="Không có người dùng"):
        run(workbook(tmp_path / "a.xlsx"), "--user", "khong-ai")
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        run(tmp_path / "khong-co.xlsx")


def test_progress_is_printed_to_stderr_about_every_thousand_rows(commune, tmp_path):
    # Rows refused for their format are quick to check and count towards the progress all the same.
    quotas = [{**QUOTA_ROW, "Kỳ": f"kỳ {n}"} for n in range(2500)]
    path = workbook(tmp_path / "du-lieu.xlsx", orgs=(), members=(), quotas=quotas)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path), "--dry-run", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "Đã xử lý 1.000/2.500 dòng",
        "Đã xử lý 2.000/2.500 dòng",
        "Đã xử lý 2.500/2.500 dòng",
    ]


def test_the_untouched_template_has_no_data_rows(tmp_path):
    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_workbook())
    out, _err = run(path)
    assert "Tệp không có dòng dữ liệu nào" in out


def test_the_template_examples_typed_as_data_import_cleanly(province, tmp_path):
    commune = OrganisationFactory(level=Level.COMMUNE, code="XA-HOA-BINH", name="Đảng bộ xã Hòa Bình", parent=province)
    OrganisationFactory(level=Level.CELL, code="XA-HOA-BINH-CB2", name="Chi bộ thôn Bắc", parent=commune)
    book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    for spec in SHEETS:
        ws = book[spec.title]
        for column in range(1, len(spec.columns) + 1):
            ws.cell(row=3, column=column, value=ws.cell(row=2, column=column).value)
    path = tmp_path / "vi-du.xlsx"
    book.save(path)
    out, _err = run(path, "--dry-run")
    assert "không có lỗi" in out
