"""Who receives the digest: secretaries, deputies, board staff and cell secretaries, once each."""

import datetime

import pytest

from members.vocabulary import Role
from reports.digest.recipients import recipients
from reports.digest.services import digest_preference_set
from tests.factories import UserFactory, grant

pytestmark = pytest.mark.django_db
OCTOBER = datetime.date(2026, 10, 1)


def names(found) -> list[str]:
    return sorted(r.user.username for r in found)


def test_every_committee_secretary_deputy_board_and_cell_secretary_receives_it(cast):
    deputy = UserFactory(username="deputy")
    grant(deputy, cast.commune_y, Role.COMMITTEE_DEPUTY)
    admin_only = UserFactory(username="admin_only")
    grant(admin_only, cast.province, Role.ADMINISTRATOR)
    UserFactory(username="no_role")
    assert names(recipients(OCTOBER)) == [
        "commune_board",
        "commune_sec",
        "deputy",
        "outsider",
        "province_board",
        "sec_a",
        "sec_b",
    ]


def test_a_user_with_several_roles_is_one_recipient_with_one_section_per_organisation(cast):
    grant(cast.commune_sec, cast.commune_x, Role.BOARD_STAFF)
    grant(cast.commune_sec, cast.cell_c, Role.CELL_SECRETARY)
    [found] = [r for r in recipients(OCTOBER) if r.user == cast.commune_sec]
    assert [o.name for o in found.organisations] == ["Đảng bộ xã Xuân", "Chi bộ thôn C"]


def test_who_opted_out_or_is_inactive_is_left_out(cast):
    digest_preference_set(user=cast.sec_a, opted_out=True, language="vi")
    cast.sec_b.is_active = False
    cast.sec_b.save(update_fields=["is_active"])
    assert "sec_a" not in names(recipients(OCTOBER)) and "sec_b" not in names(recipients(OCTOBER))
    assert "sec_a" in names(recipients(OCTOBER, include_opted_out=True))


def test_a_unit_dissolved_before_the_reported_month_gives_no_section(cast):
    cast.cell_b.dissolved_on = datetime.date(2026, 9, 1)
    cast.cell_b.save(update_fields=["dissolved_on"])
    assert "sec_b" not in names(recipients(OCTOBER))
    assert "sec_b" in names(recipients(datetime.date(2026, 8, 1)))


def test_within_keeps_the_users_with_a_role_in_the_subtree_with_all_their_sections(cast):
    grant(cast.sec_a, cast.cell_c, Role.CELL_SECRETARY)
    found = recipients(OCTOBER, within=cast.commune_y)
    assert names(found) == ["outsider", "sec_a"]
    [sec_a] = [r for r in found if r.user == cast.sec_a]
    assert [o.code for o in sec_a.organisations] == ["A", "C"]


def test_the_list_is_one_query_whatever_the_number_of_recipients(cast, django_assert_num_queries):
    for i in range(20):
        grant(UserFactory(username=f"extra{i}"), cast.cell_a, Role.CELL_SECRETARY)
    with django_assert_num_queries(1):
        assert len(recipients(OCTOBER)) == 26
