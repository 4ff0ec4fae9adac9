"""The admission board of a cell and of a commune, through the Django test client."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Person
from members.names import sort_key
from recruitment import services
from recruitment.models import Candidate
from recruitment.selectors import pipeline
from recruitment.selectors.pipeline import BOARD_STAGES, COLUMN_LIMIT
from recruitment.vocabulary import EXITS, Stage
from tests.cast import add_recruitment

from .conftest import person_fields
from .journey import walk

# calendar: the board counts days in a stage up to today (make test-dates runs it on each day of its set).
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]
D = datetime.date

SIZES = [5, 200]
# session, user, roles, organisation, ancestors, the data version (partyhub/pagecache.py), the stages' usual
# times, counts, cards
BOARD_BUDGET = 9
STAGE_LIST_BUDGET = 8  # session, user, roles, organisation, ancestors, usual times, the count, one page of cards
# Every stage in turn, so that the volume has cards, full members and exits.
STAGE_CYCLE = [*BOARD_STAGES, Stage.FULL, *EXITS]


def board_url(org) -> str:
    return reverse("recruitment:board", args=[org.pk])


def get_board(client, user, org, **params):
    client.force_login(user)
    response = client.get(board_url(org), params)
    assert response.status_code == 200
    return response


def propose(cast, cell=None, **overrides):
    return services.candidate_propose(
        cell=cell or cast.cell_a,
        introduced_by="youth_union",
        proposed_on=D(2023, 12, 1),
        person_fields=person_fields(**overrides),
        by=cast.sec_a,
    )


GROWN_ON = D(2025, 1, 6)


def grow(cells, size: int, proposed_on=GROWN_ON) -> list[Candidate]:
    """`size` candidates spread over the cells and over every stage, exits and full members included."""
    people = Person.objects.bulk_create(
        Person(full_name=f"Quần chúng số {i}", gender="male", date_of_birth=D(1999, 1, 1)) for i in range(size)
    )
    stages = itertools.cycle(STAGE_CYCLE)
    homes = itertools.cycle(cells)
    return Candidate.objects.bulk_create(
        Candidate(
            person=p,
            cell=next(homes),
            stage=next(stages),
            stage_entered_on=proposed_on,
            proposed_on=proposed_on,
            introduced_by="cell",
            returned_reason="Thiếu lý lịch" if i % 7 == 0 else "",
            open_findings=[{"code": "R04_SAME_DAY", "severity": "warns", "message": "Đơn và lý lịch cùng ngày"}],
        )
        for i, p in enumerate(people)
    )


def test_a_cell_secretary_sees_the_candidates_of_their_cell_by_stage(client, cast):
    add_recruitment(cast)
    body = get_board(client, cast.sec_a, cast.cell_a).content.decode()
    assert 'id="stage-source"' in body and 'id="stage-probationary"' in body
    assert "Quần chúng A" in body
    assert "Quần chúng B" not in body and "Quần chúng C" not in body
    assert "Cử đi học lớp bồi dưỡng nhận thức về Đảng" in body  # the next step on the card


def test_the_commune_board_shows_its_whole_subtree_with_each_cell(client, cast):
    add_recruitment(cast)
    response = get_board(client, cast.commune_board, cast.commune_x)
    body = response.content.decode()
    assert "Quần chúng A" in body and "Quần chúng B" in body
    assert "Quần chúng C" not in body
    assert cast.cell_a.name in body and cast.cell_b.name in body
    source = response.context["board"].columns[0]
    assert (source.stage, source.count) == (Stage.SOURCE, 2)


def test_each_column_counts_its_candidates_and_says_how_long_they_have_waited(client, cast, pipeline, frozen_today):
    walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    propose(cast, full_name="Trần Văn Bình", citizen_id="001098000555")
    board = get_board(client, cast.sec_a, cast.cell_a).context["board"]
    counts = {c.stage: c.count for c in board.columns}
    assert counts[Stage.SOURCE] == 1 and counts[Stage.DOSSIER] == 1 and counts[Stage.TRAINING] == 0
    waiting = board.columns[0].cards[0]
    assert waiting.days_in_stage == (frozen_today - D(2023, 12, 1)).days


def test_dossiers_returned_by_the_committee_come_first_with_the_reason(client, cast, pipeline):
    early = walk(propose(cast), to=Stage.DOSSIER, introducers=pipeline["introducers"], by=cast.sec_a)
    returned = walk(
        propose(cast, full_name="Phạm Thị Hoa", citizen_id="001198000777"),
        to=Stage.CELL_RESOLUTION,
        introducers=pipeline["introducers"],
        by=cast.sec_a,
    )
    services.committee_return_dossier(
        candidate=returned, on=D(2024, 2, 20), reason="Thiếu bản tự kiểm điểm", by=cast.commune_board
    )
    response = get_board(client, cast.sec_a, cast.cell_a)
    body = response.content.decode()
    assert "Hồ sơ cấp ủy trả lại, cần bổ sung" in body
    assert body.index("Thiếu bản tự kiểm điểm") < body.index('id="stage-source"')
    dossier_column = next(c for c in response.context["board"].columns if c.stage == Stage.DOSSIER)
    assert [card.candidate.pk for card in dossier_column.cards] == [returned.pk, early.pk]


def test_full_members_and_exits_are_counted_but_not_on_the_board(client, cast, pipeline):
    walk(propose(cast), to=Stage.FULL, introducers=pipeline["introducers"], by=cast.sec_a)
    services.candidate_withdraw(
        candidate=propose(cast, full_name="Lê Văn Tư", citizen_id="001098000444"),
        on=D(2024, 1, 5),
        reason="Chuyển đi",
        by=cast.sec_a,
    )
    response = get_board(client, cast.sec_a, cast.cell_a)
    body = response.content.decode()
    assert "Hoàng Thị Lan" not in body and "Lê Văn Tư" not in body
    assert "đã kết nạp chính thức: 1" in body and "đã dừng: 1" in body


def test_the_search_keeps_only_the_matching_names(client, cast):
    add_recruitment(cast)
    propose(cast, full_name="Trần Văn Bình", citizen_id="001098000555")
    body = get_board(client, cast.sec_a, cast.cell_a, q="Bình").content.decode()
    assert "Trần Văn Bình" in body and "Quần chúng A" not in body
    body = get_board(client, cast.sec_a, cast.cell_a, q="Không ai").content.decode()
    assert "Không có ai tên “Không ai”" in body


def test_an_empty_board_offers_to_propose_a_candidate(client, cast):
    body = get_board(client, cast.sec_a, cast.cell_a).content.decode()
    assert "Chưa có quần chúng ưu tú nào đang được theo dõi." in body
    assert reverse("recruitment:propose", args=[cast.cell_a.pk]) in body


def test_a_card_shows_the_first_warning_and_how_many_there_are(client, cast):
    candidate = propose(cast)
    candidate.open_findings = [
        {"code": "A", "severity": "warns", "message": "Chi bộ có dưới 3 đảng viên chính thức"},
        {"code": "B", "severity": "warns", "message": "Giấy tờ quá 12 tháng"},
        {"code": "C", "severity": "notes", "message": "Đã gia hạn"},
    ]
    candidate.save()
    body = get_board(client, cast.sec_a, cast.cell_a).content.decode()
    assert "2 cảnh báo: Chi bộ có dưới 3 đảng viên chính thức" in body


def test_a_long_column_stops_at_the_limit_and_says_how_many_more(client, cast):
    cells = [cast.cell_a]
    people = Person.objects.bulk_create(
        Person(full_name=f"Người {i}", gender="male", date_of_birth=D(1999, 1, 1)) for i in range(COLUMN_LIMIT + 3)
    )
    Candidate.objects.bulk_create(
        Candidate(
            person=p, cell=cells[0], stage_entered_on=D(2025, 1, 1), proposed_on=D(2025, 1, 1), introduced_by="cell"
        )
        for p in people
    )
    response = get_board(client, cast.sec_a, cast.cell_a)
    source = response.context["board"].columns[0]
    assert (source.count, len(source.cards), source.more) == (COLUMN_LIMIT + 3, COLUMN_LIMIT, 3)
    body = response.content.decode()
    assert "Còn 3 người nữa" in body
    assert f'href="?giai_doan={Stage.SOURCE}"' in body


@pytest.mark.parametrize("size", SIZES)
def test_a_stage_list_has_a_fixed_query_budget_and_one_page_of_cards(
    client, cast, size, django_assert_max_num_queries, monkeypatch
):
    monkeypatch.setattr(pipeline, "STAGE_PAGE_SIZE", 4)
    grow([cast.cell_a, cast.cell_b], size)
    client.force_login(cast.commune_board)
    with django_assert_max_num_queries(STAGE_LIST_BUDGET):
        response = client.get(board_url(cast.commune_x), {"giai_doan": Stage.DOSSIER, "trang": 2})
    in_stage = sum(1 for i in range(size) if STAGE_CYCLE[i % len(STAGE_CYCLE)] == Stage.DOSSIER)
    assert response.context["page"].paginator.count == in_stage
    # The second page, or the last one when there is only one.
    assert len(response.context["cards"]) == (in_stage if in_stage <= 4 else min(4, in_stage - 4))
    assert response.content.decode().count("pipeline-card") == len(response.context["cards"])


def test_the_stage_list_costs_the_same_at_two_sizes(client, cast):
    client.force_login(cast.commune_board)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(board_url(cast.commune_x), {"giai_doan": Stage.SOURCE})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow([cast.cell_a, cast.cell_b], 20)
    small = count()
    grow([cast.cell_a, cast.cell_b], 300)
    assert count() == small


def test_a_stage_list_goes_page_by_page_in_the_column_order_within_the_subtree(client, cast, monkeypatch):
    monkeypatch.setattr(pipeline, "STAGE_PAGE_SIZE", 5)
    # Five homes, prime to the stage cycle, so that every cell gets every stage.
    grown = grow([cast.cell_a, cast.cell_b, cast.cell_c, cast.cell_b, cast.cell_a], 15 * len(STAGE_CYCLE))
    # Some waited longer: they come first after the dossiers sent back, as on the board.
    Candidate.objects.filter(pk__in=[c.pk for c in grown[::5]]).update(stage_entered_on=D(2024, 3, 1))
    client.force_login(cast.commune_board)
    board = client.get(board_url(cast.commune_x)).context["board"]
    column = next(c for c in board.columns if c.stage == Stage.TRAINED)
    rows = Candidate.objects.filter(stage=Stage.TRAINED, cell__in=[cast.cell_a, cast.cell_b]).values_list(
        "pk", "returned_reason", "stage_entered_on", "person__full_name"
    )
    # Sent back first, then the longest waiting, then by name in Vietnamese order (members/names.py).
    rows = sorted(rows, key=lambda r: (not r[1], r[2], sort_key(r[3]), r[0]))
    expected = [pk for pk, *_ in rows]
    assert [card.candidate.pk for card in column.cards] == expected  # fewer than the column's limit
    assert len(expected) == 12  # of 15: cell C holds the other 3
    pages = [client.get(board_url(cast.commune_x), {"giai_doan": Stage.TRAINED, "trang": n}) for n in (1, 2, 3)]
    assert [[card.candidate.pk for card in p.context["cards"]] for p in pages] == [
        expected[:5],
        expected[5:10],
        expected[10:],
    ]
    body = pages[0].content.decode()
    assert "Trang 1/3" in body
    assert f"?giai_doan={Stage.TRAINED}&amp;trang=2#stage-list" in body
    assert "Chi bộ thôn C" not in body
    # The search is kept in the pager's links and narrows the list.
    searched = client.get(board_url(cast.commune_x), {"giai_doan": Stage.TRAINED, "q": "số 1"})
    assert all("số 1" in card.candidate.person.full_name for card in searched.context["cards"])
    assert searched.context["querystring"] == "giai_doan=trained&q=s%E1%BB%91+1"
    # A cell secretary's list holds their own cell only; an unknown stage shows the board.
    client.force_login(cast.sec_a)
    mine = client.get(board_url(cast.cell_a), {"giai_doan": Stage.TRAINED, "trang": 1})
    assert {card.candidate.cell_id for card in mine.context["cards"]} == {cast.cell_a.pk}
    assert "board" in client.get(board_url(cast.cell_a), {"giai_doan": Stage.FULL}).context
    assert client.get(board_url(cast.commune_x), {"giai_doan": Stage.TRAINED}).status_code == 404


@pytest.mark.parametrize("size", SIZES)
def test_the_board_has_a_fixed_query_budget(client, cast, size, django_assert_max_num_queries):
    grow([cast.cell_a, cast.cell_b], size)
    client.force_login(cast.commune_board)
    with django_assert_max_num_queries(BOARD_BUDGET):
        response = client.get(board_url(cast.commune_x))
    assert response.context["board"].total == sum(1 for i in range(size) if i % len(STAGE_CYCLE) < len(BOARD_STAGES))
    with django_assert_max_num_queries(BOARD_BUDGET):
        client.get(board_url(cast.commune_x), {"q": "số 1"})


def test_the_board_costs_the_same_at_5_and_at_200_candidates(client, cast):
    client.force_login(cast.commune_board)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(board_url(cast.commune_x))
        return len(ctx.captured_queries)

    grow([cast.cell_a, cast.cell_b], 5)
    small = count()
    grow([cast.cell_a, cast.cell_b], 195)
    assert count() == small
