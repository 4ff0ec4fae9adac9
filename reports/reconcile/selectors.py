"""Our side of the reconciliation and of the upward export, read through members/scoping.py.

The national database lists the members on the roll, so the comparison is against our active
members (probationary and full) of the organisation's subtree. Members who left the roll here
(moved away, died, struck off) are read in the same query but kept apart: they are never
reported as missing from the national list, they only explain a national row that the national
database has not yet removed.
"""

from collections.abc import Iterator

from django.db.models import Q

from members import scoping
from members.models import Organisation
from members.names import order_by_name
from members.vocabulary import ACTIVE_MEMBER_STATUSES

from ..progress import periods
from .compare import OurRow

_FIELDS = (
    "pk",
    "person__citizen_id",
    "person__full_name",
    "person__date_of_birth",
    "cell__name",
    "cell__code",
    "admission_decision_date",
    "recognition_date",
    "status",
)


def _subtree_members(user, organisation: Organisation):
    return scoping.members_for(user).filter(cell__path__startswith=organisation.path)


def members_to_reconcile(user, organisation: Organisation) -> tuple[list[OurRow], list[OurRow]]:
    """(active members, members who left) of the subtree, in one query."""
    active, left = [], []
    rows = _subtree_members(user, organisation).order_by().values_list(*_FIELDS)
    for pk, citizen_id, name, born, cell_name, cell_code, admitted, recognised, status in rows.iterator(
        chunk_size=5000
    ):
        row = OurRow(pk, citizen_id or "", name, born, cell_name, cell_code, admitted, recognised, status)
        (active if status in ACTIVE_MEMBER_STATUSES else left).append(row)
    return active, left


def admitted_or_recognised(user, organisation: Organisation, period: periods.Period) -> Iterator[OurRow]:
    """Members of the subtree whose admission decision or recognition falls in the period, whatever
    their status today (a member admitted in March who moved away in May was still admitted)."""
    in_period = Q(admission_decision_date__range=(period.start, period.end)) | Q(
        recognition_date__range=(period.start, period.end)
    )
    rows = order_by_name(_subtree_members(user, organisation).filter(in_period), before=("cell__path",)).values_list(
        *_FIELDS
    )
    for pk, citizen_id, name, born, cell_name, cell_code, admitted, recognised, status in rows.iterator(
        chunk_size=2000
    ):
        yield OurRow(pk, citizen_id or "", name, born, cell_name, cell_code, admitted, recognised, status)
