"""The dates of one candidate's way from the application (mẫu 1-KNĐ) to where the demo leaves them.

The gaps between steps are drawn first (`Gaps`), then `fit` places the whole chain so that its
last step falls on a chosen day before today. Gaps counted in working days are those the rules
count in working days (decision, ceremony, recognition), so a chain drawn "within the limit"
passes the rule and one drawn "late" trips exactly the warning it is meant to.
"""

import datetime
import random
from dataclasses import dataclass, field

from .. import rule_numbers as N
from ..rules import add_months, probation_end
from ..vocabulary import Stage
from ..working_days import add_working_days

D = datetime.timedelta
FIT_TOLERANCE_DAYS = 5
# Working days a step takes, in time or late on purpose, a few days clear of the rule's limit so
# that fitting the chain around weekends cannot tip one into the other.
DECISION_IN_TIME = (12, N.DECISION_WORKING_DAYS - 5)
DECISION_EXTENDED = (N.DECISION_WORKING_DAYS + 2, N.DECISION_WORKING_DAYS + N.DECISION_EXTENSION_WORKING_DAYS - 2)
CEREMONY_IN_TIME = (4, N.CEREMONY_WORKING_DAYS - 2)
CEREMONY_LATE = (N.CEREMONY_WORKING_DAYS + 3, N.CEREMONY_WORKING_DAYS + 25)
RECOGNITION_IN_TIME = (1, N.RECOGNITION_WORKING_DAYS - 2)
RECOGNITION_LATE = (N.RECOGNITION_WORKING_DAYS + 3, N.RECOGNITION_WORKING_DAYS + 40)

# Stages after the dossier, in the order a chain reaches them; exits end a chain too.
AFTER_DOSSIER = (Stage.DOSSIER, Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW, Stage.DECIDED, Stage.PROBATIONARY)


class Flag:
    """What a plan deliberately does; most trip a warning or fill a deadline list."""

    SAME_DAY = "same_day"  # application and personal history on the same day: R04_SAME_DAY
    OLD_PAPERS = "old_papers"  # vote more than 12 months after the application: R14_PAPER_TOO_OLD
    EXTENDED = "extended"  # decision after 60 working days, extended: R08_DECISION_EXTENDED
    LATE_CEREMONY = "late_ceremony"  # ceremony after 30 working days with consent: R09_LATE_WITH_CONSENT
    LATE_RECOGNITION = "late_recognition"  # recognition vote after 30 working days: R11_RECOGNITION_LATE
    OVER_AGE = "over_age"  # over 60 at the vote with the province's consent: R01_OVER_AGE_EXCEPTION
    HARDSHIP = "hardship"  # primary schooling in an upland village: R02_HARDSHIP_EXCEPTION
    FAILED_CLASS = "failed_class"  # failed a class first
    RETURNED_OPEN = "returned_open"  # the committee sent the dossier back; the cell has not re-voted
    RETURNED_FIXED = "returned_fixed"  # sent back, completed, voted again
    CHECKS = "checks"  # background checks sent outside the commune, answered
    PENDING_CHECK = "pending_check"  # a background check sent after submission, not answered yet
    OVERDUE_CHECK = "overdue_check"  # ... and past its reply date
    OVERDUE_DECISION = "overdue_decision"  # waiting for the decision beyond 60 working days
    OVERDUE_CEREMONY = "overdue_ceremony"  # decided, ceremony beyond 30 working days
    OVERDUE_RECOGNITION = "overdue_recognition"  # probation over, recognition vote overdue


@dataclass
class Gaps:
    """Every random gap of a chain, drawn once so that fitting it is deterministic."""

    application_to_history: int
    history_to_introductions: int
    local_check: int  # days the cell's own verification takes
    to_opinions: int
    to_submission: int
    submission_to_vote: int
    old_papers_extra: int
    vote_to_return: int
    return_to_revote: int
    vote_to_approval: int
    decision_working_days: int
    decision_to_receipt: int
    ceremony_working_days: int
    recognition_working_days: int
    struck_off_working_days: int
    exit_after: int
    checks: list[tuple[int, int, int]] = field(default_factory=list)  # (after history, due in, replied in)

    @classmethod
    def draw(cls, rng: random.Random, flags: set[str]) -> "Gaps":
        checks = []
        if Flag.CHECKS in flags:
            for _ in range(rng.choice((1, 1, 2))):
                due = rng.choice((15, 20, 30))
                # Most replies arrive in time; some a week or two late.
                checks.append((rng.randint(2, 10), due, rng.randint(5, due + (14 if rng.random() < 0.2 else 0))))
        return cls(
            application_to_history=0 if Flag.SAME_DAY in flags else rng.randint(2, 20),
            history_to_introductions=rng.randint(3, 25),
            local_check=rng.randint(7, 30),
            to_opinions=rng.randint(1, 7),
            to_submission=rng.randint(1, 10),
            submission_to_vote=rng.randint(10, 45),
            old_papers_extra=rng.randint(20, 80),
            vote_to_return=rng.randint(10, 35),
            return_to_revote=rng.randint(15, 45),
            vote_to_approval=rng.randint(7, 25),
            decision_working_days=rng.randint(*(DECISION_EXTENDED if Flag.EXTENDED in flags else DECISION_IN_TIME)),
            decision_to_receipt=rng.randint(0, 6),
            ceremony_working_days=rng.randint(*(CEREMONY_LATE if Flag.LATE_CEREMONY in flags else CEREMONY_IN_TIME)),
            recognition_working_days=rng.randint(
                *(RECOGNITION_LATE if Flag.LATE_RECOGNITION in flags else RECOGNITION_IN_TIME)
            ),
            struck_off_working_days=rng.randint(1, 30),
            exit_after=rng.randint(7, 200),
            checks=checks,
        )


@dataclass
class Steps:
    application: datetime.date
    history: datetime.date
    introductions: datetime.date
    verification_completed: datetime.date
    opinions: datetime.date
    submitted: datetime.date
    checks: list[tuple[datetime.date, datetime.date, datetime.date]]  # (sent, due, replied)
    first_vote: datetime.date | None = None
    returned: datetime.date | None = None
    vote: datetime.date | None = None
    approval: datetime.date | None = None
    decided: datetime.date | None = None
    received: datetime.date | None = None
    ceremony: datetime.date | None = None
    recognised: datetime.date | None = None
    exit: datetime.date | None = None

    def entered(self, stage: str) -> datetime.date:
        """The day the chain entered `stage` (the return, for a dossier sent back)."""
        return {
            Stage.DOSSIER: self.returned or self.submitted,
            Stage.CELL_RESOLUTION: self.vote,
            Stage.COMMITTEE_REVIEW: self.approval,
            Stage.DECIDED: self.decided,
            Stage.PROBATIONARY: self.ceremony,
            Stage.FULL: self.recognised,
        }[stage]

    def last(self) -> datetime.date:
        return max(d for d in vars(self).values() if isinstance(d, datetime.date))


def chain(
    application: datetime.date, gaps: Gaps, *, to: str, committee: bool, flags: set[str], exit_from: str | None = None
) -> Steps:
    """The dates from the application up to stage `to` (or an exit from `exit_from`)."""
    history = application + D(gaps.application_to_history)
    introductions = history + D(gaps.history_to_introductions)
    checks = []
    for after, due, replied in gaps.checks:
        sent = history + D(after)
        checks.append((sent, sent + D(due), sent + D(replied)))
    verification = max([history + D(gaps.local_check)] + [r + D(1) for _s, _d, r in checks])
    opinions = introductions + D(gaps.to_opinions)
    submitted = max(introductions, opinions, verification) + D(gaps.to_submission)
    steps = Steps(application, history, introductions, verification, opinions, submitted, checks)
    order = list(AFTER_DOSSIER) + [Stage.FULL]
    reach = order.index(exit_from or to)

    def reached(stage: str) -> bool:
        return order.index(stage) <= reach

    if Flag.RETURNED_OPEN in flags or Flag.RETURNED_FIXED in flags:
        steps.first_vote = submitted + D(gaps.submission_to_vote)
        steps.returned = steps.first_vote + D(gaps.vote_to_return)
    if reached(Stage.CELL_RESOLUTION) and Flag.RETURNED_OPEN not in flags:
        if steps.returned:
            steps.vote = steps.returned + D(gaps.return_to_revote)
        else:
            steps.vote = submitted + D(gaps.submission_to_vote)
        if Flag.OLD_PAPERS in flags:
            steps.vote = max(steps.vote, add_months(application, 12) + D(gaps.old_papers_extra))
        if committee and reached(Stage.COMMITTEE_REVIEW):
            steps.approval = steps.vote + D(gaps.vote_to_approval)
    if reached(Stage.DECIDED) and steps.vote:
        decided = add_working_days(steps.vote, gaps.decision_working_days)
        if steps.approval and decided <= steps.approval:
            decided = steps.approval + D(3)
        steps.decided = decided
        steps.received = decided + D(gaps.decision_to_receipt)
    if reached(Stage.PROBATIONARY) and steps.received:
        steps.ceremony = add_working_days(steps.received, gaps.ceremony_working_days)
    if steps.ceremony and (to == Stage.FULL or to == Stage.STRUCK_OFF):
        end = probation_end(steps.ceremony)
        if to == Stage.FULL:
            steps.recognised = add_working_days(end, gaps.recognition_working_days)
        else:
            steps.exit = add_working_days(end, gaps.struck_off_working_days)
    if exit_from is not None and to != Stage.STRUCK_OFF:
        steps.exit = steps.entered(exit_from) + D(gaps.exit_after)
    return steps


def final_day(steps: Steps, to: str) -> datetime.date:
    return steps.exit if steps.exit else steps.entered(to)


def fit(
    gaps: Gaps,
    *,
    to: str,
    target: datetime.date,
    today: datetime.date,
    committee: bool,
    flags: set[str],
    exit_from: str | None = None,
) -> Steps | None:
    """The chain whose last step falls on `target` (or as near as working days allow), none after today."""
    application = target - D(200)
    for _ in range(4):
        steps = chain(application, gaps, to=to, committee=committee, flags=flags, exit_from=exit_from)
        # Working days make the chain a little uneven around weekends and Tết: a few tries settle it.
        shift = (target - final_day(steps, to)).days
        if shift == 0:
            break
        application += D(shift)
    if abs(shift) > FIT_TOLERANCE_DAYS or steps.last() > today:
        return None
    return steps
