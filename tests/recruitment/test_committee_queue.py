"""The committee's queue of dossiers and sending a dossier back to the cell."""

import datetime
import re

import pytest
from django.urls import reverse

from members.models import Person
from members.vocabulary import Level
from recruitment import services
from recruitment.models import Candidate, CellVote, CommitteeApproval, DossierReturn
from recruitment.selectors import committee as queue_selectors
from recruitment.vocabulary import Stage
from recruitment.working_days import working_days_between
from tests.factories import OrganisationFactory

from .conftest import person_fields
from .journey import walk

pytestmark = pytest.mark.django_db
D = datetime.date


def voted(cast, pipeline, name, vote_on, *, cell=None, to=Stage.CELL_RESOLUTION):
    """A candidate whose cell voted on `vote_on` (the journey votes 30 days after its start)."""
    cell = cell or cast.cell_a
    candidate = services.candidate_propose(
        cell=cell,
        introduced_by="youth_union",
        proposed_on=vote_on - datetime.timedelta(days=90),
        person_fields=person_fields(full_name=name, citizen_id=None),
        by=None,
    )
    introducers = pipeline["g_members"] if cell == pipeline["cell_g"] else pipeline["introducers"]
    return walk(
        candidate,
        to=to,
        introducers=introducers,
        by=None,
        start=vote_on - datetime.timedelta(days=30),
        committee=to == Stage.COMMITTEE_REVIEW,
    )


@pytest.fixture
def queue(cast, pipeline):
    """Four dossiers at 2026-11-20: past the extension, past 60 days, near 60 days, in time."""
    return {
        "expired": voted(cast, pipeline, "Nguyễn Văn Cũ", D(2026, 7, 1)),
        "over": voted(cast, pipeline, "Trần Thị Quá", D(2026, 8, 20)),
        "near": voted(cast, pipeline, "Lê Văn Gần", D(2026, 8, 31), cell=pipeline["cell_g"]),
        "ok": voted(cast, pipeline, "Phạm Thị Mới", D(2026, 10, 1), cell=pipeline["cell_g"], to=Stage.COMMITTEE_REVIEW),
    }


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def queue_row(body: str, candidate) -> str:
    match = re.search(rf'<tr id="queue-row-{candidate.pk}".*?</tr>', body, re.S)
    assert match, f"{candidate} is not in the queue"
    return match.group(0)


# --- who may open it ------------------------------------------------------------------------------


def test_a_cell_secretary_gets_403_on_the_queue(client, cast):
    assert get(client, cast.sec_a, "recruitment:committee_queue", cast.cell_a.pk).status_code == 403
    assert get(client, cast.sec_a, "recruitment:committee_queue", cast.commune_x.pk).status_code == 404


def test_the_committee_secretary_opens_the_queue(client, cast):
    response = get(client, cast.commune_sec, "recruitment:committee_queue", cast.commune_x.pk)
    assert response.status_code == 200
    assert "Không có hồ sơ nào đang chờ cấp ủy xét duyệt hoặc quyết định." in response.content.decode()


# --- order and figures ----------------------------------------------------------------------------


def test_the_queue_lists_the_oldest_resolution_first(client, cast, queue):
    body = get(client, cast.commune_board, "recruitment:committee_queue", cast.commune_x.pk).content.decode()
    ids = [int(pk) for pk in re.findall(r'<tr id="queue-row-(\d+)"', body)]
    assert ids == [queue[k].pk for k in ("expired", "over", "near", "ok")]


def test_each_row_shows_the_working_days_used_against_the_limit(client, cast, queue):
    body = get(client, cast.commune_board, "recruitment:committee_queue", cast.commune_x.pk).content.decode()
    # Counted from the day after the resolution; 1 and 2 September (National Day) are not working days.
    figures = {
        k: re.search(r'class="fw-semibold working-days">(\d+)/60<', queue_row(body, c)).group(1)
        for k, c in queue.items()
    }
    assert figures == {"expired": "100", "over": "64", "near": "57", "ok": "36"}


def test_rows_near_or_past_the_limit_are_highlighted(client, cast, queue):
    body = get(client, cast.commune_board, "recruitment:committee_queue", cast.commune_x.pk).content.decode()
    assert 'class="table-danger"' in queue_row(body, queue["expired"])
    assert "quá cả thời hạn gia hạn" in queue_row(body, queue["expired"])
    assert "quá hạn, cần gia hạn" in queue_row(body, queue["over"])
    assert 'class="table-warning"' in queue_row(body, queue["near"])
    assert "còn 3 ngày làm việc" in queue_row(body, queue["near"])
    assert 'class=""' in queue_row(body, queue["ok"])
    assert re.search(r'id="queue-over">2<', body)
    assert re.search(r'id="queue-total">4<', body)


def test_each_row_says_which_committee_acts_next_and_links_to_the_candidate(client, cast, pipeline, queue):
    body = get(client, cast.commune_board, "recruitment:committee_queue", cast.commune_x.pk).content.decode()
    assert "Đảng bộ Trường THPT Xuân xét duyệt" in queue_row(body, queue["near"])
    assert "Đảng bộ xã Xuân quyết định kết nạp" in queue_row(body, queue["over"])
    ok = queue_row(body, queue["ok"])
    assert "Đảng bộ xã Xuân quyết định kết nạp" in ok
    assert "Đảng ủy cơ sở đã duyệt ngày 11/10/2026" in ok
    assert reverse("recruitment:candidate", args=[queue["over"].pk]) in queue_row(body, queue["over"])
    assert reverse("recruitment:candidate_return", args=[queue["over"].pk]) in queue_row(body, queue["over"])
    assert "16/11/2026" in queue_row(body, queue["over"])  # the 60th working day after 20/08/2026


def test_the_grassroots_committee_sees_only_its_own_cells(client, cast, pipeline, queue):
    body = get(client, cast.commune_board, "recruitment:committee_queue", pipeline["committee"].pk).content.decode()
    assert re.findall(r'<tr id="queue-row-(\d+)"', body) == [str(queue["near"].pk), str(queue["ok"].pk)]


def test_working_days_skip_tet(cast, pipeline):
    # Resolution on Tuesday 10/02/2026; Tết is 16-20/02: 3 + 0 + 5 + 1 working days by Monday 02/03.
    candidate = voted(cast, pipeline, "Đỗ Văn Tết", D(2026, 2, 10))
    [row] = queue_selectors.queue_rows(queue_selectors.queue_candidates(cast.commune_x), D(2026, 3, 2))
    assert row.candidate == candidate
    assert row.working_days == 9
    # Sixty working days later, past Tết, Hùng Kings (observed Monday 27/04), 30/04 and 01/05.
    assert row.deadline == D(2026, 5, 15)


def test_the_over_limit_count_agrees_with_the_working_days_around_tet():
    for offset in range(0, 400, 3):
        today = D(2026, 1, 1) + datetime.timedelta(days=offset)
        cutoff = queue_selectors.over_limit_cutoff(today)
        assert (
            working_days_between(cutoff, today) <= 60 < working_days_between(cutoff - datetime.timedelta(days=1), today)
        )


# --- returning a dossier --------------------------------------------------------------------------


def test_a_cell_secretary_may_not_return_a_dossier(client, cast, queue):
    assert get(client, cast.sec_a, "recruitment:candidate_return", queue["over"].pk).status_code == 403
    client.force_login(cast.sec_a)
    response = client.post(reverse("recruitment:candidate_return", args=[queue["over"].pk]), {"reason": "x"})
    assert response.status_code == 403
    assert not DossierReturn.objects.exists()


def test_returning_asks_for_a_reason(client, cast, queue):
    client.force_login(cast.commune_board)
    url = reverse("recruitment:candidate_return", args=[queue["over"].pk])
    response = client.post(url, {"reason": "  ", "on": "2026-11-20"})
    assert response.status_code == 200
    assert "Hãy ghi lý do trả lại hồ sơ để chi bộ biết cần bổ sung gì." in response.content.decode()
    assert not DossierReturn.objects.exists()


def test_returning_a_dossier_sends_it_back_one_stage_and_comes_back_to_the_queue(client, cast, queue):
    queue_url = reverse("recruitment:committee_queue", args=[cast.commune_x.pk])
    client.force_login(cast.commune_board)
    url = reverse("recruitment:candidate_return", args=[queue["over"].pk])
    form = client.get(url, {"next": queue_url}).content.decode()
    assert 'name="on" value="2026-11-20"' in form
    response = client.post(url, {"reason": "Thiếu giấy giới thiệu của Đoàn", "on": "2026-11-20", "next": queue_url})
    assert response.status_code == 302
    assert response.url == queue_url
    candidate = Candidate.objects.get(pk=queue["over"].pk)
    assert candidate.stage == Stage.DOSSIER
    assert candidate.returned_reason == "Thiếu giấy giới thiệu của Đoàn"
    record = DossierReturn.objects.get()
    assert (record.from_stage, record.to_stage, record.created_by) == (
        Stage.CELL_RESOLUTION,
        Stage.DOSSIER,
        cast.commune_board,
    )
    body = client.get(queue_url).content.decode()
    assert "Đã trả lại hồ sơ của Trần Thị Quá cho Chi bộ thôn A: Thiếu giấy giới thiệu của Đoàn" in body
    assert f'id="queue-row-{candidate.pk}"' not in body


def test_a_dossier_approved_by_the_grassroots_committee_goes_back_to_its_approval(client, cast, queue):
    client.force_login(cast.commune_board)
    response = client.post(
        reverse("recruitment:candidate_return", args=[queue["ok"].pk]), {"reason": "Sai số phiếu", "on": "2026-11-20"}
    )
    assert response.status_code == 302
    # Without a `next`, back to the queue of the user's own committee.
    assert response.url == reverse("recruitment:committee_queue", args=[cast.commune_x.pk])
    assert Candidate.objects.get(pk=queue["ok"].pk).stage == Stage.CELL_RESOLUTION


def test_an_outside_next_address_is_ignored(client, cast, queue):
    client.force_login(cast.commune_board)
    response = client.post(
        reverse("recruitment:candidate_return", args=[queue["over"].pk]),
        {"reason": "Thiếu", "on": "2026-11-20", "next": "https://example.com/"},
    )
    assert response.url == reverse("recruitment:committee_queue", args=[cast.commune_x.pk])


def test_a_return_dated_in_the_future_is_refused_beside_the_date(client, cast, queue):
    client.force_login(cast.commune_board)
    response = client.post(
        reverse("recruitment:candidate_return", args=[queue["over"].pk]), {"reason": "Thiếu", "on": "2026-11-21"}
    )
    assert "Ngày trả lại hồ sơ ở tương lai." in response.content.decode()
    assert Candidate.objects.get(pk=queue["over"].pk).stage == Stage.CELL_RESOLUTION


def test_with_nothing_to_return_the_page_explains_why(client, cast, frozen_today):
    from tests.cast import add_recruitment

    rc = add_recruitment(cast)
    response = get(client, cast.commune_board, "recruitment:candidate_return", rc.candidate_a.pk)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Không có hồ sơ nào để trả lại: quần chúng đang ở giai đoạn “Quần chúng ưu tú”." in body
    assert 'name="reason"' not in body
    client.post(reverse("recruitment:candidate_return", args=[rc.candidate_a.pk]), {"reason": "x", "on": "2026-11-20"})
    assert not DossierReturn.objects.exists()


# --- query budget ---------------------------------------------------------------------------------

# session, user, roles, organisation, breadcrumb ancestors, page count, page, the page's cell
# ancestors (one query for all rows), the summary counts.
QUEUE_BUDGET = 9


def grow_queue(cast, size: int) -> None:
    """`size` dossiers voted by cells of the commune, half under their own grassroots committee."""
    committees = [
        OrganisationFactory(level=Level.GRASSROOTS_COMMITTEE, parent=cast.commune_x) for _ in range(max(size // 20, 1))
    ]
    cells = [cast.cell_a, cast.cell_b] + [OrganisationFactory(level=Level.CELL, parent=gc) for gc in committees]
    people = Person.objects.bulk_create(
        Person(full_name=f"Quần chúng {i}", gender="female", date_of_birth=D(1999, 1, 1)) for i in range(size)
    )
    candidates = Candidate.objects.bulk_create(
        Candidate(
            person=p,
            cell=cells[i % len(cells)],
            stage=Stage.COMMITTEE_REVIEW if i % 3 == 0 else Stage.CELL_RESOLUTION,
            stage_entered_on=D(2026, 6, 1),
            introduced_by="cell",
            proposed_on=D(2025, 1, 1),
        )
        for i, p in enumerate(people)
    )
    CellVote.objects.bulk_create(
        CellVote(candidate=c, held_on=D(2026, 5, 1) + datetime.timedelta(days=i % 150), votes_for=3, full_members=3)
        for i, c in enumerate(candidates)
    )
    CommitteeApproval.objects.bulk_create(
        CommitteeApproval(
            candidate=c, committee=committees[0], held_on=D(2026, 10, 1), votes_for=5, committee_members=7
        )
        for c in candidates
        if c.stage == Stage.COMMITTEE_REVIEW
    )


@pytest.mark.parametrize("size", [5, 200])
def test_the_queue_has_a_fixed_query_budget(client, cast, frozen_today, size, django_assert_max_num_queries):
    grow_queue(cast, size)
    client.force_login(cast.commune_board)
    with django_assert_max_num_queries(QUEUE_BUDGET):
        response = client.get(reverse("recruitment:committee_queue", args=[cast.commune_x.pk]))
    assert response.status_code == 200
    assert len(re.findall(r'<tr id="queue-row-', response.content.decode())) == min(size, 25)
