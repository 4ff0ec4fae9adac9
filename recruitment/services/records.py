"""The candidate's own record as every step touches it: locked, moved to its next stage, and the
dates and records already on file that the rules compare with."""

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


def passed_enrolment(candidate: Candidate) -> Enrolment | None:
    return Enrolment.objects.filter(candidate=candidate, passed=True).order_by("-certificate_issued_on", "-pk").first()


def latest_held(qs):
    return qs.order_by("-held_on", "-pk").first()
