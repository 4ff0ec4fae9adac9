"""Who may reconcile: the board (Ban Tổ chức) and administrators, over the unit or an ancestor.

The reconciliation shows citizen IDs (sensitive data, members/vocabulary.py SENSITIVE_DATA_ROLES);
both roles here are among the sensitive-data roles, so whoever passes may see them.
"""

from members import scoping
from members.models import Organisation
from members.vocabulary import Role

RECONCILE_ROLES = frozenset({Role.BOARD_STAFF, Role.ADMINISTRATOR})


def can_reconcile(user, organisation: Organisation) -> bool:
    return scoping.holds_role_over(user, organisation, RECONCILE_ROLES)
