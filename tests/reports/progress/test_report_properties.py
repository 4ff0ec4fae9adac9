"""Properties of the report on random trees, merges, members, movements and candidates (issue 12).

(a) The report as on D over all the data equals the report as on D over the data cut at D (everything
dated after D deleted, merges after D undone): docs/domain.md, "As-of dates".
(b) A successor's admissions and members are its predecessors' plus its own: "Successors' bases".
(c) Within one report, members at start + the movements' signs = members at end.
"""

import datetime

import pytest
import time_machine
from django.db import transaction
from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members import services
from members.models import Member, MemberMovement, Organisation, Person
from members.selectors import member_count_on
from members.vocabulary import MOVEMENT_SIGN, Level, MovementKind
from recruitment.models import Candidate, StageEntry
from recruitment.vocabulary import PIPELINE
from reports.progress import periods
from reports.progress.report import progress_report

from ..builders import admit, org

pytestmark = pytest.mark.django_db
FIRST = datetime.date(2024, 1, 1)
LAST_DAY = 1060  # FIRST + 1060 days: 26/11/2026, before the frozen today
NOW = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)
EXITS = (MovementKind.DIED, MovementKind.STRUCK_OFF, MovementKind.EXPELLED, MovementKind.TRANSFERRED_OUT)

day = st.integers(0, LAST_DAY)
events = st.lists(
    st.one_of(
        st.tuples(st.just("admit"), day, st.integers(0, 5), st.integers(1, 3)),
        st.tuples(st.just("exit"), day, st.integers(0, 99), st.sampled_from(EXITS)),
        st.tuples(st.just("transfer"), day, st.integers(0, 99), st.integers(0, 5)),
        st.tuples(st.just("candidate"), day, st.integers(0, 5), st.lists(st.integers(1, 200), max_size=6)),
    ),
    max_size=25,
)


def to_date(n: int) -> datetime.date:
    return FIRST + datetime.timedelta(days=n)


def build(cells_per_commune, merge_day, evts):
    """Province, communes A and B (with cells); when `merge_day`, commune N made that day from A."""
    province = org(Level.PROVINCE)
    a = org(Level.COMMUNE, province)
    b = org(Level.COMMUNE, province)
    cells = [org(Level.CELL, a) for _ in range(cells_per_commune[0])]
    cells += [org(Level.CELL, b) for _ in range(cells_per_commune[1])]
    n = None
    merge = to_date(merge_day) if merge_day is not None else None
    timeline = sorted(evts, key=lambda e: e[1])
    if merge is not None:
        timeline.append(("merge", merge_day))
        timeline.sort(key=lambda e: (e[1], e[0] != "merge"))
    for event in timeline:
        kind, on = event[0], to_date(event[1])
        alive = [c for c in cells if c.active_on(on)]
        if kind == "merge":
            n = org(Level.COMMUNE, province, founded_on=on)
            successor = org(Level.CELL, n, founded_on=on)
            for c in [c for c in cells if c.path.startswith(a.path)]:
                services.organisation_merge(organisation=c, into=successor, on=on)
                c.refresh_from_db()
            services.organisation_merge(organisation=a, into=n, on=on)
            cells.append(successor)
        elif kind == "admit" and alive:
            admit(alive[event[2] % len(alive)], [on] * event[3])
        elif kind in ("exit", "transfer"):
            members = list(
                Member.objects.filter(status__in=["probationary", "full"])
                .annotate(last=Max("movements__date"))
                .filter(last__lte=on)
                .order_by("pk")
            )
            if not members:
                continue
            member = members[event[2] % len(members)]
            if kind == "exit":
                services.member_record_exit(member=member, kind=event[3], on=on)
            else:
                targets = [c for c in alive if c.pk != member.cell_id]
                if targets:
                    services.member_transfer(member=member, to_cell=targets[event[3] % len(targets)], on=on)
        elif kind == "candidate" and alive:
            cell = alive[event[2] % len(alive)]
            steps, when = [], on
            for stage, gap in zip(PIPELINE[:6], [0, *event[3]], strict=False):
                when += datetime.timedelta(days=gap)
                steps.append((stage, when))
            person = Person.objects.create(
                full_name="Quần chúng", gender="female", date_of_birth=datetime.date(2000, 1, 1)
            )
            c = Candidate.objects.create(
                person=person, cell=cell, stage=steps[-1][0], stage_entered_on=steps[-1][1], proposed_on=on
            )
            StageEntry.objects.bulk_create(StageEntry(candidate=c, stage=s, entered_on=d) for s, d in steps)
    return province, a, b, n


def cut_at(d: datetime.date) -> None:
    """Delete everything dated after `d`; undo the merges after it."""
    MemberMovement.objects.filter(date__gt=d).delete()
    Member.objects.filter(movements__isnull=True).delete()
    StageEntry.objects.filter(entered_on__gt=d).delete()
    Candidate.objects.filter(stage_entries__isnull=True).delete()
    for c in Candidate.objects.all():
        last = c.stage_entries.order_by("entered_on", "pk").last()
        Candidate.objects.filter(pk=c.pk).update(stage=last.stage, stage_entered_on=last.entered_on)
    Organisation.objects.filter(dissolved_on__gt=d).update(dissolved_on=None, merged_into=None)


def balanced(report) -> bool:
    m = report.members
    return m.start + sum(MOVEMENT_SIGN[k] * n for k, n in m.movements.items()) == m.end


def own_admissions(unit, start, end) -> int:
    return MemberMovement.objects.filter(
        organisation__path__startswith=unit.path, kind=MovementKind.ADMITTED, date__gte=start, date__lte=end
    ).count()


@time_machine.travel(NOW, tick=False)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells_per_commune=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    merge_day=st.none() | st.integers(100, LAST_DAY - 100),
    evts=events,
    as_on=st.integers(0, LAST_DAY),
)
def test_a_report_as_on_a_day_is_the_report_of_the_data_up_to_that_day(cells_per_commune, merge_day, evts, as_on):
    d = to_date(as_on)
    with transaction.atomic():
        province, a, b, n = build(cells_per_commune, merge_day, evts)
        units = [u for u in (province, a, b, n) if u is not None and (u.founded_on is None or u.founded_on <= d)]
        wanted = [periods.year(d.year), periods.term_containing(d)]
        whole = {}
        for unit in units:
            for period in wanted:
                report = progress_report(unit, period, d)
                assert balanced(report), (unit, period.key, report.members)  # (c)
                whole[unit.pk, period.key] = report

        if n is not None and n.founded_on <= d:  # (b)
            for period in wanted:
                successor, predecessor = whole[n.pk, period.key], whole[a.pk, period.key]
                end = min(d, period.end)
                own_start = member_count_on(organisation=n, day=period.start - datetime.timedelta(days=1))
                assert successor.members.start == predecessor.members.start + own_start
                assert successor.members.end == predecessor.members.end + member_count_on(organisation=n, day=end)
                assert successor.admissions.period == predecessor.admissions.period + own_admissions(
                    n, period.start, end
                )

        cut_at(d)  # (a)
        for unit in units:
            unit.refresh_from_db()
            for period in wanted:
                assert progress_report(unit, period, d).as_json() == whole[unit.pk, period.key].as_json()
        transaction.set_rollback(True)
