"""The admission decision (9-KNĐ)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import AdmissionDecision
from .common import StepForm, date_field, label_of


class DecisionForm(StepForm):
    step = "decision"
    title = _("Quyết định kết nạp (mẫu 9-KNĐ)")

    number = forms.CharField(label=label_of(AdmissionDecision, "number"), max_length=40)
    decided_on = date_field(label_of(AdmissionDecision, "decided_on"))
    received_on = date_field(label_of(AdmissionDecision, "received_on"))
    extended = forms.BooleanField(
        label=label_of(AdmissionDecision, "extended"),
        required=False,
        help_text=_("Quá 60 ngày làm việc kể từ nghị quyết chi bộ, gia hạn tối đa 30 ngày làm việc."),
    )

    def record(self, *, by):
        return services.candidate_record_decision(candidate=self.candidate, by=by, **self.cleaned_data)
