"""The upload form: the file checks and the reading happen in `clean_file`, so a refused file is a
form error in Vietnamese next to the field, never a server error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import national


class NationalListForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp danh sách đảng viên xuất từ CSDL đảng viên (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.national_list = national.read_national(upload)
        except national.NationalFileRefused as refusal:
            raise forms.ValidationError(refusal.message, code="refused") from None
        return upload
