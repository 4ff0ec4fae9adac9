"""Member movements and unit changes: transfers confirmed by the receiving cell, exits, re-admission
(36 months, once only), merges of several units and splits, each leaving its history rows."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from members import permissions, selectors, services
from members.models import Member, MemberMovement, MemberTransfer, Organisation
from members.readmission import READMISSION_MIN_MONTHS, earliest_readmission
from members.vocabulary import Gender, Level, MemberStatus, MovementKind, TransferStatus
from tests.factories import MemberFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def _latest_history(obj):
    return obj.history.order_by("-history_id").first()


# --- transfers ---------------------------------------------------------------------------------


def test_a_transfer_waits_for_the_receiving_cell_then_moves_the_member(cast):
    transfer = services.transfer_request(member=cast.member_a, to_cell=cast.cell_b, on=DAY, by=cast.sec_a)
    assert transfer.status == TransferStatus.PENDING
    assert Member.objects.get(pk=cast.member_a.pk).cell_id == cast.cell_a.pk
    assert not MemberMovement.objects.filter(member=cast.member_a, date=DAY).exists()

    services.transfer_confirm(transfer=transfer, by=cast.sec_b)
    member = Member.objects.get(pk=cast.member_a.pk)
    assert member.cell_id == cast.cell_b.pk
    kinds = list(MemberMovement.objects.filter(member=member, date=DAY).values_list("kind", "organisation_id"))
    assert sorted(kinds) == sorted(
        [(MovementKind.TRANSFERRED_OUT, cast.cell_a.pk), (MovementKind.TRANSFERRED_IN, cast.cell_b.pk)]
    )
    assert MemberTransfer.objects.get(pk=transfer.pk).status == TransferStatus.CONFIRMED
    history = _latest_history(member)
    assert history.history_user == cast.sec_b and history.cell_id == cast.cell_b.pk
    assert "Chuyển sinh hoạt" in history.history_change_reason


def test_only_the_receiving_cell_confirms_a_transfer(cast):
    transfer = services.transfer_request(member=cast.member_a, to_cell=cast.cell_b, on=DAY, by=cast.sec_a)
    assert permissions.may_confirm_transfer(cast.sec_b, transfer)
    assert not permissions.may_confirm_transfer(cast.sec_a, transfer)  # the sending cell
    assert not permissions.may_confirm_transfer(cast.commune_board, transfer)  # the board above both
    assert not permissions.may_confirm_transfer(cast.outsider, transfer)
    assert permissions.may_cancel_transfer(cast.sec_a, transfer)
    assert not permissions.may_cancel_transfer(cast.outsider, transfer)


def test_a_transfer_is_confirmed_once_and_a_second_request_waits_for_the_first(cast):
    transfer = services.transfer_request(member=cast.member_a, to_cell=cast.cell_b, on=DAY)
    with pytest.raises(ValidationError) as caught:
        services.transfer_request(member=cast.member_a, to_cell=cast.cell_c, on=DAY)
    assert "đang có một đề nghị" in caught.value.message_dict["member"][0]
    services.transfer_cancel(transfer=transfer)
    with pytest.raises(ValidationError):
        services.transfer_confirm(transfer=transfer)
    assert Member.objects.get(pk=cast.member_a.pk).cell_id == cast.cell_a.pk


def test_a_transfer_to_a_unit_that_is_not_a_cell_or_to_the_same_cell_is_refused(cast):
    with pytest.raises(ValidationError) as caught:
        services.transfer_request(member=cast.member_a, to_cell=cast.commune_x, on=DAY)
    assert "chi bộ" in caught.value.message_dict["to_cell"][0]
    with pytest.raises(ValidationError):
        services.transfer_request(member=cast.member_a, to_cell=cast.cell_a, on=DAY)


def test_a_cell_of_another_province_is_not_a_transfer_within_the_province(cast):
    other = OrganisationFactory(code="P2", level=Level.PROVINCE)
    commune = OrganisationFactory(level=Level.COMMUNE, parent=other)
    far = OrganisationFactory(level=Level.CELL, parent=commune)
    with pytest.raises(ValidationError) as caught:
        services.transfer_request(member=cast.member_a, to_cell=far, on=DAY)
    assert "tỉnh khác" in caught.value.message_dict["to_cell"][0]


def test_a_member_from_another_province_joins_the_roll_when_the_cell_confirms(cast):
    before = selectors.member_count_on(organisation=cast.cell_b, day=DAY)
    transfer = services.transfer_in_request(
        to_cell=cast.cell_b,
        origin="Đảng bộ tỉnh Nam Định",
        on=DAY,
        member_status=MemberStatus.FULL,
        admission_decision_date=datetime.date(2010, 5, 19),
        person_fields={"full_name": "Trần Văn Đến", "gender": Gender.MALE, "date_of_birth": datetime.date(1980, 1, 2)},
        by=cast.sec_b,
    )
    assert transfer.member is None
    assert selectors.member_count_on(organisation=cast.cell_b, day=DAY) == before
    member = services.transfer_confirm(transfer=transfer, by=cast.sec_b)
    assert member.cell_id == cast.cell_b.pk and member.status == MemberStatus.FULL
    assert selectors.member_count_on(organisation=cast.cell_b, day=DAY) == before + 1
    movement = member.movements.get()
    assert movement.kind == MovementKind.TRANSFERRED_IN and "Nam Định" in movement.note
    assert _latest_history(member).history_user == cast.sec_b


def test_a_transfer_out_of_the_province_leaves_the_roll_with_its_destination(cast):
    services.member_transfer_out_of_province(
        member=cast.member_a, destination="Đảng bộ tỉnh Hà Nam", on=DAY, by=cast.sec_a
    )
    member = Member.objects.get(pk=cast.member_a.pk)
    assert member.status == MemberStatus.LEFT
    out = member.movements.get(kind=MovementKind.TRANSFERRED_OUT)
    assert "Hà Nam" in out.note
    assert selectors.member_count_on(organisation=cast.cell_a, day=DAY) == 0
    with pytest.raises(ValidationError):
        services.member_transfer_out_of_province(member=member, destination="", on=DAY)


# --- exits -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [MovementKind.DIED, MovementKind.STRUCK_OFF, MovementKind.EXPELLED, MovementKind.LEFT_PARTY]
)
def test_each_exit_takes_the_member_off_the_roll_with_who_and_why(cast, kind):
    services.member_record_exit(member=cast.member_a, kind=kind, on=DAY, note="QĐ số 12", by=cast.sec_a)
    member = Member.objects.get(pk=cast.member_a.pk)
    assert member.status == MemberStatus.LEFT
    assert member.movements.get(kind=kind).date == DAY
    history = _latest_history(member)
    assert history.history_user == cast.sec_a
    assert (
        str(MovementKind(kind).label) in history.history_change_reason and "QĐ số 12" in history.history_change_reason
    )
    assert selectors.member_count_on(organisation=cast.commune_x, day=DAY) == 1


def test_an_exit_cancels_a_pending_transfer(cast):
    transfer = services.transfer_request(member=cast.member_a, to_cell=cast.cell_b, on=DAY)
    services.member_record_exit(member=cast.member_a, kind=MovementKind.DIED, on=DAY)
    assert MemberTransfer.objects.get(pk=transfer.pk).status == TransferStatus.CANCELLED


# --- re-admission ---------------------------------------------------------------------------------


def _struck_off(cast, on=datetime.date(2022, 3, 15)):
    services.member_record_exit(member=cast.member_a, kind=MovementKind.STRUCK_OFF, on=on)
    return Member.objects.get(pk=cast.member_a.pk)


def test_re_admission_needs_36_full_months_after_leaving(cast):
    member = _struck_off(cast)
    earliest = earliest_readmission(datetime.date(2022, 3, 15))
    assert READMISSION_MIN_MONTHS == 36 and earliest == datetime.date(2025, 3, 15)
    with pytest.raises(ValidationError) as caught:
        services.member_readmit(
            member=member,
            to_cell=cast.cell_a,
            on=earliest - datetime.timedelta(days=1),
            provincial_consent=True,
            consent_reference="CV 1",
        )
    assert "15/03/2025" in caught.value.messages[0]
    assert Member.objects.get(pk=member.pk).status == MemberStatus.LEFT
    services.member_readmit(
        member=member, to_cell=cast.cell_a, on=earliest, provincial_consent=True, consent_reference="CV 1"
    )
    member = Member.objects.get(pk=member.pk)
    assert member.status == MemberStatus.PROBATIONARY and member.is_readmitted
    assert member.admission_decision_date == earliest
    assert member.movements.filter(kind=MovementKind.ADMITTED, date=earliest).exists()


def test_re_admission_happens_once_only(cast):
    member = _struck_off(cast, datetime.date(2019, 1, 10))
    services.member_readmit(
        member=member, to_cell=cast.cell_a, on=datetime.date(2022, 6, 1), provincial_consent=True, consent_reference="1"
    )
    services.member_record_exit(member=member, kind=MovementKind.STRUCK_OFF, on=datetime.date(2022, 9, 1))
    problems = services.readmission_check(
        member=Member.objects.get(pk=member.pk), on=datetime.date(2026, 10, 1), provincial_consent=True
    )
    assert len(problems) == 1 and "chỉ được kết nạp lại một lần" in problems[0]


def test_re_admission_needs_the_provincial_consent_and_not_a_barring_reason(cast):
    member = _struck_off(cast, datetime.date(2019, 1, 10))
    on = datetime.date(2024, 1, 10)
    assert any(
        "văn bản đồng ý" in p for p in services.readmission_check(member=member, on=on, provincial_consent=False)
    )
    problems = services.readmission_check(
        member=member, on=on, provincial_consent=True, exit_reason="convicted_corruption"
    )
    assert len(problems) == 1 and "tham nhũng" in problems[0]


def test_a_member_who_asked_to_leave_is_never_re_admitted_and_the_dead_are_not_re_admitted(cast):
    services.member_record_exit(member=cast.member_a, kind=MovementKind.LEFT_PARTY, on=datetime.date(2019, 1, 10))
    problems = services.readmission_check(
        member=Member.objects.get(pk=cast.member_a.pk), on=DAY, provincial_consent=True
    )
    assert len(problems) == 1 and "xin ra khỏi Đảng" in problems[0]
    services.member_record_exit(member=cast.member_b, kind=MovementKind.DIED, on=datetime.date(2019, 1, 10))
    assert services.readmission_check(member=Member.objects.get(pk=cast.member_b.pk), on=DAY, provincial_consent=True)


# --- units -------------------------------------------------------------------------------------------


def test_merging_several_cells_into_one_writes_a_history_row_per_moved_member(cast):
    cell_d = OrganisationFactory(code="D", level=Level.CELL, parent=cast.commune_x)
    d_members = [MemberFactory(cell=cell_d) for _ in range(3)]
    board = cast.commune_board
    services.organisations_merge(organisations=[cast.cell_b, cell_d], into=cast.cell_a, on=DAY, by=board)
    for member in [cast.member_b, *d_members]:
        member = Member.objects.get(pk=member.pk)
        assert member.cell_id == cast.cell_a.pk
        history = _latest_history(member)
        assert history.cell_id == cast.cell_a.pk and history.history_user == board
        assert "Sáp nhập" in history.history_change_reason
        out = member.movements.get(kind=MovementKind.TRANSFERRED_OUT, date=DAY)
        assert _latest_history(out).history_user == board
    for cell in (cast.cell_b, cell_d):
        cell = Organisation.objects.get(pk=cell.pk)
        assert cell.merged_into_id == cast.cell_a.pk and cell.dissolved_on == DAY
        assert _latest_history(cell).history_user == board
    assert selectors.member_count_on(organisation=cast.cell_a, day=DAY) == 5


def test_merging_into_a_new_cell_creates_it_under_the_parent_on_the_date(cast):
    into = services.organisations_merge_into_new(
        organisations=[cast.cell_a, cast.cell_b], parent=cast.commune_x, code="AB", name="Chi bộ AB", on=DAY
    )
    assert Organisation.objects.get_parent(into).pk == cast.commune_x.pk and into.founded_on == DAY
    assert set(Member.objects.filter(cell=into).values_list("pk", flat=True)) == {
        cast.member_a.pk,
        cast.member_b.pk,
    }
    assert "Lập do sáp nhập" in _latest_history(into).history_change_reason


def test_a_split_assigns_every_member_and_dissolves_the_cell(cast):
    extra = [MemberFactory(cell=cast.cell_a) for _ in range(3)]
    everyone = [cast.member_a, *extra]
    parts = [{"code": "A1", "name": "Chi bộ A1"}, {"code": "A2", "name": "Chi bộ A2"}]
    missing_one = {m.pk: i % 2 for i, m in enumerate(everyone[:-1])}
    with pytest.raises(ValidationError) as caught:
        services.organisation_split(organisation=cast.cell_a, parts=parts, assignment=missing_one, on=DAY)
    assert "Còn 1 đảng viên chưa được chọn" in caught.value.message_dict["assignment"][0]
    assert not Organisation.objects.filter(code="A1").exists()

    assignment = {m.pk: i % 2 for i, m in enumerate(everyone)}
    created = services.organisation_split(
        organisation=cast.cell_a, parts=parts, assignment=assignment, on=DAY, by=cast.commune_board
    )
    assert [c.code for c in created] == ["A1", "A2"]
    for member in everyone:
        moved = Member.objects.get(pk=member.pk)
        assert moved.cell_id == created[assignment[member.pk]].pk
        assert _latest_history(moved).history_user == cast.commune_board
    assert Organisation.objects.get(pk=cast.cell_a.pk).dissolved_on == DAY
    assert selectors.member_count_on(organisation=cast.commune_x, day=DAY) == 5


def test_a_split_needs_two_parts_and_a_cell(cast):
    with pytest.raises(ValidationError):
        services.organisation_split(
            organisation=cast.cell_a, parts=[{"code": "A1", "name": "A1"}], assignment={cast.member_a.pk: 0}, on=DAY
        )
    with pytest.raises(ValidationError) as caught:
        services.organisation_split(
            organisation=cast.commune_x,
            parts=[{"code": "1", "name": "1"}, {"code": "2", "name": "2"}],
            assignment={},
            on=DAY,
        )
    assert "Chỉ chia tách được chi bộ" in caught.value.message_dict["organisation"][0]


def test_the_merge_preview_lists_who_moves_from_each_unit(cast):
    extra = MemberFactory(cell=cast.cell_b)
    services.member_record_exit(member=extra, kind=MovementKind.DIED, on=DAY)
    preview = selectors.moving_members([cast.cell_a, cast.cell_b])
    assert [(row["organisation"].pk, [m.pk for m in row["members"]]) for row in preview] == [
        (cast.cell_a.pk, [cast.member_a.pk]),
        (cast.cell_b.pk, [cast.member_b.pk]),
    ]


def test_a_rename_is_recorded_with_the_old_name(cast):
    user = UserFactory()
    services.organisation_rename(organisation=cast.cell_a, name="Chi bộ thôn Mới", by=user)
    history = _latest_history(Organisation.objects.get(pk=cast.cell_a.pk))
    assert history.name == "Chi bộ thôn Mới" and history.history_user == user
    assert "Chi bộ thôn A" in history.history_change_reason
    with pytest.raises(ValidationError):
        services.organisation_rename(organisation=cast.cell_a, name="Chi bộ thôn Mới")


def test_dissolving_and_creating_units_are_audited(cast):
    user = UserFactory()
    cell = services.organisation_create(
        code="NEW", name="Chi bộ mới", level=Level.CELL, parent=cast.commune_x, founded_on=DAY, by=user
    )
    assert _latest_history(cell).history_user == user
    services.organisation_dissolve(organisation=cell, on=DAY, by=user)
    history = _latest_history(Organisation.objects.get(pk=cell.pk))
    assert history.dissolved_on == DAY and history.history_user == user and history.history_change_reason == "Giải thể"
