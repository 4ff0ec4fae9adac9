"""Finding 8 of issue 14: the administrators' audit page (reports/audit; docs/security.md "Audit")."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recruitment import services
from reports.models import SensitiveRead
from tests.cast import add_recruitment
from tests.factories import MemberFactory, OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("reports:audit")


@pytest.fixture
def root():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def workbook_rows(response) -> list[tuple]:
    data = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def rename(person, name, by):
    person.full_name = name
    person._history_user = by
    person.save()


@pytest.mark.parametrize("who", ["sec_a", "commune_sec", "commune_board", "province_board", "staff"])
def test_only_administrators_open_the_page_and_its_file_others_get_404(client, cast, who):
    user = UserFactory(username="nhan-vien", is_staff=True) if who == "staff" else getattr(cast, who)
    client.force_login(user)
    assert client.get(URL).status_code == 404
    assert client.get(reverse("reports:audit_xlsx")).status_code == 404
    assert "nav-audit" not in client.get(reverse("members:tree")).content.decode()


def test_staff_given_the_permission_opens_it_and_sees_the_link(client, cast):
    user = UserFactory(username="kiem-tra", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_audit"))
    client.force_login(user)
    assert client.get(URL).status_code == 200
    assert "nav-audit" in client.get(reverse("members:tree")).content.decode()


def test_the_page_says_who_changed_which_fields_of_whom(client, cast, root):
    rename(cast.member_a.person, "Đảng viên A mới", cast.commune_board)
    client.force_login(root)
    assert 'id="nav-audit"' in client.get(reverse("members:tree")).content.decode()
    page = client.get(URL, {"loai": "person", "nguoi": "commune_board"})
    body = page.content.decode()
    assert page.status_code == 200
    changes = body[body.index('id="audit-changes"') :]
    assert "Đảng viên A mới" in changes and "commune_board" in changes and "Sửa" in changes
    assert "họ và tên" in changes.lower()  # the field named, not its values
    assert cast.member_a.person.citizen_id not in body
    # Another user's filter leaves it out.
    other = client.get(URL, {"loai": "person", "nguoi": "sec_a"}).content.decode()
    assert "Đảng viên A mới" not in other


def test_the_filters_by_kind_date_and_record(client, cast, root):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 3, tzinfo=datetime.UTC)):
        rename(cast.member_a.person, "Tên tháng ba", cast.commune_board)
    with time_machine.travel(datetime.datetime(2026, 5, 1, 3, tzinfo=datetime.UTC)):
        rename(cast.member_b.person, "Tên tháng năm", cast.commune_board)
    client.force_login(root)

    def shown(**params):
        body = client.get(URL, params).content.decode()
        return {name for name in ("Tên tháng ba", "Tên tháng năm") if name in body}

    assert shown(loai="person") == {"Tên tháng ba", "Tên tháng năm"}
    assert shown(loai="person", tu="2026-04-01") == {"Tên tháng năm"}
    assert shown(loai="person", den="2026-04-01") == {"Tên tháng ba"}
    assert shown(loai="person", ma=cast.member_b.person_id) == {"Tên tháng năm"}
    assert shown(loai="organisation") == set()
    assert shown() == {"Tên tháng ba", "Tên tháng năm"}  # every kind


def test_the_sensitive_reads_are_listed_and_filtered_by_the_person_seen(client, cast, root):
    client.force_login(cast.commune_sec)
    client.get(reverse("members:member", args=[cast.member_a.pk]))
    client.get(reverse("members:member", args=[cast.member_b.pk]))
    assert SensitiveRead.objects.count() == 2
    client.force_login(root)
    body = client.get(URL, {"loai": "sensitive_reads", "ma": cast.member_b.person_id}).content.decode()
    reads = body[body.index('id="audit-reads"') :]
    assert "commune_sec" in reads and "Trang đảng viên" in reads and "Số CCCD" in reads
    assert "Đảng viên B" in reads and "Đảng viên A" not in reads


def test_the_export_holds_the_filtered_rows_with_a_formula_like_name_as_text(client, cast, root):
    rename(cast.member_a.person, '=HYPERLINK("http://x","y")', cast.commune_board)
    client.force_login(root)
    rows = workbook_rows(client.get(reverse("reports:audit_xlsx"), {"loai": "person", "nguoi": "commune_board"}))
    assert rows[0][0] == "NHẬT KÝ THAY ĐỔI"
    data = rows[3:]
    assert len(data) == 1
    assert data[0][1:6] == (
        "commune_board",
        "Người (thông tin cá nhân)",
        '=HYPERLINK("http://x","y")',
        cast.member_a.person_id,
        "Sửa",
    )
    assert isinstance(data[0][0], datetime.datetime)
    client.force_login(cast.commune_sec)
    client.get(reverse("members:member", args=[cast.member_a.pk]))
    client.force_login(root)
    rows = workbook_rows(client.get(reverse("reports:audit_xlsx"), {"loai": "sensitive_reads"}))
    assert rows[0][0] == "NHẬT KÝ XEM DỮ LIỆU NHẠY CẢM"
    assert [r[1:4] for r in rows[3:]] == [("commune_sec", "Trang đảng viên", "Số CCCD, Dân tộc, Tôn giáo")]


def _history_of_every_kind(cast, n: int, by) -> None:
    """n changes of each kind of record the page reads (people, members, units, candidates and steps)."""
    for i in range(n):
        org = OrganisationFactory(code=f"Q{i}-{n}", name=f"Chi bộ {i}", parent=cast.commune_x)
        member = MemberFactory(cell=cast.cell_a, person=PersonFactory(full_name=f"Người {i}"))
        rename(member.person, f"Người {i} sửa", by)
        org.name = f"Chi bộ {i} sửa"
        org.save()
    recruitment = add_recruitment(cast)
    for v in (recruitment.verification_a, recruitment.verification_b):
        services.verification_request_record_reply(request=v, replied_on=datetime.date(2024, 3, 10), reply="Tốt", by=by)


@pytest.mark.parametrize("loai", ["", "person", "sensitive_reads"])
def test_a_page_reads_the_same_number_of_queries_at_two_sizes(client, cast, root, loai):
    def count(n: int) -> int:
        _history_of_every_kind(cast, n, cast.commune_board)
        for _ in range(n):
            SensitiveRead.objects.create(
                user=cast.commune_sec,
                where="member_page",
                fields="citizen_id",
                people=f",{cast.member_a.person_id},",
                count=1,
            )
        client.get(URL, {"loai": loai})  # warm the session and content types
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"loai": loai}).status_code == 200
        return len(queries)

    client.force_login(root)
    small = count(3)
    large = count(60)  # more than a page (50) of rows
    assert small == large
