"""`build_candidates`: the admission pipeline of the demo province, planned then walked through the services."""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from members.demo.people import PersonFactory
from members.demo.province import CellPlan

from .cells import read_cells
from .classes import ClassCalendar
from .mix import Mix
from .paperwork import Registers
from .planner import Plan, Planner
from .small_cell import found_small_cell
from .walk import Refusal, Walk


@dataclass(frozen=True)
class CandidateReport:
    candidates: int
    refusals: list[Refusal]


def build_candidates(
    *,
    cells: list[CellPlan],
    total: int,
    rng: random.Random,
    people: PersonFactory,
    today: datetime.date,
    progress: Callable[[str], None] = lambda _: None,
) -> CandidateReport:
    """About `total` candidates in the cells of `cells` that are active today (run after the rolls)."""
    if total <= 0:
        return CandidateReport(0, [])
    small_cell = found_small_cell(cells, rng, today)
    facts = read_cells(cells + ([small_cell.plan] if small_cell else []), rng)
    calendar = ClassCalendar(facts, rng, today)
    planner = Planner(rng=rng, today=today, people=people, calendar=calendar)
    mix = Mix(rng=rng, planner=planner, cells=facts, calendar=calendar, small_cell=small_cell)
    plans = mix.plans(total, progress)
    _seat(plans)
    _number(plans, rng)
    progress(f"Đang ghi {len(plans)} quần chúng ưu tú qua các bước của quy trình kết nạp…")
    walked = Walk(plans, calendar, progress).run()
    return CandidateReport(walked.candidates, walked.refusals)


def _seat(plans: list[Plan]) -> None:
    for plan in plans:
        for slot, passed in plan.seats:
            slot.seats.append((plan.index, passed))


def _number(plans: list[Plan], rng: random.Random) -> None:
    registers = Registers(rng)
    for plan in plans:
        commune = plan.cell.commune.pk
        for slot, passed in plan.seats:
            if passed:
                registers.certificate(commune, slot.certificates_on, slot.starts_on.toordinal(), plan.index)
        if plan.steps and plan.steps.decided:
            registers.decision(commune, plan.steps.decided, plan.index, "admission")
        if plan.steps and plan.steps.recognised:
            registers.decision(commune, plan.steps.recognised, plan.index, "recognition")
    decisions, certificates = registers.number()
    for plan in plans:
        plan.certificate_number = certificates.get(plan.index, "")
        plan.decision_number = decisions.get((plan.index, "admission"), "")
        plan.recognition_number = decisions.get((plan.index, "recognition"), "")
