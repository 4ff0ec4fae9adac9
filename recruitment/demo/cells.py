"""What the candidate planner needs to know about each cell, read once before any candidate exists.

A `CellFacts` says where the cell sits (its commune, the grassroots committee that approves its
candidates), who is on its roll today (helpers and introducers are drawn from them) and how many
full members it had on a given day (the figure of the cell vote). Reading the rolls once keeps
planning in memory; members the pipeline admits later never introduce anyone in the demo.

Today's roll is not the roll of a past day: a member may have come to the cell after it, by a
transfer or by the 2025 reorganisation. Each member on the roll carries the day they last came into
the cell (their latest incoming movement there), and only those already in the cell on a day help,
introduce or vote on that day, as the import and the proposal form check from the movements.
"""

import bisect
import datetime
import random
from dataclasses import dataclass, field

from django.db.models import F, Max

from members.demo.people import PROFILES
from members.demo.place_names import CommuneName
from members.demo.province import CellPlan
from members.models import Member, MemberMovement, Organisation
from members.structure import grassroots_committee_of
from members.vocabulary import ACTIVE_MEMBER_STATUSES, INCOMING_MOVEMENTS, Level, MemberStatus, Sector

# Share of non-state enterprise cells whose company has no Youth Union branch: there the trade
# union introduces (rule 5), the route the other cells cannot use.
NO_YOUTH_UNION_SHARE = 0.5
# Members of a grassroots committee's executive (ban chấp hành), drawn once per committee.
COMMITTEE_SIZES = (9, 11, 13, 15)


@dataclass(frozen=True)
class OnRoll:
    """A member on the cell's roll today."""

    pk: int
    full: bool
    admitted: datetime.date
    recognised: datetime.date | None
    # The day of their latest incoming movement into this cell (admission, transfer, merger):
    # in the cell on every day from then to today, and not before it.
    since: datetime.date

    def in_cell_on(self, day: datetime.date) -> bool:
        return self.since <= day

    def full_on(self, day: datetime.date) -> bool:
        """A full member of this cell on `day` (and still one today)."""
        return self.full and self.recognised is not None and self.recognised <= day and self.in_cell_on(day)


@dataclass
class CellFacts:
    org: Organisation
    kind: str  # a key of members.demo.people.PROFILES
    place: CommuneName
    commune: Organisation
    committee: Organisation | None  # the grassroots committee that approves (8-KNĐ), if any
    committee_size: int = 0
    youth_union_exists: bool = True
    roll: list[OnRoll] = field(default_factory=list)
    # The day each of today's full members was full and in the cell, sorted: the count on a past day.
    full_since: list[datetime.date] = field(default_factory=list)

    @property
    def sector(self) -> str:
        return self.org.sector

    @property
    def residential(self) -> bool:
        return self.sector == Sector.RESIDENTIAL

    @property
    def size(self) -> int:
        return len(self.roll)

    @property
    def earliest(self) -> datetime.date:
        """No candidate is proposed to a cell, nor trained by a commune, before it exists."""
        return max(d for d in (self.org.founded_on, self.commune.founded_on) if d)

    def full_members_on(self, day: datetime.date) -> int:
        return bisect.bisect_right(self.full_since, day)

    def full_by(self, day: datetime.date) -> list[OnRoll]:
        """Full members today who were already full members of the cell on `day`: who may introduce then."""
        return [m for m in self.roll if m.full_on(day)]

    def members_by(self, day: datetime.date) -> list[OnRoll]:
        """Members today who were already in the cell on `day`."""
        return [m for m in self.roll if m.in_cell_on(day)]


def read_cells(plans: list[CellPlan], rng: random.Random) -> list[CellFacts]:
    """Today's active cells with their rolls, in the order of `plans` (so draws stay in order)."""
    by_path = {o.path: o for o in Organisation.objects.all()}
    fresh = {o.pk: o for o in by_path.values()}
    rolls: dict[int, list[OnRoll]] = {}
    on_roll = Member.objects.filter(status__in=ACTIVE_MEMBER_STATUSES, cell__in=[p.org.pk for p in plans])
    arrived = dict(
        MemberMovement.objects.filter(
            member__in=on_roll, kind__in=INCOMING_MOVEMENTS, organisation_id=F("member__cell_id")
        )
        .order_by()
        .values_list("member_id")
        .annotate(last=Max("date"))
        .values_list("member_id", "last")
    )
    rows = on_roll.order_by("pk").values_list("pk", "cell_id", "status", "admission_decision_date", "recognition_date")
    for pk, cell_id, status, admitted, recognised in rows:
        member = OnRoll(pk, status == MemberStatus.FULL, admitted, recognised, since=arrived[pk])
        rolls.setdefault(cell_id, []).append(member)

    committee_sizes: dict[int, int] = {}
    cells = []
    for plan in plans:
        org = fresh[plan.org.pk]  # the plan's copy predates the reorganisation
        if not org.is_active:
            continue
        step = Organisation.steplen
        ancestors = [by_path[org.path[:end]] for end in range(step, len(org.path), step)]
        commune = next(a for a in reversed(ancestors) if a.level == Level.COMMUNE)
        committee = grassroots_committee_of(org, ancestors)
        if committee is not None and committee.pk not in committee_sizes:
            committee_sizes[committee.pk] = rng.choice(COMMITTEE_SIZES)
        youth_union = not (
            PROFILES[plan.kind].sector == Sector.NON_STATE_ENTERPRISE and rng.random() < NO_YOUTH_UNION_SHARE
        )
        roll = rolls.get(org.pk, [])
        cells.append(
            CellFacts(
                org=org,
                kind=plan.kind,
                place=plan.commune,
                commune=commune,
                committee=committee,
                committee_size=committee_sizes.get(committee.pk, 0) if committee else 0,
                youth_union_exists=youth_union,
                roll=roll,
                full_since=sorted(max(m.recognised, m.since) for m in roll if m.full and m.recognised),
            )
        )
    return cells
