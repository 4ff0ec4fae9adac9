"""The records a paper is drawn from, each kind read once (a fixed number of queries per paper)."""

from dataclasses import dataclass, field

from members.models import Organisation
from members.structure import deciding_committee_of

from ..models import AdmissionDecision, Candidate, CellVote, Ceremony, Dossier, Introducer, Recognition, StepAttachment
from .catalogue import PAPERS, AttachmentStep


@dataclass(frozen=True)
class Records:
    candidate: Candidate
    ancestors: list[Organisation]  # the cell's, root first
    dossier: Dossier | None = None
    introducers: list[Introducer] = field(default_factory=list)
    vote: CellVote | None = None  # the latest cell vote
    approved: bool = False  # a grassroots committee's approval is recorded
    decision: AdmissionDecision | None = None
    ceremony: Ceremony | None = None
    recognition: Recognition | None = None

    @property
    def superior(self) -> Organisation | None:
        """The committee directly above the cell."""
        return self.ancestors[-1] if self.ancestors else None

    @property
    def deciding_committee(self) -> Organisation | None:
        if self.decision is not None:
            return self.decision.issuing_committee
        return deciding_committee_of(self.candidate.cell, self.ancestors)

    def recorded_steps(self) -> set[str]:
        recorded = {
            AttachmentStep.DOSSIER: self.dossier is not None,
            AttachmentStep.CELL_VOTE: self.vote is not None,
            AttachmentStep.COMMITTEE_APPROVAL: self.approved,
            AttachmentStep.DECISION: self.decision is not None,
            AttachmentStep.CEREMONY: self.ceremony is not None,
            AttachmentStep.RECOGNITION: self.recognition is not None,
        }
        return {str(step) for step, done in recorded.items() if done}

    def available_papers(self) -> list[str]:
        """The papers whose step is recorded, in the catalogue's order."""
        has_introductions = bool(self.introducers) or bool(self.dossier and self.dossier.body_introduction_date)
        return available_papers(self.recorded_steps(), has_introductions=has_introductions)


# The candidate page's timeline event kinds (recruitment.selectors.pipeline) and the step each records.
_EVENT_STEPS = {
    "dossier": AttachmentStep.DOSSIER,
    "vote": AttachmentStep.CELL_VOTE,
    "approval": AttachmentStep.COMMITTEE_APPROVAL,
    "decision": AttachmentStep.DECISION,
    "ceremony": AttachmentStep.CEREMONY,
    "recognition": AttachmentStep.RECOGNITION,
}


def available_papers(steps: set[str], *, has_introductions: bool) -> list[str]:
    """The papers of the recorded steps, in the catalogue's order (the list of introducers only when
    someone introduced the candidate)."""
    return [
        slug
        for slug, kind in PAPERS.items()
        if kind.step in steps and (slug != "danh-sach-nguoi-gioi-thieu" or has_introductions)
    ]


def recorded_steps_of(timeline) -> set[str]:
    """The recorded steps read from the candidate page's timeline, with no query of its own."""
    return {str(_EVENT_STEPS[e.kind]) for e in timeline if e.kind in _EVENT_STEPS}


def has_introductions(timeline) -> bool:
    for event in timeline:
        if event.kind == "dossier":
            return bool(event.extra.get("introducers")) or bool(event.record.body_introduction_date)
    return False


def records_for(candidate: Candidate) -> Records:
    """Everything the papers of one candidate need, in eight queries whatever the candidate's history."""
    candidate = Candidate.objects.select_related("person", "cell", "member").get(pk=candidate.pk)
    dossier = Dossier.objects.filter(candidate=candidate).first()
    introducers = (
        list(Introducer.objects.filter(dossier=dossier).select_related("member__person", "member__cell").order_by("pk"))
        if dossier
        else []
    )
    return Records(
        candidate=candidate,
        ancestors=list(Organisation.objects.get_ancestors(candidate.cell)),
        dossier=dossier,
        introducers=introducers,
        vote=CellVote.objects.filter(candidate=candidate).order_by("-held_on", "-pk").first(),
        approved=candidate.committee_approvals.exists(),
        decision=AdmissionDecision.objects.filter(candidate=candidate).select_related("issuing_committee").first(),
        ceremony=Ceremony.objects.filter(candidate=candidate).first(),
        recognition=Recognition.objects.filter(candidate=candidate).first(),
    )


def attachments_of(candidate: Candidate) -> list[StepAttachment]:
    return list(StepAttachment.objects.filter(candidate=candidate).select_related("uploaded_by"))
