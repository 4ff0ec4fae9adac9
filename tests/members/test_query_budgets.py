"""Pages run a fixed number of queries whatever the size of the tree (tested at 10 and 500)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import views as member_views
from members.models import Member, MemberMovement, Organisation, Person
from members.views import MEMBERS_PER_PAGE, TREE_CHILDREN_PER_PAGE
from members.vocabulary import Level, MemberStatus, MovementKind
from tests.factories import OrganisationFactory
from tests.planner import refresh_statistics

pytestmark = pytest.mark.django_db

SIZES = [10, 500]
# The member page's 10 include the INSERT of the log of sensitive reads for the roles shown them (partyhub/audit.py)
# and, for those who may move the member, the pending transfer (members/movement_views.py).
# The tree's and an expansion's include the data version their kept rows are found by (partyhub/pagecache.py).
BUDGETS = {"tree": 7, "tree_children": 8, "organisation": 14, "member": 10}


def grow(commune, size: int) -> None:
    """`size` cells under the commune, each with one member, and `size` more members in the first."""
    cells = [OrganisationFactory(level=Level.CELL, parent=commune) for _ in range(size)]
    people = Person.objects.bulk_create(
        Person(full_name=f"Người thứ {i}", gender="female", date_of_birth=datetime.date(1990, 1, 1))
        for i in range(2 * size)
    )
    homes = cells + [cells[0]] * size
    members = Member.objects.bulk_create(
        Member(person=p, cell=c, status=MemberStatus.FULL, admission_decision_date=datetime.date(2020, 1, 1))
        for p, c in zip(people, homes, strict=True)
    )
    MemberMovement.objects.bulk_create(
        MemberMovement(member=m, kind=MovementKind.ADMITTED, date=m.admission_decision_date, organisation=m.cell)
        for m in members
    )
    refresh_statistics()


def second_page(total: int, per_page: int = TREE_CHILDREN_PER_PAGE) -> int:
    """Rows on the second page of `total`, or on the only page (the paginator's last) when one is enough."""
    if total <= per_page:
        return total
    return min(total - per_page, per_page)


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("size", SIZES)
def test_the_tree_browser_has_a_fixed_query_budget(client, cast, size, django_assert_max_num_queries):
    grow(cast.commune_x, size)
    client.force_login(cast.province_board)
    with django_assert_max_num_queries(BUDGETS["tree"]):
        client.get(reverse("members:tree"))
    with django_assert_max_num_queries(BUDGETS["tree"]):
        client.get(reverse("members:tree"), {"q": "Tổ chức"})
    with django_assert_max_num_queries(BUDGETS["tree_children"]):
        response = client.get(reverse("members:tree_children", args=[cast.commune_x.pk]))
    # One expand shows one level, at most a page of it.
    assert response.content.decode().count('class="tree-node"') == min(size + 2, TREE_CHILDREN_PER_PAGE)
    # As on a past day the counts come from the movements: still grouped queries, whatever the size.
    with django_assert_max_num_queries(BUDGETS["tree"]):
        client.get(reverse("members:tree"), {"ngay": "2021-01-01"})
    with django_assert_max_num_queries(BUDGETS["tree_children"]):
        response = client.get(reverse("members:tree_children", args=[cast.commune_x.pk]), {"ngay": "2021-01-01"})
    assert response.content.decode().count('class="tree-node"') == min(size + 2, TREE_CHILDREN_PER_PAGE)
    with django_assert_max_num_queries(BUDGETS["tree_children"]):
        response = client.get(reverse("members:tree_children", args=[cast.commune_x.pk]), {"trang": 2})
    assert response.content.decode().count('class="tree-node"') == second_page(size + 2)


@pytest.mark.parametrize("size", SIZES)
def test_the_organisation_page_and_member_list_have_a_fixed_query_budget(
    client, cast, size, django_assert_max_num_queries
):
    grow(cast.commune_x, size)
    client.force_login(cast.commune_board)
    with django_assert_max_num_queries(BUDGETS["organisation"]):
        response = client.get(cast.commune_x.get_absolute_url())
    assert response.context["page"].paginator.count == 2 * size + 2
    with django_assert_max_num_queries(BUDGETS["organisation"]):
        response = client.get(cast.commune_x.get_absolute_url(), {"status": "full", "trang": 2, "trang_don_vi": 2})
    body = response.content.decode()
    assert body.count('href="/dang-vien/') == second_page(2 * size + 2, MEMBERS_PER_PAGE)
    assert response.context["children_page"].paginator.count == size + 2  # the cells grown, and cells A and B
    assert len(response.context["children"]) == second_page(size + 2)


@pytest.mark.parametrize("size", SIZES)
def test_the_member_page_has_a_fixed_query_budget(client, cast, size, django_assert_max_num_queries):
    grow(cast.commune_x, size)
    client.force_login(cast.commune_board)
    with django_assert_max_num_queries(BUDGETS["member"]):
        client.get(cast.member_a.get_absolute_url())


def test_the_query_count_does_not_grow_with_the_tree(client, cast):
    """The same page at 10 and at 60 children costs the same number of queries."""
    client.force_login(cast.commune_board)
    grow(cast.commune_x, 10)
    small = _count(client, cast.commune_x.get_absolute_url())
    grow(cast.commune_x, 50)
    large = _count(client, cast.commune_x.get_absolute_url())
    assert small == large


def test_one_expand_of_the_tree_costs_the_same_at_two_sizes(client, cast):
    client.force_login(cast.province_board)
    url = reverse("members:tree_children", args=[cast.commune_x.pk])
    grow(cast.commune_x, 10)

    def counts() -> tuple[int, int, int]:
        return (_count(client, url), _count(client, url, {"trang": 2}), _count(client, url, {"ngay": "2021-01-01"}))

    small = counts()
    grow(cast.commune_x, 150)
    assert counts() == small


def test_a_long_level_of_the_tree_comes_a_page_at_a_time_in_tree_order(client, cast, monkeypatch):
    monkeypatch.setattr(member_views, "TREE_CHILDREN_PER_PAGE", 4)
    grow(cast.commune_x, 8)  # ten cells under X with cells A and B
    client.force_login(cast.province_board)
    url = reverse("members:tree_children", args=[cast.commune_x.pk])
    first = client.get(url, {"ngay": "2026-01-01"}).content.decode()
    assert first.startswith('<ul class="tree-list">')
    assert f'hx-get="/to-chuc/{cast.commune_x.pk}/con/?ngay=2026-01-01&amp;trang=2"' in first
    assert "Xem thêm (6 tổ chức nữa)" in first
    second = client.get(url, {"ngay": "2026-01-01", "trang": 2}).content.decode()
    assert "tree-list" not in second  # rows only, swapped in place of the button
    assert "Xem thêm (2 tổ chức nữa)" in second and "trang=3" in second
    last = client.get(url, {"ngay": "2026-01-01", "trang": 3}).content.decode()
    assert "Xem thêm" not in last
    shown = [int(pk) for part in (first, second, last) for pk in re.findall(r'<li id="node-(\d+)"', part)]
    level = Organisation.objects.get_children(cast.commune_x)
    assert shown == list(level.order_by("path").values_list("pk", flat=True))
    # Each row has its own counts: the grown first cell holds its own member and the eight more.
    assert re.search(r'title="Đảng viên đang sinh hoạt"><i class="bi bi-people"></i> 9<', first + second + last)
    # Another subtree's level stays out of reach.
    client.force_login(cast.commune_board)
    assert client.get(reverse("members:tree_children", args=[cast.commune_y.pk]), {"trang": 2}).status_code == 404


def test_the_units_under_an_organisation_come_a_page_at_a_time(client, cast, monkeypatch):
    monkeypatch.setattr(member_views, "TREE_CHILDREN_PER_PAGE", 4)
    grow(cast.commune_x, 8)
    client.force_login(cast.commune_board)
    pages = [client.get(cast.commune_x.get_absolute_url(), {"trang_don_vi": n, "q": "x"}) for n in (1, 2, 3)]
    names = [[child.name for child, _counts in p.context["children"]] for p in pages]
    assert [len(n) for n in names] == [4, 4, 2]
    level = Organisation.objects.get_children(cast.commune_x)
    expected = list(level.order_by("dissolved_on", "name").values_list("name", flat=True))
    assert sum(names, []) == expected
    body = pages[1].content.decode()
    assert "Trang 2/3" in body and "q=x&amp;trang_don_vi=3#children" in body
