"""Corrections (issue 13, item 1): the details, a recorded step, undoing the latest step, each with a
reason, through recruitment.services.corrections and their pages."""

import datetime

import pytest
from django.urls import reverse

from members.models import Member, MemberMovement
from partyhub import figures
from recruitment import services
from recruitment.models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Correction,
    Enrolment,
    StageEntry,
)
from recruitment.vocabulary import Stage
from tests.factories import UserFactory

from .conftest import person_fields
from .journey import walk
from .test_board_pages import grow

pytestmark = pytest.mark.django_db
D = datetime.date

EDUCATION_MISSING = "Chưa ghi trình độ giáo dục phổ thông"


def propose(cast, cell=None, **overrides):
    return services.candidate_propose(
        cell=cell or cast.cell_a,
        introduced_by="youth_union",
        proposed_on=D(2023, 12, 1),
        person_fields=person_fields(**overrides),
        by=cast.sec_a,
    )


def at(cast, pipeline, stage, **overrides):
    return walk(propose(cast, **overrides), to=stage, introducers=pipeline["introducers"], by=cast.sec_a)


def vote(candidate, by, **overrides):
    full = services.full_members_of(candidate.cell)
    values = {"held_on": D(2024, 2, 7), "votes_for": full, "full_members": full, **overrides}
    return services.candidate_record_cell_vote(candidate=candidate, by=by, **values)


def details_data(candidate, **overrides) -> dict:
    person = candidate.person
    data = {
        "full_name": person.full_name,
        "gender": person.gender,
        "date_of_birth": person.date_of_birth.isoformat(),
        "general_education": person.general_education,
        "professional_training": person.professional_training,
        "occupation": person.occupation,
        "phone": person.phone,
        "is_youth_union_member": "on" if person.is_youth_union_member else "",
        "introduced_by": candidate.introduced_by,
        "helper": candidate.helper_id or "",
        "proposed_on": candidate.proposed_on.isoformat(),
        "over_age_exception": candidate.over_age_exception,
        "education_exception": candidate.education_exception,
        "reason": "Bổ sung theo lý lịch",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


@pytest.fixture
def announced():
    """The organisations announced through partyhub.figures (what the recompute listens to)."""
    calls: list = []

    def listener(*organisations):
        calls.extend(organisations)

    figures.subscribe(listener)
    yield calls
    figures.unsubscribe(listener)


# --- the details --------------------------------------------------------------------------------


def test_missing_education_blocks_the_vote_until_the_secretary_corrects_it(client, cast, pipeline):
    candidate = at(cast, pipeline, Stage.DOSSIER, general_education="")
    with pytest.raises(services.StepRefused) as refused:
        vote(candidate, cast.sec_a)
    assert EDUCATION_MISSING in str(refused.value)

    client.force_login(cast.sec_a)
    url = reverse("recruitment:candidate_edit", args=[candidate.pk])
    response = client.post(url, details_data(candidate, general_education="upper_secondary"))
    assert response.status_code == 302

    vote(candidate, cast.sec_a)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.CELL_RESOLUTION
    correction = Correction.objects.get(candidate=candidate)
    assert (correction.kind, correction.reason, correction.created_by) == (
        "details",
        "Bổ sung theo lý lịch",
        cast.sec_a,
    )
    assert correction.before == {"general_education": ""}
    assert correction.after == {"general_education": "upper_secondary"}
    history = candidate.person.history.latest()
    assert history.history_change_reason == "Bổ sung theo lý lịch" and history.history_user == cast.sec_a


def test_corrections_appear_on_the_timeline_with_reason_author_before_and_after(client, cast, pipeline):
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    services.step_correct(
        candidate=candidate,
        step="cell-vote",
        values={"held_on": D(2024, 2, 6)},
        reason="Ghi nhầm ngày họp",
        by=cast.sec_a,
    )
    client.force_login(cast.commune_board)
    body = client.get(candidate.get_absolute_url()).content.decode()
    assert "Sửa “Chi bộ biểu quyết”" in body
    assert "Ghi nhầm ngày họp" in body
    assert "Sửa bởi sec_a" in body
    assert "07/02/2024</del> → 06/02/2024" in body
    vote_row = CellVote.objects.get(candidate=candidate)
    assert vote_row.history.latest().history_change_reason == "Ghi nhầm ngày họp"


def test_a_reason_is_required(cast, pipeline):
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    with pytest.raises(services.StepRefused) as refused:
        services.step_correct(candidate=candidate, step="cell-vote", values={"votes_for": 2}, reason=" ", by=cast.sec_a)
    assert refused.value.message_dict["reason"] == ["Hãy ghi lý do sửa."]
    assert not Correction.objects.exists()


def test_sensitive_fields_are_only_for_the_sensitive_roles(client, cast, pipeline):
    candidate = propose(cast)
    client.force_login(cast.sec_a)
    form = client.get(reverse("recruitment:candidate_edit", args=[candidate.pk])).context["form"]
    assert not {"citizen_id", "ethnicity", "religion"} & set(form.fields)
    with pytest.raises(services.StepRefused):
        services.candidate_correct_details(
            candidate=candidate, person_fields={"religion": "Công giáo"}, candidate_fields={}, reason="x", by=cast.sec_a
        )
    client.force_login(cast.commune_sec)
    form = client.get(reverse("recruitment:candidate_edit", args=[candidate.pk])).context["form"]
    assert {"citizen_id", "ethnicity", "religion"} <= set(form.fields)
    services.candidate_correct_details(
        candidate=candidate,
        person_fields={"religion": "Công giáo"},
        candidate_fields={},
        reason="Theo CCCD",
        by=cast.commune_sec,
    )
    # The cell secretary sees that the religion changed, not what it was or became.
    client.force_login(cast.sec_a)
    body = client.get(candidate.get_absolute_url()).content.decode()
    assert "Theo CCCD" in body and "Công giáo" not in body
    client.force_login(cast.commune_sec)
    assert "Công giáo" in client.get(candidate.get_absolute_url()).content.decode()


def test_a_citizen_id_on_file_is_refused_on_its_field(client, cast, pipeline):
    other = propose(cast, full_name="Người khác", citizen_id="001098000999")
    candidate = propose(cast)
    client.force_login(cast.commune_sec)
    url = reverse("recruitment:candidate_edit", args=[candidate.pk])
    response = client.post(url, details_data(candidate, citizen_id=other.person.citizen_id, ethnicity="Kinh"))
    assert response.status_code == 200
    assert "Người khác" in response.context["form"].errors["citizen_id"][0]
    assert not Correction.objects.exists()


# --- a recorded step ----------------------------------------------------------------------------


def test_a_correction_that_breaks_a_rule_is_refused_with_the_rules_message(client, cast, pipeline):
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    client.force_login(cast.sec_a)
    url = reverse("recruitment:candidate_correct", args=[candidate.pk, "cell-vote"])
    data = {"held_on": "2024-02-07", "votes_for": 1, "full_members": 3, "absent_exempt": 0, "reason": "Đếm lại"}
    response = client.post(url, data)
    assert response.status_code == 200
    message = response.context["form"].errors["votes_for"][0]
    assert "2/3" in message and message in response.content.decode()
    assert CellVote.objects.get(candidate=candidate).votes_for == 3
    assert not Correction.objects.exists()


def test_a_date_out_of_sequence_is_refused_over_the_whole_timeline(cast, pipeline):
    candidate = at(cast, pipeline, Stage.DECIDED)
    with pytest.raises(services.StepRefused) as refused:
        services.step_correct(
            candidate=candidate,
            step="cell-vote",
            values={"held_on": D(2024, 3, 1)},  # after the decision of 27/02/2024
            reason="x",
            by=cast.commune_board,
        )
    assert "27/02/2024" in str(refused.value)
    assert CellVote.objects.get(candidate=candidate).held_on == D(2024, 2, 7)


def test_correcting_the_decision_date_moves_the_stage_entry_the_member_and_the_figures(cast, pipeline, announced):
    candidate = at(cast, pipeline, Stage.PROBATIONARY)
    announced.clear()
    services.step_correct(
        candidate=candidate,
        step="decision",
        values={"decided_on": D(2024, 2, 26)},
        reason="Sai ngày quyết định",
        by=cast.commune_board,
    )
    assert StageEntry.objects.get(candidate=candidate, stage=Stage.DECIDED).entered_on == D(2024, 2, 26)
    member = Member.objects.get(pk=candidate.member_id)
    assert member.admission_decision_date == D(2024, 2, 26)
    assert MemberMovement.objects.get(member=member).date == D(2024, 2, 26)
    assert announced == [cast.cell_a]


def test_a_number_only_correction_moves_no_figure(cast, pipeline, announced):
    candidate = at(cast, pipeline, Stage.DECIDED)
    announced.clear()
    services.step_correct(
        candidate=candidate, step="decision", values={"number": "99-QĐ/ĐU"}, reason="Sai số", by=cast.commune_board
    )
    assert AdmissionDecision.objects.get(candidate=candidate).number == "99-QĐ/ĐU"
    assert announced == []


def test_the_current_stage_follows_a_corrected_date(cast, pipeline):
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    services.step_correct(
        candidate=candidate, step="cell-vote", values={"held_on": D(2024, 2, 5)}, reason="x", by=cast.sec_a
    )
    candidate.refresh_from_db()
    assert candidate.stage_entered_on == D(2024, 2, 5)


def test_correcting_a_committee_step_is_the_committees(client, cast, pipeline):
    candidate = at(cast, pipeline, Stage.DECIDED)
    url = reverse("recruitment:candidate_correct", args=[candidate.pk, "decision"])
    client.force_login(cast.sec_a)
    assert client.get(url).status_code == 403
    client.force_login(cast.commune_board)
    assert client.get(url).status_code == 200
    assert client.get(reverse("recruitment:candidate_correct", args=[candidate.pk, "nope"])).status_code == 404


# --- undoing the latest step --------------------------------------------------------------------


def test_undo_restores_the_previous_stage(client, cast, pipeline, announced):
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    entry = StageEntry.objects.filter(candidate=candidate).latest("pk")
    announced.clear()
    client.force_login(cast.sec_a)
    url = reverse("recruitment:candidate_undo", args=[candidate.pk])
    page = client.get(url).content.decode()
    assert "Bạn có chắc muốn hoàn tác" in page
    response = client.post(url, {"entry": entry.pk, "reason": "Ghi nhầm người"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER
    assert candidate.stage_entered_on == D(2024, 1, 23)
    assert not CellVote.objects.filter(candidate=candidate).exists()
    assert not StageEntry.objects.filter(pk=entry.pk).exists()
    correction = Correction.objects.get(candidate=candidate)
    assert correction.action == Correction.Action.UNDO and correction.created_by == cast.sec_a
    assert correction.before["stage"] == Stage.CELL_RESOLUTION and correction.after == {"stage": Stage.DOSSIER}
    assert announced == [cast.cell_a]


def test_an_enrolment_by_mistake_is_undone(cast, pipeline):
    candidate = propose(cast)
    cls = services.class_create(
        organiser=cast.commune_x, name="Lớp nhầm", starts_on=D(2024, 1, 8), ends_on=D(2024, 1, 12), by=cast.sec_a
    )
    services.candidate_enroll_in_class(candidate=candidate, party_class=cls, by=cast.sec_a)
    services.candidate_undo_latest_step(candidate=candidate, reason="Cử nhầm lớp", by=cast.sec_a)
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.stage_entered_on) == (Stage.SOURCE, D(2023, 12, 1))
    assert not Enrolment.objects.filter(candidate=candidate).exists()


def test_only_the_latest_step_can_be_undone(client, cast, pipeline):
    candidate = at(cast, pipeline, Stage.DOSSIER)
    older = StageEntry.objects.filter(candidate=candidate).order_by("-pk")[1]
    with pytest.raises(services.StepRefused) as refused:
        services.candidate_undo_latest_step(candidate=candidate, reason="x", by=cast.sec_a, entry_id=older.pk)
    assert "Chỉ hoàn tác được bước mới nhất" in str(refused.value)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER
    # Undoing twice goes back one step at a time.
    services.candidate_undo_latest_step(candidate=candidate, reason="x", by=cast.sec_a)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.TRAINED
    assert Enrolment.objects.get(candidate=candidate).passed is True


def test_the_proposal_cannot_be_undone(client, cast):
    candidate = propose(cast)
    with pytest.raises(services.StepRefused):
        services.candidate_undo_latest_step(candidate=candidate, reason="x", by=cast.sec_a)
    client.force_login(cast.sec_a)
    response = client.get(reverse("recruitment:candidate_undo", args=[candidate.pk]))
    assert response.status_code == 200 and "Chưa có bước nào" in response.content.decode()
    assert "Xác nhận hoàn tác" not in response.content.decode()
    client.post(reverse("recruitment:candidate_undo", args=[candidate.pk]), {"reason": "x", "entry": 1})
    assert StageEntry.objects.filter(candidate=candidate).count() == 1


def test_undoing_the_ceremony_takes_the_member_off_the_roll(cast, pipeline):
    candidate = at(cast, pipeline, Stage.PROBATIONARY)
    member_pk = candidate.member_id
    services.candidate_undo_latest_step(candidate=candidate, reason="Chưa tổ chức lễ", by=cast.sec_a)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DECIDED and candidate.member is None
    assert not Member.objects.filter(pk=member_pk).exists()


def test_a_cell_secretary_cannot_undo_the_committees_decision(client, cast, pipeline):
    candidate = at(cast, pipeline, Stage.DECIDED)
    client.force_login(cast.sec_a)
    assert client.get(reverse("recruitment:candidate_undo", args=[candidate.pk])).status_code == 403
    assert "undo-latest" not in client.get(candidate.get_absolute_url()).content.decode()
    client.force_login(cast.commune_board)
    assert "undo-latest" in client.get(candidate.get_absolute_url()).content.decode()


# --- scope, admin, query budgets ----------------------------------------------------------------


def _new_urls(candidate, verification) -> list[str]:
    return [
        reverse("recruitment:candidate_edit", args=[candidate.pk]),
        reverse("recruitment:candidate_correct", args=[candidate.pk, "cell-vote"]),
        reverse("recruitment:candidate_undo", args=[candidate.pk]),
        reverse("recruitment:verification_correct", args=[verification.pk]),
    ]


def test_a_user_outside_the_subtree_gets_404_on_every_new_url(client, cast, pipeline):
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    verification = services.verification_request_create(
        candidate=candidate, sent_to="Xã Z", sent_on=D(2024, 1, 2), reply_due_on=D(2024, 2, 2), by=cast.sec_a
    )
    for user in (cast.sec_b, cast.outsider):
        client.force_login(user)
        for url in _new_urls(candidate, verification):
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"reason": "x", "entry": 1}).status_code == 404, url
    assert not Correction.objects.exists()
    assert Candidate.objects.get(pk=candidate.pk).stage == Stage.CELL_RESOLUTION


def test_a_verification_request_is_corrected(client, cast, frozen_today):
    candidate = propose(cast)
    verification = services.verification_request_create(
        candidate=candidate, sent_to="Xã Z", sent_on=D(2024, 1, 2), reply_due_on=D(2024, 2, 2), by=cast.sec_a
    )
    client.force_login(cast.sec_a)
    url = reverse("recruitment:verification_correct", args=[verification.pk])
    data = {"sent_to": "Xã Z", "sent_on": "2024-01-03", "reply_due_on": "2024-01-01", "reason": "Sai ngày"}
    response = client.post(url, data)
    assert "Hạn trả lời không thể trước ngày gửi." in response.context["form"].errors["reply_due_on"]
    response = client.post(url, {**data, "reply_due_on": "2024-02-03"})
    assert response.status_code == 302
    verification.refresh_from_db()
    assert (verification.sent_on, verification.reply_due_on) == (D(2024, 1, 3), D(2024, 2, 3))


def test_recruitment_records_are_read_only_in_the_admin(client, cast, pipeline):
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("admin:recruitment_candidate_changelist")).status_code == 200
    assert client.get(reverse("admin:recruitment_candidate_add")).status_code == 403
    vote_pk = CellVote.objects.get(candidate=candidate).pk
    change = client.get(reverse("admin:recruitment_cellvote_change", args=[vote_pk]))
    assert change.status_code == 200 and b'name="votes_for"' not in change.content
    assert client.post(reverse("admin:recruitment_cellvote_delete", args=[vote_pk]), {"post": "yes"}).status_code == 403
    assert CellVote.objects.filter(pk=vote_pk).exists()


# Session, user, roles, candidate (scoping), then each page's own reads: the details form the cell's
# members and the sensitive-data check; a step's correction the whole recorded timeline (enrolment,
# dossier, introducers, vote, approval, decision, ceremony, recognition, the verification requests)
# and the breadcrumb; the undo the last two stage entries and the breadcrumb.
DETAILS_BUDGET = 6
CORRECT_BUDGET = 14
UNDO_BUDGET = 6


@pytest.mark.parametrize("size", [5, 200])
def test_the_correction_pages_have_a_fixed_query_budget(client, cast, pipeline, size, django_assert_max_num_queries):
    grow([cast.cell_a, cast.cell_b], size)
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    for user in (cast.sec_a, cast.commune_board):
        client.force_login(user)
        for url, budget in (
            (reverse("recruitment:candidate_edit", args=[candidate.pk]), DETAILS_BUDGET),
            (reverse("recruitment:candidate_correct", args=[candidate.pk, "cell-vote"]), CORRECT_BUDGET),
            (reverse("recruitment:candidate_undo", args=[candidate.pk]), UNDO_BUDGET),
        ):
            with django_assert_max_num_queries(budget):
                assert client.get(url).status_code == 200


def test_a_wrong_class_is_corrected_while_the_class_has_no_result(client, cast, pipeline):
    candidate = propose(cast)
    wrong, right = (
        services.class_create(
            organiser=cast.commune_x, name=name, starts_on=start, ends_on=start + datetime.timedelta(days=4), by=None
        )
        for name, start in (("Lớp nhầm", D(2026, 10, 5)), ("Lớp đúng", D(2026, 10, 12)))
    )
    services.candidate_enroll_in_class(candidate=candidate, party_class=wrong, by=cast.sec_a)
    client.force_login(cast.sec_a)
    url = reverse("recruitment:candidate_correct", args=[candidate.pk, "enrol"])
    response = client.post(url, {"party_class": right.pk, "reason": "Chọn nhầm lớp"})
    assert response.status_code == 302, response.context["form"].errors
    assert Enrolment.objects.get(candidate=candidate).party_class == right
    assert StageEntry.objects.get(candidate=candidate, stage=Stage.TRAINING).entered_on == D(2026, 10, 12)
    services.class_record_results(
        party_class=right, results=[services.ClassResult(candidate.pk, True, "CN-1", D(2026, 10, 17))], by=None
    )
    with pytest.raises(services.StepRefused):
        services.step_correct(
            candidate=candidate, step="enrol", values={"party_class": wrong}, reason="x", by=cast.sec_a
        )


def test_a_certificate_before_the_class_is_refused_and_the_class_organiser_corrects_it(cast, pipeline):
    candidate = at(cast, pipeline, Stage.TRAINED)
    with pytest.raises(services.StepRefused) as refused:
        services.step_correct(
            candidate=candidate,
            step="certificate",
            values={"certificate_issued_on": D(2024, 1, 1)},
            reason="x",
            by=cast.commune_board,
        )
    assert "trước ngày khai giảng lớp (08/01/2024)" in str(refused.value)
    services.step_correct(
        candidate=candidate,
        step="certificate",
        values={"certificate_issued_on": D(2024, 1, 13), "certificate_number": "CN-99"},
        reason="Sai số, ngày trên giấy",
        by=cast.commune_board,
    )
    enrolment = Enrolment.objects.get(candidate=candidate)
    assert (enrolment.certificate_number, enrolment.certificate_issued_on) == ("CN-99", D(2024, 1, 13))
    candidate.refresh_from_db()
    assert candidate.stage_entered_on == D(2024, 1, 13)


def test_undoing_a_return_brings_the_dossier_back_to_the_committee(cast, pipeline):
    candidate = at(cast, pipeline, Stage.CELL_RESOLUTION)
    services.committee_return_dossier(
        candidate=candidate, on=D(2024, 2, 10), reason="Thiếu lý lịch", by=cast.commune_board
    )
    latest = services.latest_step(candidate)
    assert latest.kind == "return"
    services.candidate_undo_latest_step(candidate=candidate, reason="Trả nhầm", by=cast.commune_board)
    candidate.refresh_from_db()
    assert (candidate.stage, candidate.returned_reason) == (Stage.CELL_RESOLUTION, "")
    assert CellVote.objects.filter(candidate=candidate).exists()
