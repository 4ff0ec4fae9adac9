"""Where the demo's candidates end up: the showcase every build has, and the mix of the rest.

The showcase puts at least one candidate in every stage and every exit, leaves each warning of the
rules open on some candidate's current stage (a warning is kept only until the next step), and
fills each list of the deadlines page. The rest are drawn by weight, cells proposing in proportion
to their rolls, with the occasional slip that real dossiers have (a same-day paper, a late
recognition), so the warnings appear in the history of candidates who moved on as well.
"""

import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..vocabulary import PIPELINE, Stage
from .cells import CellFacts
from .classes import ClassCalendar
from .persons import hardship_allowed
from .planner import Plan, Planner
from .small_cell import SmallCell
from .timeline import Flag as F


class Needs:
    """What a showcase case asks of its cell."""

    ANY = ""
    COMMITTEE = "committee"  # under a grassroots committee, which approves before the decision
    UPLAND = "upland"  # an upland village: the hardship exception to rule 2
    OPEN_CLASS = "open_class"  # the commune has a class whose results are not in yet
    SMALL_CELL = "small_cell"  # fewer than three full members (rule 7)


@dataclass(frozen=True)
class Case:
    outcome: str
    flags: frozenset[str] = field(default_factory=frozenset)
    exit_from: str | None = None
    needs: str = Needs.ANY


def _case(outcome: str, *flags: str, exit_from: str | None = None, needs: str = Needs.ANY) -> Case:
    return Case(outcome, frozenset(flags), exit_from, needs)


SHOWCASE: tuple[Case, ...] = (
    _case(Stage.SOURCE),
    _case(Stage.SOURCE, F.FAILED_CLASS),
    _case(Stage.TRAINING, needs=Needs.OPEN_CLASS),
    _case(Stage.TRAINED),
    _case(Stage.TRAINED, F.FAILED_CLASS, F.PENDING_CHECK),
    _case(Stage.DOSSIER, F.SAME_DAY),  # R04_SAME_DAY
    _case(Stage.DOSSIER, F.CHECKS, F.OVERDUE_CHECK),
    _case(Stage.DOSSIER, F.RETURNED_OPEN),
    _case(Stage.CELL_RESOLUTION, F.OLD_PAPERS),  # R14_PAPER_TOO_OLD
    _case(Stage.CELL_RESOLUTION, needs=Needs.SMALL_CELL),  # R07_TOO_FEW_FULL_MEMBERS
    _case(Stage.CELL_RESOLUTION, F.OVER_AGE),  # R01_OVER_AGE_EXCEPTION
    _case(Stage.CELL_RESOLUTION, F.HARDSHIP, needs=Needs.UPLAND),  # R02_HARDSHIP_EXCEPTION
    _case(Stage.CELL_RESOLUTION, F.OVERDUE_DECISION),
    _case(Stage.COMMITTEE_REVIEW, needs=Needs.COMMITTEE),
    _case(Stage.DECIDED, F.EXTENDED),  # R08_DECISION_EXTENDED
    _case(Stage.DECIDED, F.OVERDUE_CEREMONY),
    _case(Stage.PROBATIONARY, F.LATE_CEREMONY),  # R09_LATE_WITH_CONSENT
    _case(Stage.PROBATIONARY, F.OVERDUE_RECOGNITION),
    _case(Stage.FULL, F.LATE_RECOGNITION),  # R11_RECOGNITION_LATE
    _case(Stage.FULL, F.CHECKS, F.RETURNED_FIXED, needs=Needs.COMMITTEE),
    _case(Stage.WITHDRAWN, exit_from=Stage.TRAINED),
    _case(Stage.REJECTED, exit_from=Stage.DOSSIER),
    _case(Stage.STRUCK_OFF, exit_from=Stage.PROBATIONARY),
)
# The showcase is repeated once for every this many candidates ("some cases" at full size).
SHOWCASE_EVERY = 400

# The rest, by weight. `committee_review` is only for cells under a grassroots committee and
# `training` only for communes whose class is in session (about one in seven of their candidates).
OUTCOME_WEIGHTS = {
    Stage.SOURCE: 15,
    Stage.TRAINING: 0,
    Stage.TRAINED: 15,
    Stage.DOSSIER: 9,
    Stage.CELL_RESOLUTION: 5,
    Stage.COMMITTEE_REVIEW: 8,
    Stage.DECIDED: 4,
    Stage.PROBATIONARY: 19,
    Stage.FULL: 15,
    Stage.WITHDRAWN: 6,
    Stage.REJECTED: 3,
    Stage.STRUCK_OFF: 1,
}
OPEN_CLASS_WEIGHT = 18
# The stage an exit was taken from, by weight.
EXIT_FROM = {
    Stage.WITHDRAWN: {
        Stage.SOURCE: 30,
        Stage.TRAINED: 35,
        Stage.DOSSIER: 15,
        Stage.CELL_RESOLUTION: 8,
        Stage.DECIDED: 5,
    },
    Stage.REJECTED: {Stage.SOURCE: 10, Stage.TRAINED: 20, Stage.DOSSIER: 45, Stage.CELL_RESOLUTION: 25},
    Stage.STRUCK_OFF: {Stage.PROBATIONARY: 1},
}
# Slips and extras of the rest: (chance, the stage a chain must reach for it to apply).
FLAG_CHANCES = {
    F.FAILED_CLASS: (0.05, Stage.TRAINED),
    F.CHECKS: (0.35, Stage.DOSSIER),
    F.PENDING_CHECK: (0.25, Stage.TRAINED),  # only where the candidate stops: trained or dossier
    F.SAME_DAY: (0.03, Stage.DOSSIER),
    F.OLD_PAPERS: (0.02, Stage.CELL_RESOLUTION),
    F.RETURNED_FIXED: (0.03, Stage.CELL_RESOLUTION),
    F.EXTENDED: (0.04, Stage.DECIDED),
    F.LATE_CEREMONY: (0.04, Stage.PROBATIONARY),
    F.LATE_RECOGNITION: (0.08, Stage.FULL),
    F.HARDSHIP: (0.05, Stage.CELL_RESOLUTION),
}
# How many cells a showcase case tries before it is left out of a (tiny) build.
CELLS_TRIED = 25


class Mix:
    def __init__(
        self,
        *,
        rng: random.Random,
        planner: Planner,
        cells: list[CellFacts],
        calendar: ClassCalendar,
        small_cell: SmallCell | None,
    ):
        self.rng = rng
        self.planner = planner
        self.cells = [c for c in cells if c.size]
        self.weights = [c.size for c in self.cells]
        self.calendar = calendar
        self.small_cell = small_cell

    def plans(self, total: int, progress: Callable[[str], None]) -> list[Plan]:
        plans: list[Plan] = []
        copies = max(1, total // SHOWCASE_EVERY)
        for case in [c for _ in range(copies) for c in SHOWCASE]:
            plan = self._showcase(len(plans), case)
            if plan is not None:
                plans.append(plan)
        while len(plans) < total:
            plans.append(self._drawn(len(plans)))
            if len(plans) % 500 == 0:
                progress(f"  … {len(plans)} quần chúng đã lên kế hoạch")
        return plans

    def _fits(self, cell: CellFacts, needs: str) -> bool:
        return {
            Needs.ANY: True,
            Needs.COMMITTEE: cell.committee is not None,
            Needs.UPLAND: hardship_allowed(cell),
            Needs.OPEN_CLASS: self.calendar.open(cell.commune) is not None,
            Needs.SMALL_CELL: self.small_cell is not None and cell.org.pk == self.small_cell.plan.org.pk,
        }[needs]

    def _showcase(self, index: int, case: Case) -> Plan | None:
        fitting = [(c, w) for c, w in zip(self.cells, self.weights, strict=True) if self._fits(c, case.needs)]
        if not fitting:
            return None
        final_after = None
        if case.needs == Needs.SMALL_CELL:
            # The vote comes after the cell fell to two full members.
            final_after = self.small_cell.short_since + datetime.timedelta(days=10)
        for _ in range(CELLS_TRIED):
            cell = self.rng.choices([c for c, _ in fitting], weights=[w for _, w in fitting])[0]
            plan = self.planner.make(
                index, cell, case.outcome, set(case.flags), exit_from=case.exit_from, final_after=final_after
            )
            if plan is not None:
                return plan
        return None

    def _drawn(self, index: int) -> Plan:
        rng = self.rng
        cell = rng.choices(self.cells, weights=self.weights)[0]
        weights = dict(OUTCOME_WEIGHTS)
        if self.calendar.open(cell.commune) is not None:
            weights[Stage.TRAINING] = OPEN_CLASS_WEIGHT
        if cell.committee is None:
            weights[Stage.COMMITTEE_REVIEW] = 0
        outcomes = sorted(weights)
        outcome = rng.choices(outcomes, weights=[weights[o] for o in outcomes])[0]
        exit_from = None
        if outcome in EXIT_FROM:
            stages = sorted(EXIT_FROM[outcome])
            exit_from = rng.choices(stages, weights=[EXIT_FROM[outcome][s] for s in stages])[0]
        flags = self._flags(cell, exit_from or outcome)
        if exit_from:
            flags.discard(F.PENDING_CHECK)  # nobody chases a background check for someone who left
        for stage, flags_kept in self._shorter(outcome, exit_from, flags):
            plan = self.planner.make(index, cell, stage, flags_kept, exit_from=exit_from if stage == outcome else None)
            if plan is not None:
                return plan
        raise AssertionError("a candidate can always be proposed")  # the source stage never fails

    def _flags(self, cell: CellFacts, reached: str) -> set[str]:
        rng, flags = self.rng, set()
        reach = _rank(reached)
        for flag, (chance, needs) in FLAG_CHANCES.items():
            if rng.random() < chance and reach >= _rank(needs):
                flags.add(flag)
        if F.HARDSHIP in flags and not hardship_allowed(cell):
            flags.discard(F.HARDSHIP)
        if F.PENDING_CHECK in flags and reached not in (Stage.TRAINED, Stage.DOSSIER):
            flags.discard(F.PENDING_CHECK)
        return flags

    def _shorter(self, outcome: str, exit_from: str | None, flags: set[str]) -> Iterator[tuple[str, set[str]]]:
        """The drawn outcome, then each earlier stage without the extras, down to `source`."""
        yield outcome, flags
        start = PIPELINE.index(exit_from or outcome) if (exit_from or outcome) in PIPELINE else len(PIPELINE)
        for stage in reversed(PIPELINE[:start]):
            if stage not in (Stage.COMMITTEE_REVIEW, Stage.TRAINING):
                yield stage, set()


def _rank(stage: str) -> int:
    return PIPELINE.index(stage) if stage in PIPELINE else -1
