from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """One code: the 6 digits an authenticator app shows, or (when confirming a login) a recovery code."""

    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )
