"""The reconciliation pages: who may use them, the report page and its Excel, the upward export."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members.vocabulary import MemberStatus
from reports.reconcile import national
from reports.reconcile.national import read_national
from tests.factories import MemberFactory, PersonFactory
from tests.reports.reconcile.test_reconcile import NATIONAL_ROWS, national_xlsx

# calendar: the period asked for defaults to this year (make test-dates runs it on each day of its set).
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


# The hand-made list of tests/reports/reconcile/test_reconcile.py, its cells renamed to the cast's (by name or code).
CAST_ROWS = [
    [*row[:3], cell, *row[4:]] for row, cell in zip(NATIONAL_ROWS, ["Chi bộ thôn A", "A", "B", "b", "B"], strict=True)
]


def upload(rows=CAST_ROWS, name="csdl-xa-xuan.xlsx", **kwargs):
    data = national_xlsx(rows, **kwargs)
    data.name = name
    return data


def page(org):
    return reverse("reports:reconcile", args=[org.pk])


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and disposition.isascii()
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _values(ws):
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture
def commune_x(cast):
    """Commune X of the cast with the members the hand-made list speaks of, in cells A and B."""

    def add(cell, name, born, citizen_id, **more):
        return MemberFactory(
            cell=cell,
            person=PersonFactory(full_name=name, date_of_birth=born, citizen_id=citizen_id),
            admission_decision_date=datetime.date(2015, 3, 2),
            recognition_date=datetime.date(2016, 3, 20),
            **more,
        )

    cast.people = {
        "same": add(cast.cell_a, "Nguyễn Văn An", datetime.date(1985, 3, 15), "001085000001"),
        "other_dob": add(cast.cell_a, "Trần Thị Bình", datetime.date(1990, 7, 1), "001190000002"),
        "only_here": add(cast.cell_b, "Lê Văn Cường", datetime.date(1978, 1, 9), "001078000003"),
        "no_id_here": add(cast.cell_b, "Phạm Văn Dũng", datetime.date(1982, 12, 24), None),
    }
    return cast.commune_x


# --- who may use it ---------------------------------------------------------------------------


@pytest.mark.parametrize("user_key", ["commune_board", "province_board"])
def test_the_board_over_the_unit_may_reconcile(client, cast, user_key):
    client.force_login(getattr(cast, user_key))
    response = client.get(page(cast.commune_x))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Số CCCD" in body and "Ngày công nhận chính thức" in body  # the columns are explained
    assert reverse("reports:reconcile_upward_xlsx", args=[cast.commune_x.pk]) in body


def test_an_administrator_may_reconcile_anywhere(client, cast, admin_user):
    client.force_login(admin_user)
    assert client.get(page(cast.commune_y)).status_code == 200


@pytest.mark.parametrize("user_key", ["commune_sec", "sec_a"])
def test_a_secretary_who_sees_the_unit_is_refused(client, cast, user_key):
    client.force_login(getattr(cast, user_key))
    target = cast.cell_a
    assert client.get(page(target)).status_code == 403
    assert client.post(page(target), {"file": upload()}).status_code == 403
    assert client.get(reverse("reports:reconcile_upward_xlsx", args=[target.pk])).status_code == 403
    assert client.post(reverse("reports:reconcile_xlsx", args=[target.pk]), {"token": "x"}).status_code == 403


def test_someone_outside_the_subtree_gets_404(client, cast):
    client.force_login(cast.outsider)
    assert client.get(page(cast.commune_x)).status_code == 404
    assert client.post(page(cast.commune_x), {"file": upload()}).status_code == 404
    assert client.get(reverse("reports:reconcile_upward_xlsx", args=[cast.commune_x.pk])).status_code == 404
    client.force_login(cast.commune_board)
    assert client.get(page(cast.commune_y)).status_code == 404


# --- the report -------------------------------------------------------------------------------


def test_an_upload_shows_each_group_with_its_count_and_links_to_our_members(client, cast, commune_x):
    client.force_login(cast.commune_board)
    response = client.post(page(commune_x), {"file": upload()})
    assert response.status_code == 200
    counts = response.context["counts"]
    # The cast's own members of cells A and B are not on the hand-made list either.
    assert counts["only_here"] == 3
    assert (counts["differing"], counts["matched_by_name_dob"], counts["only_there"]) == (1, 1, 2)
    body = response.content.decode()
    for anchor in ("differing", "matched-by-name-dob", "only-here", "only-there", "problems"):
        assert f'id="{anchor}"' in body
    people = cast.people
    for key in ("other_dob", "no_id_here", "only_here"):
        assert reverse("members:member", args=[people[key].pk]) in body
    assert reverse("members:member", args=[cast.member_a.pk]) in body  # only here as well
    assert "Đỗ Thị Hà" in body  # only there
    assert "01/07/1990" in body and "01/08/1990" in body  # the differing date of birth, both sides
    assert "PartyHub chưa có Số CCCD" in body


def test_a_list_in_step_says_so(client, cast):
    client.force_login(cast.commune_board)
    rows = [
        [
            m.person.citizen_id,
            m.person.full_name,
            m.person.date_of_birth,
            m.cell.code,
            m.admission_decision_date,
            m.recognition_date,
        ]
        for m in (cast.member_a, cast.member_b)
    ]
    response = client.post(page(cast.commune_x), {"file": upload(rows)})
    assert response.context["result"].in_step
    assert 'id="in-step"' in response.content.decode()


def test_a_refused_file_is_a_message_on_the_form_never_a_server_error(client, cast):
    client.force_login(cast.commune_board)
    csv = io.BytesIO("Số CCCD,Họ và tên,Ngày sinh\n001085000001,An,15/03/1985\n".encode())
    csv.name = "csdl.xlsx"
    response = client.post(page(cast.commune_x), {"file": csv})
    assert response.status_code == 200
    assert "không phải bảng tính Excel .xlsx" in response.content.decode()
    assert "result" not in response.context


def test_a_file_over_the_size_limit_is_refused_on_the_form(client, cast, settings):
    settings.PARTYHUB_IMPORT_MAX_BYTES = 1024
    client.force_login(cast.commune_board)
    response = client.post(page(cast.commune_x), {"file": upload()})
    assert response.status_code == 200
    assert "vượt giới hạn 1 KB" in response.content.decode()


def test_unreadable_rows_are_listed_on_the_report(client, cast):
    client.force_login(cast.commune_board)
    rows = [["001085000001", "Nguyễn Văn An", "=TODAY()", "", "", ""]]
    response = client.post(page(cast.commune_x), {"file": upload(rows)})
    assert response.context["counts"]["problems"] == 1
    assert "Ô C2 chứa công thức" in response.content.decode()


def test_the_report_page_has_a_fixed_query_budget(client, cast, commune_x, django_assert_max_num_queries):
    client.force_login(cast.commune_board)
    for n in range(40):  # more members must not mean more queries
        MemberFactory(cell=cast.cell_b, person=PersonFactory(full_name=f"Người thêm {n}"))
    data = upload()
    # session, user, roles, the unit, its ancestors (breadcrumbs), the members, and the INSERT of the log of
    # sensitive reads (the report shows citizen IDs: reports/audit/reads.py): one query each
    with django_assert_max_num_queries(7):
        response = client.post(page(commune_x), {"file": data})
    assert response.context["counts"]["only_here"] == 43


def test_the_report_downloads_as_a_workbook_with_every_group(client, cast, commune_x):
    client.force_login(cast.commune_board)
    shown = client.post(page(commune_x), {"file": upload()})
    token = shown.context["token"]
    response = client.post(reverse("reports:reconcile_xlsx", args=[commune_x.pk]), {"token": token})
    assert 'filename="doi-chieu-csdl-x-' in response["Content-Disposition"]
    wb = _workbook(response)
    assert wb.sheetnames == [
        "Tóm tắt",
        "Chỉ có trên PartyHub",
        "Chỉ có trong CSDL",
        "Khác thông tin",
        "Khớp theo tên và ngày sinh",
    ]
    summary = _values(wb["Tóm tắt"])
    assert ["Khớp theo Số CCCD nhưng khác thông tin", 1] in summary
    assert ["Chỉ có trên PartyHub", 3] in summary
    here = _values(wb["Chỉ có trên PartyHub"])
    assert here[0][:3] == ["STT", "Số CCCD", "Họ và tên"]
    assert {r[2] for r in here[1:]} == {"Lê Văn Cường", "Đảng viên A", "Đảng viên B"}
    there = _values(wb["Chỉ có trong CSDL"])
    assert [r[2] for r in there[1:]] == [national.cells.normal_text(NATIONAL_ROWS[3][1]), "Đỗ Thị Hà"]
    differing = _values(wb["Khác thông tin"])
    assert differing[1][1:] == [
        "001190000002",
        "Trần Thị Bình",
        "Ngày sinh",
        datetime.datetime(1990, 7, 1),
        datetime.datetime(1990, 8, 1),
    ]
    by_name = _values(wb["Khớp theo tên và ngày sinh"])
    assert by_name[1][1:6] == [
        "Phạm Văn Dũng",
        datetime.datetime(1982, 12, 24),
        None,
        "001082000004",
        "PartyHub chưa có Số CCCD",
    ]


def test_a_token_is_only_good_for_its_user_and_unit(client, cast, commune_x):
    client.force_login(cast.commune_board)
    token = client.post(page(commune_x), {"file": upload()}).context["token"]
    client.force_login(cast.province_board)
    response = client.post(reverse("reports:reconcile_xlsx", args=[commune_x.pk]), {"token": token})
    assert response.status_code == 302 and response.url == page(commune_x)
    client.force_login(cast.commune_board)
    response = client.post(reverse("reports:reconcile_xlsx", args=[commune_x.pk]), {"token": "expired"}, follow=True)
    assert "Kết quả đối chiếu không còn được lưu" in response.content.decode()
    assert client.get(reverse("reports:reconcile_xlsx", args=[commune_x.pk])).status_code == 405


# --- the upward export -------------------------------------------------------------------------


@pytest.fixture
def admissions(cast):
    def add(cell, name, citizen_id, admitted, recognised=None, status=MemberStatus.FULL):
        return MemberFactory(
            cell=cell,
            person=PersonFactory(full_name=name, date_of_birth=datetime.date(2000, 1, 2), citizen_id=citizen_id),
            admission_decision_date=admitted,
            ceremony_date=admitted,
            recognition_date=recognised,
            status=status,
        )

    return {
        "admitted": add(
            cast.cell_a, "Kết Nạp Năm Nay", "001200000001", datetime.date(2025, 4, 10), status=MemberStatus.PROBATIONARY
        ),
        "recognised": add(
            cast.cell_b, "Chính Thức Năm Nay", "001200000002", datetime.date(2024, 3, 1), datetime.date(2025, 3, 1)
        ),
        "earlier": add(cast.cell_a, "Năm Trước", "001200000003", datetime.date(2023, 1, 1), datetime.date(2024, 1, 1)),
        "elsewhere": add(cast.cell_c, "Xã Khác", "001200000004", datetime.date(2025, 5, 5)),
    }


def test_the_upward_export_lists_who_was_admitted_or_recognised_in_the_period(client, cast, admissions):
    client.force_login(cast.commune_board)
    url = reverse("reports:reconcile_upward_xlsx", args=[cast.commune_x.pk])
    response = client.get(url, {"period": "2025"})
    assert 'filename="ket-nap-cong-nhan-x-2025.xlsx"' in response["Content-Disposition"]
    wb = _workbook(response)
    rows = _values(wb.active)
    assert rows[0] == national.HEADERS
    assert rows[1:] == [
        [
            "001200000001",
            "Kết Nạp Năm Nay",
            datetime.datetime(2000, 1, 2),
            "Chi bộ thôn A",
            datetime.datetime(2025, 4, 10),
            None,
        ],
        [
            "001200000002",
            "Chính Thức Năm Nay",
            datetime.datetime(2000, 1, 2),
            "Chi bộ thôn B",
            datetime.datetime(2024, 3, 1),
            datetime.datetime(2025, 3, 1),
        ],
    ]
    assert wb.active["A2"].number_format == "@"  # the citizen ID keeps its leading zeros


def test_the_upward_export_reads_back_as_a_national_list(client, cast, admissions):
    client.force_login(cast.commune_board)
    response = client.get(reverse("reports:reconcile_upward_xlsx", args=[cast.commune_x.pk]), {"period": "2025-04"})
    read = read_national(io.BytesIO(b"".join(response.streaming_content)))
    assert not read.problems
    assert [(r.citizen_id, r.admission_decision_date) for r in read.rows] == [
        ("001200000001", datetime.date(2025, 4, 10))
    ]


def test_an_unreadable_period_goes_back_to_the_page_with_the_reason(client, cast):
    client.force_login(cast.commune_board)
    url = reverse("reports:reconcile_upward_xlsx", args=[cast.commune_x.pk])
    response = client.get(url, {"period": "năm ngoái"}, follow=True)
    assert response.redirect_chain[-1][0] == page(cast.commune_x)
    assert "Không hiểu kỳ báo cáo" in response.content.decode()
