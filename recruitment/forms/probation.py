"""The end of probation: recognition as a full member."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Recognition
from ..vocabulary import Stage
from .common import StepForm, date_field, label_of


class RecognitionForm(StepForm):
    step = "recognition"
    title = _("Công nhận đảng viên chính thức")

    meeting_on = date_field(label_of(Recognition, "meeting_on"))
    decision_number = forms.CharField(label=label_of(Recognition, "decision_number"), max_length=40)

    def record(self, *, by):
        if self.candidate.member is None:
            raise services.StepRefused(
                {
                    NON_FIELD_ERRORS: _(
                        "Chỉ xét công nhận đảng viên chính thức cho đảng viên dự bị; “%(name)s” đang ở giai đoạn "
                        "“%(stage)s”."
                    )
                    % {"name": self.candidate.person.full_name, "stage": Stage(self.candidate.stage).label}
                }
            )
        return services.member_recognise_full(member=self.candidate.member, by=by, **self.cleaned_data)
