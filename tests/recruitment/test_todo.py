"""The start page "Việc cần làm" (issue 13 item 5): what it lists, its links, its scope and its query budget."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from recruitment.models import Candidate
from recruitment.selectors import stage_times, todo
from recruitment.vocabulary import Stage
from tests.cast import add_recruitment

from .test_board_pages import grow as grow_board

EARLY = (Stage.SOURCE, Stage.TRAINING, Stage.TRAINED, Stage.DOSSIER, Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW)


def grow(cells, size, proposed_on):
    """`size` candidates over the stages before the decision (the board's helper, its later stages left out:
    they would need their step records for the deadlines)."""
    made = grow_board(cells, size, proposed_on=proposed_on)
    for i, c in enumerate(made):
        c.stage = EARLY[i % len(EARLY)]
    Candidate.objects.bulk_update(made, ["stage"])
    return made


pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 12, 7)


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 7, 3, 0, tzinfo=datetime.UTC), tick=False):
        yield TODAY


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_a_secretary_lands_on_the_to_do_list_with_their_candidates_next_step_one_tap_away(client, cast, today):
    recruitment = add_recruitment(cast)
    response = home(client, cast.sec_a)
    body = response.content.decode()
    assert '<h1 class="h3 mb-0">Việc cần làm</h1>' in body
    a = recruitment.candidate_a
    # Proposed, next step: the class enrolment, a cell step the secretary records.
    assert reverse("recruitment:candidate_step", args=[a.pk, "enrol"]) in body
    assert "Quần chúng A" in body
    assert "Quần chúng B" not in body and "Quần chúng C" not in body
    # The overdue verification reply of A (asked in 2024, due 30 days later).
    section = response.context["todo"].section(todo.TodoKind.VERIFICATIONS)
    assert [i.name for i in section.items] == ["Quần chúng A"] and section.items[0].overdue


def test_a_candidate_stuck_for_395_days_is_set_apart_from_one_of_12_days(client, cast, today):
    recruitment = add_recruitment(cast)
    Candidate.objects.filter(pk=recruitment.candidate_a.pk).update(stage_entered_on=TODAY - datetime.timedelta(395))
    Candidate.objects.filter(pk=recruitment.candidate_b.pk).update(stage_entered_on=TODAY - datetime.timedelta(12))
    response = home(client, cast.commune_board)
    waiting = response.context["todo"].section(todo.TodoKind.WAITING)
    by_name = {i.name: i for i in waiting.items}
    usual = stage_times.DEFAULT_USUAL_DAYS[Stage.SOURCE]
    assert by_name["Quần chúng A"].stuck and by_name["Quần chúng A"].waited_days == 395
    assert by_name["Quần chúng A"].usual_days == usual
    assert not by_name["Quần chúng B"].stuck and by_name["Quần chúng B"].waited_days == 12
    assert waiting.items[0].name == "Quần chúng A"  # the stuck first
    assert waiting.highlighted == 1
    body = response.content.decode()
    assert body.count("todo-stuck") == 1
    # The board shows the stuck card distinctly too.
    client.force_login(cast.commune_board)
    board = client.get(reverse("recruitment:board", args=[cast.commune_x.pk])).content.decode()
    assert board.count("card-stuck") == 1
    assert "Bị tắc" in board


def test_the_usual_time_is_the_subtree_s_median_once_it_has_enough_completed_stays(cast, today):
    from recruitment.models import StageEntry

    cells = [cast.cell_a]
    candidates = grow(cells, stage_times.MIN_STAYS, proposed_on=TODAY - datetime.timedelta(100))
    StageEntry.objects.bulk_create(
        [StageEntry(candidate=c, stage=Stage.SOURCE, entered_on=TODAY - datetime.timedelta(100)) for c in candidates]
        + [StageEntry(candidate=c, stage=Stage.TRAINING, entered_on=TODAY - datetime.timedelta(90)) for c in candidates]
    )
    usual = stage_times.usual_days([cast.commune_x.path], TODAY)
    assert usual[Stage.SOURCE] == 10
    assert usual[Stage.TRAINING] == stage_times.DEFAULT_USUAL_DAYS[Stage.TRAINING]  # still open: no stay yet


def test_returned_dossiers_and_data_to_fix_are_listed(client, cast, today):
    recruitment = add_recruitment(cast)
    Candidate.objects.filter(pk=recruitment.candidate_a.pk).update(
        stage=Stage.DOSSIER, returned_reason="Thiếu giấy giới thiệu"
    )
    recruitment.candidate_b.person.__class__.objects.filter(pk=recruitment.candidate_b.person_id).update(
        general_education=""
    )
    result = home(client, cast.commune_board).context["todo"]
    returned = result.section(todo.TodoKind.RETURNED)
    assert [(i.name, i.note) for i in returned.items] == [("Quần chúng A", "Thiếu giấy giới thiệu")]
    fix = result.section(todo.TodoKind.FIX)
    assert [i.name for i in fix.items] == ["Quần chúng B"] and "giáo dục phổ thông" in fix.items[0].note
    # A returned dossier is not counted again among the votes due.
    assert result.section(todo.TodoKind.VOTES).count == 0


def test_a_user_without_a_role_keeps_the_old_start(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert "Việc cần làm" not in response.content.decode()


@pytest.mark.parametrize("size", [5, 300])
def test_the_start_page_has_a_fixed_query_budget_and_bounded_rows(
    client, cast, size, today, django_assert_max_num_queries
):
    grow([cast.cell_a, cast.cell_b], size, proposed_on=TODAY - datetime.timedelta(400))
    client.force_login(cast.commune_board)
    # session, user, roles, usual times, 2×(returned, votes, waiting, fix: count + rows), six deadline
    # sections, the cells of the deadline rows shown, the ancestors for the committee's next step (once per
    # section that shows a candidate awaiting the committee).
    with django_assert_max_num_queries(TODO_BUDGET):
        response = client.get(reverse("home"))
    result = response.context["todo"]
    for section in result.sections:
        assert len(section.items) <= todo.SECTION_LIMIT
    body = response.content.decode()
    assert body.count('class="list-group-item todo-item') <= todo.SECTION_LIMIT * len(result.sections)
    waiting = result.section(todo.TodoKind.WAITING)
    assert waiting.count > todo.SECTION_LIMIT or size == 5
    # A whole section, page by page, costs the same whatever the size.
    with django_assert_max_num_queries(TODO_SECTION_BUDGET):
        page = client.get(reverse("recruitment:todo"), {"muc": todo.TodoKind.WAITING, "trang": 2})
    assert page.status_code == 200
    assert len(page.context["items"]) <= todo.ROWS_PER_PAGE


TODO_BUDGET = 22
TODO_SECTION_BUDGET = 9


def test_a_section_page_lists_only_the_user_s_subtree(client, cast, today):
    add_recruitment(cast)
    client.force_login(cast.sec_a)
    response = client.get(reverse("recruitment:todo"), {"muc": todo.TodoKind.WAITING})
    names = [i.name for i in response.context["items"]]
    assert names == ["Quần chúng A"]
    assert client.get(reverse("recruitment:todo"), {"muc": "nonsense"}).status_code == 404
