import pytest

from members import scoping
from members.vocabulary import Role
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


def test_a_cell_secretary_sees_only_their_cell_and_its_people(cast):
    assert set(scoping.organisations_for(cast.sec_a)) == {cast.cell_a}
    assert set(scoping.members_for(cast.sec_a)) == {cast.member_a}
    assert set(scoping.people_for(cast.sec_a)) == {cast.member_a.person}


def test_a_commune_role_covers_the_whole_commune_subtree(cast):
    assert set(scoping.organisations_for(cast.commune_board)) == {cast.commune_x, cast.cell_a, cast.cell_b}
    assert set(scoping.members_for(cast.commune_board)) == {cast.member_a, cast.member_b}


def test_roles_in_two_places_add_up_and_nested_roles_are_not_counted_twice(cast):
    user = UserFactory(username="both")
    grant(user, cast.cell_a, Role.CELL_SECRETARY)
    grant(user, cast.cell_c, Role.CELL_SECRETARY)
    grant(user, cast.commune_x, Role.BOARD_STAFF)
    assert scoping.root_paths(user) == sorted([cast.commune_x.path, cast.cell_c.path])
    assert set(scoping.members_for(user)) == {cast.member_a, cast.member_b, cast.member_c}


def test_a_user_without_roles_sees_nothing(db):
    user = UserFactory(username="nobody")
    assert not scoping.organisations_for(user).exists()
    assert not scoping.members_for(user).exists()


def test_a_superuser_sees_everything(cast, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    assert scoping.organisations_for(root).count() == 6


def test_the_role_query_runs_once_per_request(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        scoping.root_paths(cast.commune_board)
        scoping.root_paths(cast.commune_board)
        scoping.can_see_sensitive(cast.commune_board, cast.cell_a)


def test_sensitive_data_follows_the_role_not_just_the_subtree(cast):
    assert scoping.can_see_sensitive(cast.commune_board, cast.cell_a)
    assert scoping.can_see_sensitive(cast.commune_sec, cast.cell_b)
    assert not scoping.can_see_sensitive(cast.sec_a, cast.cell_a)
    assert not scoping.can_see_sensitive(cast.commune_board, cast.cell_c)


def test_an_object_outside_the_subtree_is_a_404(cast):
    from django.http import Http404

    with pytest.raises(Http404):
        scoping.member_for_user_or_404(cast.sec_a, cast.member_b.pk)
    with pytest.raises(Http404):
        scoping.organisation_for_user_or_404(cast.sec_a, "not-a-number")
