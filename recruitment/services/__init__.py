"""One service per admission step. Keyword-only, atomic, rules first, candidate row locked.

Each step: lock the candidate, check it is in the stage the step starts from, run the rules on the
values it would record, refuse when a rule blocks (a ValidationError keyed by form field, carrying
the findings), then write the step record, move the stage and keep the warnings on the candidate.

One module per step: `proposal`, `training` (classes, enrolment, results), `dossier`, `votes` (the
cell's vote, the grassroots committee's approval), `decision`, `ceremony`, `probation` (recognition,
striking off), `exits` (withdrawing, rejecting, returning a dossier) and `verification`; `corrections` corrects
the details and the recorded steps, or undoes the latest step, each with a reason. What they
share: `refusals` (how a step says no) and `records` (locking and moving the candidate, the dates on
file). Callers import from here: `from recruitment import services; services.candidate_propose(...)`.
"""

from ..vocabulary import OPEN_STAGES
from .ceremony import candidate_record_ceremony
from .corrections import candidate_correct_details, candidate_undo_latest_step, latest_step, step_correct
from .decision import candidate_record_decision
from .dossier import AGENCY_OR_ENTERPRISE, IntroducerInput, candidate_submit_dossier
from .exits import candidate_exit, candidate_reject, candidate_withdraw, committee_return_dossier
from .probation import member_recognise_full, member_strike_off
from .proposal import candidate_propose
from .refusals import StepRefused
from .training import (
    ClassResult,
    candidate_enroll_in_class,
    class_create,
    class_enroll_candidates,
    class_record_results,
)
from .verification import verification_request_create, verification_request_record_reply
from .votes import (
    candidate_record_cell_vote,
    candidate_record_committee_approval,
    committee_reference,
    full_members_of,
    needs_committee_approval,
    vote_roll,
)

__all__ = [
    "AGENCY_OR_ENTERPRISE",
    "OPEN_STAGES",
    "ClassResult",
    "IntroducerInput",
    "StepRefused",
    "candidate_correct_details",
    "candidate_enroll_in_class",
    "candidate_exit",
    "candidate_propose",
    "candidate_record_cell_vote",
    "candidate_record_ceremony",
    "candidate_record_committee_approval",
    "candidate_record_decision",
    "candidate_reject",
    "candidate_submit_dossier",
    "candidate_undo_latest_step",
    "candidate_withdraw",
    "class_create",
    "class_enroll_candidates",
    "class_record_results",
    "committee_reference",
    "committee_return_dossier",
    "full_members_of",
    "latest_step",
    "member_recognise_full",
    "member_strike_off",
    "needs_committee_approval",
    "step_correct",
    "verification_request_create",
    "verification_request_record_reply",
    "vote_roll",
]
