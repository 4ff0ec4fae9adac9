"""A `Plan` is everything one demo candidate goes through, decided before any service is called.

`Planner.make` places a candidate of a given cell at a given stage (or exit) on a day before
today: it fits the dates (`timeline`), the classes the commune held (`classes`), the person
(`persons`), the helper and the introducers (full members of the same cell, known for more than a
year), and the figures of the votes. A plan that cannot be placed (a young cell, too few full
members to introduce) comes back as None and the caller tries a shorter way.
"""

import datetime
import random
from dataclasses import dataclass, field

from members.demo.dates import add_years, random_day
from members.demo.people import PROFILES, PersonFactory
from members.models import Person

from ..rules import (
    IntroductionRoute,
    add_months,
    ceremony_deadline,
    decision_deadline,
    is_youth_age,
    recognition_deadline,
    required_votes,
)
from ..services import AGENCY_OR_ENTERPRISE
from ..vocabulary import IntroducingBody, Stage
from . import paperwork
from .cells import CellFacts, OnRoll
from .classes import ClassCalendar, ClassSlot
from .persons import (
    OLDER_SHARE,
    birth_for,
    birth_over_sixty,
    draw_age,
    draw_body,
    draw_gender,
    draw_person,
    hardship_allowed,
)
from .timeline import Flag, Gaps, Steps, fit

D = datetime.timedelta
ATTEMPTS = 6
EARLY = (Stage.SOURCE, Stage.TRAINING, Stage.TRAINED)
# Where the last step of a chain falls: between (fewest, most) days before today.
WINDOWS = {
    Stage.DOSSIER: (3, 100),
    Stage.CELL_RESOLUTION: (2, 80),
    Stage.COMMITTEE_REVIEW: (2, 45),
    Stage.DECIDED: (1, 40),
    Stage.PROBATIONARY: (5, 360),
    Stage.FULL: (1, 640),
    "exit": (1, 600),
}
# Deadline cases: far enough back that the deadline has passed (rules 8, 9, 11; a reply date).
OVERDUE_WINDOWS = {
    Flag.OVERDUE_DECISION: (95, 120),  # more than 60 working days since the resolution
    Flag.OVERDUE_CEREMONY: (52, 75),  # more than 30 working days since the decision arrived
    Flag.OVERDUE_RECOGNITION: (365 + 50, 365 + 75),  # probation over, 30 working days gone
    Flag.OVERDUE_CHECK: (45, 100),
    Flag.RETURNED_OPEN: (2, 60),
}
# Days from the stage to the exit, where the next step is due soon (by default 7 to 200): a
# voted dossier is decided within months, a decided one has its ceremony within weeks.
EXIT_AFTER = {Stage.CELL_RESOLUTION: (7, 80), Stage.COMMITTEE_REVIEW: (7, 60), Stage.DECIDED: (5, 35)}
# Trained people wait up to this long for their application; classes taken longer ago are not
# fitted to a dossier.
LONGEST_WAIT_AFTER_CLASS = D(450)
# Reply time given to a background check still unanswered, and how far back one is sent (a few
# of them are overdue; the showcase's overdue case is sent earlier on purpose).
PENDING_DUE_DAYS = 30
PENDING_SENT_WITHIN = 40


@dataclass(frozen=True)
class Introduction:
    member_pk: int
    known_since: datetime.date
    introduced_on: datetime.date


@dataclass(frozen=True)
class Check:
    sent_to: str
    sent_on: datetime.date
    due_on: datetime.date
    replied_on: datetime.date | None
    reply: str = ""


@dataclass(frozen=True)
class Vote:
    held_on: datetime.date
    votes_for: int
    full_members: int
    absent_exempt: int


@dataclass
class Plan:
    index: int
    cell: CellFacts
    outcome: str  # the stage the candidate ends in, or the exit
    flags: set[str]
    person: Person
    introduced_by: str
    helper_pk: int | None
    proposed_on: datetime.date
    seats: list[tuple[ClassSlot, bool | None]] = field(default_factory=list)
    steps: Steps | None = None
    route: str = ""
    body_introduction_on: datetime.date | None = None
    introductions: list[Introduction] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    verification_completed_on: datetime.date | None = None
    first_vote: Vote | None = None
    vote: Vote | None = None
    return_reason: str = ""
    approval_votes: int = 0
    consent: str = ""
    over_age_exception: str = ""
    education_exception: str = ""
    exit_from: str | None = None
    exit_on: datetime.date | None = None
    exit_reason: str = ""
    # Filled once every plan is known (paperwork.Registers).
    decision_number: str = ""
    recognition_number: str = ""
    certificate_number: str = ""

    @property
    def extended(self) -> bool:
        return Flag.EXTENDED in self.flags


class Planner:
    def __init__(self, *, rng: random.Random, today: datetime.date, people: PersonFactory, calendar: ClassCalendar):
        self.rng = rng
        self.today = today
        self.people = people
        self.calendar = calendar
        # Candidates admitted through the pipeline are decided from 1 January two years back, so
        # progress reports for 2024-2026 have pipeline admissions.
        self.decisions_from = datetime.date(today.year - 2, 1, 1)

    def make(
        self,
        index: int,
        cell: CellFacts,
        outcome: str,
        flags: set[str],
        *,
        exit_from: str | None = None,
        final_after: datetime.date | None = None,
    ) -> Plan | None:
        for _ in range(ATTEMPTS):
            if (exit_from or outcome) in EARLY:
                plan = self._early(index, cell, outcome, set(flags), exit_from)
            else:
                plan = self._late(index, cell, outcome, set(flags), exit_from, final_after)
            if plan is not None:
                return plan
        return None

    # --- before the dossier --------------------------------------------------------------------

    def _early(self, index, cell, outcome, flags, exit_from) -> Plan | None:
        rng, today, stage = self.rng, self.today, exit_from or outcome
        seats: list[tuple[ClassSlot, bool | None]] = []
        usable = [s for s in self.calendar.completed(cell.commune) if s.starts_on > cell.earliest + D(14)]
        if stage == Stage.TRAINING:
            slot = self.calendar.open(cell.commune)
            if slot is None:
                return None
            seats, entered = [(slot, None)], slot.starts_on
        elif stage == Stage.TRAINED:
            options = [s for s in usable if s.certificates_on >= today - D(900)]
            if not options:
                return None
            # Recent classes are likelier: those trained long ago have mostly moved on.
            slot = rng.choices(options, weights=range(1, len(options) + 1))[0]
            seats, entered = [(slot, True)], slot.certificates_on
        elif Flag.FAILED_CLASS in flags:
            options = [s for s in usable if s.certificates_on >= today - D(300)]
            if not options:
                return None
            slot = rng.choice(options)
            seats, entered = [(slot, False)], slot.ends_on
        else:
            entered = None
        if Flag.FAILED_CLASS in flags and stage == Stage.TRAINED:
            self._add_failed_class(cell, seats)
        proposed = self._proposed(cell, seats)
        if proposed is None:
            return None
        plan = self._with_person(index, cell, outcome, flags, proposed, seats, steps=None)
        entered = entered or proposed
        if stage == Stage.TRAINED and Flag.PENDING_CHECK in flags:
            # Papers are being gathered: a check sent in the last weeks, not answered yet.
            earliest = max(entered + D(20), today - D(PENDING_SENT_WITHIN))
            if earliest < today:
                plan.checks.append(self._pending_check(cell, random_day(rng, earliest, today - D(1))))
        if exit_from:
            if entered >= today:
                return None
            plan.exit_from = exit_from
            plan.exit_on = min(entered + D(rng.randint(7, 200)), today)
            plan.exit_reason = self._exit_reason(outcome, exit_from)
        return plan

    def _add_failed_class(self, cell: CellFacts, seats: list) -> None:
        earlier = self.calendar.before(seats[0][0])
        if earlier is not None and earlier.starts_on > cell.earliest + D(14):
            seats.insert(0, (earlier, False))

    def _proposed(self, cell: CellFacts, seats: list) -> datetime.date | None:
        """Proposed some weeks or months before the first class, never before the cell existed."""
        rng, today = self.rng, self.today
        earliest = cell.earliest + D(1)
        if not seats:
            return random_day(rng, max(earliest, today - D(240)), today)
        first = seats[0][0].starts_on
        proposed = max(first - D(rng.randint(10, 150)), earliest)
        return proposed if proposed <= first - D(5) else None

    # --- from the dossier on -------------------------------------------------------------------

    def _late(self, index, cell, outcome, flags, exit_from, final_after) -> Plan | None:
        rng, today = self.rng, self.today
        committee = cell.committee is not None
        gaps = Gaps.draw(rng, flags)
        if exit_from in EXIT_AFTER:
            gaps.exit_after = rng.randint(*EXIT_AFTER[exit_from])
        fewest, most = self._window(outcome, flags, exit_from)
        if final_after is not None:
            most = min(most, (today - final_after).days)
        if most < fewest:
            return None
        target = today - D(rng.randint(fewest, most))
        steps = fit(gaps, to=outcome, target=target, today=today, committee=committee, flags=flags, exit_from=exit_from)
        if steps is None or not self._lawful(steps, flags):
            return None
        slot = self.calendar.latest_completed(
            cell.commune, certificates_by=steps.application - D(10), starting_after=cell.earliest + D(14)
        )
        if slot is None or slot.certificates_on < steps.application - LONGEST_WAIT_AFTER_CLASS:
            return None
        seats: list[tuple[ClassSlot, bool | None]] = [(slot, True)]
        if Flag.FAILED_CLASS in flags:
            self._add_failed_class(cell, seats)
        proposed = self._proposed(cell, seats)
        if proposed is None:
            return None
        plan = self._with_person(index, cell, outcome, flags, proposed, seats, steps)
        if not self._dossier(plan):
            return None
        if steps.first_vote:
            plan.first_vote = self._vote(cell, steps.first_vote)
            plan.return_reason = rng.choice(paperwork.RETURNS)
        if steps.vote:
            plan.vote = self._vote(cell, steps.vote)
        if (steps.first_vote and plan.first_vote is None) or (steps.vote and plan.vote is None):
            return None  # no full member to vote on that day
        if steps.approval:
            size = cell.committee_size
            plan.approval_votes = max(size - rng.choice((0, 0, 0, 1, 2)), required_votes(size))
        if Flag.LATE_CEREMONY in flags and steps.ceremony:
            plan.consent = paperwork.consent_letter(rng, steps.ceremony - D(rng.randint(3, 15)))
        if Flag.OVER_AGE in flags and steps.vote:
            plan.over_age_exception = paperwork.over_age_letter(rng, steps.vote - D(rng.randint(10, 40)))
        if steps.exit:
            plan.exit_from = exit_from or Stage.PROBATIONARY
            plan.exit_on = steps.exit
            plan.exit_reason = self._exit_reason(outcome, plan.exit_from)
        return plan

    def _window(self, outcome: str, flags: set[str], exit_from: str | None) -> tuple[int, int]:
        for flag, window in OVERDUE_WINDOWS.items():
            if flag in flags:
                return window
        return WINDOWS["exit" if exit_from or outcome == Stage.STRUCK_OFF else outcome]

    def _lawful(self, steps: Steps, flags: set[str]) -> bool:
        """The chain is as meant: decisions from two years back, deadlines kept or missed on purpose."""
        today = self.today
        if steps.decided:
            if steps.decided < self.decisions_from:
                return False
            late = steps.decided > decision_deadline(steps.vote)
            if (Flag.EXTENDED in flags) != late or steps.decided > decision_deadline(steps.vote, extended=True):
                return False
        if Flag.OVERDUE_DECISION in flags and decision_deadline(steps.vote) >= today:
            return False
        if Flag.OVERDUE_CEREMONY in flags and ceremony_deadline(steps.received) >= today:
            return False
        return not (Flag.OVERDUE_RECOGNITION in flags and recognition_deadline(steps.ceremony) >= today)

    def _dossier(self, plan: Plan) -> bool:
        """Route, introducers and background checks; False when the cell cannot introduce."""
        rng, steps, cell, born = self.rng, plan.steps, plan.cell, plan.person.date_of_birth
        vote_day = steps.vote or steps.first_vote or steps.submitted
        youth = is_youth_age(born, steps.submitted) or is_youth_age(born, vote_day)
        if not cell.youth_union_exists and cell.sector in AGENCY_OR_ENTERPRISE:
            plan.route = IntroductionRoute.TRADE_UNION
        elif youth and cell.youth_union_exists:
            plan.route = IntroductionRoute.YOUTH_UNION
        else:
            plan.route = IntroductionRoute.MEMBERS
        needed = 2 if plan.route == IntroductionRoute.MEMBERS else 1
        pool = cell.full_by(steps.introductions)
        if len(pool) < needed:
            return False
        for member in rng.sample(pool, needed):
            known_since = max(add_months(steps.introductions, -rng.randint(13, 96)), add_years(born, 14))
            plan.introductions.append(Introduction(member.pk, known_since, steps.introductions))
        if plan.route != IntroductionRoute.MEMBERS:
            plan.body_introduction_on = steps.introductions - D(rng.randint(0, 5))
        for sent, due, replied in steps.checks:
            plan.checks.append(
                Check(
                    paperwork.verification_place(rng, cell.place.title),
                    sent,
                    due,
                    replied,
                    rng.choice(paperwork.REPLIES),
                )
            )
        plan.verification_completed_on = steps.verification_completed
        if plan.outcome != Stage.DOSSIER:
            return True
        if Flag.OVERDUE_CHECK in plan.flags:
            # Sent after the submission, more than its reply time ago, and still unanswered.
            earliest, latest = steps.submitted + D(1), self.today - D(PENDING_DUE_DAYS + 5)
            if earliest > latest:
                return False
        elif Flag.PENDING_CHECK in plan.flags:
            earliest = max(steps.submitted + D(1), self.today - D(PENDING_SENT_WITHIN))
            latest = self.today - D(1)
        else:
            return True
        if earliest <= latest:
            plan.checks.append(self._pending_check(cell, random_day(rng, earliest, latest)))
            plan.verification_completed_on = None
        return True

    def _pending_check(self, cell: CellFacts, sent: datetime.date) -> Check:
        place = paperwork.verification_place(self.rng, cell.place.title)
        return Check(place, sent, sent + D(PENDING_DUE_DAYS), None)

    def _vote(self, cell: CellFacts, day: datetime.date) -> Vote | None:
        rng = self.rng
        full = cell.full_members_on(day)
        if full == 0:
            return None
        absent = 0
        if full >= 8 and rng.random() < 0.25:
            absent = rng.randint(1, 2 if full >= 12 else 1)
        base = full - absent
        votes = base if rng.random() < 0.75 else rng.randint(required_votes(base), base)
        return Vote(day, votes, full, absent)

    # --- the person ----------------------------------------------------------------------------

    def _with_person(self, index, cell, outcome, flags, proposed, seats, steps) -> Plan:
        rng, profile = self.rng, PROFILES[cell.kind]
        over_age = Flag.OVER_AGE in flags and steps is not None and steps.vote is not None
        older = over_age or rng.random() < OLDER_SHARE
        if over_age:
            born, body = birth_over_sixty(rng, steps.vote), IntroducingBody.VETERANS
        else:
            pupil_age = profile.pupil_share and rng.random() < profile.pupil_share
            age = 18 if pupil_age else draw_age(rng, cell, older=older)
            born = birth_for(rng, age, proposed)
            # The Youth Union proposes its own members, who are 30 at most.
            body = draw_body(rng, cell, young=is_youth_age(born, proposed))
        young = is_youth_age(born, proposed)
        hardship = Flag.HARDSHIP in flags and hardship_allowed(cell)
        person = draw_person(
            self.people,
            cell,
            born=born,
            gender=draw_gender(rng, cell, body),
            youth_union_member=young and cell.youth_union_exists,
            pupil=bool(profile.pupil_share) and add_years(born, 19) > proposed,
            primary_schooling=hardship,
        )
        plan = Plan(
            index=index,
            cell=cell,
            outcome=outcome,
            flags=flags,
            person=person,
            introduced_by=body,
            helper_pk=self._helper(cell, proposed),
            proposed_on=proposed,
            seats=seats,
            steps=steps,
        )
        if hardship:
            plan.education_exception = paperwork.hardship_reference(cell.place.title)
        return plan

    def _helper(self, cell: CellFacts, proposed: datetime.date) -> int | None:
        """A member of the cell on the proposal day and still today, a full member where there is one.

        Today's roll alone is not enough: a member who came to the cell later (a transfer, the 2025
        reorganisation) was not there to help on that day.
        """
        pool: list[OnRoll] = cell.full_by(proposed) or cell.members_by(proposed)
        return self.rng.choice(pool).pk if pool else None

    def _exit_reason(self, kind: str, from_stage: str) -> str:
        rng = self.rng
        if kind == Stage.WITHDRAWN:
            return rng.choice(paperwork.WITHDRAWN)
        if kind == Stage.REJECTED:
            return rng.choice(paperwork.REJECTED[from_stage])
        return rng.choice(paperwork.STRUCK_OFF)
