"""Background verification (thẩm tra lý lịch): requests sent out and the replies that come back."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Candidate, VerificationRequest
from ..notifications.create import notify_verification_reply
from ..vocabulary import OPEN_STAGES
from .refusals import StepRefused, full_clean_or_refuse


@transaction.atomic
def verification_request_create(
    *, candidate: Candidate, sent_to: str, sent_on: datetime.date, reply_due_on: datetime.date, by
) -> VerificationRequest:
    """A request for background verification (thẩm tra lý lịch) sent to another organisation or place."""
    if candidate.stage not in OPEN_STAGES:
        raise StepRefused({NON_FIELD_ERRORS: _("Người này không còn trong quy trình kết nạp.")})
    if reply_due_on < sent_on:
        raise StepRefused({"reply_due_on": _("Hạn trả lời không thể trước ngày gửi.")})
    request = VerificationRequest(
        candidate=candidate, sent_to=sent_to.strip(), sent_on=sent_on, reply_due_on=reply_due_on
    )
    full_clean_or_refuse(request, exclude=["candidate"])
    request._history_user = by
    request.save()
    return request


@transaction.atomic
def verification_request_record_reply(
    *, request: VerificationRequest, replied_on: datetime.date, reply: str, by
) -> VerificationRequest:
    request = VerificationRequest.objects.select_for_update().get(pk=request.pk)
    first_reply = request.replied_on is None
    if replied_on < request.sent_on:
        raise StepRefused(
            {
                "replied_on": _("Ngày trả lời không thể trước ngày gửi (%(d)s).")
                % {"d": request.sent_on.strftime("%d/%m/%Y")}
            }
        )
    request.replied_on = replied_on
    request.reply = reply.strip()
    full_clean_or_refuse(request)
    request._history_user = by
    request.save()
    if first_reply:
        notify_verification_reply(request, by=by)
    return request
