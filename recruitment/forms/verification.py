"""Background verification (thẩm tra lý lịch): a request sent out, and its reply."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Candidate, VerificationRequest
from .common import date_field, label_of


class VerificationForm(forms.Form):
    sent_to = forms.CharField(
        label=label_of(VerificationRequest, "sent_to"),
        max_length=200,
        help_text=_("Ví dụ: Công an xã, chi bộ nơi cư trú, đơn vị công tác cũ."),
    )
    sent_on = date_field(label_of(VerificationRequest, "sent_on"))
    reply_due_on = date_field(label_of(VerificationRequest, "reply_due_on"))

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        today = timezone.localdate()
        self.fields["sent_on"].initial = today
        self.fields["reply_due_on"].initial = today + datetime.timedelta(days=30)

    def record(self, *, by):
        return services.verification_request_create(candidate=self.candidate, by=by, **self.cleaned_data)


class VerificationReplyForm(forms.Form):
    replied_on = date_field(label_of(VerificationRequest, "replied_on"))
    reply = forms.CharField(
        label=label_of(VerificationRequest, "reply"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, request: VerificationRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["replied_on"].initial = request.replied_on or timezone.localdate()
        self.fields["reply"].initial = request.reply

    def record(self, *, by):
        return services.verification_request_record_reply(request=self.request, by=by, **self.cleaned_data)
