"""The committee's queue: dossiers voted by a cell and waiting for an approval or a decision.

Rule 8 gives the committee 60 working days from the cell resolution to decide, extendable by 30.
The queue reads the resolution dates in the candidates' own query (an annotation) and counts the
working days in Python, so its cost does not grow with the number of dossiers on a page.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery

from members.models import Organisation
from members.names import name_order
from members.structure import deciding_committee_of, grassroots_committee_of

from .. import rule_numbers as N
from .. import rules
from ..models import Candidate, CellVote, CommitteeApproval
from ..vocabulary import Stage
from ..working_days import add_working_days, working_days_between
from .classes import ancestor_paths

WAITING_STAGES = (Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW)
# A dossier this close to the 60 working days is shown as due soon, so the committee can meet in time.
NEAR_LIMIT_WORKING_DAYS = 10


class State:
    OK = "ok"
    NEAR = "near"
    OVER = "over"  # past the 60 working days: only an extension keeps it lawful
    EXPIRED = "expired"  # past the extension too


class Waiting:
    APPROVAL = "approval"  # the grassroots committee's approval (8-KNĐ)
    DECISION = "decision"  # the admission decision (9-KNĐ)


@dataclass(frozen=True)
class QueueRow:
    candidate: Candidate
    waiting_for: str
    committee: Organisation | None
    resolution_on: datetime.date | None
    approved_on: datetime.date | None
    working_days: int | None
    deadline: datetime.date | None
    extended_deadline: datetime.date | None
    state: str
    # Rule 6 (docs/domain.md §3.3): the latest vote's (approval's) figures differ from the roll, and why.
    vote_exception: str = ""
    vote_figures: tuple[int | None, int | None] = (None, None)  # (minutes' total, roll's total)
    approval_exception: str = ""

    @property
    def days_left(self) -> int | None:
        return None if self.working_days is None else N.DECISION_WORKING_DAYS - self.working_days


@dataclass(frozen=True)
class QueueSummary:
    total: int
    over_limit: int


def queue_candidates(organisation: Organisation) -> QuerySet[Candidate]:
    """The subtree's dossiers waiting for the committee, oldest resolution first (then by name)."""
    return (
        Candidate.objects.filter(stage__in=WAITING_STAGES, cell__path__startswith=organisation.path)
        .select_related("person", "cell")
        .annotate(resolution_on=Max("cell_votes__held_on"), approved_on=Max("committee_approvals__held_on"))
        .annotate(
            vote_base_reason=Subquery(_latest(CellVote).values("base_reason")[:1]),
            vote_full_members=Subquery(_latest(CellVote).values("full_members")[:1]),
            vote_roll_full_members=Subquery(_latest(CellVote).values("roll_full_members")[:1]),
            approval_base_reason=Subquery(_latest(CommitteeApproval).values("base_reason")[:1]),
        )
        .order_by(F("resolution_on").asc(nulls_first=True), *name_order("person__full_name"), "pk")
    )


def _latest(model):
    return model.objects.filter(candidate=OuterRef("pk")).order_by("-held_on", "-pk")


def over_limit_cutoff(today: datetime.date, limit: int = N.DECISION_WORKING_DAYS) -> datetime.date:
    """A resolution dated before this day has more than `limit` working days up to `today`.

    The k-th working day counting back from today (today included when it is one) is where k
    working days have been used, so "more than limit" is "before the (limit + 1)-th".
    """
    return add_working_days(today + datetime.timedelta(days=1), -(limit + 1))


def queue_summary(organisation: Organisation, today: datetime.date) -> QueueSummary:
    """Counts for the whole queue in one query (the list itself is paged)."""
    figures = (
        Candidate.objects.filter(stage__in=WAITING_STAGES, cell__path__startswith=organisation.path)
        .annotate(resolution_on=Max("cell_votes__held_on"))
        .aggregate(
            total=Count("pk"),
            over_limit=Count("pk", filter=Q(resolution_on__lt=over_limit_cutoff(today))),
        )
    )
    return QueueSummary(total=figures["total"], over_limit=figures["over_limit"])


def _state(working_days: int | None) -> str:
    if working_days is None:
        return State.OK
    if working_days > N.DECISION_WORKING_DAYS + N.DECISION_EXTENSION_WORKING_DAYS:
        return State.EXPIRED
    if working_days > N.DECISION_WORKING_DAYS:
        return State.OVER
    if working_days >= N.DECISION_WORKING_DAYS - NEAR_LIMIT_WORKING_DAYS:
        return State.NEAR
    return State.OK


def queue_rows(candidates, today: datetime.date) -> list[QueueRow]:
    """Rows for evaluated candidates of `queue_candidates`; one query reads every cell's ancestors."""
    candidates = list(candidates)
    prefixes = {p for c in candidates for p in ancestor_paths(c.cell.path)[:-1]}
    by_path = {o.path: o for o in Organisation.objects.filter(path__in=prefixes)}
    rows = []
    for c in candidates:
        ancestors = [by_path[p] for p in ancestor_paths(c.cell.path)[:-1] if p in by_path]
        approver = grassroots_committee_of(c.cell, ancestors) if c.stage == Stage.CELL_RESOLUTION else None
        resolution_on = c.resolution_on
        used = working_days_between(resolution_on, today) if resolution_on else None
        approved = c.stage == Stage.COMMITTEE_REVIEW
        rows.append(
            QueueRow(
                candidate=c,
                waiting_for=Waiting.APPROVAL if approver else Waiting.DECISION,
                committee=approver or deciding_committee_of(c.cell, ancestors),
                resolution_on=resolution_on,
                approved_on=c.approved_on if approved else None,
                working_days=used,
                deadline=rules.decision_deadline(resolution_on) if resolution_on else None,
                extended_deadline=rules.decision_deadline(resolution_on, extended=True) if resolution_on else None,
                state=_state(used),
                vote_exception=getattr(c, "vote_base_reason", "") or "",
                vote_figures=(getattr(c, "vote_full_members", None), getattr(c, "vote_roll_full_members", None)),
                approval_exception=(getattr(c, "approval_base_reason", "") or "") if approved else "",
            )
        )
    return rows
