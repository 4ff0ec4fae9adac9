"""Vietnamese name order (given name, middle, family; Vietnamese letters and tones) and one way of
showing names (members/names.py)."""

import datetime
import random
import re
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from members.models import Person
from members.names import name_parts, order_by_name, person_label, sort_key, user_name
from members.vocabulary import MemberStatus
from recruitment.forms.common import MemberChoiceField, active_members_of
from tests.factories import MemberFactory, PersonFactory, UserFactory


def in_order(names):
    shuffled = list(names)
    random.Random(7).shuffle(shuffled)
    return sorted(shuffled, key=sort_key)


def test_a_vietnamese_name_sorts_by_given_then_middle_then_family_name():
    assert name_parts("Nguyễn Văn An") == ("An", "Văn", "Nguyễn")
    assert name_parts("Tôn Nữ Thị Hà") == ("Hà", "Nữ Thị", "Tôn")
    assert name_parts("Hùng") == ("Hùng", "", "")
    assert sort_key("Nguyễn Văn An")[0] == sort_key("An")[0]
    expected = ["Lê An", "Nguyễn Văn An", "Trần Văn An", "Phạm Bình", "Lê Thị Bình", "Ngô Văn Bình", "Nguyễn Văn Bình"]
    assert in_order(expected) == expected


def test_the_vietnamese_letters_come_after_their_base_letter():
    # a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y
    given = ["An", "Ăn", "Ân", "Bảo", "Cúc", "Dũng", "Đạt", "Em", "Ên", "Giang", "Hà", "Oanh", "Ôn", "Ơn"]
    given += ["Phúc", "Uyên", "Ước", "Vũ", "Xuân", "Yến"]
    expected = [f"Trần Văn {g}" for g in given]
    assert in_order(expected) == expected
    # the cases: "Đ…" after "D…" and before "Vũ"; the family "Ngô" before "Nguyễn"
    assert sort_key("Lê Đạt") < sort_key("Lê Vũ")
    assert sort_key("Lê Dương") < sort_key("Lê Đạt") < sort_key("Lê Em")
    assert sort_key("Ngô Văn Sáng") < sort_key("Nguyễn Văn Sáng")
    assert sort_key("Nguyễn Văn Sáng") < sort_key("Ông Văn Sáng") < sort_key("Ơ Văn Sáng")
    assert sort_key("Lê Ưng") > sort_key("Lê Uyên") and sort_key("Lê Ưng") < sort_key("Lê Vân")


def test_the_tones_follow_the_letters_none_huyen_hoi_nga_sac_nang():
    expected = ["Lê Ba", "Lê Bà", "Lê Bả", "Lê Bã", "Lê Bá", "Lê Bạ", "Lê Bác", "Lê Bạc", "Lê Băng"]
    assert in_order(expected) == expected
    # a tone on a vowel of its own (ặ is ă with nặng; ầ is â with huyền)
    expected = ["Hà Văn Ăn", "Hà Văn Ằn", "Hà Văn Ặn", "Hà Văn Ân", "Hà Văn Ần", "Hà Văn Ận"]
    assert in_order(expected) == expected
    # the letters decide before any tone: "Hà" (h-a) before "Hai" (h-a-i) whatever their marks
    assert sort_key("Lê Thị Hạ") < sort_key("Lê Thị Hai")
    # typed with combining marks or precomposed: the same name
    assert sort_key("Nguye\u0302\u0303n Văn An") == sort_key("Nguyễn Văn An")


def test_the_same_name_of_different_case_sorts_lower_case_first_and_equal_names_are_equal():
    assert sort_key("lê an") < sort_key("Lê An")
    assert sort_key("Lê  An ") == sort_key("Lê An")


def test_a_users_name_reads_family_name_first_as_the_navbar_shows_it():
    user = SimpleNamespace(first_name="Vinh", last_name="Ngô Mạnh", get_username=lambda: "vinh")
    assert user_name(user) == "Ngô Mạnh Vinh"
    nameless = SimpleNamespace(first_name="", last_name="", get_username=lambda: "vinh")
    assert user_name(nameless) == "vinh"
    assert user_name(None) == ""


def test_a_person_in_a_pick_list_shows_the_year_of_birth_and_the_cell():
    label = person_label("Nguyễn Văn Sáng", datetime.date(1990, 4, 2), "Chi bộ 3")
    assert label == "Nguyễn Văn Sáng (1990, Chi bộ 3)"


@pytest.mark.django_db
def test_the_database_orders_names_as_python_does():
    names = ["Vũ Văn Đạt", "Đỗ Thị An", "Nguyễn Văn An", "Ngô An", "Lê Bá", "Lê Ba", "Lê Bạ", "Lê Ưng"]
    names += ["Lê Uyên", "Hồ Ơn", "Hồ Ôn", "Hồ On", "Dương Dũng", "Trần Thị Ánh", "Trần Thị Anh", "An"]
    for name in names:
        PersonFactory(full_name=name)
    got = list(order_by_name(Person.objects.all(), "full_name").values_list("full_name", flat=True))
    assert got == sorted(names, key=sort_key)
    assert got[:4] == ["An", "Ngô An", "Đỗ Thị An", "Nguyễn Văn An"]


@pytest.mark.django_db
def test_the_member_list_is_in_vietnamese_name_order(client, cast):
    for name in ("Vũ Văn Đạt", "Nguyễn Văn Dũng", "Lê Thị Ưng", "Lê Thị Uyên", "Trần Ơn", "Trần Ôn"):
        MemberFactory(cell=cast.cell_a, person=PersonFactory(full_name=name))
    client.force_login(cast.commune_board)
    body = client.get(cast.commune_x.get_absolute_url()).content.decode()
    expected = ["Nguyễn Văn Dũng", "Vũ Văn Đạt", "Trần Ôn", "Trần Ơn", "Lê Thị Uyên", "Lê Thị Ưng"]
    positions = [body.index(name) for name in expected]
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_two_namesakes_differ_in_the_helper_list(cast):
    older = MemberFactory(cell=cast.cell_a, person=PersonFactory(full_name="Nguyễn Văn Sáng"))
    younger = MemberFactory(
        cell=cast.cell_a,
        status=MemberStatus.PROBATIONARY,
        person=PersonFactory(full_name="Nguyễn Văn Sáng", date_of_birth=datetime.date(1998, 1, 3)),
    )
    field = MemberChoiceField(queryset=active_members_of(cast.cell_a))
    labels = {pk: label for pk, label in field.choices if pk}
    assert labels[older.pk] == f"Nguyễn Văn Sáng (1990, {cast.cell_a.name})"
    assert labels[younger.pk].startswith(f"Nguyễn Văn Sáng (1998, {cast.cell_a.name}, ")
    assert labels[older.pk] != labels[younger.pk]


@pytest.mark.django_db
def test_recorded_by_and_the_history_name_the_user_as_the_navbar_does(client, cast):
    user = UserFactory(username="vinh", first_name="Vinh", last_name="Ngô Mạnh")
    entry = SimpleNamespace(created_by=user)
    event = SimpleNamespace(kind="proposal", record=None, extra={"entry": entry}, on=datetime.date(2026, 1, 5))
    timeline = render_to_string("recruitment/_timeline_event.html", {"e": event})
    assert "Ghi bởi Ngô Mạnh Vinh" in re.sub(r"\s+", " ", timeline)
    history = render_to_string("members/_history_author.html", {"h": SimpleNamespace(history_user=user)})
    assert history.strip() == "Ngô Mạnh Vinh"
    client.force_login(user)
    page = client.get(cast.cell_a.get_absolute_url()).content.decode()
    assert "Ngô Mạnh Vinh" in page
