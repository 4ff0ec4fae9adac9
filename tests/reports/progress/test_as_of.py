"""Reports as on a past day, successors' member bases, and snapshots keyed by their day (issue 12: 1, 3, 8)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from members import services
from members.models import Member
from members.vocabulary import Level, MovementKind
from recruitment.models import Candidate, StageEntry
from reports.digest.content import build_section
from reports.models import ProgressSnapshot
from reports.progress import periods, snapshots
from reports.progress.report import progress_report
from reports.quotas import screen
from reports.quotas.arithmetic import rate_target
from reports.vocabulary import ValueKind

from ..builders import admit, org, quota

pytestmark = pytest.mark.django_db
TERM = periods.term(2025)
YEAR = periods.year(2026)


def candidate(cell, steps):
    """A candidate of `cell` through `steps` [(stage, day), ...]; its row holds the last step."""
    from members.models import Person

    person = Person.objects.create(full_name="Quần chúng", gender="female", date_of_birth=datetime.date(2000, 1, 1))
    last_stage, last_day = steps[-1]
    c = Candidate.objects.create(
        person=person, cell=cell, stage=last_stage, stage_entered_on=last_day, proposed_on=steps[0][1]
    )
    StageEntry.objects.bulk_create(StageEntry(candidate=c, stage=s, entered_on=d) for s, d in steps)
    return c


def test_a_past_day_leaves_out_what_happened_after_it():
    commune = org(Level.COMMUNE)
    cell = org(Level.CELL, commune)
    quota(commune, YEAR, 10)
    admit(cell, [datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)])
    admit(cell, [datetime.date(2026, 5, 1)] * 3)
    candidate(cell, [("source", datetime.date(2026, 1, 5)), ("training", datetime.date(2026, 4, 20))])
    candidate(cell, [("source", datetime.date(2026, 4, 1))])
    member = Member.objects.filter(cell=cell).first()
    services.member_record_exit(member=member, kind=MovementKind.DIED, on=datetime.date(2026, 4, 10))

    on = datetime.date(2026, 3, 31)
    past = progress_report(commune, YEAR, on)
    assert past.as_of == on
    (q,) = past.quotas
    assert (q.achieved, past.admissions.period, past.admissions.year_to_date) == (2, 2, 2)
    # Stage counts as on 31/3: one candidate in "source" (it went to training on 20/4), the other not yet proposed.
    assert past.pipeline.by_stage["source"] == 1 and past.pipeline.by_stage["training"] == 0
    assert past.pipeline.introduced_in_period == 1
    assert (past.members.start, past.members.end) == (0, 2)
    assert past.members.movements["died"] == 0

    now = progress_report(commune, YEAR, datetime.date(2026, 12, 5))
    assert (now.quotas[0].achieved, now.members.end, now.members.movements["died"]) == (5, 4, 1)
    assert now.pipeline.by_stage["source"] == 1 and now.pipeline.by_stage["training"] == 1


def test_a_commune_made_by_a_merger_counts_its_predecessors_members_at_term_start():
    province = org(Level.PROVINCE)
    merge_day = datetime.date(2025, 7, 1)
    old = []
    for n in (40, 25, 17):
        commune = org(Level.COMMUNE, province)
        cell = org(Level.CELL, commune)
        admit(cell, [datetime.date(2018, 3, 1)] * n)
        old.append((commune, cell))
    new_commune = org(Level.COMMUNE, province, founded_on=merge_day)
    new_cells = [org(Level.CELL, new_commune, founded_on=merge_day) for _ in old]
    for (commune, cell), new_cell in zip(old, new_cells, strict=True):
        services.organisation_merge(organisation=cell, into=new_cell, on=merge_day)
        services.organisation_merge(organisation=commune, into=new_commune, on=merge_day)
    rate = quota(new_commune, TERM, None, value_kind=ValueKind.RATE, rate_percent=Decimal("3"))
    admit(new_cells[0], [datetime.date(2026, 3, 1)])

    report = progress_report(new_commune, TERM, datetime.date(2026, 12, 5))
    (q,) = report.quotas
    assert q.id == rate.pk
    assert q.base_members == 82
    assert q.target == rate_target(Decimal("3"), 82) == 3
    assert q.state == "below"
    m = report.members
    assert (m.start, m.end) == (82, 83)
    assert m.movements["transferred_in"] == m.movements["transferred_out"] == 82
    assert m.start + m.movements["admitted"] + m.movements["transferred_in"] - m.movements["transferred_out"] == m.end
    # The quota screen's base (children's split) is the same.
    assert screen.load(organisation=new_commune, period=TERM, source="resolution").own_target == 3
    # Before the merge the new commune has no predecessors yet.
    assert progress_report(new_commune, TERM, datetime.date(2025, 6, 30)).members.end == 0


def test_the_digest_of_a_past_month_does_not_become_the_dashboards_figures(client, django_user_model):
    commune = org(Level.COMMUNE)
    cell = org(Level.CELL, commune)
    admit(cell, [datetime.date(2026, 11, 10)] * 10)
    admit(cell, [datetime.date(2026, 12, 3)] * 4)
    today = datetime.date(2026, 12, 5)
    with time_machine.travel(datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        build_section(commune, datetime.date(2026, 11, 1))  # the November digest, as of early November
        year = periods.year(2026)
        past = ProgressSnapshot.objects.get(organisation=commune, period_key=year.key)
        assert past.as_of < today and past.data["admissions"]["period"] == 0
        stored = snapshots.report_for(commune, year, today)
    assert not stored.from_snapshot
    assert stored.report.as_of == today
    assert (stored.report.admissions.period, stored.report.admissions.month) == (14, 4)
    assert ProgressSnapshot.objects.filter(organisation=commune, period_key=year.key).count() == 2
