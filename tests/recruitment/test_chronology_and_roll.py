"""Issue 13, items 2 and 3: the roll decides the vote's base (rule 6) and one chronology (rule 15)."""

import datetime

import pytest
from django.urls import reverse

from members.selectors import full_members_on
from members.vocabulary import MemberStatus
from recruitment import rules, services
from recruitment.models import CellVote, CommitteeApproval
from recruitment.rules import check_vote_roll, chronology_findings, fmt
from recruitment.services import StepRefused
from recruitment.vocabulary import Stage
from tests.factories import MemberFactory

from .conftest import person_fields
from .journey import walk

D = datetime.date

# One candidate's timeline, every date in order.
TIMELINE = {
    "birth_date": D(2000, 1, 1),
    "proposal_date": D(2025, 1, 10),
    "class_start_date": D(2025, 3, 3),
    "class_end_date": D(2025, 3, 7),
    "certificate_date": D(2025, 3, 8),
    "application_date": D(2025, 4, 1),
    "verification_sent_date:Công an xã": D(2025, 4, 2),
    "history_date": D(2025, 4, 3),
    "introduction_date:Lê Văn A": D(2025, 4, 10),
    "body_introduction_date": D(2025, 4, 10),
    "verification_reply_date:Công an xã": D(2025, 4, 11),
    "opinions_date": D(2025, 4, 12),
    "verification_completed_date": D(2025, 4, 14),
    "dossier_submitted_date": D(2025, 4, 15),
    "resolution_date": D(2025, 5, 5),
    "committee_approval_date": D(2025, 5, 15),
    "decision_date": D(2025, 5, 20),
    "decision_received_date": D(2025, 5, 22),
    "ceremony_date": D(2025, 6, 1),
    "recognition_date": D(2026, 6, 5),
}
# A pair the chain skips when a step lies between them is tested without that step.
BETWEEN = {
    ("resolution_date", "decision_date"): ("committee_approval_date",),
    ("decision_date", "ceremony_date"): ("decision_received_date",),
}
PAIRS = sorted({(earlier, later) for earlier, later, _why in rules._CHRONOLOGY})


def key_of(base: str) -> str:
    return next(name for name in TIMELINE if name.split(":")[0] == base)


def test_the_timeline_in_order_has_no_findings():
    assert chronology_findings(TIMELINE) == []


@pytest.mark.parametrize(("earlier", "later"), PAIRS, ids=[f"{a}<={b}" for a, b in PAIRS])
def test_each_pair_out_of_order_is_refused_naming_both_dates_and_the_rule(earlier, later):
    dates = {k: v for k, v in TIMELINE.items() if k not in BETWEEN.get((earlier, later), ())}
    wrong = dates[key_of(earlier)] - datetime.timedelta(days=1)
    dates[key_of(later)] = wrong
    findings = [
        f
        for f in chronology_findings(dates)
        if f.figures.get("field") == later and f.figures.get("must_not_precede") == earlier
    ]
    assert len(findings) == 1, [f.message for f in chronology_findings(dates)]
    finding = findings[0]
    assert finding.blocks
    assert fmt(wrong) in finding.message
    assert fmt(dates[key_of(earlier)]) in finding.message
    assert "Quy tắc 15" in finding.message


def test_the_issue_s_class_that_ended_before_the_proposal_is_refused():
    findings = chronology_findings(
        {"proposal_date": D(2026, 10, 1), "class_start_date": D(2026, 4, 6), "class_end_date": D(2026, 4, 10)}
    )
    assert [f.code for f in findings] == ["DATE_ORDER"]
    assert "06/04/2026" in findings[0].message and "01/10/2026" in findings[0].message


def test_a_completed_verification_with_a_request_unanswered_is_refused_and_a_vote_only_warned():
    dates = {
        "verification_sent_date:Công an xã": D(2026, 11, 1),
        "verification_reply_date:Công an xã": None,
        "verification_completed_date": D(2026, 11, 25),
    }
    refused = chronology_findings(dates)
    assert [(f.code, f.blocks) for f in refused] == [("R15_VERIFICATION_UNANSWERED", True)]
    assert "25/11/2026" in refused[0].message and "01/11/2026" in refused[0].message
    pending = chronology_findings({**dates, "verification_completed_date": None, "resolution_date": D(2026, 12, 1)})
    assert [(f.code, f.severity) for f in pending] == [("R15_VERIFICATION_PENDING_AT_VOTE", rules.Severity.WARNS)]
    assert "01/12/2026" in pending[0].message and "01/11/2026" in pending[0].message
    late = chronology_findings(
        {
            **dates,
            "verification_completed_date": None,
            "verification_reply_date:Công an xã": D(2026, 12, 2),
            "resolution_date": D(2026, 12, 1),
        }
    )
    assert [(f.code, f.blocks) for f in late] == [("R15_VERIFICATION_REPLIED_AFTER_VOTE", False)]


def test_a_typed_total_differing_from_the_roll_blocks_without_a_reason_and_notes_with_one():
    figures = {"vote_date": D(2026, 11, 2), "full_members": 20, "absent_exempt": 0, "roll_full_members": 35}
    refused = check_vote_roll(**figures, named_absent=0)
    assert [(f.code, f.blocks) for f in refused] == [("R06_BASE_DIFFERS_FROM_ROLL", True)]
    assert "20" in refused[0].message and "35" in refused[0].message and "02/11/2026" in refused[0].message
    assert "cần 14 phiếu theo biên bản, 24 theo danh sách" in refused[0].message
    noted = check_vote_roll(**figures, named_absent=0, reason="Danh sách chưa cập nhật chuyển sinh hoạt")
    assert [(f.code, f.severity) for f in noted] == [("R06_BASE_EXCEPTION", rules.Severity.NOTES)]
    assert check_vote_roll(**(figures | {"full_members": 35}), named_absent=0) == []


# --- the services ---------------------------------------------------------------------------------


def propose(cast, cell=None, proposed_on=None, **overrides):
    return services.candidate_propose(
        cell=cell or cast.cell_a,
        introduced_by="youth_union",
        proposed_on=proposed_on or D(2023, 12, 1),
        person_fields=person_fields(**overrides),
        by=cast.sec_a,
    )


@pytest.mark.django_db
def test_the_roll_of_a_day_counts_full_members_in_the_cell_then(cast, pipeline):
    later = MemberFactory(cell=cast.cell_a, admission_decision_date=D(2024, 6, 1), recognition_date=D(2025, 6, 1))
    probationary = MemberFactory(
        cell=cast.cell_a, status=MemberStatus.PROBATIONARY, admission_decision_date=D(2023, 1, 1)
    )
    probationary.recognition_date = None
    probationary.save()
    on_vote = full_members_on(cell=cast.cell_a, day=D(2024, 2, 7))
    assert len(on_vote) == 3
    assert later not in on_vote and probationary not in on_vote
    assert later in full_members_on(cell=cast.cell_a, day=D(2025, 6, 1))


@pytest.mark.django_db
def test_a_typed_total_differing_from_the_roll_is_refused_without_a_reason(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_cell_vote(
            candidate=candidate, held_on=D(2024, 2, 7), votes_for=14, full_members=20, by=cast.sec_a
        )
    message = caught.value.message_dict["base_reason"][0]
    assert "biên bản ghi 20 đảng viên chính thức" in message and "07/02/2024 có 3" in message
    assert not CellVote.objects.exists()


@pytest.mark.django_db
def test_with_a_reason_the_typed_total_is_kept_and_shown_as_an_exception(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    vote = services.candidate_record_cell_vote(
        candidate=candidate,
        held_on=D(2024, 2, 7),
        votes_for=14,
        full_members=20,
        base_reason="Danh sách chưa cập nhật 17 đồng chí chuyển đến",
        by=cast.sec_a,
    )
    assert (vote.full_members, vote.roll_full_members) == (20, 3)
    assert vote.base_reason == "Danh sách chưa cập nhật 17 đồng chí chuyển đến"
    candidate.refresh_from_db()
    assert "R06_BASE_EXCEPTION" in [f["code"] for f in candidate.open_findings]
    client.force_login(cast.commune_board)
    timeline = client.get(reverse("recruitment:candidate", args=[candidate.pk])).content.decode()
    assert "Ngoại lệ: số liệu khác danh sách đảng viên (danh sách có 3 đảng viên chính thức)" in timeline
    assert "Danh sách chưa cập nhật 17 đồng chí chuyển đến" in timeline
    queue = client.get(reverse("recruitment:committee_queue", args=[cast.commune_x.pk])).content.decode()
    assert "Biên bản ghi 20 đảng viên chính thức, danh sách có 3" in queue
    assert "Danh sách chưa cập nhật 17 đồng chí chuyển đến" in queue


@pytest.mark.django_db
def test_absent_members_are_marked_by_name_and_must_be_on_the_roll(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_cell_vote(
            candidate=candidate,
            held_on=D(2024, 2, 7),
            votes_for=2,
            absent_members=[cast.member_b],
            by=cast.sec_a,
        )
    assert "Đảng viên B" in caught.value.message_dict["absent_members"][0]
    away = pipeline["introducers"][1]
    vote = services.candidate_record_cell_vote(
        candidate=candidate, held_on=D(2024, 2, 7), votes_for=2, absent_members=[away], by=cast.sec_a
    )
    assert (vote.full_members, vote.absent_exempt, vote.base_reason) == (3, 1, "")
    assert list(vote.absent_members.all()) == [away]


@pytest.mark.django_db
def test_a_committee_figure_differing_from_its_last_approval_needs_a_reason(cast, pipeline):
    first, second = (
        walk(
            propose(cast, cell=pipeline["cell_g"], full_name=name, citizen_id=None),
            to=Stage.CELL_RESOLUTION,
            introducers=pipeline["g_members"],
            by=None,
        )
        for name in ("Nguyễn Văn Một", "Trần Thị Hai")
    )
    services.candidate_record_committee_approval(
        candidate=first, held_on=D(2024, 2, 20), votes_for=5, committee_members=7, by=None
    )
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_committee_approval(
            candidate=second, held_on=D(2024, 2, 21), votes_for=5, committee_members=6, by=None
        )
    message = caught.value.message_dict["base_reason"][0]
    assert "ghi 6 cấp ủy viên" in message and "20/02/2024 ghi 7" in message
    approval = services.candidate_record_committee_approval(
        candidate=second,
        held_on=D(2024, 2, 21),
        votes_for=5,
        committee_members=6,
        base_reason="Một đồng chí nghỉ hưu",
        by=None,
    )
    assert (approval.reference_committee_members, approval.base_reason) == (7, "Một đồng chí nghỉ hưu")
    assert CommitteeApproval.objects.count() == 2


@pytest.mark.django_db
def test_a_class_that_started_before_the_proposal_is_refused(cast, pipeline):
    candidate = propose(cast, proposed_on=D(2024, 3, 1))
    party_class = services.class_create(
        organiser=cast.commune_x, name="Lớp 1/2024", starts_on=D(2024, 1, 8), ends_on=D(2024, 1, 12), by=None
    )
    with pytest.raises(StepRefused) as caught:
        services.candidate_enroll_in_class(candidate=candidate, party_class=party_class, by=None)
    message = caught.value.message_dict["party_class"][0]
    assert "08/01/2024" in message and "01/03/2024" in message and "Quy tắc 15" in message


@pytest.mark.django_db
def test_a_dossier_dated_before_the_proposal_or_completing_an_unanswered_check_is_refused(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.TRAINED, introducers=pipeline["introducers"], by=cast.sec_a)
    introducer = services.IntroducerInput(pipeline["introducers"][0], D(2020, 1, 1), D(2024, 1, 22))
    dossier = {
        "candidate": candidate,
        "application_date": D(2024, 1, 18),
        "personal_history_date": D(2024, 1, 20),
        "route": "youth_union",
        "body_introduction_date": D(2024, 1, 22),
        "introducers": [introducer],
        "submitted_on": D(2024, 1, 23),
        "by": cast.sec_a,
    }
    with pytest.raises(StepRefused) as caught:
        services.candidate_submit_dossier(**dossier | {"application_date": D(2023, 11, 30)})
    message = caught.value.message_dict["application_date"][0]
    assert "30/11/2023" in message and "01/12/2023" in message
    services.verification_request_create(
        candidate=candidate, sent_to="Công an xã Xuân", sent_on=D(2024, 1, 15), reply_due_on=D(2024, 2, 15), by=None
    )
    with pytest.raises(StepRefused) as caught:
        services.candidate_submit_dossier(**dossier | {"verification_completed_on": D(2024, 1, 21)})
    message = caught.value.message_dict["verification_completed_on"][0]
    assert "21/01/2024" in message and "15/01/2024" in message and "chưa có trả lời" in message
    services.candidate_submit_dossier(**dossier)


@pytest.mark.django_db
def test_a_decision_before_the_vote_names_both_dates(cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    with pytest.raises(StepRefused) as caught:
        services.candidate_record_decision(
            candidate=candidate, number="1-QĐ", decided_on=D(2024, 2, 6), received_on=D(2024, 2, 8), by=None
        )
    message = caught.value.message_dict["decided_on"][0]
    assert "06/02/2024" in message and "07/02/2024" in message and "Quy tắc 15" in message
