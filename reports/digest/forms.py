from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import DigestPreference


class DigestPreferenceForm(forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["opted_out", "language"]
        labels = {
            "opted_out": _("Không nhận bản tin tháng qua email"),
            "language": _("Ngôn ngữ của bản tin"),
        }
