"""Reads for the admission board and the candidate page, evaluated before any template runs.

Both pages cost a fixed number of queries whatever the number of candidates or records: the board
reads one windowed list (at most COLUMN_LIMIT cards per stage) and one grouped count; the candidate
page reads each kind of step record once.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from members import scoping
from members.models import Organisation
from members.names import name_order
from members.structure import grassroots_committee_of

from .. import permissions
from .. import scoping as pipeline_scoping
from ..models import (
    Candidate,
    CellVote,
    CommitteeApproval,
    Correction,
    DossierReturn,
    Enrolment,
    Introducer,
    StageEntry,
    VerificationRequest,
)
from ..rules import Severity
from ..vocabulary import EXITS, EXITS_FROM, NEXT_STEP, PIPELINE, Stage
from . import stage_times

# The board shows everyone with a step still to take: from the proposal to probation.
BOARD_STAGES = PIPELINE[: PIPELINE.index(Stage.PROBATIONARY) + 1]
# Cards shown per column; the heading still counts everyone, and the column's own list (`stage_candidates`,
# page by page) or the search finds the rest.
COLUMN_LIMIT = 50
# Candidates per page of one stage's whole list.
STAGE_PAGE_SIZE = 50

# The step that ends each exit, named as permissions.can_record knows it.
EXIT_STEPS = {Stage.WITHDRAWN: "withdraw", Stage.REJECTED: "reject", Stage.STRUCK_OFF: "strike-off"}


# --- the board ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    candidate: Candidate
    days_in_stage: int
    next_step: str
    warnings: list[str]
    # Waited at least stage_times.STUCK_FACTOR times the stage's usual time (`usual_days`: that time).
    stuck: bool = False
    usual_days: int | None = None

    @property
    def returned(self) -> bool:
        return bool(self.candidate.returned_reason)


@dataclass(frozen=True)
class Column:
    stage: str
    label: str
    count: int
    cards: list[Card]

    @property
    def more(self) -> int:
        """Candidates counted in the heading but not shown (beyond COLUMN_LIMIT)."""
        return self.count - len(self.cards)


@dataclass(frozen=True)
class Board:
    columns: list[Column]
    returned: list[Card]
    admitted: int
    stopped: int

    @property
    def total(self) -> int:
        return sum(c.count for c in self.columns)


def _warnings(candidate: Candidate) -> list[str]:
    return [f["message"] for f in candidate.open_findings or [] if f.get("severity") == Severity.WARNS]


def card_for(candidate: Candidate, today: datetime.date, usual: dict[str, int] | None = None) -> Card:
    days = (today - candidate.stage_entered_on).days
    after = stage_times.stuck_after(candidate.stage, usual) if usual else None
    return Card(
        candidate=candidate,
        days_in_stage=days,
        next_step=NEXT_STEP.get(candidate.stage, ""),
        warnings=_warnings(candidate),
        stuck=after is not None and days > after,
        usual_days=usual.get(candidate.stage) if usual else None,
    )


def _board_candidates(organisation: Organisation, user, query: str):
    candidates = pipeline_scoping.candidates_for(user).filter(cell__path__startswith=organisation.path)
    if query:
        candidates = candidates.filter(person__full_name__icontains=query)
    return candidates


def _returned_first():
    return Case(When(returned_reason="", then=Value(1)), default=Value(0), output_field=IntegerField())


def stage_candidates(*, organisation: Organisation, user, stage: str, query: str = ""):
    """Everyone of one board stage in the organisation's subtree (as the user sees it), in the column's order:
    the dossiers sent back first, then the longest waiting, then by name. A queryset, for the paginator to cut."""
    return (
        _board_candidates(organisation, user, query)
        .filter(stage=stage)
        .select_related("person", "cell")
        .order_by(_returned_first(), "stage_entered_on", *name_order("person__full_name"), "pk")
    )


def board(
    *, organisation: Organisation, user, today: datetime.date, query: str = "", usual: dict[str, int] | None = None
) -> Board:
    """The candidates of the organisation's subtree, by stage, the dossiers sent back first.

    Two queries: a count per stage (exits and full members included, for the summary line) and
    the cards, numbered within each stage by a window function so no column grows past the limit.
    """
    candidates = _board_candidates(organisation, user, query)
    counts = dict(candidates.order_by().values_list("stage").annotate(n=Count("pk")))
    returned_first = _returned_first()
    by_name = name_order("person__full_name")
    order = [returned_first.asc(), F("stage_entered_on").asc(), *by_name, F("pk").asc()]
    rows = list(
        candidates.filter(stage__in=BOARD_STAGES)
        .select_related("person", "cell")
        .annotate(position=Window(RowNumber(), partition_by=[F("stage")], order_by=order))
        .filter(position__lte=COLUMN_LIMIT)
        .order_by(returned_first, "stage_entered_on", *by_name, "pk")
    )
    cards: dict[str, list[Card]] = {stage: [] for stage in BOARD_STAGES}
    for c in rows:
        cards[c.stage].append(card_for(c, today, usual))
    columns = [Column(stage, Stage(stage).label, counts.get(stage, 0), cards[stage]) for stage in BOARD_STAGES]
    return Board(
        columns=columns,
        returned=[card for column in columns for card in column.cards if card.returned],
        admitted=counts.get(Stage.FULL, 0),
        stopped=sum(counts.get(stage, 0) for stage in EXITS),
    )


# --- one candidate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One dated line of the timeline; `kind` picks its template and `record` is the step record."""

    on: datetime.date
    kind: str
    record: object
    order: int = 0
    extra: dict = field(default_factory=dict)


# Same-day events keep the pipeline's order (a decision received the day it is signed, etc.).
_KIND_ORDER = {
    kind: i
    for i, kind in enumerate(
        (
            "proposal",
            "class",
            "class_failed",
            "certificate",
            "verification",
            "dossier",
            "vote",
            "approval",
            "return",
            "decision",
            "ceremony",
            "recognition",
            "exit",
            "correction",
        )
    )
}


@dataclass(frozen=True)
class CandidateFile:
    candidate: Candidate
    timeline: list[Event]
    verifications: list[VerificationRequest]
    ancestors: list[Organisation]
    current_class: object | None
    next_step: str | None
    # Every stage entry (the latest step is the last created) and the corrections, for the page's links.
    stage_entries: list = field(default_factory=list)
    corrections: list = field(default_factory=list)


def next_step_for(candidate: Candidate, ancestors: list[Organisation] | None = None) -> str | None:
    """The step form the candidate's stage leads to (None while in class, and once finished)."""
    if candidate.stage == Stage.CELL_RESOLUTION:
        needs_approval = grassroots_committee_of(candidate.cell, ancestors) is not None
        return "committee-approval" if needs_approval else "decision"
    if candidate.stage == Stage.COMMITTEE_REVIEW:
        return "decision"
    return permissions.NEXT_STEP_FOR_STAGE.get(candidate.stage)


def _event(on, kind, record, **extra) -> Event:
    return Event(on=on, kind=kind, record=record, order=_KIND_ORDER[kind], extra=extra)


def candidate_file(candidate: Candidate) -> CandidateFile:
    """Everything the candidate page shows, each kind of record read once (nine queries at most)."""
    candidate = Candidate.objects.select_related(
        "person",
        "cell",
        "helper__person",
        "member",
        "dossier",
        "decision__issuing_committee",
        "ceremony",
        "recognition",
        "exit",
    ).get(pk=candidate.pk)
    dossier = getattr(candidate, "dossier", None)
    entries = list(StageEntry.objects.filter(candidate=candidate).select_related("created_by"))
    enrolments = list(Enrolment.objects.filter(candidate=candidate).select_related("party_class").order_by("pk"))
    introducers = (
        list(Introducer.objects.filter(dossier=dossier).select_related("member__person").order_by("pk"))
        if dossier
        else []
    )
    verifications = list(VerificationRequest.objects.filter(candidate=candidate))
    votes = list(CellVote.objects.filter(candidate=candidate))
    approvals = list(CommitteeApproval.objects.filter(candidate=candidate).select_related("committee"))
    returns = list(DossierReturn.objects.filter(candidate=candidate))
    corrections = list(Correction.objects.filter(candidate=candidate).select_related("created_by"))
    ancestors = list(Organisation.objects.get_ancestors(candidate.cell))

    proposal = next((e for e in entries if e.stage == Stage.SOURCE), None)
    events = [_event(candidate.proposed_on, "proposal", candidate, entry=proposal)]
    for e in enrolments:
        events.append(_event(min(e.party_class.starts_on, e.party_class.ends_on), "class", e))
        if e.passed and e.certificate_issued_on:
            events.append(_event(e.certificate_issued_on, "certificate", e))
        elif e.passed is False:
            events.append(_event(e.party_class.ends_on, "class_failed", e))
    events += [_event(v.sent_on, "verification", v) for v in verifications]
    if dossier:
        events.append(_event(dossier.submitted_on, "dossier", dossier, introducers=introducers))
    events += [_event(v.held_on, "vote", v) for v in votes]
    events += [_event(a.held_on, "approval", a) for a in approvals]
    events += [_event(r.on, "return", r) for r in returns]
    for name, kind, on in (
        ("decision", "decision", "decided_on"),
        ("ceremony", "ceremony", "held_on"),
        ("recognition", "recognition", "meeting_on"),
        ("exit", "exit", "on"),
    ):
        record = getattr(candidate, name, None)
        if record is not None:
            events.append(_event(getattr(record, on), kind, record))
    events += [_event(timezone.localdate(c.created_at), "correction", c) for c in corrections]
    events.sort(key=lambda e: (e.on, e.order, getattr(e.record, "pk", 0)))

    in_class = candidate.stage == Stage.TRAINING and enrolments
    return CandidateFile(
        candidate=candidate,
        timeline=events,
        verifications=verifications,
        ancestors=ancestors,
        current_class=enrolments[-1].party_class if in_class else None,
        next_step=next_step_for(candidate, ancestors),
        stage_entries=entries,
        corrections=corrections,
    )


def exit_kinds_for(user, candidate: Candidate) -> list[str]:
    """The exits this user may record from the candidate's stage (withdrawal is the cell's)."""
    return [
        kind
        for kind in EXITS_FROM.get(candidate.stage, ())
        if permissions.can_record(user, EXIT_STEPS[kind], candidate.cell)
    ]


def visible_ancestors(user, ancestors: list[Organisation]) -> list[Organisation]:
    """The breadcrumb: the ancestors inside the user's subtrees."""
    if user.is_superuser:
        return ancestors
    roots = scoping.root_paths(user)
    return [a for a in ancestors if any(a.path.startswith(r) for r in roots)]
