"""The deadlines of a subtree: the selector section by section with boundary dates, then the page."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Person
from recruitment import services
from recruitment.models import (
    AdmissionDecision,
    Candidate,
    CellVote,
    Ceremony,
    Enrolment,
    PartyClass,
    VerificationRequest,
)
from recruitment.selectors.deadlines import Kind, deadlines_for, per_child
from recruitment.views import deadlines as deadlines_view
from recruitment.views.deadlines import SECTION_PREVIEW
from recruitment.vocabulary import Stage
from tests.cast import add_recruitment

from .conftest import person_fields
from .journey import walk

pytestmark = pytest.mark.django_db
D = datetime.date
PROPOSED_ON = D(2021, 1, 4)


def propose(cast, name, *, cell=None, proposed_on=PROPOSED_ON, **fields):
    return services.candidate_propose(
        cell=cell or cast.cell_a,
        introduced_by="youth_union",
        proposed_on=proposed_on,
        person_fields=person_fields(full_name=name, citizen_id=None, **fields),
        by=None,
    )


def journey(cast, pipeline, name, *, to, start, cell=None):
    return walk(propose(cast, name, cell=cell), to=to, introducers=pipeline["introducers"], by=None, start=start)


def rows(organisation, today, kind):
    return deadlines_for(organisation, today).section(kind).rows


def names(organisation, today, kind):
    return [r.name for r in rows(organisation, today, kind)]


# --- ceremonies (rule 9) --------------------------------------------------------------------------


@pytest.fixture
def decided(cast, pipeline):
    # The journey's decision is received 52 days after its start: Tuesday 10/02/2026, just before Tết.
    return journey(cast, pipeline, "Vũ Thị Quyết", to=Stage.DECIDED, start=D(2025, 12, 20))


def test_the_ceremony_is_due_30_working_days_after_the_decision_arrives_not_counting_tet(cast, decided):
    assert decided.decision.received_on == D(2026, 2, 10)
    # 24/03 without Tết; the five days of 16-20/02 push it to 31/03.
    [row] = rows(cast.commune_x, D(2026, 3, 31), Kind.CEREMONY)
    assert (row.due_on, row.overdue, row.days_left, row.in_working_days) == (D(2026, 3, 31), False, 0, True)
    [row] = rows(cast.commune_x, D(2026, 4, 1), Kind.CEREMONY)
    assert (row.overdue, row.days_late) == (True, 1)


def test_a_ceremony_shows_up_30_days_before_it_is_due(cast, decided):
    [row] = rows(cast.commune_x, D(2026, 3, 1), Kind.CEREMONY)
    assert row.days_left == 22  # working days from Sunday 01/03 to Tuesday 31/03
    assert "nhận ngày 10/02/2026" in row.note
    assert rows(cast.commune_x, D(2026, 2, 28), Kind.CEREMONY) == []


def test_a_held_ceremony_leaves_the_list(cast, decided):
    services.candidate_record_ceremony(candidate=decided, held_on=D(2026, 3, 2), by=None)
    assert rows(cast.commune_x, D(2026, 4, 1), Kind.CEREMONY) == []


# --- probations (rules 10 and 11) -----------------------------------------------------------------


@pytest.fixture
def probationary(cast, pipeline):
    # The journey's ceremony is 60 days after its start: 20/11/2025, so probation ends 20/11/2026.
    return journey(cast, pipeline, "Hà Văn Dự", to=Stage.PROBATIONARY, start=D(2025, 9, 21))


def test_a_probation_ending_within_30_days_is_listed_with_its_end(cast, probationary):
    [row] = rows(cast.commune_x, D(2026, 10, 21), Kind.PROBATION)
    assert (row.due_on, row.days_left, row.overdue, row.in_working_days) == (D(2026, 11, 20), 30, False, False)
    assert rows(cast.commune_x, D(2026, 10, 20), Kind.PROBATION) == []


def test_once_probation_ends_the_recognition_vote_is_due_within_30_working_days(cast, probationary):
    # 24/11 (Vietnamese Culture Day) and 01/01 are not working days: the 30th is Tuesday 05/01/2027.
    [row] = rows(cast.commune_x, D(2026, 11, 20), Kind.PROBATION)
    assert (row.due_on, row.days_left, row.overdue, row.in_working_days) == (D(2027, 1, 5), 30, False, True)
    [row] = rows(cast.commune_x, D(2027, 1, 5), Kind.PROBATION)
    assert row.overdue is False
    [row] = rows(cast.commune_x, D(2027, 1, 6), Kind.PROBATION)
    assert (row.overdue, row.days_late) == (True, 1)


# --- certificates (rule 3) ------------------------------------------------------------------------


@pytest.fixture
def trained(cast, pipeline):
    # The journey's certificate is issued 6 days after its start: 01/12/2021, valid until 01/12/2026.
    return journey(cast, pipeline, "Lý Thị Chứng", to=Stage.TRAINED, start=D(2021, 11, 25))


def test_a_certificate_expiring_within_90_days_is_listed(cast, trained):
    [row] = rows(cast.commune_x, D(2026, 9, 2), Kind.CERTIFICATE)
    assert (row.due_on, row.days_left, row.overdue) == (D(2026, 12, 1), 90, False)
    assert "Cấp ngày 01/12/2021" in row.note
    assert rows(cast.commune_x, D(2026, 9, 1), Kind.CERTIFICATE) == []


def test_an_expired_certificate_is_overdue(cast, trained):
    assert rows(cast.commune_x, D(2026, 12, 1), Kind.CERTIFICATE)[0].overdue is False
    assert rows(cast.commune_x, D(2026, 12, 2), Kind.CERTIFICATE)[0].overdue is True


def test_a_certificate_no_longer_matters_once_the_cell_has_voted(cast, pipeline):
    journey(cast, pipeline, "Mai Văn Xét", to=Stage.CELL_RESOLUTION, start=D(2021, 11, 25))
    assert rows(cast.commune_x, D(2026, 12, 2), Kind.CERTIFICATE) == []


# --- age 60 (rule 1) ------------------------------------------------------------------------------


def test_a_60th_birthday_within_six_months_is_listed(cast, frozen_today):
    propose(cast, "Ông Sáu Tháng", date_of_birth=D(1967, 5, 20))
    propose(cast, "Ông Sáu Tháng Một Ngày", date_of_birth=D(1967, 5, 21))
    [row] = rows(cast.commune_x, D(2026, 11, 20), Kind.AGE)
    assert (row.name, row.due_on, row.days_left, row.overdue) == ("Ông Sáu Tháng", D(2027, 5, 20), 181, False)


def test_someone_already_past_60_is_overdue_unless_an_exception_is_on_record(cast, frozen_today):
    past = propose(cast, "Bà Quá Tuổi", date_of_birth=D(1966, 1, 1))
    [row] = rows(cast.commune_x, D(2026, 11, 20), Kind.AGE)
    assert row.overdue and row.due_on == D(2026, 1, 1)
    Candidate.objects.filter(pk=past.pk).update(over_age_exception="15-QĐ/TU")
    assert rows(cast.commune_x, D(2026, 11, 20), Kind.AGE) == []


# --- decisions (rule 8) ---------------------------------------------------------------------------


@pytest.fixture
def awaiting(cast, pipeline):
    # The journey's cell vote is 30 days after its start: Monday 05/01/2026.
    return journey(cast, pipeline, "Tô Văn Chờ", to=Stage.CELL_RESOLUTION, start=D(2025, 12, 6))


def test_a_decision_is_late_after_60_working_days_counted_past_tet(cast, awaiting):
    # 30/03 without Tết; 16-20/02 move the 60th working day to Monday 06/04/2026.
    assert rows(cast.commune_x, D(2026, 4, 6), Kind.DECISION) == []
    [row] = rows(cast.commune_x, D(2026, 4, 7), Kind.DECISION)
    assert (row.due_on, row.overdue, row.days_late, row.in_working_days) == (D(2026, 4, 6), True, 1, True)
    assert "05/01/2026" in row.note and "21/05/2026" in row.note


def test_a_decided_candidate_is_no_longer_waiting(cast, awaiting):
    services.candidate_record_decision(
        candidate=awaiting, number="7-QĐ/ĐU", decided_on=D(2026, 3, 2), received_on=D(2026, 3, 3), by=None
    )
    assert rows(cast.commune_x, D(2026, 4, 7), Kind.DECISION) == []


# --- verification replies -------------------------------------------------------------------------


def test_a_verification_request_is_overdue_the_day_after_its_reply_date(cast, frozen_today):
    rc = add_recruitment(cast)  # one request per candidate, due 31/03/2024
    assert rows(cast.commune_x, D(2024, 3, 31), Kind.VERIFICATION) == []
    overdue = rows(cast.commune_x, D(2024, 4, 1), Kind.VERIFICATION)
    assert [r.name for r in overdue] == ["Quần chúng A", "Quần chúng B"]
    assert overdue[0].note == "Gửi Công an xã ngày 01/03/2024"
    services.verification_request_record_reply(
        request=rc.verification_b, replied_on=D(2024, 3, 20), reply="OK", by=None
    )
    assert names(cast.commune_x, D(2024, 4, 1), Kind.VERIFICATION) == ["Quần chúng A"]


def test_requests_of_people_who_left_the_pipeline_are_dropped(cast, frozen_today):
    rc = add_recruitment(cast)
    services.candidate_withdraw(candidate=rc.candidate_a, on=D(2024, 3, 10), reason="Chuyển đi nơi khác", by=None)
    assert names(cast.commune_x, D(2024, 4, 1), Kind.VERIFICATION) == ["Quần chúng B"]


# --- scope and shape ------------------------------------------------------------------------------


def test_each_subtree_sees_only_its_own_deadlines(cast, frozen_today):
    add_recruitment(cast)
    assert names(cast.cell_a, D(2024, 4, 1), Kind.VERIFICATION) == ["Quần chúng A"]
    assert names(cast.commune_y, D(2024, 4, 1), Kind.VERIFICATION) == ["Quần chúng C"]
    assert len(rows(cast.province, D(2024, 4, 1), Kind.VERIFICATION)) == 3


def test_the_selector_returns_six_evaluated_sections_in_a_handful_of_queries(
    cast, frozen_today, django_assert_num_queries
):
    add_recruitment(cast)
    with django_assert_num_queries(6):
        result = deadlines_for(cast.commune_x, D(2026, 11, 20))
    assert [s.kind for s in result.sections] == [
        Kind.DECISION,
        Kind.CEREMONY,
        Kind.PROBATION,
        Kind.CERTIFICATE,
        Kind.AGE,
        Kind.VERIFICATION,
    ]
    assert result.total == 2


# --- the page -------------------------------------------------------------------------------------


def test_the_page_shows_every_section_with_a_count_and_an_empty_state(client, cast, frozen_today):
    add_recruitment(cast)
    client.force_login(cast.commune_board)
    response = client.get(reverse("recruitment:deadlines", args=[cast.commune_x.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "tính đến 20/11/2026" in body
    assert "Không có lễ kết nạp nào quá hạn hoặc sắp đến hạn." in body
    assert "Không có hồ sơ nào chờ quyết định quá hạn." in body
    section = re.search(r'<section class="card mb-3" id="verifications".*?</section>', body, re.S).group(0)
    assert re.search(r'section-count">2<', section)
    assert "2 quá hạn" in section
    assert "Quần chúng A" in section and "Quần chúng B" in section
    assert "quá 964 ngày" in section  # 31/03/2024 to 20/11/2026
    assert "Quần chúng C" not in body


def test_a_cell_secretary_sees_the_deadlines_of_their_cell_only(client, cast, frozen_today):
    rc = add_recruitment(cast)
    client.force_login(cast.sec_a)
    body = client.get(reverse("recruitment:deadlines", args=[cast.cell_a.pk])).content.decode()
    assert reverse("recruitment:candidate", args=[rc.candidate_a.pk]) in body
    assert "Quần chúng B" not in body
    assert client.get(reverse("recruitment:deadlines", args=[cast.commune_x.pk])).status_code == 404


# --- query budget ---------------------------------------------------------------------------------

# session, user, roles, organisation, breadcrumb ancestors, the data version (partyhub/pagecache.py),
# one query per section (six), the child units.
PAGE_BUDGET = 13


def grow(cast, size: int) -> None:
    """`size` candidates of commune X spread over every section."""
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Quần chúng {i}",
            gender="female",
            date_of_birth=D(1967, 1, 1) if i % 6 == 4 else D(1995, 1, 1),
        )
        for i in range(size)
    )
    stages = [Stage.DECIDED, Stage.PROBATIONARY, Stage.TRAINED, Stage.CELL_RESOLUTION, Stage.SOURCE, Stage.DOSSIER]
    candidates = Candidate.objects.bulk_create(
        Candidate(
            person=p,
            cell=(cast.cell_a, cast.cell_b)[i % 2],
            stage=stages[i % 6],
            stage_entered_on=D(2026, 1, 5),
            introduced_by="cell",
            proposed_on=D(2021, 1, 4),
        )
        for i, p in enumerate(people)
    )
    by_stage = {s: [c for c in candidates if c.stage == s] for s in stages}
    AdmissionDecision.objects.bulk_create(
        AdmissionDecision(
            candidate=c,
            number=f"{c.pk}-QĐ",
            decided_on=D(2026, 10, 1),
            received_on=D(2026, 10, 5),
            issuing_committee=cast.commune_x,
        )
        for c in by_stage[Stage.DECIDED]
    )
    Ceremony.objects.bulk_create(Ceremony(candidate=c, held_on=D(2025, 12, 1)) for c in by_stage[Stage.PROBATIONARY])
    party_class = PartyClass.objects.create(
        organiser=cast.commune_x, name="Lớp cũ", starts_on=D(2021, 11, 20), ends_on=D(2021, 11, 25)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            party_class=party_class,
            candidate=c,
            passed=True,
            certificate_number=f"CN-{c.pk}",
            certificate_issued_on=D(2021, 12, 1),
        )
        for c in by_stage[Stage.TRAINED]
    )
    CellVote.objects.bulk_create(
        CellVote(candidate=c, held_on=D(2026, 6, 1), votes_for=3, full_members=3)
        for c in by_stage[Stage.CELL_RESOLUTION]
    )
    VerificationRequest.objects.bulk_create(
        VerificationRequest(candidate=c, sent_to="Công an", sent_on=D(2026, 9, 1), reply_due_on=D(2026, 10, 1))
        for c in by_stage[Stage.DOSSIER]
    )


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def listed(response) -> list[str]:
    return re.findall(r'href="/quan-chung/(\d+)/"', response.content.decode())


@pytest.mark.parametrize("size", [5, 200])
def test_the_deadlines_page_has_a_fixed_query_budget(client, cast, frozen_today, size, django_assert_max_num_queries):
    grow(cast, size)
    client.force_login(cast.commune_board)
    url = reverse("recruitment:deadlines", args=[cast.commune_x.pk])
    with django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    sections = response.context["deadlines"].sections
    assert sum(s.count for s in sections) == size
    # Each section shows its most urgent rows only, however many there are.
    assert len(listed(response)) == sum(min(s.count, SECTION_PREVIEW) for s in sections)
    with django_assert_max_num_queries(PAGE_BUDGET):
        response = client.get(url, {"muc": Kind.CEREMONY, "trang": 2})
    assert response.status_code == 200


def test_the_deadlines_pages_cost_the_same_at_two_sizes(client, cast, frozen_today):
    client.force_login(cast.commune_board)
    url = reverse("recruitment:deadlines", args=[cast.commune_x.pk])
    grow(cast, 30)
    small = (_count(client, url), _count(client, url, {"muc": Kind.PROBATION, "trang": 1}))
    grow(cast, 270)
    assert (_count(client, url), _count(client, url, {"muc": Kind.PROBATION, "trang": 1})) == small


def test_a_large_subtree_shows_the_most_urgent_rows_and_a_count_per_child_unit(client, cast, frozen_today):
    grow(cast, 240)
    client.force_login(cast.commune_board)
    response = client.get(reverse("recruitment:deadlines", args=[cast.commune_x.pk]))
    body = response.content.decode()
    everything = deadlines_for(cast.commune_x, frozen_today)
    ceremonies = everything.section(Kind.CEREMONY)
    assert ceremonies.count == 40
    section = re.search(r'<section class="card mb-3" id="ceremonies".*?</section>', body, re.S).group(0)
    # The earliest dates first, as the whole list sorts them; then the link to all of them.
    shown = re.findall(r'href="/quan-chung/(\d+)/"', section)
    assert shown == [str(r.candidate_id) for r in ceremonies.rows[:SECTION_PREVIEW]]
    assert f"?muc={Kind.CEREMONY}" in section and "Xem tất cả 40 trường hợp" in section
    # Cell A holds the decided, trained and age cases (i even), cell B the others: 120 each.
    summary = response.context["children"]
    assert {(c.organisation.pk, c.count) for c in summary} == {(cast.cell_a.pk, 120), (cast.cell_b.pk, 120)}
    by_cell = {c.organisation.pk: c for c in summary}
    assert by_cell[cast.cell_a.pk].by_kind == {Kind.CEREMONY: 40, Kind.CERTIFICATE: 40, Kind.AGE: 40}
    assert by_cell[cast.cell_a.pk].overdue == sum(
        1 for s in everything.sections for r in s.rows if r.overdue and r.cell_id == cast.cell_a.pk
    )
    table = re.search(r'<section class="card mb-3" id="per-child".*?</section>', body, re.S).group(0)
    assert reverse("recruitment:deadlines", args=[cast.cell_a.pk]) in table
    assert "Chi bộ thôn C" not in table


def test_a_small_subtree_lists_everything_without_a_summary(client, cast, frozen_today):
    grow(cast, 6)
    client.force_login(cast.commune_board)
    response = client.get(reverse("recruitment:deadlines", args=[cast.commune_x.pk]))
    assert response.context["children"] == []
    assert 'id="per-child"' not in response.content.decode()
    assert "Xem tất cả" not in response.content.decode()
    assert len(listed(response)) == 6


def test_one_section_page_by_page_keeps_its_order_and_the_subtree(client, cast, frozen_today, monkeypatch):
    monkeypatch.setattr(deadlines_view, "ROWS_PER_PAGE", 15)
    grow(cast, 240)
    client.force_login(cast.province_board)
    url = reverse("recruitment:deadlines", args=[cast.commune_x.pk])
    pages = [client.get(url, {"muc": Kind.PROBATION, "trang": n}) for n in (1, 2, 3)]
    expected = [str(r.candidate_id) for r in deadlines_for(cast.commune_x, frozen_today).section(Kind.PROBATION).rows]
    assert len(expected) == 40
    assert [listed(p) for p in pages] == [expected[:15], expected[15:30], expected[30:]]
    body = pages[1].content.decode()
    assert "Trang 2/3" in body
    assert f"?muc={Kind.PROBATION}&amp;trang=3#{Kind.PROBATION}" in body
    assert f"?muc={Kind.PROBATION}&amp;trang=1#{Kind.PROBATION}" in body
    # Past the end: the last page; an unknown section: the whole page.
    assert listed(client.get(url, {"muc": Kind.PROBATION, "trang": 99})) == expected[30:]
    assert "previews" in client.get(url, {"muc": "nothing"}).context
    # A cell secretary's list holds their own cell's rows only.
    client.force_login(cast.sec_b)
    mine = listed(client.get(reverse("recruitment:deadlines", args=[cast.cell_b.pk]), {"muc": Kind.PROBATION}))
    assert mine == expected[:15]
    client.force_login(cast.sec_a)
    cell_a = client.get(reverse("recruitment:deadlines", args=[cast.cell_a.pk]), {"muc": Kind.PROBATION})
    assert listed(cell_a) == []
    assert client.get(url, {"muc": Kind.PROBATION}).status_code == 404


def test_per_child_counts_the_rows_under_each_child_without_a_query(cast, frozen_today, django_assert_num_queries):
    add_recruitment(cast)
    today = D(2024, 4, 1)
    result = deadlines_for(cast.province, today)
    children = [cast.commune_x, cast.commune_y]
    with django_assert_num_queries(0):
        summary = per_child(result, cast.province, children)
    counts = {c.organisation.pk: (c.count, c.overdue, c.by_kind) for c in summary}
    assert counts[cast.commune_x.pk] == (2, 2, {Kind.VERIFICATION: 2})
    assert counts[cast.commune_y.pk] == (1, 1, {Kind.VERIFICATION: 1})
    assert [c.organisation.pk for c in summary] == [cast.commune_x.pk, cast.commune_y.pk]
    assert per_child(deadlines_for(cast.commune_y, today), cast.commune_y, [cast.cell_c])[0].count == 1
