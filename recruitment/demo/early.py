"""The steps before the dossier, written in bulk with the rows the services would write.

No rule of docs/domain.md §3 runs before the dossier: `candidate_propose`,
`candidate_enroll_in_class` and `class_record_results` only validate their input (which the planner
has already made right) and write records. So the demo writes those same records in bulk: the
Person, the Candidate, one StageEntry per stage, the Enrolment and its result, and the history
rows each save would have left, with the same authors. One by one through the services these
steps were about 4,000 calls and 20 s of a full build; in bulk they take about a second. The
classes themselves are created through `class_create` (a hundred calls). From the dossier on,
where the rules run, every step goes through the services (`walk`).
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.models import Person

from .. import services
from ..models import Candidate, Enrolment, StageEntry
from ..vocabulary import Stage
from .classes import ClassCalendar
from .planner import Plan

# Rows per INSERT, as members.demo.rolls writes them.
BATCH = 1000


@dataclass(frozen=True)
class Entered:
    """One `_move` of the services: the stage, its day, the note and who recorded it."""

    stage: str
    on: datetime.date
    by: object
    note: str = ""


def write_early_steps(
    plans: list[Plan], calendar: ClassCalendar, authors, today: datetime.date
) -> dict[int, Candidate]:
    """Every candidate as far as their classes took them; {plan index: candidate}."""
    ordered = sorted(plans, key=lambda p: (p.proposed_on, p.index))  # primary keys follow the calendar
    # person_create leaves no author on the person's history; the candidate's is the proposer.
    bulk_create_with_history([p.person for p in ordered], Person, batch_size=BATCH)
    candidates: dict[int, Candidate] = {}
    moves: dict[int, list[Entered]] = {}
    for plan in ordered:
        by = authors.of(plan, "propose")
        candidate = Candidate(
            person=plan.person,
            cell=plan.cell.org,
            stage=Stage.SOURCE,
            stage_entered_on=plan.proposed_on,
            introduced_by=plan.introduced_by,
            helper_id=plan.helper_pk,
            proposed_on=plan.proposed_on,
        )
        candidate._history_user = by
        candidates[plan.index] = candidate
        moves[plan.index] = [Entered(Stage.SOURCE, plan.proposed_on, by)]
    bulk_create_with_history(list(candidates.values()), Candidate, batch_size=BATCH)

    enrolments, results = _classes(plans, calendar, authors, today, candidates, moves)
    bulk_create_with_history(enrolments, Enrolment, batch_size=BATCH)
    for enrolment, (passed, number, issued_on, by) in results:
        enrolment.passed, enrolment.certificate_number, enrolment.certificate_issued_on = passed, number, issued_on
        enrolment._history_user = by
    fields = ["passed", "certificate_number", "certificate_issued_on"]
    bulk_update_with_history([e for e, _r in results], Enrolment, fields, batch_size=BATCH)

    # Each later move is one save of the candidate: one history row per move, in order.
    for step in range(1, max(len(m) for m in moves.values())):
        layer = [(candidates[i], m[step]) for i, m in moves.items() if len(m) > step]
        for candidate, entered in layer:
            candidate.stage, candidate.stage_entered_on = entered.stage, entered.on
            candidate._history_user = entered.by
        bulk_update_with_history([c for c, _e in layer], Candidate, ["stage", "stage_entered_on"], batch_size=BATCH)
    StageEntry.objects.bulk_create(
        [
            StageEntry(candidate=candidates[i], stage=e.stage, entered_on=e.on, note=e.note, created_by=e.by)
            for i, m in moves.items()
            for e in m
        ],
        batch_size=BATCH,
    )
    return candidates


def _classes(plans, calendar, authors, today, candidates, moves):
    """Create the classes; the enrolments to write and their results, and each candidate's moves."""
    by_index = {p.index: p for p in plans}
    enrolments, results = [], []
    for slot in calendar.used():
        first = by_index[slot.seats[0][0]]
        author = authors.of(first, "class")
        party_class = services.class_create(
            organiser=slot.commune,
            name=slot.name,
            starts_on=slot.starts_on,
            ends_on=slot.ends_on,
            place=slot.place,
            by=author,
        )
        for index, passed in slot.seats:
            plan = by_index[index]
            # get_or_create in the service: the enrolment's first history row has no author.
            enrolment = Enrolment(party_class=party_class, candidate=candidates[index])
            enrolments.append(enrolment)
            moves[index].append(Entered(Stage.TRAINING, min(slot.starts_on, today), authors.of(plan, "enrol")))
            if passed is None:
                continue  # an open class: results not in yet
            if passed:
                results.append((enrolment, (True, plan.certificate_number, slot.certificates_on, author)))
                moves[index].append(Entered(Stage.TRAINED, slot.certificates_on, author))
            else:
                results.append((enrolment, (False, "", None, author)))
                moves[index].append(
                    Entered(Stage.SOURCE, min(slot.ends_on, today), author, _("Chưa đạt lớp bồi dưỡng"))
                )
    return enrolments, results
