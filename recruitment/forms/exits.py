"""The committee's form for sending a dossier back to the cell."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .training import DateInput


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại hồ sơ"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Chi bộ sẽ thấy lý do này trên bảng theo dõi; ghi rõ cần bổ sung, sửa chữa gì."),
        error_messages={"required": _("Hãy ghi lý do trả lại hồ sơ để chi bộ biết cần bổ sung gì.")},
    )
    on = forms.DateField(label=_("Ngày trả lại"), widget=DateInput)
