"""Pages run a fixed number of queries whatever the size of the tree (tested at 10 and 500)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member, MemberMovement, Person
from members.vocabulary import Level, MemberStatus, MovementKind
from tests.factories import OrganisationFactory
from tests.planner import refresh_statistics

pytestmark = pytest.mark.django_db

SIZES = [10, 500]
BUDGETS = {"tree": 6, "tree_children": 7, "organisation": 14, "member": 8}


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
    assert response.content.decode().count('class="tree-node"') == size + 2
    # As on a past day the counts come from the movements: still grouped queries, whatever the size.
    with django_assert_max_num_queries(BUDGETS["tree"]):
        client.get(reverse("members:tree"), {"ngay": "2021-01-01"})
    with django_assert_max_num_queries(BUDGETS["tree_children"]):
        response = client.get(reverse("members:tree_children", args=[cast.commune_x.pk]), {"ngay": "2021-01-01"})
    assert response.content.decode().count('class="tree-node"') == size + 2


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
        client.get(cast.commune_x.get_absolute_url(), {"status": "full", "page": 2})


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
