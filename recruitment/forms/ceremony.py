"""The admission ceremony."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Ceremony
from .common import StepForm, date_field, label_of


class CeremonyForm(StepForm):
    step = "ceremony"
    title = _("Lễ kết nạp")

    held_on = date_field(label_of(Ceremony, "held_on"))
    superior_consent = forms.CharField(
        label=label_of(Ceremony, "superior_consent"),
        max_length=120,
        required=False,
        help_text=_("Chỉ khi tổ chức lễ quá 30 ngày làm việc kể từ ngày nhận quyết định: số, ngày văn bản."),
    )

    def record(self, *, by):
        return services.candidate_record_ceremony(candidate=self.candidate, by=by, **self.cleaned_data)
