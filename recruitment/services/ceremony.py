"""The admission ceremony: the person becomes a probationary member."""

import datetime

from django.db import transaction

from members.models import Member, MemberMovement
from members.vocabulary import MemberStatus, MovementKind

from .. import rules
from ..models import Candidate, Ceremony
from ..vocabulary import Stage
from .records import local_today, lock_candidate, move_to, timeline_on_record
from .refusals import expect_stage, refuse_if_blocked


def ceremony_findings(
    decision, *, held_on: datetime.date, superior_consent: str, today: datetime.date, on_record=None
) -> list:
    """`on_record`: the timeline's dates before the ceremony (`records.timeline_on_record`)."""
    dates = {
        **(on_record or {}),
        "decision_date": decision.decided_on,
        "decision_received_date": decision.received_on,
        "ceremony_date": held_on,
    }
    findings = rules.check_dates_in_future(today=today, dates={"ceremony_date": held_on})
    findings += rules.chronology_findings(dates)
    findings += rules.check_ceremony_deadline(
        decision_received_date=decision.received_on, ceremony_date=held_on, superior_consent=bool(superior_consent)
    )
    return findings


@transaction.atomic
def candidate_record_ceremony(
    *, candidate: Candidate, held_on: datetime.date, superior_consent: str = "", by
) -> Member:
    """The admission ceremony: the person becomes a probationary member, counted from the decision date."""
    candidate = lock_candidate(candidate)
    expect_stage(candidate, Stage.DECIDED)
    decision = candidate.decision
    findings = ceremony_findings(
        decision,
        held_on=held_on,
        superior_consent=superior_consent,
        today=local_today(),
        on_record=timeline_on_record(candidate, before="ceremony"),
    )
    findings = refuse_if_blocked(findings, {"ceremony_date": "held_on", "R09_CEREMONY_LATE": "superior_consent"})
    Ceremony.objects.create(candidate=candidate, held_on=held_on, superior_consent=superior_consent, created_by=by)
    member = Member(
        person=candidate.person,
        cell=candidate.cell,
        status=MemberStatus.PROBATIONARY,
        admission_decision_date=decision.decided_on,
        ceremony_date=held_on,
    )
    member._history_user = by
    member.save()
    # Party age and the quota count both start at the decision, so the roll does too.
    MemberMovement.objects.create(
        member=member, kind=MovementKind.ADMITTED, date=decision.decided_on, organisation=candidate.cell
    )
    candidate.member = member
    move_to(candidate, Stage.PROBATIONARY, held_on, by, findings)
    return member
