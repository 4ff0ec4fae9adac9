"""The class pages: list, create, roster, enrolment and the results of a whole class."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Person
from recruitment import services
from recruitment.models import Candidate, Enrolment, PartyClass
from recruitment.views import classes as class_views
from recruitment.vocabulary import Stage
from tests.cast import add_recruitment

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def rc(cast, frozen_today):
    return add_recruitment(cast)


def page(client, user, name, *args, data=None):
    client.force_login(user)
    url = reverse(name, args=args)
    response = client.post(url, data) if data is not None else client.get(url)
    return response, response.content.decode()


def row_html(body: str, candidate) -> str:
    """The markup of one row of the results form (from its `id="row-<pk>"` to the end of the item)."""
    match = re.search(rf'<li[^>]*id="row-{candidate.pk}".*?</li>', body, re.S)
    assert match, f"no row for candidate {candidate.pk}"
    return match.group(0)


def enrol(rc, *candidates):
    for c in candidates:
        services.candidate_enroll_in_class(candidate=c, party_class=rc.class_x, by=None)


# --- list and create ------------------------------------------------------------------------------


def test_the_commune_board_sees_its_classes_with_counts_and_a_create_button(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    services.class_record_results(
        party_class=rc.class_x,
        results=[services.ClassResult(rc.candidate_a.pk, True, "CN-1", D(2024, 3, 5))],
        by=None,
    )
    response, body = page(client, cast.commune_board, "recruitment:classes", cast.commune_x.pk)
    assert response.status_code == 200
    assert "Lớp bồi dưỡng X" in body
    assert "Lớp bồi dưỡng Y" not in body
    assert "01/03/2024 – 05/03/2024" in body
    assert re.search(r"data-label=\"Học viên\"[^>]*>2<", body)
    assert re.search(r"data-label=\"Đạt\"[^>]*>1<", body)
    assert reverse("recruitment:class_create", args=[cast.commune_x.pk]) in body
    assert reverse("recruitment:class_results", args=[rc.class_x.pk]) in body


def test_a_cell_secretary_sees_the_communes_classes_without_the_buttons_to_run_them(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    response, body = page(client, cast.sec_a, "recruitment:classes", cast.cell_a.pk)
    assert response.status_code == 200
    assert "Lớp bồi dưỡng X" in body and "Lớp bồi dưỡng Y" not in body
    # Two enrolled in all, one of them from cell A.
    assert re.search(r"data-label=\"Học viên\"[^>]*>2<", body)
    assert re.search(r"data-label=\"Của đơn vị này\"[^>]*>1<", body)
    assert reverse("recruitment:class_create", args=[cast.cell_a.pk]) not in body
    assert reverse("recruitment:class_enrol", args=[rc.class_x.pk]) not in body


def test_a_class_held_above_the_users_subtree_does_not_name_its_committee(client, cast, rc):
    """Issue 14, finding 7: the breadcrumbs hide the units above the user's subtree; the class pages too."""
    commune = cast.commune_x.name
    _response, listing = page(client, cast.sec_a, "recruitment:classes", cast.cell_a.pk)
    _response, detail = page(client, cast.sec_a, "recruitment:class", rc.class_x.pk)
    for body in (listing, detail):
        assert "Lớp bồi dưỡng X" in body
        assert commune not in body
        assert "Cấp ủy cấp trên" in body
    _response, board_view = page(client, cast.commune_board, "recruitment:class", rc.class_x.pk)
    assert commune in board_view and "Cấp ủy cấp trên" not in board_view


def test_an_organisation_without_classes_says_so(client, cast):
    response, body = page(client, cast.sec_a, "recruitment:classes", cast.cell_a.pk)
    assert response.status_code == 200
    assert "Chưa có lớp bồi dưỡng nào cho đơn vị này." in body
    assert "Cấp ủy cấp trên mở lớp" in body


def test_the_board_opens_a_class_and_lands_on_its_page(client, cast, frozen_today):
    data = {"name": "Lớp khóa 2", "starts_on": "2026-10-05", "ends_on": "2026-10-09", "place": "Hội trường xã"}
    response, _ = page(client, cast.commune_board, "recruitment:class_create", cast.commune_x.pk, data=data)
    party_class = PartyClass.objects.get(name="Lớp khóa 2")
    assert response.status_code == 302
    assert response.url == party_class.get_absolute_url()
    assert party_class.organiser == cast.commune_x
    assert party_class.place == "Hội trường xã"
    assert party_class.history.get().history_user == cast.commune_board


def test_a_class_that_ends_before_it_starts_is_refused_beside_the_end_date(client, cast, frozen_today):
    data = {"name": "Lớp sai", "starts_on": "2026-10-09", "ends_on": "2026-10-05"}
    response, body = page(client, cast.commune_board, "recruitment:class_create", cast.commune_x.pk, data=data)
    assert response.status_code == 200
    assert "Ngày bế giảng không thể trước ngày khai giảng." in body
    assert re.search(r'id="id_ends_on"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="id_ends_on"', body)
    assert not PartyClass.objects.filter(name="Lớp sai").exists()


@pytest.mark.parametrize("name", ["recruitment:class_enrol", "recruitment:class_results"])
def test_a_cell_secretary_may_not_enrol_or_record_results(client, cast, rc, name):
    response, _ = page(client, cast.sec_a, name, rc.class_x.pk)
    assert response.status_code == 403
    response, _ = page(client, cast.sec_a, name, rc.class_x.pk, data={})
    assert response.status_code == 403


def test_a_cell_secretary_may_not_open_a_class(client, cast):
    response, _ = page(client, cast.sec_a, "recruitment:class_create", cast.cell_a.pk)
    assert response.status_code == 403


# --- the class page -------------------------------------------------------------------------------


def test_the_class_page_names_only_the_people_the_user_may_see(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    response, body = page(client, cast.sec_a, "recruitment:class", rc.class_x.pk)
    assert response.status_code == 200
    assert "Quần chúng A" in body
    assert "Quần chúng B" not in body
    assert "Lớp còn 1 học viên của đơn vị khác" in body
    assert reverse("recruitment:class_results", args=[rc.class_x.pk]) not in body


def test_the_class_page_shows_each_result_and_certificate(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    services.class_record_results(
        party_class=rc.class_x,
        results=[
            services.ClassResult(rc.candidate_a.pk, True, "CN-77", D(2024, 3, 5)),
            services.ClassResult(rc.candidate_b.pk, False),
        ],
        by=None,
    )
    response, body = page(client, cast.commune_board, "recruitment:class", rc.class_x.pk)
    assert "Số CN-77, cấp ngày 05/03/2024" in body
    assert "Chưa đạt" in body
    assert reverse("recruitment:class_enrol", args=[rc.class_x.pk]) in body


# --- enrolment ------------------------------------------------------------------------------------


def test_enrolment_offers_the_outstanding_people_of_the_organisers_cells_only(client, cast, rc):
    response, body = page(client, cast.commune_board, "recruitment:class_enrol", rc.class_x.pk)
    assert response.status_code == 200
    assert "Quần chúng A (2000, Chi bộ thôn A)" in body
    assert "Quần chúng B (2000, Chi bộ thôn B)" in body
    assert "Quần chúng C" not in body


def test_enrolling_moves_the_chosen_people_into_training(client, cast, rc):
    data = {"candidates": [rc.candidate_a.pk, rc.candidate_b.pk]}
    response, _ = page(client, cast.commune_board, "recruitment:class_enrol", rc.class_x.pk, data=data)
    assert response.status_code == 302
    assert response.url == rc.class_x.get_absolute_url()
    assert set(Enrolment.objects.filter(party_class=rc.class_x).values_list("candidate_id", flat=True)) == {
        rc.candidate_a.pk,
        rc.candidate_b.pk,
    }
    rc.candidate_a.refresh_from_db()
    assert rc.candidate_a.stage == Stage.TRAINING
    followed = client.get(response.url).content.decode()
    assert "Đã cử 2 người đi học lớp “Lớp bồi dưỡng X”." in followed


def test_enrolment_is_all_or_nothing(client, cast, rc):
    # C belongs to commune Y: not a choice for class X, so A is not enrolled either.
    data = {"candidates": [rc.candidate_a.pk, rc.candidate_c.pk]}
    response, body = page(client, cast.commune_board, "recruitment:class_enrol", rc.class_x.pk, data=data)
    assert response.status_code == 200
    assert "Có người đã được cử đi học hoặc không còn ở diện quần chúng ưu tú" in body
    assert not Enrolment.objects.exists()
    rc.candidate_a.refresh_from_db()
    assert rc.candidate_a.stage == Stage.SOURCE


def test_people_already_in_training_are_not_offered_again(client, cast, rc):
    enrol(rc, rc.candidate_a)
    _, body = page(client, cast.commune_board, "recruitment:class_enrol", rc.class_x.pk)
    assert "Quần chúng A" not in body.split("<form", 1)[1]
    assert "Quần chúng B (2000, Chi bộ thôn B)" in body


def test_with_nobody_to_enrol_the_page_says_so(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    _, body = page(client, cast.commune_board, "recruitment:class_enrol", rc.class_x.pk)
    assert "Không có quần chúng ưu tú nào của Đảng bộ xã Xuân đang chờ được cử đi học." in body


def _grow_sources(cast, size: int) -> None:
    """`size` more outstanding people in cell B, enrollable in class X."""
    people = Person.objects.bulk_create(
        Person(full_name=f"Người ưu tú {i:04d}", gender="male", date_of_birth=D(1999, 1, 1)) for i in range(size)
    )
    Candidate.objects.bulk_create(
        Candidate(
            person=p, cell=cast.cell_b, stage_entered_on=D(2024, 3, 1), proposed_on=D(2024, 3, 1), introduced_by="cell"
        )
        for p in people
    )


def _offered(body: str) -> int:
    return len(re.findall(r'name="candidates"', body))


def test_a_long_enrolment_list_shows_the_first_people_and_finds_the_others_by_name(client, cast, rc, monkeypatch):
    monkeypatch.setattr(class_views, "ENROL_CHOICES_SHOWN", 5)
    _grow_sources(cast, 20)
    response, body = page(client, cast.commune_board, "recruitment:class_enrol", rc.class_x.pk)
    assert _offered(body) == 5
    # In the order of the whole list: cell A's before cell B's, then by name.
    assert "Quần chúng A (2000, Chi bộ thôn A)" in body
    assert "Đang hiện 5 trong 22 người" in body
    found = client.get(reverse("recruitment:class_enrol", args=[rc.class_x.pk]), {"q": "ưu tú 0017"})
    assert _offered(found.content.decode()) == 1 and "Người ưu tú 0017" in found.content.decode()
    assert "Quần chúng C" not in body and "Quần chúng C" not in found.content.decode()
    # Anyone enrollable may be chosen, shown on this page or not.
    last = Candidate.objects.get(person__full_name="Người ưu tú 0019")
    response, _ = page(
        client, cast.commune_board, "recruitment:class_enrol", rc.class_x.pk, data={"candidates": [last.pk]}
    )
    assert response.status_code == 302
    assert Enrolment.objects.filter(party_class=rc.class_x, candidate=last).exists()


def test_the_enrolment_page_costs_the_same_at_two_sizes(client, cast, rc):
    client.force_login(cast.commune_board)
    url = reverse("recruitment:class_enrol", args=[rc.class_x.pk])

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(url).content.decode()
        return len(ctx.captured_queries), _offered(body)

    _grow_sources(cast, 5)
    small, offered = count()
    assert offered == 7
    _grow_sources(cast, class_views.ENROL_CHOICES_SHOWN + 10)
    assert count() == (small, class_views.ENROL_CHOICES_SHOWN)


# --- results --------------------------------------------------------------------------------------


def results(*rows):
    data = {}
    for candidate, outcome, number, issued in rows:
        data |= {f"result_{candidate.pk}": outcome, f"number_{candidate.pk}": number, f"issued_{candidate.pk}": issued}
    return data


def test_the_results_form_has_a_row_per_person_in_training_dated_at_the_class_end(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    response, body = page(client, cast.commune_board, "recruitment:class_results", rc.class_x.pk)
    assert response.status_code == 200
    for candidate in (rc.candidate_a, rc.candidate_b):
        row = row_html(body, candidate)
        assert candidate.person.full_name in row
        assert f'name="issued_{candidate.pk}" value="2024-03-05"' in row


def test_results_for_the_whole_class_are_recorded_at_once(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    data = results(
        (rc.candidate_a, "passed", "CN-001", "2024-03-05"),
        (rc.candidate_b, "failed", "", "2024-03-05"),
    )
    response, _ = page(client, cast.commune_board, "recruitment:class_results", rc.class_x.pk, data=data)
    assert response.status_code == 302
    a = Enrolment.objects.get(candidate=rc.candidate_a)
    assert (a.passed, a.certificate_number, a.certificate_issued_on) == (True, "CN-001", D(2024, 3, 5))
    assert Enrolment.objects.get(candidate=rc.candidate_b).passed is False
    rc.candidate_a.refresh_from_db()
    rc.candidate_b.refresh_from_db()
    assert (rc.candidate_a.stage, rc.candidate_b.stage) == (Stage.TRAINED, Stage.SOURCE)
    assert "Đã ghi kết quả học tập của 2 người." in client.get(response.url).content.decode()


def test_a_bad_row_shows_its_message_beside_the_row_and_nothing_is_saved(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    data = results(
        (rc.candidate_a, "passed", "CN-001", "2024-03-05"),
        (rc.candidate_b, "passed", "", "2024-03-05"),
    )
    response, body = page(client, cast.commune_board, "recruitment:class_results", rc.class_x.pk, data=data)
    assert response.status_code == 200
    assert "Quần chúng B: Thiếu số giấy chứng nhận (CN-NTVĐ)." in row_html(body, rc.candidate_b)
    assert "Thiếu số giấy chứng nhận" not in row_html(body, rc.candidate_a)
    assert "list-group-item-danger" in row_html(body, rc.candidate_b)
    # What was typed stays in the form.
    assert 'value="CN-001"' in row_html(body, rc.candidate_a)
    assert not Enrolment.objects.filter(passed__isnull=False).exists()
    rc.candidate_a.refresh_from_db()
    assert rc.candidate_a.stage == Stage.TRAINING


def test_a_certificate_dated_before_the_class_is_refused_on_its_row(client, cast, rc):
    enrol(rc, rc.candidate_a)
    data = results((rc.candidate_a, "passed", "CN-001", "2024-02-01"))
    _, body = page(client, cast.commune_board, "recruitment:class_results", rc.class_x.pk, data=data)
    assert "trước ngày khai giảng lớp (01/03/2024)" in row_html(body, rc.candidate_a)
    assert not Enrolment.objects.filter(passed__isnull=False).exists()


def test_rows_left_unrecorded_stay_in_training(client, cast, rc):
    enrol(rc, rc.candidate_a, rc.candidate_b)
    data = results((rc.candidate_a, "passed", "CN-001", "2024-03-05"), (rc.candidate_b, "", "", "2024-03-05"))
    page(client, cast.commune_board, "recruitment:class_results", rc.class_x.pk, data=data)
    rc.candidate_b.refresh_from_db()
    assert rc.candidate_b.stage == Stage.TRAINING
    _, body = page(client, cast.commune_board, "recruitment:class_results", rc.class_x.pk)
    assert f'id="row-{rc.candidate_b.pk}"' in body
    assert f'id="row-{rc.candidate_a.pk}"' not in body


def test_saving_with_no_result_at_all_says_so(client, cast, rc):
    enrol(rc, rc.candidate_a)
    data = results((rc.candidate_a, "", "", "2024-03-05"))
    response, body = page(client, cast.commune_board, "recruitment:class_results", rc.class_x.pk, data=data)
    assert response.status_code == 200
    assert "Chưa ghi kết quả cho người nào." in body


def test_with_nobody_in_training_the_results_page_says_so(client, cast, rc):
    _, body = page(client, cast.commune_board, "recruitment:class_results", rc.class_x.pk)
    assert "Không còn học viên nào chờ ghi kết quả ở lớp này." in body


# --- query budgets --------------------------------------------------------------------------------

BUDGETS = {"classes": 7, "class": 7, "results": 6}


@pytest.mark.parametrize("size", [2, 40])
def test_the_class_pages_have_a_fixed_query_budget(client, cast, frozen_today, size, django_assert_max_num_queries):
    from members.models import Person
    from recruitment.models import Candidate

    organiser = cast.commune_x
    classes = [
        PartyClass.objects.create(organiser=organiser, name=f"Lớp {i}", starts_on=D(2026, 1, 5), ends_on=D(2026, 1, 9))
        for i in range(min(size, 25))
    ]
    people = Person.objects.bulk_create(
        Person(full_name=f"Học viên {i}", gender="male", date_of_birth=D(1999, 1, 1)) for i in range(size)
    )
    candidates = Candidate.objects.bulk_create(
        Candidate(
            person=p,
            cell=(cast.cell_a, cast.cell_b)[i % 2],
            stage=Stage.TRAINING,
            stage_entered_on=D(2026, 1, 5),
            introduced_by="cell",
            proposed_on=D(2025, 6, 1),
        )
        for i, p in enumerate(people)
    )
    Enrolment.objects.bulk_create(Enrolment(party_class=classes[0], candidate=c) for c in candidates)
    client.force_login(cast.commune_board)
    with django_assert_max_num_queries(BUDGETS["classes"]):
        assert client.get(reverse("recruitment:classes", args=[organiser.pk])).status_code == 200
    with django_assert_max_num_queries(BUDGETS["class"]):
        assert client.get(reverse("recruitment:class", args=[classes[0].pk])).status_code == 200
    with django_assert_max_num_queries(BUDGETS["results"]):
        assert client.get(reverse("recruitment:class_results", args=[classes[0].pk])).status_code == 200
