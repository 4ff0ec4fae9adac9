import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS

from members.models import Member, MemberMovement
from members.selectors import member_count_on
from members.vocabulary import MemberStatus, MovementKind
from recruitment import services
from recruitment.models import AdmissionDecision, CellVote, Enrolment, StageEntry
from recruitment.services import StepRefused
from recruitment.vocabulary import Stage

from .conftest import new_person, person_fields
from .journey import walk

pytestmark = pytest.mark.django_db
D = datetime.date


def propose(cast, cell=None, **overrides):
    return services.candidate_propose(
        cell=cell or cast.cell_a,
        introduced_by="youth_union",
        proposed_on=D(2023, 12, 1),
        person_fields=person_fields(**overrides),
        helper=None,
        by=cast.sec_a,
    )


def test_a_candidate_goes_from_source_to_full_member(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.FULL, introducers=pipeline["introducers"], by=cast.sec_a)
    assert candidate.stage == Stage.FULL
    member = Member.objects.get(pk=candidate.member_id)
    decision = AdmissionDecision.objects.get(candidate=candidate)
    assert member.status == MemberStatus.FULL
    assert member.admission_decision_date == decision.decided_on
    # Full as of the end of the 12 months after the ceremony, not the meeting day.
    assert member.recognition_date == D(2025, 3, 8)
    admitted = MemberMovement.objects.get(member=member, kind=MovementKind.ADMITTED)
    assert admitted.date == decision.decided_on
    assert member_count_on(organisation=cast.cell_a, day=decision.decided_on) == 4
    stages = list(StageEntry.objects.filter(candidate=candidate).values_list("stage", flat=True))
    assert stages == ["source", "training", "trained", "dossier", "cell_resolution", "decided", "probationary", "full"]
    assert candidate.history.filter(history_user=cast.sec_a).exists()


def test_a_cell_under_a_grassroots_committee_needs_its_approval_first(cast, pipeline):
    candidate = propose(cast, cell=pipeline["cell_g"])
    walk(candidate, to=Stage.CELL_RESOLUTION, introducers=pipeline["g_members"], by=cast.commune_board)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_decision(
            candidate=candidate, number="1-QĐ", decided_on=D(2024, 3, 1), received_on=D(2024, 3, 2), by=None
        )
    assert "Đảng ủy cơ sở đã xét duyệt" in caught.value.message_dict[NON_FIELD_ERRORS][0]
    services.candidate_record_committee_approval(
        candidate=candidate, held_on=D(2024, 2, 20), votes_for=5, committee_members=7, by=None
    )
    decision = services.candidate_record_decision(
        candidate=candidate, number="1-QĐ", decided_on=D(2024, 3, 1), received_on=D(2024, 3, 2), by=None
    )
    assert decision.issuing_committee == cast.commune_x


def test_a_vote_short_of_two_thirds_is_refused_with_the_figures_and_saves_nothing(cast, pipeline, frozen_today):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_cell_vote(
            candidate=candidate, held_on=D(2024, 2, 7), votes_for=6, full_members=10, by=cast.sec_a
        )
    message = caught.value.message_dict["votes_for"][0]
    assert "10 đảng viên chính thức" in message and "7" in message and "6" in message
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER
    assert not CellVote.objects.exists()


def test_more_votes_than_members_is_refused(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_cell_vote(
            candidate=candidate, held_on=D(2024, 2, 7), votes_for=5, full_members=3, by=cast.sec_a
        )
    assert "votes_for" in caught.value.message_dict
    assert not CellVote.objects.exists()


def test_a_vote_dated_in_the_future_is_refused(cast, pipeline, frozen_today):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_cell_vote(
            candidate=candidate,
            held_on=frozen_today + datetime.timedelta(days=1),
            votes_for=3,
            full_members=3,
            by=cast.sec_a,
        )
    assert "sau ngày hôm nay" in caught.value.message_dict["held_on"][0]


def test_a_decision_before_the_resolution_is_refused(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_decision(
            candidate=candidate, number="9-QĐ", decided_on=D(2024, 1, 2), received_on=D(2024, 1, 3), by=None
        )
    assert "decided_on" in caught.value.message_dict
    assert not AdmissionDecision.objects.exists()


def test_a_ceremony_before_the_decision_is_refused_and_creates_no_member(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.DECIDED, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_ceremony(candidate=candidate, held_on=D(2024, 1, 1), by=cast.sec_a)
    assert "held_on" in caught.value.message_dict
    assert not Member.objects.filter(person=candidate.person).exists()


def test_a_step_out_of_order_is_refused(cast, pipeline):
    candidate = propose(cast)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_ceremony(candidate=candidate, held_on=D(2024, 1, 1), by=cast.sec_a)
    assert "Quần chúng ưu tú" in caught.value.message_dict[NON_FIELD_ERRORS][0]


def test_the_committee_can_return_a_dossier_one_step_back(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    services.committee_return_dossier(
        candidate=candidate, on=D(2024, 2, 20), reason="Thiếu bản tự kiểm điểm", by=cast.commune_board
    )
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER
    assert candidate.returned_reason == "Thiếu bản tự kiểm điểm"
    assert candidate.returns.get().from_stage == Stage.CELL_RESOLUTION


def test_withdrawing_needs_a_reason(cast, pipeline):
    candidate = propose(cast)
    with pytest.raises(StepRefused) as caught:
        services.candidate_withdraw(candidate=candidate, on=D(2024, 1, 1), reason="  ", by=cast.sec_a)
    assert "reason" in caught.value.message_dict
    services.candidate_withdraw(candidate=candidate, on=D(2024, 1, 1), reason="Chuyển công tác", by=cast.sec_a)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.WITHDRAWN


def test_striking_off_a_probationary_member_takes_them_off_the_roll(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.PROBATIONARY, introducers=pipeline["introducers"], by=cast.sec_a)
    services.member_strike_off(candidate=candidate, on=D(2024, 9, 1), reason="Vi phạm tư cách", by=cast.sec_a)
    member = Member.objects.get(pk=candidate.member_id)
    assert member.status == MemberStatus.LEFT
    assert MemberMovement.objects.filter(member=member, kind=MovementKind.STRUCK_OFF).exists()
    with pytest.raises(StepRefused):
        services.candidate_withdraw(candidate=candidate, on=D(2024, 9, 2), reason="x", by=cast.sec_a)


def test_class_results_are_all_or_nothing(cast, pipeline):
    one, two = propose(cast), propose(cast, citizen_id="001198000999", full_name="Vũ Văn Nam")
    cls = services.class_create(
        organiser=cast.commune_x, name="Lớp 1/2024", starts_on=D(2024, 1, 8), ends_on=D(2024, 1, 12), by=None
    )
    for c in (one, two):
        services.candidate_enroll_in_class(candidate=c, party_class=cls, by=None)
    with pytest.raises(StepRefused) as caught:
        services.class_record_results(
            party_class=cls,
            results=[
                services.ClassResult(one.pk, True, "CN-1", D(2024, 1, 13)),
                services.ClassResult(two.pk, True, "", D(2024, 1, 13)),
            ],
            by=None,
        )
    assert f"row-{two.pk}" in caught.value.message_dict
    assert not Enrolment.objects.filter(passed=True).exists()
    one.refresh_from_db()
    assert one.stage == Stage.TRAINING


def test_a_person_already_a_candidate_cannot_be_proposed_twice(cast, pipeline):
    person = new_person()
    services.candidate_propose(
        cell=cast.cell_a, introduced_by="cell", proposed_on=D(2024, 1, 1), person=person, by=None
    )
    with pytest.raises(StepRefused) as caught:
        services.candidate_propose(
            cell=cast.cell_a, introduced_by="cell", proposed_on=D(2024, 1, 1), person=person, by=None
        )
    assert "person" in caught.value.message_dict


def test_a_recognition_before_probation_ends_is_refused(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.PROBATIONARY, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.member_recognise_full(
            member=candidate.member, meeting_on=D(2024, 6, 1), decision_number="1-CN", by=cast.sec_a
        )
    assert "meeting_on" in caught.value.message_dict


def test_the_median_days_per_stage_come_from_the_step_records(cast, pipeline):
    from recruitment.selectors.stage_times import median_days_per_stage

    walk(propose(cast), to=Stage.DECIDED, introducers=pipeline["introducers"], by=cast.sec_a)
    medians = median_days_per_stage(cast.commune_x)
    # journey: proposed 01/12/2023, class from 08/01/2024, certificate 14/01, dossier 23/01, vote 07/02.
    assert medians[Stage.SOURCE] == 38
    assert medians[Stage.TRAINING] == 6
    assert medians[Stage.TRAINED] == 9
    assert medians[Stage.DOSSIER] == 15
    assert medians[Stage.CELL_RESOLUTION] == 20
    assert Stage.DECIDED not in medians
    assert median_days_per_stage(cast.commune_y) == {}


def test_a_candidate_over_60_needs_the_recorded_exception_at_the_vote(cast, pipeline):
    candidate = walk(
        propose(cast, date_of_birth=D(1962, 1, 1)), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=None
    )
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_cell_vote(
            candidate=candidate, held_on=D(2024, 2, 7), votes_for=3, full_members=3, by=None
        )
    assert "over_age_exception" in caught.value.message_dict
    candidate.refresh_from_db()
    assert candidate.over_age_exception == "" and candidate.stage == Stage.DOSSIER
    services.candidate_record_cell_vote(
        candidate=candidate,
        held_on=D(2024, 2, 7),
        votes_for=3,
        full_members=3,
        over_age_exception="Công văn 15-CV/TU ngày 10/01/2024",
        by=None,
    )
    candidate.refresh_from_db()
    assert candidate.stage == Stage.CELL_RESOLUTION
    assert candidate.over_age_exception == "Công văn 15-CV/TU ngày 10/01/2024"
    assert any(f["code"] == "R01_OVER_AGE_EXCEPTION" for f in candidate.open_findings)
