"""Proposing a candidate, their page, each step, exits and background verification, through the client."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member, Person
from recruitment import services
from recruitment.models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Dossier,
    Enrolment,
    Exit,
    Introducer,
    StageEntry,
    VerificationRequest,
)
from recruitment.vocabulary import Stage
from tests.cast import add_recruitment

from .conftest import person_fields
from .journey import walk
from .test_board_pages import grow

pytestmark = pytest.mark.django_db
D = datetime.date

# session, user, roles, candidate (scoping), candidate with its one-to-one records, stage entries,
# enrolments, introducers, verifications, votes, approvals, returns, corrections, ancestors, the step
# form's choices (the vote's form: the roll's count and the members to mark absent by name), the scans
# of signed papers (recruitment.papers), and the INSERT of the log of sensitive reads
# (reports/audit/reads.py; one a page, for the roles shown them).
CANDIDATE_BUDGET = 18


def propose(cast, cell=None, **overrides):
    return services.candidate_propose(
        cell=cell or cast.cell_a,
        introduced_by="youth_union",
        proposed_on=D(2023, 12, 1),
        person_fields=person_fields(**overrides),
        by=cast.sec_a,
    )


def page(client, user, candidate):
    client.force_login(user)
    response = client.get(candidate.get_absolute_url())
    assert response.status_code == 200
    return response


def step_url(candidate, step: str) -> str:
    return reverse("recruitment:candidate_step", args=[candidate.pk, step])


def post_step(client, user, candidate, step: str, data: dict):
    client.force_login(user)
    return client.post(step_url(candidate, step), data)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (StageEntry, CellVote, AdmissionDecision, Dossier, Exit, Member))


def propose_data(**overrides) -> dict:
    data = {
        "full_name": "Đỗ Thị Mai",
        "gender": "female",
        "date_of_birth": "2001-05-04",
        "ethnicity": "Tày",
        "religion": "",
        "general_education": "upper_secondary",
        "professional_training": "university",
        "occupation": "farmer",
        "phone": "0912345678",
        "citizen_id": "001301000123",
        "is_youth_union_member": "on",
        "introduced_by": "youth_union",
        "proposed_on": "2026-10-01",
    }
    data.update(overrides)
    return data


# --- proposing ----------------------------------------------------------------------------------


def test_a_cell_secretary_proposes_a_candidate_to_their_own_cell(client, cast, frozen_today):
    client.force_login(cast.sec_a)
    url = reverse("recruitment:propose", args=[cast.cell_a.pk])
    form = client.get(url).context["form"]
    assert "cell" not in form.fields
    assert list(form.fields["helper"].queryset) == [cast.member_a]

    response = client.post(url, propose_data(helper=cast.member_a.pk), follow=True)
    candidate = Candidate.objects.get(person__full_name="Đỗ Thị Mai")
    assert response.redirect_chain[-1][0] == candidate.get_absolute_url()
    assert (candidate.cell, candidate.helper, candidate.stage) == (cast.cell_a, cast.member_a, Stage.SOURCE)
    assert candidate.person.ethnicity == "Tày" and candidate.person.citizen_id == "001301000123"
    assert "Đã đưa “Đỗ Thị Mai” vào danh sách quần chúng ưu tú" in response.content.decode()


def test_the_commune_chooses_the_cell_and_the_helper_list_follows_it(client, cast, frozen_today):
    client.force_login(cast.commune_board)
    url = reverse("recruitment:propose", args=[cast.commune_x.pk])
    form = client.get(url).context["form"]
    assert set(form.fields["cell"].queryset) == {cast.cell_a, cast.cell_b}
    assert not form.fields["helper"].queryset.exists()
    # What htmx asks for when the cell changes: the same page with the cell chosen.
    form = client.get(url, {"cell": cast.cell_b.pk}, headers={"HX-Request": "true"}).context["form"]
    assert list(form.fields["helper"].queryset) == [cast.member_b]

    client.post(url, propose_data(cell=cast.cell_b.pk, helper=cast.member_b.pk))
    assert Candidate.objects.get(person__full_name="Đỗ Thị Mai").cell == cast.cell_b


def test_a_helper_from_another_cell_is_refused_and_nothing_is_saved(client, cast, frozen_today):
    client.force_login(cast.commune_board)
    url = reverse("recruitment:propose", args=[cast.commune_x.pk])
    response = client.post(url, propose_data(cell=cast.cell_a.pk, helper=cast.member_b.pk))
    assert response.status_code == 200
    assert "helper" in response.context["form"].errors
    assert not Person.objects.filter(full_name="Đỗ Thị Mai").exists()


def test_a_malformed_citizen_id_is_shown_on_its_field_and_nothing_is_saved(client, cast, frozen_today):
    client.force_login(cast.sec_a)
    response = client.post(reverse("recruitment:propose", args=[cast.cell_a.pk]), propose_data(citizen_id="12345"))
    assert "phải gồm đúng 12 chữ số" in response.context["form"].errors["citizen_id"][0]
    assert not Candidate.objects.exists()


def test_a_cell_from_another_commune_cannot_be_chosen(client, cast, frozen_today):
    client.force_login(cast.commune_board)
    url = reverse("recruitment:propose", args=[cast.commune_x.pk])
    response = client.post(url, propose_data(cell=cast.cell_c.pk))
    assert "cell" in response.context["form"].errors
    assert not Candidate.objects.exists()


# --- the candidate page -------------------------------------------------------------------------


def test_the_timeline_shows_every_step_with_its_record_in_date_order(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.FULL, introducers=pipeline["introducers"], by=cast.sec_a)
    other = propose(cast, full_name="Người khác", citizen_id="001098000222")
    services.verification_request_create(
        candidate=other, sent_to="Nơi khác", sent_on=D(2024, 1, 2), reply_due_on=D(2024, 2, 2), by=None
    )
    response = page(client, cast.sec_a, candidate)
    body = response.content.decode()
    kinds = [e.kind for e in response.context["file"].timeline]
    assert kinds == ["proposal", "class", "certificate", "dossier", "vote", "decision", "ceremony", "recognition"]
    dates = [e.on for e in response.context["file"].timeline]
    assert dates == sorted(dates)
    introducer = pipeline["introducers"][0].person.full_name
    for text in (
        "Đưa vào diện quần chúng ưu tú",
        f"Cử đi học lớp “Lớp bồi dưỡng {candidate.pk}”",
        f"Giấy chứng nhận số CN-{candidate.pk}, cấp ngày 14/01/2024",
        f"{introducer} giới thiệu ngày 22/01/2024",
        "Chi bộ biểu quyết: 3/3 phiếu tán thành",
        f"Quyết định kết nạp số {candidate.pk}-QĐ/ĐU",
        cast.commune_x.name,
        "Lễ kết nạp; trở thành đảng viên dự bị",
        "là đảng viên chính thức từ ngày 08/03/2025",
    ):
        assert text in body, text
    assert "Nơi khác" not in body  # another candidate's request
    assert "Đã là đảng viên chính thức" in body
    assert response.context["step_form"] is None


def test_returns_and_exits_are_on_the_timeline_with_their_reasons(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    services.committee_return_dossier(
        candidate=candidate, on=D(2024, 2, 20), reason="Thiếu bản tự kiểm điểm", by=cast.commune_board
    )
    services.candidate_withdraw(candidate=candidate, on=D(2024, 3, 1), reason="Chuyển vào Nam", by=cast.sec_a)
    body = page(client, cast.sec_a, candidate).content.decode()
    assert "Cấp ủy trả lại hồ sơ" in body and "Thiếu bản tự kiểm điểm" in body
    assert "Dừng theo dõi" in body and "Chuyển vào Nam" in body
    assert body.index("Thiếu bản tự kiểm điểm") < body.index("Chuyển vào Nam")


def test_the_page_shows_the_returned_reason_and_the_open_warnings(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    services.committee_return_dossier(
        candidate=candidate, on=D(2024, 2, 20), reason="Thiếu bản tự kiểm điểm", by=cast.commune_board
    )
    Candidate.objects.filter(pk=candidate.pk).update(
        open_findings=[{"code": "R07", "severity": "warns", "message": "Chi bộ có dưới 3 đảng viên chính thức"}]
    )
    body = page(client, cast.sec_a, candidate).content.decode()
    assert 'id="returned-reason"' in body
    assert "Chi bộ có dưới 3 đảng viên chính thức" in body


def test_the_cell_secretary_gets_the_form_for_the_next_step(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    response = page(client, cast.sec_a, candidate)
    assert response.context["step_form"].step == "cell-vote"
    # Rule 6: the roll of the vote day decides the base; the total is typed only when the minutes differ.
    fields = response.context["step_form"].fields
    assert fields["full_members"].initial is None
    assert "hiện nay có 3" in fields["full_members"].help_text
    assert len(fields["absent_members"].queryset) == 3
    assert f'action="{step_url(candidate, "cell-vote")}"' in response.content.decode()


def test_the_cell_secretary_waits_for_the_committee_after_the_vote(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    response = page(client, cast.sec_a, candidate)
    body = response.content.decode()
    assert response.context["step_form"] is None
    assert "Bước này do cấp ủy cấp trên ghi nhận." in body
    assert reverse("recruitment:candidate_return", args=[candidate.pk]) not in body


def test_the_commune_gets_the_decision_form_and_the_return_link(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    response = page(client, cast.commune_board, candidate)
    assert response.context["step_form"].step == "decision"
    assert reverse("recruitment:candidate_return", args=[candidate.pk]) in response.content.decode()


def test_under_a_grassroots_committee_the_approval_comes_before_the_decision(client, cast, pipeline):
    candidate = walk(
        propose(cast, cell=pipeline["cell_g"]),
        to=Stage.CELL_RESOLUTION,
        introducers=pipeline["g_members"],
        by=cast.commune_board,
    )
    assert page(client, cast.commune_board, candidate).context["step_form"].step == "committee-approval"


def test_sensitive_fields_are_shown_to_the_committee_only(client, cast):
    candidate = propose(cast, ethnicity="Mường", citizen_id="001198000321")
    assert "001198000321" not in page(client, cast.sec_a, candidate).content.decode()
    body = page(client, cast.commune_board, candidate).content.decode()
    assert "001198000321" in body and "Mường" in body


def test_exit_buttons_follow_the_stage_and_the_role(client, cast, pipeline):
    candidate = propose(cast)
    assert page(client, cast.sec_a, candidate).context["exit_kinds"] == [(Stage.WITHDRAWN, "Dừng theo dõi")]
    assert [k for k, _ in page(client, cast.commune_board, candidate).context["exit_kinds"]] == [
        Stage.WITHDRAWN,
        Stage.REJECTED,
    ]


# --- steps --------------------------------------------------------------------------------------


def test_enrolling_in_a_class_of_the_commune_moves_to_training(client, cast, frozen_today):
    candidate = propose(cast)
    party_class = services.class_create(
        organiser=cast.commune_x, name="Lớp 3/2026", starts_on=D(2026, 9, 7), ends_on=D(2026, 9, 11), by=None
    )
    services.class_create(  # another commune's class is not offered
        organiser=cast.commune_y, name="Lớp Yên", starts_on=D(2026, 9, 7), ends_on=D(2026, 9, 11), by=None
    )
    client.force_login(cast.sec_a)
    form = client.get(step_url(candidate, "enrol")).context["form"]
    assert list(form.fields["party_class"].queryset) == [party_class]

    response = client.post(step_url(candidate, "enrol"), {"party_class": party_class.pk}, follow=True)
    candidate.refresh_from_db()
    assert candidate.stage == Stage.TRAINING
    assert Enrolment.objects.filter(candidate=candidate, party_class=party_class).exists()
    assert "Đã ghi nhận “Cử đi học lớp bồi dưỡng nhận thức về Đảng”" in response.content.decode()


def test_a_dossier_with_its_introducer_is_submitted_through_the_form(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.TRAINED, introducers=pipeline["introducers"], by=cast.sec_a)
    introducer = pipeline["introducers"][0]
    response = post_step(
        client,
        cast.sec_a,
        candidate,
        "dossier",
        {
            "application_date": "2024-01-18",
            "personal_history_date": "2024-01-20",
            "route": "youth_union",
            "youth_union_exists": "on",
            "body_introduction_date": "2024-01-22",
            "introducer_1": introducer.pk,
            "known_since_1": "2020-01-01",
            "introduced_on_1": "2024-01-22",
            "submitted_on": "2024-01-23",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER
    assert list(Introducer.objects.values_list("member", flat=True)) == [introducer.pk]


def test_an_introducer_without_dates_is_asked_for_them(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.TRAINED, introducers=pipeline["introducers"], by=cast.sec_a)
    response = post_step(
        client,
        cast.sec_a,
        candidate,
        "dossier",
        {
            "application_date": "2024-01-18",
            "personal_history_date": "2024-01-20",
            "route": "members",
            "introducer_1": pipeline["introducers"][0].pk,
            "submitted_on": "2024-01-23",
        },
    )
    assert response.status_code == 200
    assert "known_since_1" in response.context["form"].errors
    assert not Dossier.objects.exists()


def test_a_vote_short_of_two_thirds_shows_the_rule_and_saves_nothing(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    before = counts()
    response = post_step(
        client,
        cast.sec_a,
        candidate,
        "cell-vote",
        {"held_on": "2024-02-07", "votes_for": 1, "full_members": 3, "absent_exempt": 0},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chưa ghi nhận được" in body
    message = response.context["form"].errors["votes_for"][0]
    assert "2/3" in message and message in body
    assert counts() == before
    candidate.refresh_from_db()
    assert candidate.stage == Stage.DOSSIER


def test_more_votes_than_the_cells_members_is_refused_on_the_votes_field(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    before = counts()
    response = post_step(
        client,
        cast.sec_a,
        candidate,
        "cell-vote",
        {"held_on": "2024-02-07", "votes_for": 5, "full_members": 3, "absent_exempt": 0},
    )
    assert "Số phiếu tán thành (5) lớn hơn" in response.context["form"].errors["votes_for"][0]
    assert counts() == before


def test_a_step_out_of_order_shows_the_services_message_and_saves_nothing(client, cast, pipeline):
    candidate = propose(cast)
    client.force_login(cast.sec_a)
    assert "chưa (hoặc không còn) phù hợp" in client.get(step_url(candidate, "ceremony")).content.decode()
    before = counts()
    response = post_step(client, cast.sec_a, candidate, "ceremony", {"held_on": "2024-01-01"})
    assert "đang ở giai đoạn “Quần chúng ưu tú”" in response.context["form"].non_field_errors()[0]
    assert counts() == before


def test_a_cell_secretary_gets_403_on_the_committees_steps(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    client.force_login(cast.sec_a)
    assert client.get(step_url(candidate, "decision")).status_code == 403
    before = counts()
    response = post_step(
        client,
        cast.sec_a,
        candidate,
        "decision",
        {"number": "1-QĐ", "decided_on": "2024-02-27", "received_on": "2024-02-29"},
    )
    assert response.status_code == 403
    assert counts() == before


def test_an_unknown_step_is_not_found(client, cast):
    candidate = propose(cast)
    client.force_login(cast.sec_a)
    assert client.get(step_url(candidate, "promote")).status_code == 404


def test_the_commune_records_the_decision_and_the_cell_the_ceremony_and_recognition(client, cast, pipeline):
    candidate = walk(propose(cast), to=Stage.CELL_RESOLUTION, introducers=pipeline["introducers"], by=cast.sec_a)
    response = post_step(
        client,
        cast.commune_board,
        candidate,
        "decision",
        {"number": "12-QĐ/ĐU", "decided_on": "2024-02-27", "received_on": "2024-02-29"},
    )
    assert response.status_code == 302
    assert post_step(client, cast.sec_a, candidate, "ceremony", {"held_on": "2024-03-08"}).status_code == 302
    response = post_step(
        client, cast.sec_a, candidate, "recognition", {"meeting_on": "2025-03-13", "decision_number": "5-QĐ/ĐU"}
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == Stage.FULL
    assert candidate.member.recognition_date == D(2025, 3, 8)


def test_a_recognition_before_a_ceremony_is_refused_without_a_crash(client, cast, pipeline):
    candidate = propose(cast)
    response = post_step(
        client, cast.sec_a, candidate, "recognition", {"meeting_on": "2025-03-13", "decision_number": "5-QĐ/ĐU"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


# --- exits --------------------------------------------------------------------------------------


def test_the_exit_page_asks_for_confirmation_with_the_allowed_kinds_only(client, cast):
    candidate = propose(cast)
    client.force_login(cast.sec_a)
    response = client.get(reverse("recruitment:candidate_exit", args=[candidate.pk]))
    body = response.content.decode()
    assert "Bạn có chắc muốn dừng quy trình kết nạp" in body
    assert [k for k, _ in response.context["form"].fields["kind"].choices] == [Stage.WITHDRAWN]


def test_withdrawing_needs_a_reason_then_takes_the_candidate_off_the_board(client, cast, frozen_today):
    candidate = propose(cast)
    client.force_login(cast.sec_a)
    url = reverse("recruitment:candidate_exit", args=[candidate.pk])
    response = client.post(url, {"kind": "withdrawn", "on": "2026-11-01", "reason": ""})
    assert "reason" in response.context["form"].errors
    assert not Exit.objects.exists()
    response = client.post(url, {"kind": "withdrawn", "on": "2026-11-01", "reason": "Chuyển công tác"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == Stage.WITHDRAWN


def test_a_cell_secretary_cannot_reject_nor_strike_off(client, cast, pipeline):
    candidate = propose(cast)
    client.force_login(cast.sec_a)
    url = reverse("recruitment:candidate_exit", args=[candidate.pk])
    response = client.post(url, {"kind": "rejected", "on": "2024-01-01", "reason": "Không đạt"})
    assert "kind" in response.context["form"].errors
    probationary = walk(
        propose(cast, full_name="Vũ Văn Nam", citizen_id="001098000999"),
        to=Stage.PROBATIONARY,
        introducers=pipeline["introducers"],
        by=cast.sec_a,
    )
    assert client.get(reverse("recruitment:candidate_exit", args=[probationary.pk])).status_code == 403
    assert not Exit.objects.exists()


# --- background verification ------------------------------------------------------------------


def test_a_verification_request_is_sent_and_its_reply_recorded(client, cast, frozen_today):
    candidate = propose(cast)
    client.force_login(cast.sec_a)
    response = client.post(
        reverse("recruitment:verification_add", args=[candidate.pk]),
        {"sent_to": "Công an xã Xuân", "sent_on": "2026-10-01", "reply_due_on": "2026-10-31"},
    )
    assert response.status_code == 302
    request = VerificationRequest.objects.get(candidate=candidate)
    response = client.post(
        reverse("recruitment:verification_reply", args=[request.pk]),
        {"replied_on": "2026-10-20", "reply": "Lý lịch rõ ràng"},
        follow=True,
    )
    request.refresh_from_db()
    assert (request.replied_on, request.reply) == (D(2026, 10, 20), "Lý lịch rõ ràng")
    assert "Lý lịch rõ ràng" in response.content.decode()


def test_a_reply_before_the_request_is_refused_on_its_field(client, cast, frozen_today):
    recruitment = add_recruitment(cast)
    client.force_login(cast.sec_a)
    response = client.post(
        reverse("recruitment:verification_reply", args=[recruitment.verification_a.pk]),
        {"replied_on": "2024-01-01", "reply": "Tốt"},
    )
    assert "Ngày trả lời không thể trước ngày gửi" in response.context["form"].errors["replied_on"][0]
    recruitment.verification_a.refresh_from_db()
    assert recruitment.verification_a.replied_on is None


def test_a_request_of_another_cell_is_not_found(client, cast):
    recruitment = add_recruitment(cast)
    client.force_login(cast.sec_a)
    response = client.get(reverse("recruitment:verification_reply", args=[recruitment.verification_b.pk]))
    assert response.status_code == 404


# --- query budgets ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 200])
@pytest.mark.parametrize("stage", [Stage.SOURCE, Stage.TRAINED, Stage.DOSSIER, Stage.FULL])
def test_the_candidate_page_has_a_fixed_query_budget(
    client, cast, pipeline, size, stage, django_assert_max_num_queries
):
    grow([cast.cell_a, cast.cell_b], size)
    candidate = propose(cast)
    if stage != Stage.SOURCE:
        candidate = walk(candidate, to=stage, introducers=pipeline["introducers"], by=cast.sec_a)
    for i in range(3):
        VerificationRequest.objects.create(
            candidate=candidate, sent_to=f"Nơi {i}", sent_on=D(2024, 1, 2), reply_due_on=D(2024, 2, 2)
        )
    for user in (cast.sec_a, cast.commune_board):
        client.force_login(user)
        with django_assert_max_num_queries(CANDIDATE_BUDGET):
            response = client.get(candidate.get_absolute_url())
        assert response.status_code == 200


def test_the_candidate_page_costs_the_same_whatever_the_record(client, cast, pipeline):
    client.force_login(cast.commune_board)
    short = propose(cast, full_name="Ngắn", citizen_id="001098000111")
    full = walk(propose(cast), to=Stage.FULL, introducers=pipeline["introducers"], by=cast.sec_a)

    def count(candidate) -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(candidate.get_absolute_url())
        return len(ctx.captured_queries)

    assert count(full) <= count(short) + 1  # the introducers are read only when there is a dossier
