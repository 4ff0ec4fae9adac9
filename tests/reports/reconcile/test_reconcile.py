"""Reconciliation with the national party-member database: reading the national list, matching it
against our members, and leaving PartyHub exactly as it was."""

import datetime
import io
import unicodedata
import zipfile

import pytest
from django.apps import apps
from django.urls import reverse
from openpyxl import Workbook

from members.vocabulary import Level, MemberStatus
from reports.reconcile import compare, national, selectors
from reports.reconcile.compare import OurRow
from reports.reconcile.national import NationalFileRefused, NationalRow, read_national
from tests.factories import MemberFactory, PersonFactory
from tests.reports.builders import org

pytestmark = pytest.mark.django_db

HEADERS = national.HEADERS


def national_xlsx(rows, *, headers=HEADERS, above=(), sheet="Danh sách") -> io.BytesIO:
    """A hand-made national list: optional title rows, a header row, then `rows` as given."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for line in above:
        ws.append(list(line))
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


@pytest.fixture
def commune():
    commune = org(Level.COMMUNE, name="Đảng bộ xã Hòa Bình", code="HB")
    commune.cell_a = org(Level.CELL, commune, name="Chi bộ thôn Đông", code="HB-DONG")
    commune.cell_b = org(Level.CELL, commune, name="Chi bộ thôn Tây", code="HB-TAY")
    return commune


def member(cell, name, born, citizen_id, **more):
    return MemberFactory(
        cell=cell,
        person=PersonFactory(full_name=name, date_of_birth=born, citizen_id=citizen_id),
        admission_decision_date=more.pop("admitted", datetime.date(2015, 3, 2)),
        recognition_date=more.pop("recognised", datetime.date(2016, 3, 20)),
        **more,
    )


@pytest.fixture
def members(commune):
    """Five members of the commune; each has a counterpart (or none) in NATIONAL_ROWS below."""
    a, b = commune.cell_a, commune.cell_b
    return {
        "same": member(a, "Nguyễn Văn An", datetime.date(1985, 3, 15), "001085000001"),
        "other_dob": member(a, "Trần Thị Bình", datetime.date(1990, 7, 1), "001190000002"),
        "only_here": member(b, "Lê Văn Cường", datetime.date(1978, 1, 9), "001078000003"),
        "no_id_here": member(b, "Phạm Văn Dũng", datetime.date(1982, 12, 24), None),
        "nfd_there": member(b, "Hoàng Thị Ên", datetime.date(2000, 2, 29), "001300000005"),
    }


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# A national list as the board would get it: real dates and dd/mm/yyyy text mixed, a cell by name
# or by code, one name typed with combining accents (NFD), in capitals and with doubled spaces.
NATIONAL_ROWS = [
    ["001085000001", "Nguyễn Văn An", "15/03/1985", "Chi bộ thôn Đông", datetime.date(2015, 3, 2), "20/03/2016"],
    ["001190000002", "Trần Thị Bình", datetime.date(1990, 8, 1), "HB-DONG", "02/03/2015", datetime.date(2016, 3, 20)],
    ["001082000004", "Phạm Văn Dũng", datetime.datetime(1982, 12, 24), "Chi bộ thôn Tây", "02/03/2015", "20/03/2016"],
    ["001300000005", nfd("HOÀNG  THỊ ÊN"), "29/02/2000", "chi bộ thôn tây", "2/3/2015", "20/3/2016"],
    ["001099000009", "Đỗ Thị Hà", "05/05/1999", "Chi bộ thôn Tây", "02/03/2015", ""],
]


def reconcile_upload(user, organisation, data):
    national_list = read_national(data)
    active, left = selectors.members_to_reconcile(user, organisation)
    return compare.reconcile_list(active, national_list, left=left)


def test_each_kind_of_difference_is_reported_as_such(admin_user, commune, members):
    result = reconcile_upload(admin_user, commune, national_xlsx(NATIONAL_ROWS))

    assert [r.ours.member_id for r in result.only_here] == [members["only_here"].pk]
    assert [(r.theirs.row, r.theirs.full_name) for r in result.only_there] == [(6, "Đỗ Thị Hà")]

    [differing] = result.differing
    assert differing.ours.member_id == members["other_dob"].pk
    assert [(d.label, d.ours, d.theirs) for d in differing.differences] == [
        ("Ngày sinh", datetime.date(1990, 7, 1), datetime.date(1990, 8, 1))
    ]

    [by_name] = result.matched_by_name_dob
    assert by_name.ours.member_id == members["no_id_here"].pk
    assert by_name.theirs.row == 4
    assert by_name.differences == ()
    assert by_name.missing_citizen_id == "PartyHub chưa có Số CCCD"

    # Real dates and text dates, a cell by code, an NFD name in capitals: all identical.
    assert result.identical == 2
    assert result.counts == {
        "ours": 5,
        "theirs": 5,
        "identical": 2,
        "differing": 1,
        "matched_by_name_dob": 1,
        "only_here": 1,
        "only_there": 1,
        "problems": 0,
    }
    assert not result.in_step


def test_dates_as_real_excel_dates_and_as_text_read_the_same():
    rows = [
        ["001085000001", "A", datetime.date(1985, 3, 15), "", datetime.datetime(2015, 3, 2), None],
        ["001085000002", "B", "15/03/1985", "", "2/3/2015", ""],
        ["001085000003", "C", " 15-03-1985 ", "", "02.03.2015", None],
    ]
    read = read_national(national_xlsx(rows))
    assert not read.problems
    assert {(r.date_of_birth, r.admission_decision_date, r.recognition_date) for r in read.rows} == {
        (datetime.date(1985, 3, 15), datetime.date(2015, 3, 2), None)
    }


def test_names_match_after_nfc_and_case_folding_but_keep_their_diacritics():
    born = datetime.date(1985, 3, 15)
    ours = [
        OurRow(1, "", "Nguyễn Văn An", born, "Chi bộ 1", "C1", None, None, MemberStatus.FULL),
        OurRow(2, "", "Trần Văn Bảo", born, "Chi bộ 1", "C1", None, None, MemberStatus.FULL),
    ]
    theirs = [
        NationalRow(2, "", nfd("nguyễn  VĂN an"), born),  # same name: NFD, other case, two spaces
        NationalRow(3, "", "Tran Van Bao", born),  # no diacritics: another name
    ]
    result = compare.reconcile(ours, theirs, fields=["citizen_id", "full_name", "date_of_birth"])
    assert [(p.ours.member_id, p.theirs.row) for p in result.matched_by_name_dob] == [(1, 2)]
    assert [r.ours.member_id for r in result.only_here] == [2]
    assert [r.theirs.row for r in result.only_there] == [3]


def test_a_name_that_differs_only_in_diacritics_is_a_difference_when_the_citizen_id_matches():
    born = datetime.date(1985, 3, 15)
    ours = [OurRow(1, "001085000001", "Nguyễn Văn An", born, "Chi bộ 1", "C1", None, None, MemberStatus.FULL)]
    theirs = [NationalRow(2, "001085000001", "Nguyen Van An", born)]
    result = compare.reconcile(ours, theirs, fields=["citizen_id", "full_name", "date_of_birth"])
    [pair] = result.differing
    assert [(d.label, d.ours_text, d.theirs_text) for d in pair.differences] == [
        ("Họ và tên", "Nguyễn Văn An", "Nguyen Van An")
    ]


def test_two_people_with_one_name_and_birthday_but_two_citizen_ids_are_not_matched():
    born = datetime.date(1985, 3, 15)
    ours = [OurRow(1, "001085000001", "Nguyễn Văn An", born, "Chi bộ 1", "C1", None, None, MemberStatus.FULL)]
    theirs = [NationalRow(2, "001085000011", "Nguyễn Văn An", born)]
    result = compare.reconcile(ours, theirs)
    assert not result.matched_by_name_dob
    assert "001085000011" in result.only_here[0].note
    assert "001085000001" in result.only_there[0].note


def test_several_people_with_one_name_and_birthday_are_not_matched_by_guess():
    born = datetime.date(1985, 3, 15)
    ours = [OurRow(n, "", "Nguyễn Văn An", born, "Chi bộ 1", "C1", None, None, MemberStatus.FULL) for n in (1, 2)]
    theirs = [NationalRow(2, "", "Nguyễn Văn An", born)]
    result = compare.reconcile(ours, theirs)
    assert not result.matched_by_name_dob
    assert len(result.only_here) == 2 and len(result.only_there) == 1
    assert "nhiều người" in result.only_there[0].note


def test_a_national_row_of_a_member_who_left_here_points_at_that_member(admin_user, commune):
    gone = member(commune.cell_a, "Vũ Văn Giang", datetime.date(1960, 1, 1), "001060000007", status=MemberStatus.LEFT)
    rows = [["001060000007", "Vũ Văn Giang", "01/01/1960", "Chi bộ thôn Đông", "02/03/2015", "20/03/2016"]]
    result = reconcile_upload(admin_user, commune, national_xlsx(rows))
    assert result.counts["ours"] == 0
    [there] = result.only_there
    assert there.left_member.member_id == gone.pk


def test_a_different_cell_and_dates_are_differences(admin_user, commune, members):
    rows = [["001085000001", "Nguyễn Văn An", "15/03/1985", "Chi bộ thôn Tây", "03/03/2015", ""]]
    result = reconcile_upload(admin_user, commune, national_xlsx(rows))
    [pair] = result.differing
    assert [(d.field, d.ours_text, d.theirs_text) for d in pair.differences] == [
        ("cell", "Chi bộ thôn Đông (HB-DONG)", "Chi bộ thôn Tây"),
        ("admission_decision_date", "02/03/2015", "03/03/2015"),
        ("recognition_date", "20/03/2016", "(trống)"),
    ]


def test_the_header_row_is_found_under_title_rows_with_other_wordings_and_extra_columns():
    headers = ["STT", "Họ tên", "Ngày, tháng, năm sinh", "Số định danh cá nhân", "Quê quán", "Tên chi bộ"]
    above = [["DANH SÁCH ĐẢNG VIÊN"], ["Đảng bộ xã Hòa Bình"], []]
    rows = [["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"], [1, "Nguyễn Văn An", "15/03/1985", 1085000001, "Hà Nam", "X"]]
    read = read_national(national_xlsx(rows, headers=headers, above=above))
    assert read.header_row == 4
    assert read.columns == ("citizen_id", "full_name", "date_of_birth", "cell")
    assert [c.header for c in read.missing_columns] == ["Ngày quyết định kết nạp", "Ngày công nhận chính thức"]
    # A citizen ID that Excel kept as a number lost its leading zeros; they are put back.
    assert read.rows == [NationalRow(6, "001085000001", "Nguyễn Văn An", datetime.date(1985, 3, 15), "X")]


def test_a_list_without_a_required_column_is_refused_naming_it():
    with pytest.raises(NationalFileRefused) as refused:
        read_national(national_xlsx([], headers=["Họ và tên", "Ngày sinh", "Chi bộ"]))
    assert "thiếu cột “Số CCCD”" in refused.value.message


def test_a_sheet_without_any_header_row_is_refused():
    with pytest.raises(NationalFileRefused) as refused:
        read_national(national_xlsx([["a", "b"]], headers=["x", "y"]))
    assert "Không tìm thấy dòng tiêu đề" in refused.value.message


def test_a_renamed_csv_is_refused_with_a_message():
    csv = io.BytesIO("Số CCCD,Họ và tên,Ngày sinh\n001085000001,Nguyễn Văn An,15/03/1985\n".encode())
    with pytest.raises(NationalFileRefused) as refused:
        read_national(csv)
    assert "không phải bảng tính Excel .xlsx" in refused.value.message


def test_a_zip_that_is_not_a_workbook_and_a_broken_workbook_are_refused():
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    other_zip.seek(0)
    with pytest.raises(NationalFileRefused, match="không phải bảng tính Excel"):
        read_national(other_zip)

    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook><sheets>")
    broken.seek(0)
    with pytest.raises(NationalFileRefused, match="Không mở được tệp Excel"):
        read_national(broken)


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PARTYHUB_IMPORT_MAX_BYTES = 1024
    with pytest.raises(NationalFileRefused) as refused:
        read_national(national_xlsx(NATIONAL_ROWS))
    assert "vượt giới hạn" in refused.value.message


def test_too_many_rows_are_refused_without_reading_to_the_end(settings):
    settings.PARTYHUB_RECONCILE_MAX_ROWS = 3
    rows = [[f"0010850000{n:02d}", f"Người {n}", "01/01/1990", "", "", ""] for n in range(10)]
    with pytest.raises(NationalFileRefused) as refused:
        read_national(national_xlsx(rows))
    assert "hơn 3 dòng dữ liệu" in refused.value.message


def test_a_formula_where_a_value_belongs_is_reported_on_its_row_and_not_compared():
    rows = [
        ["001085000001", "Nguyễn Văn An", "=DATE(1985,3,15)", "", "", ""],
        ["001085000002", "Trần Văn Bảo", "15/03/1985", "", "", ""],
    ]
    read = read_national(national_xlsx(rows))
    [problem] = read.problems
    assert (problem.row, problem.column) == (2, "Ngày sinh")
    assert "Ô C2 chứa công thức" in problem.message
    assert [r.full_name for r in read.rows] == ["Trần Văn Bảo"]


def test_unreadable_rows_are_set_aside_with_their_row_numbers():
    rows = [
        ["001085000001", "Nguyễn Văn An", "31/02/1985", "", "", ""],
        ["12345", "Trần Văn Bảo", "15/03/1985", "", "", ""],
        ["001085000003", "", "15/03/1985", "", "", ""],
        ["001085000004", "Lê Văn Cường", "", "", "", ""],
        ["001085000005", "Phạm Văn Dũng", 31123, "", "", ""],
        ["001085000006", "Đỗ Văn Em", "15/03/1985", "", "", ""],
        ["001085000006", "Đỗ Văn Em", "15/03/1985", "", "", ""],
    ]
    read = read_national(national_xlsx(rows))
    assert [(p.row, p.column) for p in read.problems] == [
        (2, "Ngày sinh"),
        (3, "Số CCCD"),
        (4, "Họ và tên"),
        (5, "Ngày sinh"),
        (6, "Ngày sinh"),
        (8, "Số CCCD"),
    ]
    assert "trùng với dòng 7" in read.problems[-1].message
    assert [r.row for r in read.rows] == [7]


def test_a_reconciliation_changes_nothing_in_partyhub(client, admin_user, commune, members):
    client.force_login(admin_user)
    counted = [m for m in apps.get_models() if m._meta.app_label != "sessions"]
    before = {m._meta.label: m._default_manager.count() for m in counted}
    upload = national_xlsx(NATIONAL_ROWS)
    upload.name = "csdl.xlsx"
    response = client.post(reverse("reports:reconcile", args=[commune.pk]), {"file": upload})
    assert response.status_code == 200
    assert response.context["counts"]["differing"] == 1
    after = {m._meta.label: m._default_manager.count() for m in counted}
    # Only the log of sensitive reads grows, by the one row of this report (it shows citizen IDs).
    assert after.pop("reports.SensitiveRead") == before.pop("reports.SensitiveRead") + 1
    assert after == before
