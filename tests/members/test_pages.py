import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from members.models import MemberMovement
from members.vocabulary import MovementKind

# calendar: the tree and the rolls are shown as of today (make test-dates runs it on each day of its set).
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("members:tree"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_login_page_is_in_vietnamese(client):
    response = client.get(reverse("login"))
    assert "Đăng nhập" in response.content.decode()


def test_a_cell_secretary_starts_on_their_to_do_list(client, cast):
    # Issue 13 item 5: every user with a role starts on "Việc cần làm" (recruitment/views/todo.py).
    client.force_login(cast.sec_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Việc cần làm" in response.content.decode()


def test_the_commune_board_starts_on_its_to_do_list_with_its_board_one_tap_away(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(reverse("home")).content.decode()
    assert "Việc cần làm" in body
    assert reverse("recruitment:board", args=[cast.commune_x.pk]) in body


def test_the_member_list_can_show_everyone_ever_admitted_including_leavers(client, cast):
    import datetime

    from members import services
    from members.vocabulary import MovementKind

    services.member_record_exit(member=cast.member_b, kind=MovementKind.DIED, on=datetime.date(2024, 5, 1))
    client.force_login(cast.commune_board)
    body = client.get(cast.commune_x.get_absolute_url(), {"status": "all"}).content.decode()
    assert "Đảng viên A" in body and "Đảng viên B" in body


def test_the_member_list_filters_by_occupation(client, cast):
    from members.models import Person

    Person.objects.filter(pk=cast.member_a.person_id).update(occupation="farmer")
    client.force_login(cast.commune_board)
    body = client.get(cast.commune_x.get_absolute_url(), {"occupation": "farmer"}).content.decode()
    assert "Đảng viên A" in body and "Đảng viên B" not in body


def test_a_user_without_a_role_is_told_to_ask_for_one(client, django_user_model):
    user = django_user_model.objects.create_user("lonely", password="x")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "chưa được giao tổ chức" in response.content.decode()


def test_the_cell_page_lists_only_that_cells_members(client, cast):
    client.force_login(cast.sec_a)
    body = client.get(cast.cell_a.get_absolute_url()).content.decode()
    assert "Đảng viên A" in body
    assert "Đảng viên B" not in body


def test_the_commune_page_shows_its_cells_with_counts_and_members(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(cast.commune_x.get_absolute_url()).content.decode()
    assert "Chi bộ thôn A" in body and "Chi bộ thôn B" in body
    assert "Đảng viên A" in body and "Đảng viên B" in body
    assert "Đảng viên C" not in body


def test_the_member_list_filters_by_name(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(cast.commune_x.get_absolute_url(), {"q": "viên B"}).content.decode()
    assert "Đảng viên B" in body
    assert "Đảng viên A" not in body


def test_an_empty_filter_result_says_so(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(cast.commune_x.get_absolute_url(), {"q": "không ai tên này"}).content.decode()
    assert "Không có đảng viên nào khớp với bộ lọc" in body


def test_the_tree_search_finds_by_code_inside_the_subtree_only(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(reverse("members:tree"), {"q": "C"}).content.decode()
    assert "Chi bộ thôn C" not in body
    body = client.get(reverse("members:tree"), {"q": "thôn"}).content.decode()
    assert "Chi bộ thôn A" in body and "Chi bộ thôn B" in body


def test_expanding_a_node_returns_its_children_fragment(client, cast):
    client.force_login(cast.province_board)
    response = client.get(reverse("members:tree_children", args=[cast.commune_x.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Chi bộ thôn A" in body


def test_sensitive_fields_are_hidden_from_a_cell_secretary(client, cast):
    client.force_login(cast.sec_a)
    body = client.get(cast.member_a.get_absolute_url()).content.decode()
    assert "Phật giáo" not in body
    assert cast.member_a.person.citizen_id not in body


def test_sensitive_fields_are_shown_to_the_board(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(cast.member_a.get_absolute_url()).content.decode()
    assert "Phật giáo" in body
    assert cast.member_a.person.citizen_id in body


def test_the_404_page_is_in_vietnamese(client, cast):
    client.force_login(cast.sec_a)
    response = client.get(cast.cell_c.get_absolute_url())
    assert response.status_code == 404
    assert "Không tìm thấy trang này" in response.content.decode()


def test_the_member_list_shows_the_current_roll_unless_asked_for_leavers(client, cast):
    import datetime

    from members import services
    from members.vocabulary import MovementKind

    services.member_record_exit(member=cast.member_b, kind=MovementKind.DIED, on=datetime.date(2024, 5, 1))
    client.force_login(cast.commune_board)
    body = client.get(cast.commune_x.get_absolute_url()).content.decode()
    assert "Đảng viên A" in body and "Đảng viên B" not in body
    body = client.get(cast.commune_x.get_absolute_url(), {"status": "left"}).content.decode()
    assert "Đảng viên B" in body and "Đảng viên A" not in body


def test_a_former_cell_outside_the_viewers_subtree_is_not_named_on_the_member_page(client, cast):
    member = cast.member_a
    MemberMovement.objects.create(
        member=member,
        kind=MovementKind.TRANSFERRED_OUT,
        date=datetime.date(2024, 3, 1),
        organisation=cast.cell_c,
        note=f"chuyển từ {cast.cell_c.name}",
    )
    MemberMovement.objects.create(
        member=member, kind=MovementKind.TRANSFERRED_IN, date=datetime.date(2024, 3, 1), organisation=cast.cell_a
    )
    client.force_login(cast.sec_a)
    html = client.get(reverse("members:member", args=[member.pk])).content.decode()
    assert cast.cell_c.name not in html
    assert cast.commune_y.name not in html
    assert "một tổ chức ngoài phạm vi của bạn" in html
    assert cast.cell_a.name in html
    client.force_login(cast.province_board)  # who sees both cells sees both names
    assert cast.cell_c.name in client.get(reverse("members:member", args=[member.pk])).content.decode()


def _members_badge(body: str, org) -> int:
    node = body.split(f'id="node-{org.pk}"', 1)[1].split("</li>", 1)[0]
    return int(re.search(r'<i class="bi bi-people"></i> ([\d.]+)</span>', node)[1].replace(".", ""))


@time_machine.travel(datetime.datetime(2026, 12, 5, 3, 0, tzinfo=datetime.UTC), tick=False)
def test_the_tree_as_on_a_past_day_shows_the_members_of_that_day(client, cast):
    from members.models import Member, MemberMovement, Person
    from members.vocabulary import MemberStatus, MovementKind

    people = Person.objects.bulk_create(
        Person(full_name=f"Người mới {i}", gender="male", date_of_birth=datetime.date(1995, 1, 1)) for i in range(3)
    )
    joined = datetime.date(2025, 6, 1)
    members = Member.objects.bulk_create(
        Member(person=p, cell=cast.cell_a, status=MemberStatus.FULL, admission_decision_date=joined) for p in people
    )
    MemberMovement.objects.bulk_create(
        MemberMovement(member=m, kind=MovementKind.ADMITTED, date=joined, organisation=cast.cell_a) for m in members
    )
    client.force_login(cast.province_board)
    url = reverse("members:tree_children", args=[cast.commune_x.pk])

    def badge(day=None):
        return _members_badge(client.get(url, {"ngay": day} if day else {}).content.decode(), cast.cell_a)

    before, after, now = badge("2025-05-31"), badge("2025-06-01"), badge()
    assert after - before == 3
    assert now == Member.objects.filter(cell=cast.cell_a, status__in=["probationary", "full"]).count()
    assert before == now - 3  # nobody else moved in cell A since then in the cast
