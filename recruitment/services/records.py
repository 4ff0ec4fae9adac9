"""The candidate's own record as every step touches it: locked, moved to its next stage, and the
dates and records already on file that the rules compare with."""

import copy
import datetime
from collections.abc import Sequence

from django.utils import timezone

from partyhub.figures import figures_changed

from ..models import Candidate, Enrolment, StageEntry
from ..rules import Finding


def lock_candidate(candidate: Candidate) -> Candidate:
    return Candidate.objects.select_for_update().select_related("person", "cell").get(pk=candidate.pk)


def open_findings(findings: Sequence[Finding]) -> list[dict]:
    """The warnings a step leaves on the candidate (what does not block), as stored on it."""
    return [{"code": f.code, "severity": str(f.severity), "message": f.message} for f in findings if not f.blocks]


def move_to(
    candidate: Candidate, stage: str, on: datetime.date, by, findings: Sequence[Finding] = (), note: str = ""
) -> None:
    candidate.stage = stage
    candidate.stage_entered_on = on
    candidate.returned_reason = ""
    candidate.open_findings = open_findings(findings)
    candidate._history_user = by
    candidate.save()
    StageEntry.objects.create(candidate=candidate, stage=stage, entered_on=on, note=note, created_by=by)
    # Every stage change moves a figure of the cell's progress (and the ceremony is the admission).
    figures_changed(candidate.cell)


def local_today() -> datetime.date:
    return timezone.localdate()


ON_RECORD = object()


def timeline_dates(
    candidate: Candidate,
    *,
    enrolment=None,
    dossier=None,
    introducers=(),
    verifications=(),
    vote=None,
    approval=None,
    decision=None,
    ceremony=None,
) -> dict:
    """The named dates of `rules.chronology_findings` from records in hand (none read here), so the
    bulk import can pass the records it holds in memory. `enrolment`: the passed one, or the one in
    progress; `vote` and `approval` the latest."""
    known: dict = {"birth_date": candidate.person.date_of_birth, "proposal_date": candidate.proposed_on}
    if enrolment is not None:
        known["class_start_date"] = enrolment.party_class.starts_on
        known["class_end_date"] = enrolment.party_class.ends_on
        if enrolment.passed:
            known["certificate_date"] = enrolment.certificate_issued_on
    if dossier is not None:
        known["application_date"] = dossier.application_date
        known["history_date"] = dossier.personal_history_date
        known["body_introduction_date"] = dossier.body_introduction_date
        known["opinions_date"] = dossier.opinions_date
        known["verification_completed_date"] = dossier.verification_completed_on
        known["dossier_submitted_date"] = dossier.submitted_on
        for i in introducers:
            known[f"introduction_date:{i.member.person.full_name}"] = i.introduced_on
    for r in verifications:
        detail = f"{r.sent_to}, gửi ngày {r.sent_on:%d/%m/%Y}"
        known[f"verification_sent_date:{detail}"] = r.sent_on
        # Present as None while unanswered: the chronology tells an open request from none.
        known[f"verification_reply_date:{detail}"] = r.replied_on
    if vote is not None:
        known["resolution_date"] = vote.held_on
    if approval is not None:
        known["committee_approval_date"] = approval.held_on
    if decision is not None:
        known["decision_date"] = decision.decided_on
        known["decision_received_date"] = decision.received_on
    if ceremony is not None:
        known["ceremony_date"] = ceremony.held_on
    return known


STEPS = ("enrolment", "certificate", "dossier", "vote", "approval", "decision", "ceremony", "recognition")


def timeline_on_record(
    candidate: Candidate, *, before: str, enrolment=ON_RECORD, dossier=ON_RECORD, introducers=ON_RECORD
) -> dict:
    """`timeline_dates` of the steps the database holds for the candidate before step `before` (a name
    of `STEPS`): a step's own record and later ones are left out, as a step returned and taken again
    replaces them. A new candidate (no key yet) holds nothing. Records given replace those on record."""
    saved = candidate.pk is not None
    upto = STEPS.index(before)

    def wanted(step: str) -> bool:
        return saved and STEPS.index(step) < upto

    if enrolment is ON_RECORD:
        enrolment = (passed_enrolment(candidate) or current_enrolment(candidate)) if wanted("enrolment") else None
    if enrolment is not None and not wanted("certificate") and enrolment.passed:
        enrolment = copy.copy(enrolment)
        enrolment.passed = None
    if dossier is ON_RECORD:
        dossier = getattr(candidate, "dossier", None) if wanted("dossier") else None
    if introducers is ON_RECORD:
        introducers = list(dossier.introducers.select_related("member__person")) if dossier and dossier.pk else []
    return timeline_dates(
        candidate,
        enrolment=enrolment,
        dossier=dossier,
        introducers=introducers,
        verifications=list(candidate.verification_requests.all()) if wanted("certificate") else [],
        vote=latest_held(candidate.cell_votes) if wanted("vote") else None,
        approval=latest_held(candidate.committee_approvals) if wanted("approval") else None,
        decision=getattr(candidate, "decision", None) if wanted("decision") else None,
        ceremony=getattr(candidate, "ceremony", None) if wanted("ceremony") else None,
    )


def dates_on_record(candidate: Candidate, *, enrolment=ON_RECORD, dossier=ON_RECORD, **more) -> dict:
    """The dates already on record, for the plausibility rule (birth, certificate, dossier, votes).

    `enrolment` (the passed one) and `dossier` are read from the database unless given (None: none)."""
    known = {"birth_date": candidate.person.date_of_birth}
    if enrolment is ON_RECORD:
        enrolment = passed_enrolment(candidate)
    if enrolment:
        known["certificate_date"] = enrolment.certificate_issued_on
    if dossier is ON_RECORD:
        dossier = getattr(candidate, "dossier", None)
    if dossier:
        known["application_date"] = dossier.application_date
        known["history_date"] = dossier.personal_history_date
    return {**known, **more}


def current_enrolment(candidate: Candidate) -> Enrolment | None:
    return (
        Enrolment.objects.filter(candidate=candidate, passed__isnull=True)
        .select_related("party_class")
        .order_by("-pk")
        .first()
    )


def passed_enrolment(candidate: Candidate) -> Enrolment | None:
    return (
        Enrolment.objects.filter(candidate=candidate, passed=True)
        .select_related("party_class")
        .order_by("-certificate_issued_on", "-pk")
        .first()
    )


def latest_held(qs):
    return qs.order_by("-held_on", "-pk").first()
