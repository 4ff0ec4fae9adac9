"""Leaving the pipeline (withdrawn, rejected, struck off) and the committee sending a dossier back."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partyhub.forms import DateInput

from .. import services
from ..models import Candidate, Exit
from ..vocabulary import Stage
from .common import date_field, label_of


class ExitForm(forms.Form):
    kind = forms.ChoiceField(label=label_of(Exit, "kind"), widget=forms.RadioSelect)
    on = date_field(label_of(Exit, "on"))
    reason = forms.CharField(
        label=label_of(Exit, "reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ghi rõ để cấp ủy và người sau này đọc hồ sơ hiểu vì sao."),
    )

    def __init__(self, *args, candidate: Candidate, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        self.fields["kind"].choices = [(k, Stage(k).label) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]
        self.fields["on"].initial = timezone.localdate()

    def record(self, *, by):
        return services.candidate_exit(candidate=self.candidate, by=by, **self.cleaned_data)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại hồ sơ"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Chi bộ sẽ thấy lý do này trên bảng theo dõi; ghi rõ cần bổ sung, sửa chữa gì."),
        error_messages={"required": _("Hãy ghi lý do trả lại hồ sơ để chi bộ biết cần bổ sung gì.")},
    )
    on = forms.DateField(label=_("Ngày trả lại"), widget=DateInput)
