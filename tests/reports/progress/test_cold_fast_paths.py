"""The cold report's fast paths give what the plain computations they replace give.

- `DatabaseSource.member_counts` counts the movements by kind in one query, and `movement_counts` answers a
  stretch between two of its days from those counts without a query: both equal members.selectors.
  member_counts_on and the grouped query a fresh source runs;
- `admissions_between` fills each `Admission` without its __init__: equal to the dataclass built from the row;
- the breakdown counts the occupations, the levels of education and training by value and each age once:
  equal to every row's own test run over every admission;
- `admitted_between` bisects the date-ordered admissions: equal to the filter;
- a stage history reads each candidate's steps once, a forecast groups its candidates by stage and remembers
  each wait's answer: equal to the computations before (reference copies below).
"""

import dataclasses
import datetime
import math
import statistics
from collections import Counter, defaultdict

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members import services
from members.selectors import member_counts_on
from members.vocabulary import GeneralEducation, Level, Occupation, ProfessionalTraining, Sector
from recruitment.vocabulary import EXITS, OPEN_STAGES, Stage
from reports.progress import breakdown as bd
from reports.progress import forecast as fc
from reports.progress.admissions import FIELDS, Admission, admissions_between, admitted_movements
from reports.progress.facts import DatabaseSource
from reports.progress.lineage import lineage_of
from reports.progress.sections import _ChildrenOf, admitted_between
from reports.progress.shape import StageForecast, StalledCandidates
from reports.quotas.arithmetic import whole_people

from ..builders import admit, org
from .test_report_properties import LAST_DAY, NOW, build, events, to_date

pytestmark = pytest.mark.django_db


def grouped_movements(paths, start, end):
    """The movement counts as a fresh source reads them: its own grouped query."""
    source = DatabaseSource()
    with CaptureQueriesContext(connection) as ctx:
        counts = source.movement_counts(paths, start, end)
    assert len(ctx.captured_queries) == (1 if start <= end else 0)
    return counts


@time_machine.travel(NOW, tick=False)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells_per_commune=st.tuples(st.integers(1, 3), st.integers(1, 2)),
    merge_day=st.none() | st.integers(100, LAST_DAY - 100),
    evts=events,
    days=st.lists(st.integers(-5, LAST_DAY + 5), min_size=1, max_size=4),
    stretch=st.tuples(st.integers(0, 3), st.integers(0, 3)),
)
def test_the_member_and_movement_counts_from_one_query_equal_the_separate_queries(
    cells_per_commune, merge_day, evts, days, stretch
):
    with transaction.atomic():
        province, a, b, n = build(cells_per_commune, merge_day, evts)
        days = [to_date(d) for d in days]
        ordered = sorted(set(days))
        for unit in (province, a, b, n):
            if unit is None:
                continue
            paths = lineage_of(unit, on=max(days)).paths
            source = DatabaseSource()
            with CaptureQueriesContext(connection) as ctx:
                counts = source.member_counts(paths, days)
            assert len(ctx.captured_queries) == 1
            assert counts == member_counts_on(paths=paths, days=days)
            # A stretch from the day after one counted day to another: answered from the counts.
            before = ordered[min(stretch[0], len(ordered) - 1)]
            end = ordered[min(stretch[1], len(ordered) - 1)]
            start = before + datetime.timedelta(days=1)
            with CaptureQueriesContext(connection) as ctx:
                between = source.movement_counts(paths, start, end)
            assert len(ctx.captured_queries) == 0
            assert between == grouped_movements(paths, start, end)
            # Only the last counts answer: after counts on other days, the same stretch is read again.
            source.member_counts(paths, [to_date(LAST_DAY + 10)])
            with CaptureQueriesContext(connection) as ctx:
                again = source.movement_counts(paths, start, end)
            assert len(ctx.captured_queries) == (1 if start <= end else 0)
            assert again == between
            # Any other stretch is read from the database, as before.
            other = (to_date(0), to_date(LAST_DAY // 2))
            assert source.movement_counts(paths, *other) == grouped_movements(paths, *other)
        transaction.set_rollback(True)


def merged_tree():
    """A province with commune `old` (one cell) merged on 01/03/2025 into `new` (one cell)."""
    day = datetime.date(2025, 3, 1)
    province = org(Level.PROVINCE)
    old, new = org(Level.COMMUNE, province), org(Level.COMMUNE, province, founded_on=day)
    old_cell, new_cell = org(Level.CELL, old), org(Level.CELL, new, founded_on=day, sector=Sector.RESIDENTIAL)
    admit(old_cell, [datetime.date(2024, 5, 1), datetime.date(2025, 1, 2)], gender="female", occupation="farmer")
    services.organisation_merge(organisation=old_cell, into=new_cell, on=day)
    services.organisation_merge(organisation=old, into=new, on=day)
    admit(new_cell, [datetime.date(2025, 4, 1)], date_of_birth=datetime.date(2000, 2, 29))
    return province, old, new, old_cell, new_cell


def test_the_admissions_equal_the_dataclasses_built_from_their_rows():
    _province, old, new, _old_cell, _new_cell = merged_tree()
    lineage = lineage_of(new, on=datetime.date(2026, 1, 1))
    assert old.path in lineage.merged_into
    start, end = datetime.date(2024, 1, 1), datetime.date(2026, 1, 1)
    rows = admitted_movements(lineage.paths, start, end).values_list(*FIELDS).order_by("date", "pk")
    wanted = [Admission(row[0], lineage.owner_path(row[1]), *row[2:]) for row in rows]
    got = admissions_between(lineage, start, end)
    assert len(got) == 3 and all(a.path.startswith(new.path) for a in got)
    assert got == wanted
    assert [hash(a) for a in got] == [hash(a) for a in wanted]
    assert [dataclasses.astuple(a) for a in got] == [dataclasses.astuple(a) for a in wanted]
    assert [vars(a) for a in got] == [vars(a) for a in wanted]
    with pytest.raises(dataclasses.FrozenInstanceError):
        got[0].path = "x"
    assert dataclasses.replace(got[0], path="x").path == "x"


admission = st.builds(
    Admission,
    date=st.dates(datetime.date(2019, 1, 1), datetime.date(2027, 1, 1)),
    path=st.sampled_from(["0001", "00010001", "00010002"]),
    sector=st.sampled_from([*Sector.values, ""]),
    gender=st.sampled_from(["female", "male", ""]),
    ethnicity=st.sampled_from(["Kinh", "Tày", ""]),
    religion=st.sampled_from(["", "Không", "không", "Phật giáo"]),
    youth_union=st.booleans(),
    business_owner=st.booleans(),
    readmitted=st.booleans(),
    occupation=st.sampled_from([*Occupation.values, "", "unknown"]),
    birth_date=st.dates(datetime.date(1930, 1, 1), datetime.date(2012, 12, 31)),
    education=st.sampled_from([*GeneralEducation.values, ""]),
    training=st.sampled_from([*ProfessionalTraining.values, ""]),
    introduced_by=st.none() | st.sampled_from(["youth_union", "cell"]),
    member_id=st.integers(1, 10**6),
)


def every_row_tested(admissions: list[Admission]) -> Counter:
    """The breakdown's counts as every row's own test gives them (the computation before the fast path)."""
    counts: Counter = Counter()
    for key, _label, test in bd.ROWS:
        if key == "age:under_18":
            continue
        n = sum(1 for a in admissions if test(a))
        if n:
            counts[key] = n
    return counts


@pytest.mark.django_db(databases=[])
@settings(max_examples=200, deadline=None)
@given(st.lists(admission, max_size=40), st.lists(admission, max_size=10))
def test_the_breakdown_counts_equal_every_rows_own_test(now, before):
    assert bd._counts(now) == every_row_tested(now)
    assert bd._counts(now, bd._ages(now)) == every_row_tested(now)
    result = bd.breakdown(now, before, None)
    wanted_now, wanted_before = every_row_tested(now), every_row_tested(before)
    assert {row.key: (row.this, row.last) for row in result.rows} == {
        key: (wanted_now[key], wanted_before[key]) for key, _label, _test in bd.ROWS
    }
    ages = [bd.age_at_admission(a) for a in now]
    assert result.average_age == (f"{sum(ages) / len(ages):.1f}" if ages else None)


@pytest.mark.django_db(databases=[])
@given(
    st.lists(st.dates(datetime.date(2020, 1, 1), datetime.date(2020, 3, 1)), max_size=30),
    st.dates(datetime.date(2019, 12, 25), datetime.date(2020, 3, 5)),
    st.dates(datetime.date(2019, 12, 25), datetime.date(2020, 3, 5)),
)
def test_admitted_between_bisects_as_the_filter_counts(days, start, end):
    admissions = tuple(
        Admission(d, "0001", *[""] * 4, False, False, False, "", d, "", "", None, i) for i, d in enumerate(sorted(days))
    )
    wanted = [a for a in admissions if start <= a.date <= end]
    assert admitted_between(admissions, start, end) == wanted
    assert admitted_between(list(admissions), start, end) == wanted
    assert admitted_between(iter(admissions), start, end) == wanted


def test_each_cells_child_is_its_owners_prefix():
    province, old, new, old_cell, new_cell = merged_tree()
    lineage = lineage_of(province, on=datetime.date(2026, 1, 1))
    child_of = _ChildrenOf(lineage, len(new.path))
    for path in (old_cell.path, new_cell.path, old.path, "9999"):
        assert child_of[path] == lineage.owner_path(path)[: len(new.path)]
    lineage = lineage_of(new, on=datetime.date(2026, 1, 1))
    child_of = _ChildrenOf(lineage, len(new_cell.path))
    assert child_of[old_cell.path] == lineage.owner_path(old_cell.path)[: len(new_cell.path)]
    assert child_of[old_cell.path].startswith(new.path)


# --- the forecast: the stage histories and the forecast as they were computed before (reference copies) ---


def old_stage_history(entries):
    by_candidate = defaultdict(list)
    for candidate_id, stage, entered_on in entries:
        by_candidate[candidate_id].append((stage, entered_on))
    finished, converted, days, outcomes = defaultdict(int), defaultdict(int), defaultdict(list), defaultdict(list)
    for steps in by_candidate.values():
        decided_on = next((d for s, d in steps if s in fc._DECIDED_OR_LATER), None)
        exited_on = next((d for s, d in steps if s in fc._EXITS), None)
        if decided_on is None and exited_on is None:
            continue
        first_entry = {}
        for stage, entered_on in steps:
            if stage in fc._BEFORE_DECISION:
                first_entry.setdefault(stage, entered_on)
        for stage, entered_on in first_entry.items():
            finished[stage] += 1
            if decided_on is not None and decided_on >= entered_on:
                converted[stage] += 1
                days[stage].append((decided_on - entered_on).days)
                outcomes[stage].append(((decided_on - entered_on).days, True))
            else:
                ended = exited_on if exited_on is not None else decided_on
                outcomes[stage].append((max((ended - entered_on).days, 0), False))
    return {
        stage: fc.StageHistory(
            finished[stage],
            converted[stage],
            statistics.median(days[stage]) if days[stage] else None,
            tuple(sorted(outcomes[stage])),
        )
        for stage in finished
    }


def old_forecast(*, candidates, history, parent_history, today, period_end):
    by_stage, stalled_groups, total = {}, [], 0
    days_left = max((period_end - today).days, 0)
    for stage in OPEN_STAGES:
        if stage == Stage.DECIDED:
            continue
        here = [entered for s, entered in candidates if s == stage]
        if not here:
            continue
        own = history.get(stage)
        borrowed = not fc._usable(own) and parent_history is not None and fc._usable(parent_history.get(stage))
        used = parent_history.get(stage) if borrowed else own
        rate = used.rate if used else None
        median_days = used.median_days_to_decision if used else None
        counted, exact, waited_stalled, stalled_exact = 0, 0.0, [], 0.0
        if rate and median_days is not None:
            usual = math.ceil(median_days)
            for entered in here:
                waited = max((today - entered).days, 0)
                if waited > usual:
                    waited_stalled.append(waited)
                    cases, share = used._after_waiting(waited, days_left)  # without the memo
                    if cases >= fc.MIN_HISTORY and share:
                        stalled_exact += share
                elif entered + datetime.timedelta(days=usual) <= period_end:
                    counted += 1
            exact = counted * rate + stalled_exact
        expected = whole_people(exact)
        total += expected
        if waited_stalled:
            stalled_groups.append(
                StalledCandidates(
                    stage=str(stage.value),
                    usual_days=math.ceil(median_days),
                    waited_days=tuple(sorted(waited_stalled, reverse=True)),
                    expected=whole_people(stalled_exact),
                )
            )
        by_stage[str(stage.value)] = StageForecast(
            candidates=len(here),
            rate=round(rate, 3) if rate is not None else None,
            median_days=median_days,
            counted=counted,
            expected=expected,
            borrowed=borrowed,
            stalled=len(waited_stalled),
        )
    return fc.Forecast(total, by_stage, tuple(stalled_groups))


DAY0 = datetime.date(2025, 1, 1)
# Few candidates, stages and days, so that the edges (a wait of exactly the usual days, a median path ending on
# the period's last day, two exits) come up.
step = st.tuples(
    st.integers(1, 8),
    st.sampled_from([str(s) for s in (Stage.SOURCE, Stage.TRAINING, Stage.DECIDED, *EXITS)]),
    st.integers(0, 40),
)
open_candidate = st.tuples(st.sampled_from([str(Stage.SOURCE), str(Stage.TRAINING)]), st.integers(0, 60))


@pytest.mark.django_db(databases=[])
@settings(max_examples=300, deadline=None)
@given(
    st.lists(step, max_size=60),
    st.lists(step, max_size=60),
    st.lists(open_candidate, max_size=30),
    st.integers(30, 70),
    st.integers(0, 30),
)
def test_the_stage_histories_and_the_forecast_equal_the_computation_before(
    steps, parent_steps, candidates, today, left
):
    def entries(rows):  # in date order per candidate, as the facts hold them
        return sorted(((c, s, DAY0 + datetime.timedelta(days=d)) for c, s, d in rows), key=lambda e: (e[0], e[2]))

    own, parent = entries(steps), entries(parent_steps)
    history, parent_history = fc.stage_history(own), fc.stage_history(parent)
    assert history == old_stage_history(own) and parent_history == old_stage_history(parent)
    today_, period_end = DAY0 + datetime.timedelta(days=today), DAY0 + datetime.timedelta(days=today + left)
    edges = []  # candidates on the edges: a wait of the usual days (±1), a median path ending on the last day (±1)
    for stage, used in [*parent_history.items(), *history.items()]:
        if used.median_days_to_decision is not None:
            usual = datetime.timedelta(days=math.ceil(used.median_days_to_decision))
            for day in (today_ - usual, period_end - usual):
                edges += [(stage, day + datetime.timedelta(days=shift)) for shift in (-1, 0, 1)]
    kwargs = {
        "candidates": [(s, DAY0 + datetime.timedelta(days=d)) for s, d in candidates] + edges,
        "history": history,
        "parent_history": parent_history,
        "today": today_,
        "period_end": period_end,
    }
    assert fc.forecast(**kwargs) == old_forecast(**kwargs)
    assert fc.forecast(**kwargs) == old_forecast(**kwargs)  # again, with the waits remembered


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_quotas_labels_are_its_fields_displays(language):
    from django.utils import translation

    from reports.models import Quota
    from reports.progress.sections import display
    from reports.vocabulary import QuotaMetric, QuotaSource

    with translation.override(language):
        for source in [*QuotaSource.values, "not-a-source"]:
            for metric in QuotaMetric.values:
                for attribute in [None, "women", "ethnic_minority"]:
                    quota = Quota(source=source, metric=metric, share_attribute=attribute)
                    assert display(quota, "source") == quota.get_source_display()
                    assert display(quota, "metric") == quota.get_metric_display()
                    assert display(quota, "share_attribute") == str(quota.get_share_attribute_display())
