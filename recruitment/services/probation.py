"""The end of probation: recognition as a full member, or striking off (xóa tên)."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member
from members.vocabulary import MemberStatus

from .. import rules
from ..models import Candidate, Exit, Recognition
from ..vocabulary import Stage
from .exits import candidate_exit
from .records import local_today, lock_candidate, move_to, timeline_on_record
from .refusals import StepRefused, expect_stage, refuse_if_blocked


def recognition_findings(
    *, ceremony_held_on: datetime.date, meeting_on: datetime.date, today: datetime.date, on_record=None
) -> list:
    """`on_record`: the timeline's dates before the recognition (`records.timeline_on_record`)."""
    dates = {**(on_record or {}), "ceremony_date": ceremony_held_on, "recognition_date": meeting_on}
    findings = rules.check_dates_in_future(today=today, dates={"recognition_date": meeting_on})
    findings += rules.chronology_findings(dates)
    findings += rules.check_probation_completed(ceremony_date=ceremony_held_on, recognition_date=meeting_on)
    findings += rules.check_recognition_deadline(ceremony_date=ceremony_held_on, recognition_date=meeting_on)
    return findings


@transaction.atomic
def member_recognise_full(*, member: Member, meeting_on: datetime.date, decision_number: str, by) -> Member:
    """Recognition as a full member; effective at the end of the 12 months even when the meeting is late."""
    candidate = lock_candidate(member.candidate)
    expect_stage(candidate, Stage.PROBATIONARY)
    if not decision_number.strip():
        raise StepRefused({"decision_number": _("Thiếu số quyết định công nhận đảng viên chính thức.")})
    ceremony = candidate.ceremony
    findings = recognition_findings(
        ceremony_held_on=ceremony.held_on,
        meeting_on=meeting_on,
        today=local_today(),
        on_record=timeline_on_record(candidate, before="recognition"),
    )
    findings = refuse_if_blocked(findings, {"recognition_date": "meeting_on", "R10_PROBATION_NOT_OVER": "meeting_on"})
    effective = rules.full_member_effective_date(ceremony.held_on)
    Recognition.objects.create(
        candidate=candidate,
        meeting_on=meeting_on,
        decision_number=decision_number.strip(),
        effective_on=effective,
        created_by=by,
    )
    member = Member.objects.select_for_update().get(pk=member.pk)
    member.status = MemberStatus.FULL
    member.recognition_date = effective
    member._history_user = by
    member.save()
    move_to(candidate, Stage.FULL, meeting_on, by, findings)
    return member


def member_strike_off(*, candidate: Candidate, on: datetime.date, reason: str, by) -> Exit:
    return candidate_exit(candidate=candidate, kind=Stage.STRUCK_OFF, on=on, reason=reason, by=by)
