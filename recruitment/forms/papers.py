"""The upload of a signed paper's scan, to one of the candidate's recorded steps."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Candidate
from ..papers import attachments
from ..papers.catalogue import AttachmentStep


class AttachmentForm(forms.Form):
    step = forms.ChoiceField(label=_("Giấy tờ của bước"))
    file = forms.FileField(
        label=_("Bản quét (PDF, PNG hoặc JPEG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, candidate: Candidate, steps: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        self.fields["step"].choices = [(value, label) for value, label in AttachmentStep.choices if value in steps]
        limit = attachments.megabytes(attachments.max_bytes())
        self.fields["file"].help_text = _("Tối đa %(limit)s MB.") % {"limit": limit}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        attachments.check_upload(upload)
        return upload

    def record(self, *, by):
        return attachments.attach(
            candidate=self.candidate, step=self.cleaned_data["step"], upload=self.cleaned_data["file"], by=by
        )
