"""Who may change the roll and the tree, asked of members/scoping.py (the one place that knows roles)."""

from . import scoping
from .models import MemberTransfer, Organisation
from .vocabulary import Role

# The board runs the tree (domain §6: "quotas for the units below, decisions"); the administrator too.
REORGANISE_ROLES = frozenset({Role.BOARD_STAFF, Role.ADMINISTRATOR})


def may_record_movements(user, cell: Organisation) -> bool:
    """Any role over the member's cell: the cell secretary runs the roll, the committee above it too."""
    return scoping.holds_role_over(user, cell, Role.values)


def may_reorganise_under(user, organisation: Organisation) -> bool:
    """Create units under `organisation`, merge units under it."""
    return scoping.holds_role_over(user, organisation, REORGANISE_ROLES)


def may_reorganise(user, organisation: Organisation) -> bool:
    """Rename, dissolve or split the unit itself: a board above it, not the unit's own staff."""
    if getattr(user, "is_superuser", False):
        return True
    return any(
        ra.role in REORGANISE_ROLES
        and organisation.path.startswith(ra.organisation.path)
        and organisation.path != ra.organisation.path
        for ra in scoping.role_assignments(user)
    )


def may_confirm_transfer(user, transfer: MemberTransfer) -> bool:
    """Only the receiving cell confirms a transfer: its secretary (or a superuser acting for it)."""
    return scoping.holds_role_over(user, transfer.to_cell, {Role.CELL_SECRETARY})


def may_cancel_transfer(user, transfer: MemberTransfer) -> bool:
    """The sending side withdraws its request; the receiving cell may decline it."""
    sending = transfer.from_cell is not None and may_record_movements(user, transfer.from_cell)
    return sending or may_record_movements(user, transfer.to_cell)
