"""Leaving the pipeline (withdrawn, rejected, struck off) and the committee sending a dossier back."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from members import services as member_services
from members.vocabulary import MovementKind

from ..models import Candidate, DossierReturn, Exit
from ..notifications.create import notify_returned
from ..vocabulary import EXITS_FROM, Stage
from .records import local_today, lock_candidate, move_to
from .refusals import StepRefused, expect_stage


@transaction.atomic
def candidate_exit(*, candidate: Candidate, kind: str, on: datetime.date, reason: str, by) -> Exit:
    """Withdraw (moved away, stopped), reject (a vote or decision said no) or strike off (xóa tên)."""
    candidate = lock_candidate(candidate)
    allowed = EXITS_FROM.get(candidate.stage, ())
    if kind not in allowed:
        raise StepRefused(
            {
                "kind": _("Ở giai đoạn “%(stage)s” không thể chọn “%(kind)s”.")
                % {"stage": Stage(candidate.stage).label, "kind": Stage(kind).label}
            }
        )
    if not reason.strip():
        raise StepRefused({"reason": _("Hãy ghi lý do.")})
    if on > local_today():
        raise StepRefused({"on": _("Ngày %(d)s ở tương lai.") % {"d": on.strftime("%d/%m/%Y")}})
    if on < candidate.stage_entered_on:
        raise StepRefused(
            {
                "on": _("Ngày %(d)s trước ngày vào giai đoạn hiện tại (%(s)s).")
                % {"d": on.strftime("%d/%m/%Y"), "s": candidate.stage_entered_on.strftime("%d/%m/%Y")}
            }
        )
    record = Exit.objects.create(
        candidate=candidate, kind=kind, on=on, from_stage=candidate.stage, reason=reason.strip(), created_by=by
    )
    if kind == Stage.STRUCK_OFF:
        member_services.member_record_exit(member=candidate.member, kind=MovementKind.STRUCK_OFF, on=on, note=reason)
    move_to(candidate, kind, on, by, note=reason.strip())
    return record


def candidate_withdraw(*, candidate: Candidate, on: datetime.date, reason: str, by) -> Exit:
    return candidate_exit(candidate=candidate, kind=Stage.WITHDRAWN, on=on, reason=reason, by=by)


def candidate_reject(*, candidate: Candidate, on: datetime.date, reason: str, by) -> Exit:
    return candidate_exit(candidate=candidate, kind=Stage.REJECTED, on=on, reason=reason, by=by)


@transaction.atomic
def committee_return_dossier(*, candidate: Candidate, on: datetime.date, reason: str, by) -> DossierReturn:
    """The committee sends the dossier back to the cell: one stage back, with the reason on the timeline."""
    candidate = lock_candidate(candidate)
    expect_stage(candidate, Stage.CELL_RESOLUTION, Stage.COMMITTEE_REVIEW)
    if not reason.strip():
        raise StepRefused({"reason": _("Hãy ghi lý do trả lại hồ sơ để chi bộ biết cần bổ sung gì.")})
    if on > local_today():
        raise StepRefused({"on": _("Ngày trả lại hồ sơ ở tương lai.")})
    back = Stage.DOSSIER if candidate.stage == Stage.CELL_RESOLUTION else Stage.CELL_RESOLUTION
    record = DossierReturn.objects.create(
        candidate=candidate, on=on, from_stage=candidate.stage, to_stage=back, reason=reason.strip(), created_by=by
    )
    move_to(candidate, back, on, by, note=reason.strip())
    candidate.returned_reason = reason.strip()
    candidate.save(update_fields=["returned_reason"])
    notify_returned(candidate, reason=reason.strip(), on=on, by=by)
    return record
