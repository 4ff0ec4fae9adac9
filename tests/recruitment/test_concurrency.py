"""Two secretaries record the same cell vote at the same moment: exactly one of them succeeds."""

import datetime
import threading

import pytest
from django.db import connection, connections

from members.vocabulary import MemberStatus
from recruitment import services
from recruitment.models import CellVote, StageEntry
from recruitment.vocabulary import Stage
from tests.cast import build_cast
from tests.factories import MemberFactory

from .conftest import person_fields
from .journey import walk

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SELECT ... FOR UPDATE) need PostgreSQL; SQLite serialises whole writes")


def test_two_simultaneous_cell_votes_record_exactly_one(on_postgres, frozen_today):
    cast = build_cast()
    introducers = [MemberFactory(cell=cast.cell_a, status=MemberStatus.FULL) for _ in range(2)]
    candidate = services.candidate_propose(
        cell=cast.cell_a,
        introduced_by="youth_union",
        proposed_on=datetime.date(2023, 12, 1),
        person_fields=person_fields(),
        by=None,
    )
    walk(candidate, to=Stage.DOSSIER, introducers=introducers, by=None)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def vote(user):
        try:
            barrier.wait(timeout=10)
            services.candidate_record_cell_vote(
                candidate=candidate, held_on=datetime.date(2024, 2, 7), votes_for=3, full_members=3, by=user
            )
            outcomes.append("ok")
        except services.StepRefused as refused:
            outcomes.append(" ".join(refused.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(u,)) for u in (cast.sec_a, cast.commune_board)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(outcomes)[-1] == "ok"
    assert outcomes.count("ok") == 1, outcomes
    assert "Chi bộ đã ra nghị quyết" in next(o for o in outcomes if o != "ok")
    assert CellVote.objects.filter(candidate=candidate).count() == 1
    assert StageEntry.objects.filter(candidate=candidate, stage=Stage.CELL_RESOLUTION).count() == 1
