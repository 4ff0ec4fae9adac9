"""Reads of the organisation tree and member rolls, evaluated before any template runs."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from .models import Member, MemberMovement, Organisation
from .names import name_order, sorted_by_name
from .scoping import subtree_q
from .vocabulary import ACTIVE_MEMBER_STATUSES, CELL_LEVELS, INCOMING_MOVEMENTS, MOVEMENT_SIGN, MemberStatus

STEPLEN = Organisation.steplen


def tree_on(*, day: datetime.date, within: QuerySet[Organisation]) -> list[Organisation]:
    """The organisations that existed on `day` (founded by then, not yet dissolved), in tree order.

    Because organisations are never moved, a unit's parent on any date is its parent today; the
    tree as it was is today's tree filtered to the units alive on that date.
    """
    qs = within.filter(founded_on__isnull=True) | within.filter(founded_on__lte=day)
    qs = qs.filter(dissolved_on__isnull=True) | qs.filter(dissolved_on__gt=day)
    return list(qs.order_by("path"))


def _movement_sign():
    return Case(
        *[When(kind=kind, then=Value(sign)) for kind, sign in MOVEMENT_SIGN.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def member_count_on(*, organisation: Organisation, day: datetime.date) -> int:
    """Members on the roll of the organisation's subtree at the end of `day`, from the movements."""
    total = MemberMovement.objects.filter(organisation__path__startswith=organisation.path, date__lte=day).aggregate(
        n=Sum(_movement_sign())
    )["n"]
    return total or 0


def member_counts_on(*, paths: list[str], days: list[datetime.date]) -> dict[datetime.date, int]:
    """Members on the rolls of several subtrees together (a unit and its predecessors, reports/progress/
    lineage.py) at the end of each of `days`, in one query. A transfer between two of these subtrees
    (a merge moving the members into the successor) counts out of one and into the other, so it
    cancels in the total (docs/domain.md, "Successors' bases")."""
    days = sorted(set(days))
    if not days or not paths:
        return dict.fromkeys(days, 0)
    sign = _movement_sign()
    aggregates = {
        f"d{i}": Sum(Case(When(date__lte=day, then=sign), default=Value(0), output_field=IntegerField()))
        for i, day in enumerate(days)
    }
    row = MemberMovement.objects.filter(subtree_q(paths, "organisation__path"), date__lte=days[-1]).aggregate(
        **aggregates
    )
    return {day: row[f"d{i}"] or 0 for i, day in enumerate(days)}


@dataclass(frozen=True)
class NodeCounts:
    members: int = 0
    cells: int = 0


def node_counts(organisations: list[Organisation], on: datetime.date | None = None) -> dict[int, NodeCounts]:
    """Members and active cells in each organisation's subtree: now, or at the end of the past day `on`.

    Now counts the roll (members by status) and the cells not dissolved; a past day counts the
    movements up to it (as `member_count_on` does) and the cells active on it. Two grouped queries per
    distinct depth among `organisations` (at most the tree's seven levels), never one per organisation.
    """
    past = on is not None and on < timezone.localdate()
    by_depth: dict[int, list[Organisation]] = defaultdict(list)
    for org in organisations:
        by_depth[org.depth].append(org)
    members: dict[str, int] = {}
    cells: dict[str, int] = {}
    for depth, orgs in by_depth.items():
        paths = [o.path for o in orgs]
        length = depth * STEPLEN
        member_rows: QuerySet
        if past:
            member_rows = (
                MemberMovement.objects.filter(subtree_q(paths, "organisation__path"), date__lte=on)
                .annotate(prefix=Substr("organisation__path", 1, length))
                .order_by()
                .values("prefix")
                .annotate(n=Sum(_movement_sign()))
            )
        else:
            member_rows = (
                Member.objects.filter(subtree_q(paths, "cell__path"), status__in=ACTIVE_MEMBER_STATUSES)
                .annotate(prefix=Substr("cell__path", 1, length))
                .order_by()  # the default ordering would otherwise join the GROUP BY
                .values("prefix")
                .annotate(n=Count("id"))
            )
        members.update({r["prefix"]: r["n"] or 0 for r in member_rows})
        active = Q(dissolved_on__isnull=True)
        if past:
            started = Q(founded_on__isnull=True) | Q(founded_on__lte=on)
            active = started & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on))
        cell_rows = (
            Organisation.objects.filter(subtree_q(paths), active, level__in=CELL_LEVELS)
            .annotate(prefix=Substr("path", 1, length))
            .order_by()  # Organisation sorts by path by default, which would split every group
            .values("prefix")
            .annotate(n=Count("id"))
        )
        cells.update({r["prefix"]: r["n"] for r in cell_rows})
    return {o.pk: NodeCounts(members=members.get(o.path, 0), cells=cells.get(o.path, 0)) for o in organisations}


def ancestors_within(organisation: Organisation, visible_roots: list[str] | None) -> list[Organisation]:
    """Breadcrumb: the ancestors the user may see (all of them when `visible_roots` is None)."""
    ancestors = list(Organisation.objects.get_ancestors(organisation))
    if visible_roots is None:
        return ancestors
    return [a for a in ancestors if any(a.path.startswith(r) for r in visible_roots)]


def full_members_on(*, cell: Organisation, day: datetime.date) -> list[Member]:
    """The full members on the cell's roll at the end of `day`, by name: the base of the cell's vote
    (`full_member_rolls` for one cell and day, then the members themselves)."""
    pks = full_member_rolls([(cell.pk, day)])[(cell.pk, day)]
    members = Member.objects.filter(pk__in=pks).select_related("person")
    return sorted_by_name(members, lambda m: m.person.full_name, then=lambda m: m.pk)


def full_member_rolls(pairs) -> dict[tuple[int, datetime.date], list[int]]:
    """For each (cell key, day) of `pairs`, the keys of the full members on the cell's roll at the end
    of the day, in two queries whatever the number of pairs (the bulk import asks for many at once).

    On the roll as `member_count_on` counts it, from the movements: a member whose latest movement up
    to the day brought them into this cell. Full on the day: recognised by then (`recognition_date`);
    a member without that date (admitted before PartyHub) is full unless still probationary today or
    admitted less than twelve months before the day.
    """
    pairs = list(dict.fromkeys(pairs))
    result: dict[tuple[int, datetime.date], list[int]] = {pair: [] for pair in pairs}
    if not pairs:
        return result
    cells = sorted({cell for cell, _day in pairs})
    last_day = max(day for _cell, day in pairs)
    entered = MemberMovement.objects.filter(
        organisation_id__in=cells, date__lte=last_day, kind__in=INCOMING_MOVEMENTS
    ).values("member_id")
    members = {
        pk: (status, admitted, recognised)
        for pk, status, admitted, recognised in Member.objects.filter(pk__in=entered).values_list(
            "pk", "status", "admission_decision_date", "recognition_date"
        )
    }
    movements: dict[int, list[tuple]] = {}
    entered_cells: dict[int, set[int]] = {}
    for member_id, day, pk, kind, org_id in (
        MemberMovement.objects.filter(member_id__in=list(members), date__lte=last_day)
        .order_by("date", "pk")
        .values_list("member_id", "date", "pk", "kind", "organisation_id")
    ):
        movements.setdefault(member_id, []).append((day, pk, kind, org_id))
        if MOVEMENT_SIGN.get(kind, 0) > 0:
            entered_cells.setdefault(org_id, set()).add(member_id)
    for cell, day in pairs:
        year_before = _twelve_months_before(day)
        for pk in sorted(entered_cells.get(cell, ())):
            status, admitted, recognised = members[pk]
            before = [m for m in movements.get(pk, ()) if m[0] <= day]
            if not before or before[-1][3] != cell or MOVEMENT_SIGN.get(before[-1][2], 0) <= 0:
                continue
            if recognised is not None:
                full = recognised <= day
            else:
                full = status != MemberStatus.PROBATIONARY and (admitted is None or admitted <= year_before)
            if full:
                result[(cell, day)].append(pk)
    return result


def _twelve_months_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def active_members_of(cell: Organisation) -> list:
    """A cell's members on the roll now, by name, with their person (one query)."""
    return list(
        Member.objects.filter(cell=cell, status__in=ACTIVE_MEMBER_STATUSES)
        .select_related("person")
        .order_by(*name_order("person__full_name"), "pk")
    )


def moving_members(organisations) -> list[dict]:
    """What a merge moves: each unit with the active members of its cells (one query whatever the count)."""
    organisations = list(organisations)
    if not organisations:
        return []
    q = Q(pk__in=[])
    for organisation in organisations:
        q |= Q(cell__path__startswith=organisation.path)
    members = list(
        Member.objects.filter(q, status__in=ACTIVE_MEMBER_STATUSES)
        .select_related("person", "cell")
        .order_by(*name_order("person__full_name"), "pk")
    )
    return [
        {"organisation": o, "members": [m for m in members if m.cell.path.startswith(o.path)]} for o in organisations
    ]
