import datetime

import pytest
from django.core.exceptions import ValidationError

from members import selectors, services
from members.models import Member, MemberMovement, Organisation
from members.vocabulary import Level, MemberStatus, MovementKind
from tests.factories import MemberFactory, OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

JULY_2025 = datetime.date(2025, 7, 1)


def test_a_cell_cannot_be_placed_under_a_cell(cast):
    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(code="Z", name="Chi bộ con", level=Level.CELL, parent=cast.cell_a)
    assert "parent" in caught.value.message_dict
    assert "Không thể đặt Chi bộ trực thuộc dưới Chi bộ trực thuộc" in caught.value.message_dict["parent"][0]
    assert Organisation.objects.count() == before


def test_a_province_has_no_parent_and_a_commune_needs_one(db):
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(code="Q", name="Xã mồ côi", level=Level.COMMUNE)
    assert "phải trực thuộc" in caught.value.message_dict["parent"][0]


def test_a_duplicate_code_is_refused_by_field(cast):
    with pytest.raises(ValidationError) as caught:
        services.organisation_create(code="A", name="Chi bộ khác", level=Level.CELL, parent=cast.commune_x)
    assert "đã được dùng" in caught.value.message_dict["code"][0]


def test_nothing_can_be_founded_under_a_dissolved_unit(cast):
    empty = OrganisationFactory(level=Level.CELL, parent=cast.commune_y)
    services.organisation_dissolve(organisation=empty, on=JULY_2025)
    district = OrganisationFactory(level=Level.DISTRICT, parent=cast.province)
    services.organisation_dissolve(organisation=district, on=JULY_2025)
    with pytest.raises(ValidationError) as caught:
        OrganisationFactory(level=Level.COMMUNE, parent=district, founded_on=datetime.date(2025, 8, 1))
    assert "đã giải thể" in caught.value.message_dict["parent"][0]


def test_a_cell_with_members_cannot_be_dissolved_before_they_move(cast):
    with pytest.raises(ValidationError) as caught:
        services.organisation_dissolve(organisation=cast.cell_a, on=JULY_2025)
    assert "còn 1 đảng viên" in caught.value.message_dict["organisation"][0]
    assert Organisation.objects.get(pk=cast.cell_a.pk).dissolved_on is None


def test_a_committee_with_active_children_cannot_be_dissolved(cast):
    with pytest.raises(ValidationError) as caught:
        services.organisation_dissolve(organisation=cast.commune_x, on=JULY_2025)
    assert "còn tổ chức trực thuộc" in caught.value.message_dict["organisation"][0]


def test_merging_a_cell_moves_its_members_and_keeps_the_counts(cast):
    services.organisation_merge(organisation=cast.cell_b, into=cast.cell_a, on=JULY_2025)
    merged = Organisation.objects.get(pk=cast.cell_b.pk)
    assert merged.dissolved_on == JULY_2025 and merged.merged_into_id == cast.cell_a.pk
    assert Member.objects.get(pk=cast.member_b.pk).cell_id == cast.cell_a.pk
    assert selectors.member_count_on(organisation=cast.cell_a, day=JULY_2025) == 2
    assert selectors.member_count_on(organisation=merged, day=JULY_2025) == 0
    assert selectors.member_count_on(organisation=merged, day=JULY_2025 - datetime.timedelta(days=1)) == 1
    assert selectors.member_count_on(organisation=cast.commune_x, day=JULY_2025) == 2


def test_a_merge_into_a_dissolved_unit_is_refused(cast):
    spare = OrganisationFactory(level=Level.CELL, parent=cast.commune_x)
    services.organisation_dissolve(organisation=spare, on=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError) as caught:
        services.organisation_merge(organisation=cast.cell_b, into=spare, on=JULY_2025)
    assert "không hoạt động vào ngày 01/07/2025" in caught.value.message_dict["into"][0]
    assert Organisation.objects.get(pk=cast.cell_b.pk).dissolved_on is None


def test_a_unit_cannot_merge_into_itself_or_its_own_subtree(cast):
    with pytest.raises(ValidationError) as caught:
        services.organisation_merge(organisation=cast.cell_a, into=cast.cell_a, on=JULY_2025)
    assert "chính nó" in caught.value.message_dict["into"][0]
    inner = OrganisationFactory(level=Level.GRASSROOTS_COMMITTEE, parent=cast.commune_y)
    with pytest.raises(ValidationError) as caught:
        services.organisation_merge(organisation=cast.commune_y, into=inner, on=JULY_2025)
    assert "trực thuộc của chính nó" in caught.value.message_dict["into"][0]
    assert Organisation.objects.get(pk=cast.commune_y.pk).dissolved_on is None


def test_a_merge_cycle_is_refused(cast):
    """B into A, then A into B: the second would make a cycle; B is already dissolved."""
    services.organisation_merge(organisation=cast.cell_b, into=cast.cell_a, on=JULY_2025)
    with pytest.raises(ValidationError):
        services.organisation_merge(
            organisation=cast.cell_a, into=Organisation.objects.get(pk=cast.cell_b.pk), on=JULY_2025
        )


def test_a_cell_cannot_merge_into_a_committee(cast):
    with pytest.raises(ValidationError) as caught:
        services.organisation_merge(organisation=cast.cell_c, into=cast.commune_x, on=JULY_2025)
    assert "Chỉ sáp nhập chi bộ vào chi bộ" in caught.value.message_dict["into"][0]


def test_the_tree_on_a_date_shows_what_existed_then(cast):
    old = OrganisationFactory(level=Level.CELL, parent=cast.commune_x, founded_on=datetime.date(2010, 1, 1))
    new = OrganisationFactory(level=Level.CELL, parent=cast.commune_x, founded_on=datetime.date(2025, 7, 1))
    services.organisation_dissolve(organisation=old, on=datetime.date(2025, 7, 1))
    within = Organisation.objects.filter(path__startswith=cast.commune_x.path)
    before = {o.pk for o in selectors.tree_on(day=datetime.date(2025, 6, 30), within=within)}
    after = {o.pk for o in selectors.tree_on(day=datetime.date(2025, 7, 1), within=within)}
    assert old.pk in before and new.pk not in before
    assert new.pk in after and old.pk not in after


def test_member_counts_on_any_date_follow_the_movements(cast):
    late = MemberFactory(cell=cast.cell_a, admission_decision_date=datetime.date(2022, 5, 5))
    assert selectors.member_count_on(organisation=cast.commune_x, day=datetime.date(2022, 5, 4)) == 2
    assert selectors.member_count_on(organisation=cast.commune_x, day=datetime.date(2022, 5, 5)) == 3
    services.member_transfer(member=late, to_cell=cast.cell_c, on=datetime.date(2023, 1, 10))
    assert selectors.member_count_on(organisation=cast.commune_x, day=datetime.date(2023, 1, 10)) == 2
    assert selectors.member_count_on(organisation=cast.province, day=datetime.date(2023, 1, 10)) == 4
    services.member_record_exit(member=late, kind=MovementKind.DIED, on=datetime.date(2024, 2, 1))
    assert selectors.member_count_on(organisation=cast.province, day=datetime.date(2024, 2, 1)) == 3
    assert Member.objects.get(pk=late.pk).status == MemberStatus.LEFT


def test_a_movement_in_the_future_is_refused_and_nothing_is_saved(cast):
    before = MemberMovement.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.member_record_exit(member=cast.member_a, kind=MovementKind.DIED, on=datetime.date(2999, 1, 1))
    assert "ở tương lai" in caught.value.message_dict["date"][0]
    assert MemberMovement.objects.count() == before
    assert Member.objects.get(pk=cast.member_a.pk).status == MemberStatus.FULL


def test_a_duplicate_citizen_id_is_refused_by_field(cast):
    with pytest.raises(ValidationError) as caught:
        services.person_create(
            full_name="Trần Thị Trùng",
            gender="female",
            date_of_birth=datetime.date(1995, 1, 1),
            citizen_id=cast.member_a.person.citizen_id,
        )
    assert "Số CCCD này đã có trong hệ thống" in caught.value.message_dict["citizen_id"][0]


def test_a_birth_date_in_the_future_is_refused_by_field(db):
    with pytest.raises(ValidationError) as caught:
        services.person_create(full_name="Lê Văn Mai", gender="male", date_of_birth=datetime.date(2999, 1, 1))
    assert "ở tương lai" in caught.value.message_dict["date_of_birth"][0]


def test_people_without_a_citizen_id_do_not_collide(db):
    services.person_create(full_name="Một", gender="male", date_of_birth=datetime.date(1990, 1, 1), citizen_id="")
    services.person_create(full_name="Hai", gender="male", date_of_birth=datetime.date(1990, 1, 1), citizen_id="")
    assert PersonFactory._meta.model.objects.filter(citizen_id__isnull=True).count() == 2


def test_a_citizen_id_must_have_twelve_digits(db):
    with pytest.raises(ValidationError) as caught:
        services.person_create(
            full_name="Ba", gender="male", date_of_birth=datetime.date(1990, 1, 1), citizen_id="12ab"
        )
    assert "12 chữ số" in caught.value.message_dict["citizen_id"][0]


def test_changes_to_a_person_are_recorded_with_their_author(cast, django_user_model):
    from simple_history.utils import update_change_reason  # noqa: F401  (history is installed)

    person = cast.member_a.person
    person._history_user = cast.commune_board
    person.phone = "0912345678"
    person.save()
    latest = person.history.latest()
    assert latest.history_user == cast.commune_board
    assert latest.phone == "0912345678"


def test_node_counts_add_up_members_and_active_cells_per_subtree(cast):
    spare = OrganisationFactory(level=Level.CELL, parent=cast.commune_x)
    services.organisation_dissolve(organisation=spare, on=JULY_2025)
    counts = selectors.node_counts([cast.province, cast.commune_x, cast.commune_y, cast.cell_a])
    assert counts[cast.province.pk] == selectors.NodeCounts(members=3, cells=3)
    assert counts[cast.commune_x.pk] == selectors.NodeCounts(members=2, cells=2)
    assert counts[cast.commune_y.pk] == selectors.NodeCounts(members=1, cells=1)
    assert counts[cast.cell_a.pk] == selectors.NodeCounts(members=1, cells=1)
