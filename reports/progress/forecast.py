"""Pipeline forecast: how many of today's candidates will be admitted before the period ends.

For each open stage, the subtree's own history gives the share of candidates who, having entered
that stage, went on to an admission decision, and the median days it took. A stage with too little
history (fewer than MIN_HISTORY finished cases) borrows the parent's figures. A candidate counts
towards the forecast, weighted by that share, when the median path lands before the period's end.
"""

import datetime
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from members.scoping import subtree_q
from recruitment.models import Candidate, StageEntry
from recruitment.vocabulary import EXITS, OPEN_STAGES, PIPELINE, Stage

from .shape import StageForecast

MIN_HISTORY = 5
DECIDED_INDEX = PIPELINE.index(Stage.DECIDED)


@dataclass(frozen=True)
class StageHistory:
    finished: int  # entered the stage and then were decided or left the pipeline
    converted: int  # of those, reached an admission decision
    median_days_to_decision: float | None

    @property
    def rate(self) -> float | None:
        return self.converted / self.finished if self.finished else None


def stage_history(entries: list[tuple[int, str, datetime.date]]) -> dict[str, StageHistory]:
    """`entries`: (candidate_id, stage, entered_on) in date order per candidate."""
    by_candidate: dict[int, list[tuple[str, datetime.date]]] = defaultdict(list)
    for candidate_id, stage, entered_on in entries:
        by_candidate[candidate_id].append((stage, entered_on))
    finished: dict[str, int] = defaultdict(int)
    converted: dict[str, int] = defaultdict(int)
    days: dict[str, list[int]] = defaultdict(list)
    for steps in by_candidate.values():
        decided_on = next((d for s, d in steps if s in PIPELINE and PIPELINE.index(s) >= DECIDED_INDEX), None)
        exited = any(s in EXITS for s, _d in steps)
        if decided_on is None and not exited:
            continue  # still on its way: neither a success nor a failure yet
        first_entry: dict[str, datetime.date] = {}
        for stage, entered_on in steps:
            if stage in OPEN_STAGES and stage != Stage.DECIDED:
                first_entry.setdefault(stage, entered_on)
        for stage, entered_on in first_entry.items():
            finished[stage] += 1
            if decided_on is not None and decided_on >= entered_on:
                converted[stage] += 1
                days[stage].append((decided_on - entered_on).days)
    return {
        stage: StageHistory(finished[stage], converted[stage], statistics.median(days[stage]) if days[stage] else None)
        for stage in finished
    }


def _usable(history: StageHistory | None) -> bool:
    return history is not None and history.finished >= MIN_HISTORY


@dataclass(frozen=True)
class Forecast:
    expected: float  # admissions expected before the period ends
    by_stage: dict[str, StageForecast]  # the open stages before a decision that have candidates


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
    total = 0.0
    for stage in OPEN_STAGES:
        if stage == Stage.DECIDED:
            continue
        here = [entered for s, entered in candidates if s == stage]
        if not here:
            continue
        own = history.get(stage)
        borrowed = not _usable(own) and parent_history is not None and _usable(parent_history.get(stage))
        used = parent_history.get(stage) if borrowed else own
        rate = used.rate if used else None
        median_days = used.median_days_to_decision if used else None
        counted = 0
        if rate and median_days is not None:
            for entered in here:
                arrives = max(entered + datetime.timedelta(days=math.ceil(median_days)), today)
                counted += arrives <= period_end
        expected = counted * (rate or 0)
        total += expected
        by_stage[str(stage.value)] = StageForecast(
            candidates=len(here),
            rate=round(rate, 3) if rate is not None else None,
            median_days=median_days,
            counted=counted,
            expected=round(expected, 1),
            borrowed=borrowed,
        )
    return Forecast(round(total, 1), by_stage)


def load_entries(paths: list[str]) -> list[tuple[int, str, datetime.date, str]]:
    """(candidate_id, stage, entered_on, cell path) for every candidate under `paths`, one query."""
    return list(
        StageEntry.objects.filter(subtree_q(paths, "candidate__cell__path"))
        .order_by("candidate_id", "entered_on", "pk")
        .values_list("candidate_id", "stage", "entered_on", "candidate__cell__path")
    )


def load_open_candidates(paths: list[str]) -> list[tuple[str, datetime.date, str]]:
    return list(
        Candidate.objects.filter(subtree_q(paths, "cell__path"), stage__in=OPEN_STAGES).values_list(
            "stage", "stage_entered_on", "cell__path"
        )
    )
