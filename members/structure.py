"""Which committee does what for a cell: who approves and who decides an admission."""

from .models import Organisation
from .vocabulary import Level

# Since 1/7/2025 the commune committee is the direct superior of the grassroots organisations and
# issues their admission decisions (docs/domain.md §3, inferred from QĐ 294 summaries); before,
# the district did. A grassroots organisation directly under the province reports to the province.
DECIDING_LEVELS = (Level.COMMUNE, Level.DISTRICT, Level.PROVINCE)


def grassroots_committee_of(cell: Organisation, ancestors: list[Organisation] | None = None) -> Organisation | None:
    """The grassroots committee that must approve (8-KNĐ) before the decision, if the cell has one.

    A `grassroots_cell` and a cell directly under a commune have none: the commune decides directly.
    """
    if cell.level != Level.CELL:
        return None
    ancestors = ancestors if ancestors is not None else list(Organisation.objects.get_ancestors(cell))
    for org in reversed(ancestors):
        if org.level == Level.GRASSROOTS_COMMITTEE:
            return org
        if org.level in DECIDING_LEVELS:
            return None
    return None


def deciding_committee_of(cell: Organisation, ancestors: list[Organisation] | None = None) -> Organisation | None:
    ancestors = ancestors if ancestors is not None else list(Organisation.objects.get_ancestors(cell))
    for org in reversed(ancestors):
        if org.level in DECIDING_LEVELS:
            return org
    return None
