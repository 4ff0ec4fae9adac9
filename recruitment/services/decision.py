"""The admission decision (9-KNĐ) of the committee that decides for the cell."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from members.structure import deciding_committee_of

from .. import rules
from ..models import AdmissionDecision, Candidate
from ..notifications.create import notify_decision
from ..vocabulary import Stage
from .records import latest_held, local_today, lock_candidate, move_to, timeline_on_record
from .refusals import StepRefused, expect_stage, refuse_if_blocked
from .votes import needs_committee_approval


def decision_findings(
    *,
    vote_held_on: datetime.date,
    approval_held_on: datetime.date | None,
    decided_on: datetime.date,
    received_on: datetime.date,
    extended: bool,
    today: datetime.date,
    on_record=None,
) -> list:
    """`on_record`: the timeline's dates before the decision (`records.timeline_on_record`)."""
    dates = {
        **(on_record or {}),
        "resolution_date": vote_held_on,
        "committee_approval_date": approval_held_on,
        "decision_date": decided_on,
        "decision_received_date": received_on,
    }
    findings = rules.check_dates_in_future(
        today=today, dates={"decision_date": decided_on, "decision_received_date": received_on}
    )
    findings += rules.chronology_findings(dates)
    findings += rules.check_decision_deadline(resolution_date=vote_held_on, decision_date=decided_on, extended=extended)
    return findings


@transaction.atomic
def candidate_record_decision(
    *,
    candidate: Candidate,
    number: str,
    decided_on: datetime.date,
    received_on: datetime.date,
    extended: bool = False,
    by,
) -> AdmissionDecision:
    candidate = lock_candidate(candidate)
    committee_needed = needs_committee_approval(candidate)
    expect_stage(candidate, Stage.COMMITTEE_REVIEW if committee_needed else Stage.CELL_RESOLUTION)
    if not number.strip():
        raise StepRefused({"number": _("Thiếu số quyết định kết nạp (mẫu 9-KNĐ).")})
    vote = latest_held(candidate.cell_votes)
    approval = latest_held(candidate.committee_approvals) if committee_needed else None
    findings = decision_findings(
        vote_held_on=vote.held_on,
        approval_held_on=approval.held_on if approval else None,
        decided_on=decided_on,
        received_on=received_on,
        extended=extended,
        today=local_today(),
        on_record=timeline_on_record(candidate, before="decision"),
    )
    findings = refuse_if_blocked(
        findings,
        {
            "decision_date": "decided_on",
            "decision_received_date": "received_on",
            "R08_DECISION_LATE": "decided_on",
            "R08_DECISION_EXTENDED": "extended",
        },
    )
    decision = AdmissionDecision.objects.create(
        candidate=candidate,
        number=number.strip(),
        decided_on=decided_on,
        received_on=received_on,
        issuing_committee=deciding_committee_of(candidate.cell),
        extended=extended,
        created_by=by,
    )
    move_to(candidate, Stage.DECIDED, decided_on, by, findings)
    notify_decision(candidate, number=decision.number, decided_on=decided_on, by=by)
    return decision
