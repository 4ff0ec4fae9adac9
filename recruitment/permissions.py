"""Who may record which step. Visibility is members.scoping's job; this decides who may act.

A cell secretary records the cell's own steps for candidates of their cell. The committee
leadership and board staff (and administrators) of an organisation above the cell may record every
step, including the committee's: approval, decision, returning a dossier, and running classes.
"""

from members import scoping
from members.models import Organisation
from members.vocabulary import Role

from .vocabulary import Stage

COMMITTEE_ROLES = frozenset({Role.COMMITTEE_SECRETARY, Role.COMMITTEE_DEPUTY, Role.BOARD_STAFF, Role.ADMINISTRATOR})

# Steps named as in the URL `quan-chung/<pk>/buoc/<step>/`, and whether the cell may record them.
CELL_STEPS = frozenset({"enrol", "dossier", "cell-vote", "ceremony", "recognition", "withdraw", "verification"})
COMMITTEE_STEPS = frozenset({"committee-approval", "decision", "return", "reject", "strike-off", "class"})

# The form each stage leads to next (on the candidate page).
NEXT_STEP_FOR_STAGE = {
    Stage.SOURCE: "enrol",
    Stage.TRAINED: "dossier",
    Stage.DOSSIER: "cell-vote",
    Stage.DECIDED: "ceremony",
    Stage.PROBATIONARY: "recognition",
}


def is_committee_over(user, organisation: Organisation) -> bool:
    """A committee role on this organisation or an ancestor (not only a cell secretary's role)."""
    return scoping.holds_role_over(user, organisation, COMMITTEE_ROLES)


def can_record(user, step: str, cell: Organisation) -> bool:
    roles = scoping.roles_over(user, cell)
    if roles & COMMITTEE_ROLES:
        return True
    return step in CELL_STEPS and Role.CELL_SECRETARY in roles


# What a correction of each kind counts as (recruitment.services.corrections): correcting the details
# is the cell's, as the dossier is; a class's result is the organiser's, as the class is.
CORRECTION_STEPS = {"details": "dossier", "certificate": "class", "class_failed": "class"}


def can_correct(user, kind: str, cell: Organisation) -> bool:
    """Who may correct (or undo) a step is who may record it."""
    return can_record(user, CORRECTION_STEPS.get(kind, kind), cell)
