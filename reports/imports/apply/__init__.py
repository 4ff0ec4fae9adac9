"""Applying validated rows through the same services the forms use.

Each row is applied inside its own savepoint: a refused row leaves nothing behind and the import
goes on to the next, so one pass reports every row's problem. Rows are matched with what is
already recorded (organisations by code; people by citizen ID, else party card number, else full
name and date of birth; quotas by organisation, period, source, metric and share attribute), so a
workbook imported twice changes nothing the second time. Candidates walk the pipeline one step
after another through `recruitment.services`, so the pipeline's rules judge every imported step.
"""

from ..columns import CANDIDATES, MEMBERS, MOVEMENTS, ORGANISATIONS, QUOTAS
from .bulk_candidates import apply_candidates, attach_helpers
from .candidates import apply_candidate, attach_helper
from .context import RULE_TREE, Context, RowRefused, person_key
from .members import apply_member, final_cell_problems
from .movements import apply_movement
from .organisations import apply_dissolution, apply_organisation
from .quotas import apply_quota

# Each sheet's row function: (context, typed values, row number) -> "created" / "updated" / "unchanged".
APPLY = {
    ORGANISATIONS.key: apply_organisation,
    MEMBERS.key: apply_member,
    CANDIDATES.key: apply_candidate,
    MOVEMENTS.key: apply_movement,
    QUOTAS.key: apply_quota,
}

__all__ = [
    "APPLY",
    "RULE_TREE",
    "Context",
    "RowRefused",
    "apply_candidates",
    "apply_dissolution",
    "attach_helper",
    "attach_helpers",
    "final_cell_problems",
    "person_key",
]
