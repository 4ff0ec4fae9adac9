"""Which path prefixes make up an organisation's history: its subtree plus the units merged into it.

A report on a successor over a period includes the admissions of its predecessors in that period
(the seeds: 33 cells merged into 16 during a term still count for their commune and successors).
"""

import datetime
from dataclasses import dataclass, field

from members.models import Organisation
from members.scoping import subtree_q


@dataclass
class Lineage:
    root: Organisation
    # predecessor path -> the path of the unit it was merged into
    merged_into: dict[str, str] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        return [self.root.path, *self.merged_into]

    def owner_path(self, path: str) -> str:
        """The path inside the root's subtree that carries this path's history."""
        seen = 0
        while not path.startswith(self.root.path) and seen < 50:
            predecessor = next((p for p in self.merged_into if path.startswith(p)), None)
            if predecessor is None:
                return path
            path = self.merged_into[predecessor]
            seen += 1
        return path


def lineage_of(organisation: Organisation, on: datetime.date | None = None) -> Lineage:
    """One query per generation of merges (in practice one or two).

    With `on`, only the merges done by that day (a merge dissolves the predecessor on its date): a
    report as on a day before a merge does not know of it yet (docs/domain.md, "As-of dates")."""
    lineage = Lineage(organisation)
    frontier = [organisation.path]
    while frontier:
        found = Organisation.objects.filter(subtree_q(frontier, "merged_into__path"))
        if on is not None:
            found = found.exclude(dissolved_on__gt=on)
        rows = list(found.exclude(path__startswith=organisation.path).values_list("path", "merged_into__path"))
        frontier = []
        for path, into in rows:
            if path not in lineage.merged_into and not any(path.startswith(p) for p in lineage.paths):
                lineage.merged_into[path] = into
                frontier.append(path)
    return lineage
