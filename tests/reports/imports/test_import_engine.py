"""The import engine: a good workbook lands whole and twice changes nothing; a bad one, one defect at a
time, is reported on its row and leaves the database exactly as it was."""

import datetime
import io

import pytest
from django.apps import apps

from members.models import Member, MemberMovement, Organisation
from members.vocabulary import MemberStatus
from recruitment.models import Candidate
from recruitment.vocabulary import Stage
from reports.imports.apply.context import NUMBER_TAKEN, not_found_org
from reports.imports.columns import CANDIDATES, MEMBERS, MOVEMENTS, ORGANISATIONS, QUOTAS
from reports.imports.service import import_workbook, inspect_workbook
from reports.models import Quota
from tests.factories import MemberFactory, PersonFactory
from tests.reports.workbooks import workbook_bytes

pytestmark = pytest.mark.django_db

NEW_CELL = {
    "code": "X-D",
    "name": "Chi bộ thôn Đông",
    "level": "Chi bộ trực thuộc",
    "sector": "Nông thôn, khu dân cư",
    "parent_code": "X",
}


def member_row(n: int, **more) -> dict:
    return {
        "citizen_id": f"0010850{n:05d}",
        "full_name": f"Nguyễn Văn Thành {n}",
        "gender": "Nam",
        "date_of_birth": "15/03/1985",
        "cell_code": "X-D",
        "admission_decision_date": datetime.date(2010, 5, 12),
        "ceremony_date": "20/05/2010",
        "recognition_date": "20/05/2011",
        **more,
    }


QUOTA = {
    "organisation_code": "X-D",
    "period": "2026",
    "source": "Cấp trên giao",
    "metric": "Kết nạp đảng viên",
    "value_kind": "Số cụ thể",
    "value": 2,
}


def good_workbook() -> bytes:
    return workbook_bytes(
        {
            ORGANISATIONS: [NEW_CELL],
            MEMBERS: [
                member_row(1),
                member_row(2, recognition_date=None, card_number="0912", cell_code="A", entry_cell_code="X-D"),
            ],
            MOVEMENTS: [
                {
                    "citizen_id": "001085000002",
                    "full_name": "Nguyễn Văn Thành 2",
                    "kind": "Chuyển sinh hoạt trong tỉnh",
                    "date": "01/02/2024",
                    "to_cell_code": "A",
                }
            ],
            QUOTAS: [QUOTA],
        }
    )


def domain_counts() -> dict[str, int]:
    """Every row of every PartyHub table (history included): "unchanged" means all of them."""
    return {
        model._meta.label: model.objects.count()
        for app in ("members", "recruitment", "reports")
        for model in apps.get_app_config(app).get_models()
    }


def test_a_good_workbook_lands_whole_and_a_second_import_changes_nothing(cast):
    result = import_workbook(good_workbook(), user=cast.commune_board)
    assert result.ok, result.issues
    assert result.imported
    new_cell = Organisation.objects.get(code="X-D")
    assert Organisation.objects.get_parent(new_cell) == cast.commune_x
    thanh1 = Member.objects.get(person__citizen_id="001085000001")
    assert (thanh1.cell, thanh1.status) == (new_cell, MemberStatus.FULL)
    thanh2 = Member.objects.get(person__citizen_id="001085000002")
    assert (thanh2.cell, thanh2.status, thanh2.card_number) == (cast.cell_a, MemberStatus.PROBATIONARY, "0912")
    kinds = list(thanh2.movements.order_by("date", "pk").values_list("kind", "organisation__code"))
    assert kinds == [("admitted", "X-D"), ("transferred_out", "X-D"), ("transferred_in", "A")]
    assert Quota.objects.get(organisation=new_cell).value == 2
    assert {t: (c.created, c.unchanged) for t, c in result.counts.items()} == {
        "Tổ chức": (1, 0),
        "Đảng viên": (2, 0),
        "Biến động": (1, 0),
        "Chỉ tiêu": (1, 0),
    }

    before = domain_counts()
    again = import_workbook(good_workbook(), user=cast.commune_board)
    assert again.ok, again.issues
    assert {t: (c.created, c.updated, c.unchanged) for t, c in again.counts.items()} == {
        "Tổ chức": (0, 0, 1),
        "Đảng viên": (0, 0, 2),
        "Biến động": (0, 0, 1),
        "Chỉ tiêu": (0, 0, 1),
    }
    assert domain_counts() == before


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(cast):
    before = domain_counts()
    result = import_workbook(good_workbook(), user=cast.commune_board, dry_run=True)
    assert result.ok and not result.imported
    assert result.counts["Đảng viên"].created == 2
    assert domain_counts() == before


def test_progress_is_reported_up_to_every_row(cast):
    seen = []
    import_workbook(good_workbook(), user=cast.commune_board, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (5, 5)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


def test_dates_as_text_and_names_in_nfd_are_read_as_the_same(cast):
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    data = workbook_bytes(
        {ORGANISATIONS: [NEW_CELL], MEMBERS: [member_row(3, full_name=nfd, date_of_birth="1/2/1990")]}
    )
    assert import_workbook(data, user=cast.commune_board).ok
    person = Member.objects.get(person__citizen_id="001085000003").person
    assert person.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Hoà")
    assert person.date_of_birth == datetime.date(1990, 2, 1)


# --- one defect per workbook ------------------------------------------------------------------------


def _cell_with_members(cast, n=5):
    for i in range(n):
        MemberFactory(cell=cast.cell_a, person=PersonFactory(citizen_id=f"0011900{i:05d}"))


def candidate_row(**more) -> dict:
    """A youth-union candidate of cell A walked to the cell's vote, every date inside the rules."""
    return {
        "citizen_id": "001202004567",
        "full_name": "Trần Thị Bình",
        "gender": "Nữ",
        "date_of_birth": "10/04/2002",
        "general_education": "Trung học phổ thông",
        "is_youth_union_member": "Có",
        "cell_code": "A",
        "stage": "Chi bộ đã ra nghị quyết",
        "introduced_by": "Đoàn TNCS Hồ Chí Minh",
        "proposed_on": "10/01/2025",
        "class_name": "Lớp bồi dưỡng 1/2025",
        "class_organiser_code": "X",
        "class_starts_on": "03/03/2025",
        "class_ends_on": "07/03/2025",
        "class_result": "Đạt",
        "certificate_number": "12/CN-NTVĐ",
        "certificate_issued_on": "07/03/2025",
        "application_date": "01/04/2025",
        "personal_history_date": "03/04/2025",
        "route": "Đoàn TNCS Hồ Chí Minh và một đảng viên chính thức",
        "body_introduction_date": "10/04/2025",
        "submitted_on": "15/04/2025",
        "introducer1": "001190000001",
        "introducer1_known_since": "01/01/2023",
        "introducer1_on": "10/04/2025",
        "vote_held_on": "05/05/2025",
        "votes_for": 5,
        "full_members": 6,
        **more,
    }


def test_a_candidate_walks_the_pipeline_through_the_services(cast):
    _cell_with_members(cast)
    result = import_workbook(workbook_bytes({CANDIDATES: [candidate_row()]}), user=cast.commune_board)
    assert result.ok, result.issues
    candidate = Candidate.objects.get(person__citizen_id="001202004567")
    assert candidate.stage == Stage.CELL_RESOLUTION
    assert list(candidate.stage_entries.values_list("stage", flat=True)) == [
        "source",
        "training",
        "trained",
        "dossier",
        "cell_resolution",
    ]
    # The same row again changes nothing; then with the decision and the ceremony, the candidate goes on.
    before = domain_counts()
    again = import_workbook(workbook_bytes({CANDIDATES: [candidate_row()]}), user=cast.commune_board)
    assert again.ok and again.counts["Quần chúng"].unchanged == 1
    assert domain_counts() == before
    more = candidate_row(
        stage="Đảng viên dự bị",
        decision_number="45-QĐ/ĐU",
        decided_on="20/05/2025",
        decision_received_on="22/05/2025",
        ceremony_on="01/06/2025",
    )
    result = import_workbook(workbook_bytes({CANDIDATES: [more]}), user=cast.commune_board)
    assert result.ok, result.issues
    assert result.counts["Quần chúng"].updated == 1
    candidate.refresh_from_db()
    assert candidate.stage == Stage.PROBATIONARY
    assert MemberMovement.objects.get(member=candidate.member, kind="admitted").date == datetime.date(2025, 5, 20)


def _refused(data: bytes, user) -> list:
    before = domain_counts()
    result = import_workbook(data, user=user)
    assert not result.ok and not result.imported
    assert domain_counts() == before
    return result.issues


def test_a_missing_parent_code_is_reported_on_its_row(cast):
    bad = {**NEW_CELL, "parent_code": "KHONG-CO"}
    issues = _refused(workbook_bytes({ORGANISATIONS: [bad], QUOTAS: [QUOTA]}), cast.commune_board)
    first = issues[0]
    assert (first.sheet, first.row, first.column, first.value) == ("Tổ chức", 2, "Mã tổ chức cấp trên", "KHONG-CO")
    assert "Không có tổ chức mã “KHONG-CO”" in first.message
    assert first.rule


def test_a_cell_vote_with_more_votes_than_members_is_refused_by_rule_6(cast):
    _cell_with_members(cast)
    issues = _refused(workbook_bytes({CANDIDATES: [candidate_row(votes_for=9, full_members=6)]}), cast.commune_board)
    [issue] = issues
    assert (issue.sheet, issue.row, issue.column, issue.value) == (
        "Quần chúng",
        2,
        "Số phiếu tán thành của chi bộ",
        "9",
    )
    assert issue.rule.startswith("Quy tắc 6")


def test_a_date_that_is_not_in_the_calendar_is_reported(cast):
    issues = _refused(
        workbook_bytes({ORGANISATIONS: [NEW_CELL], MEMBERS: [member_row(1, date_of_birth="31/02/2024")]}),
        cast.commune_board,
    )
    [issue] = issues
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Đảng viên", 2, "Ngày sinh", "31/02/2024")
    assert "31/02/2024 không có trong lịch" in issue.message


def test_a_citizen_id_twice_in_the_file_is_reported_on_the_second_row(cast):
    twin = member_row(1, full_name="Lê Văn Khác")
    issues = _refused(workbook_bytes({ORGANISATIONS: [NEW_CELL], MEMBERS: [member_row(1), twin]}), cast.commune_board)
    [issue] = issues
    assert (issue.sheet, issue.row, issue.column) == ("Đảng viên", 3, "Số CCCD")
    assert "dòng 2" in issue.message


def test_a_citizen_id_already_recorded_for_someone_else_is_reported(cast):
    taken = cast.member_a.person.citizen_id
    issues = _refused(
        workbook_bytes({ORGANISATIONS: [NEW_CELL], MEMBERS: [member_row(1, citizen_id=taken)]}), cast.commune_board
    )
    [issue] = issues
    assert (issue.sheet, issue.row, issue.column, issue.value) == ("Đảng viên", 2, "Số CCCD", taken)
    # The same neutral answer as for a number held outside the subtree: it names no one.
    assert issue.message == NUMBER_TAKEN


def test_a_row_in_someone_elses_subtree_is_refused(cast):
    # commune_board holds commune X; cell C belongs to commune Y, which the board does not see: its
    # codes are answered as codes that exist nowhere (tests/reports/imports/test_import_scope.py).
    issues = _refused(
        workbook_bytes({MEMBERS: [member_row(1, cell_code="C")], QUOTAS: [{**QUOTA, "organisation_code": "Y"}]}),
        cast.commune_board,
    )
    assert [(i.sheet, i.row, i.column) for i in issues] == [
        ("Đảng viên", 2, "Mã chi bộ"),
        ("Chỉ tiêu", 2, "Mã tổ chức"),
    ]
    assert [i.message for i in issues] == [not_found_org("C"), not_found_org("Y")]


def test_a_renamed_csv_is_refused_as_a_file(cast):
    data = "Mã tổ chức,Tên tổ chức\nX-D,Chi bộ thôn Đông\n".encode()
    assert inspect_workbook(data)[1]
    issues = _refused(data, cast.commune_board)
    [issue] = issues
    assert issue.row is None and ".csv" in issue.message


def test_a_formula_where_a_value_belongs_is_reported(cast):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = QUOTAS.title
    sheet.append(QUOTAS.headers)
    sheet.append([QUOTA.get(c.key) if c.key != "value" else "=1+1" for c in QUOTAS.columns])
    stream = io.BytesIO()
    book.save(stream)
    issues = _refused(stream.getvalue(), cast.commune_board)
    [issue] = issues
    assert (issue.column, issue.value) == ("Số lượng / cận dưới", "=1+1")
    assert "công thức" in issue.message


def test_too_many_rows_and_too_large_files_are_refused_before_any_row_is_read(cast, settings, monkeypatch):
    from reports.imports import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 1)
    total, issues = inspect_workbook(good_workbook())
    assert total == 2 and "tối đa 1 dòng" in issues[0].message
    monkeypatch.undo()
    settings.PARTYHUB_IMPORT_MAX_BYTES = 100
    [issue] = _refused(good_workbook(), cast.commune_board)
    assert "vượt giới hạn" in issue.message


def test_a_missing_required_column_is_reported_on_the_header_row(cast):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = MEMBERS.title
    book.active.append([h for h in MEMBERS.headers if h != "Ngày sinh"])
    stream = io.BytesIO()
    book.save(stream)
    [issue] = _refused(stream.getvalue(), cast.commune_board)
    assert (issue.sheet, issue.row, issue.column) == ("Đảng viên", 1, "Ngày sinh")


def test_an_import_from_a_units_page_stays_inside_that_unit(cast):
    # The province board sees everything, but importing from commune Y's page writes only inside Y.
    data = workbook_bytes({ORGANISATIONS: [NEW_CELL]})
    [issue] = _refused_within(data, cast.province_board, cast.commune_y)
    assert (issue.column, issue.value) == ("Mã tổ chức cấp trên", "X")
    assert "ngoài phạm vi" in issue.message
    assert import_workbook(data, user=cast.province_board, within=cast.commune_x).ok


def _refused_within(data, user, within):
    before = domain_counts()
    result = import_workbook(data, user=user, within=within)
    assert not result.ok
    assert domain_counts() == before
    return result.issues


def test_an_import_asks_once_for_the_recompute_of_every_unit_it_touched(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert import_workbook(good_workbook(), user=cast.commune_board).ok
    assert len(callbacks) == 1


def test_a_helper_must_have_been_in_the_cell_on_the_day_of_the_proposal(cast):
    _cell_with_members(cast)
    # Member B moved to cell A only in 2025; a candidate proposed in 2024 cannot have had them as helper.
    moved = workbook_bytes(
        {
            MOVEMENTS: [
                {
                    "citizen_id": cast.member_b.person.citizen_id,
                    "full_name": cast.member_b.person.full_name,
                    "kind": "Chuyển sinh hoạt trong tỉnh",
                    "date": "01/06/2025",
                    "to_cell_code": "A",
                }
            ]
        }
    )
    assert import_workbook(moved, user=cast.commune_board).ok
    early = {"stage": "Quần chúng ưu tú", "proposed_on": "10/01/2024", "helper": cast.member_b.person.citizen_id}
    row = {k: v for k, v in candidate_row(**early).items() if k in PERSON_AND_SOURCE}
    [issue] = _refused(workbook_bytes({CANDIDATES: [row]}), cast.commune_board)
    assert (issue.column, issue.value) == ("Đảng viên giúp đỡ (CCCD hoặc số thẻ)", cast.member_b.person.citizen_id)
    later = {**row, "proposed_on": "10/07/2025"}
    assert import_workbook(workbook_bytes({CANDIDATES: [later]}), user=cast.commune_board).ok
    assert Candidate.objects.get(person__citizen_id="001202004567").helper == cast.member_b


PERSON_AND_SOURCE = {
    "citizen_id",
    "full_name",
    "gender",
    "date_of_birth",
    "general_education",
    "is_youth_union_member",
    "cell_code",
    "stage",
    "introduced_by",
    "proposed_on",
    "helper",
}


def test_a_name_with_the_tone_mark_placed_the_old_way_is_the_same_person(cast):
    # No citizen ID: matched by name and birth date, "Hoà" (old placement) being "Hòa" (new).
    recorded = {**member_row(7, full_name="Lê Thị Hòa", date_of_birth="02/03/1980"), "citizen_id": None}
    assert import_workbook(workbook_bytes({ORGANISATIONS: [NEW_CELL], MEMBERS: [recorded]}), user=cast.commune_board).ok
    before = domain_counts()
    again = {**recorded, "full_name": "LÊ THỊ HOÀ"}
    result = import_workbook(workbook_bytes({ORGANISATIONS: [NEW_CELL], MEMBERS: [again]}), user=cast.commune_board)
    assert result.ok and result.counts["Đảng viên"].unchanged == 1
    assert domain_counts() == before
