"""Pipeline forecast: how many of today's candidates will be admitted before the period ends.

One model, used by the report (sections.py), hence the dashboard, the early warnings and the digest,
which all read the stored report. For each open stage before a decision, the unit's own history
(`stage_history`) gives the share of the candidates who, having entered that stage, went on to an
admission decision (`rate`) and the median days it took (`median_days`). A stage with too little
history (fewer than MIN_HISTORY finished cases) borrows the parent's figures.

A candidate in the stage is either
- **on time**: waited no longer than the median. Counted, weighted by `rate`, only when the median
  path (stage entered + median days) lands inside the period: nobody is expected after its end;
- **stalled**: waited longer than the median (the usual time). The median path is behind them, so
  it says nothing; they are discounted by the history of candidates who had waited as long at that
  stage: of the finished cases whose outcome (a decision or an exit) came at least as many days
  after entering the stage, the share decided by the same waiting time plus the days left in the
  period. Fewer than MIN_HISTORY such cases: the history cannot vouch for them and they count 0.

The figures speak in whole people: each stage's expectation is rounded once (`whole_people`) and the
total is the sum of the stages, so the numbers printed side by side add up. A closed period (its
end before the report's day) gets no forecast at all (sections.py).
"""

import bisect
import datetime
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from members.scoping import subtree_q
from recruitment.models import StageEntry
from recruitment.vocabulary import EXITS, OPEN_STAGES, PIPELINE, Stage

from ..quotas.arithmetic import whole_people
from .shape import StageForecast, StalledCandidates

MIN_HISTORY = 5
DECIDED_INDEX = PIPELINE.index(Stage.DECIDED)


@dataclass(frozen=True)
class StageHistory:
    finished: int  # entered the stage and then were decided or left the pipeline
    converted: int  # of those, reached an admission decision
    median_days_to_decision: float | None
    # (days from entering the stage to the outcome, decided?) of every finished case
    outcomes: tuple[tuple[int, bool], ...] = ()

    @property
    def rate(self) -> float | None:
        return self.converted / self.finished if self.finished else None

    def after_waiting(self, waited: int, days_left: int) -> tuple[int, float | None]:
        """(cases that had waited `waited` days, share of them decided within `days_left` more days).

        Remembered per history: a province's stalled candidates share a few hundred waits, and the children
        that borrow their parent's history ask it the same questions."""
        memo = self._after_waiting_memo
        key = (waited, days_left)
        found = memo.get(key)
        if found is None:
            found = memo[key] = self._after_waiting(waited, days_left)
        return found

    @cached_property
    def _after_waiting_memo(self) -> dict[tuple[int, int], tuple[int, float | None]]:
        return {}

    def _after_waiting(self, waited: int, days_left: int) -> tuple[int, float | None]:
        ordered, decided_before = self._ordered
        first = bisect.bisect_left(ordered, (waited, False))  # the cases with days >= waited from here on
        still_waiting = len(ordered) - first
        if not still_waiting:
            return 0, None
        # Of those, the ones decided with days <= waited + days_left (days_left is never negative).
        last = max(bisect.bisect_right(ordered, (waited + days_left, True)), first)
        decided = decided_before[last] - decided_before[first]
        return still_waiting, decided / still_waiting

    @cached_property
    def _ordered(self) -> tuple[list[tuple[int, bool]], list[int]]:
        """The outcomes by (days, decided), and how many of the first i were decided, for each i: a
        province's report asks `after_waiting` for every stalled candidate of every child."""
        ordered = sorted(self.outcomes)
        return ordered, [0, *accumulate(1 if decided else 0 for _days, decided in ordered)]


# The stage tests of `stage_history` as sets (a province's report runs them for every stage entry of
# every child): at or after the decision in the pipeline; an exit; an open stage before the decision.
_DECIDED_OR_LATER = frozenset(PIPELINE[DECIDED_INDEX:])
_EXITS = frozenset(EXITS)
_BEFORE_DECISION = frozenset(s for s in OPEN_STAGES if s != Stage.DECIDED)
# Which of the three a stage is (the sets are disjoint), by the stage as stored.
_BEFORE, _DECIDED, _EXIT = "before", "decided", "exit"
_KIND: dict[str, str] = {
    **{str(s): _BEFORE for s in _BEFORE_DECISION},
    **{str(s): _DECIDED for s in _DECIDED_OR_LATER},
    **{str(s): _EXIT for s in _EXITS},
}


def stage_history(entries: list[tuple[int, str, datetime.date]]) -> dict[str, StageHistory]:
    """`entries`: (candidate_id, stage, entered_on) in date order per candidate."""
    by_candidate: dict[int, list[tuple[int, str, datetime.date]]] = defaultdict(list)
    for entry in entries:
        by_candidate[entry[0]].append(entry)
    finished: dict[str, int] = defaultdict(int)
    converted: dict[str, int] = defaultdict(int)
    days: dict[str, list[int]] = defaultdict(list)
    outcomes: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for steps in by_candidate.values():
        # The first decision (or later stage) and the first exit, and the first entry of each open stage
        # before the decision, in one reading of the candidate's steps.
        decided_on = exited_on = None
        first_entry: dict[str, datetime.date] = {}
        for _candidate, stage, entered_on in steps:
            kind = _KIND.get(stage)
            if kind is _BEFORE:
                if stage not in first_entry:
                    first_entry[stage] = entered_on
            elif kind is _DECIDED:
                if decided_on is None:
                    decided_on = entered_on
            elif kind is _EXIT and exited_on is None:
                exited_on = entered_on
        if decided_on is None and exited_on is None:
            continue  # still on its way: neither a success nor a failure yet
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
        stage: StageHistory(
            finished[stage],
            converted[stage],
            statistics.median(days[stage]) if days[stage] else None,
            tuple(sorted(outcomes[stage])),
        )
        for stage in finished
    }


def _usable(history: StageHistory | None) -> bool:
    return history is not None and history.finished >= MIN_HISTORY


@dataclass(frozen=True)
class Forecast:
    expected: int  # whole people expected before the period ends (the sum of the stages)
    by_stage: dict[str, StageForecast]  # the open stages before a decision that have candidates
    stalled: tuple[StalledCandidates, ...]  # per stage, the candidates past the stage's usual time


def forecast(
    *,
    candidates: list[tuple[str, datetime.date]],
    history: dict[str, StageHistory],
    parent_history: dict[str, StageHistory] | None,
    today: datetime.date,
    period_end: datetime.date,
) -> Forecast:
    """`candidates`: (stage, stage_entered_on) of the candidates in open stages before a decision."""
    by_stage: dict[str, StageForecast] = {}
    stalled_groups: list[StalledCandidates] = []
    total = 0
    days_left = max((period_end - today).days, 0)
    by_stage_entered: dict[str, list[datetime.date]] = defaultdict(list)  # the candidates by stage, in order
    for s, entered in candidates:
        by_stage_entered[s].append(entered)
    for stage in OPEN_STAGES:
        if stage == Stage.DECIDED:
            continue
        here = by_stage_entered.get(str(stage))
        if not here:
            continue
        own = history.get(stage)
        borrowed = not _usable(own) and parent_history is not None and _usable(parent_history.get(stage))
        used = parent_history.get(stage) if borrowed else own
        rate = used.rate if used else None
        median_days = used.median_days_to_decision if used else None
        counted = 0
        exact = 0.0
        waited_stalled: list[int] = []
        stalled_exact = 0.0
        if rate and median_days is not None:
            usual = math.ceil(median_days)  # never negative: days from an entry to its decision
            # Waited longer than usual (max((today - entered).days, 0) > usual) <=> entered before `stalled_from`;
            # the median path inside the period (entered + usual days <= period_end) <=> entered by `on_time_by`.
            stalled_from = today - datetime.timedelta(days=max(usual, 0))
            on_time_by = period_end - datetime.timedelta(days=usual)
            for entered in here:
                if (usual < 0 or entered < stalled_from) and (waited := max((today - entered).days, 0)) > usual:
                    waited_stalled.append(waited)
                    cases, share = used.after_waiting(waited, days_left)
                    if cases >= MIN_HISTORY and share:
                        stalled_exact += share
                elif entered <= on_time_by:
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
    return Forecast(total, by_stage, tuple(stalled_groups))


def load_entries(paths: list[str]) -> list[tuple[int, str, datetime.date, str]]:
    """(candidate_id, stage, entered_on, cell path) for every candidate under `paths`, one query."""
    return list(
        StageEntry.objects.filter(subtree_q(paths, "candidate__cell__path"))
        .order_by("candidate_id", "entered_on", "pk")
        .values_list("candidate_id", "stage", "entered_on", "candidate__cell__path")
    )
