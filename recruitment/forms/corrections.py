"""Correcting a candidate's record: the details, one recorded step's values, undoing the latest step.

Each form asks for the reason and hands its cleaned data to recruitment.services.corrections, which
re-runs the rules over the whole timeline and refuses with their messages keyed by these fields.
The sensitive fields (ethnicity, religion, citizen ID) are on the details form only for a
sensitive-data role over the cell (members.scoping.can_see_sensitive).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from members import scoping
from members.models import Person
from partyhub.forms import DateInput

from .. import services
from ..models import Candidate
from ..services import corrections
from ..vocabulary import IntroducingBody
from .common import MemberChoiceField, active_members_of, date_field, label_of
from .proposal import citizen_id_refusal
from .training import EnrolForm


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Lý do sửa"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc; lý do hiện trong quá trình của hồ sơ, cùng người sửa và thời điểm."),
    )


def _dates_as_pickers(fields: dict) -> None:
    for field in fields.values():
        if isinstance(field, forms.DateField):
            field.widget = DateInput()


class CorrectionForm(forms.Form):
    """Fieldsets as StepForm's, so the step pages' template lays it out."""

    groups: tuple = ()

    def fieldsets(self):
        return [(None, [self[name] for name in self.fields])]


class DetailsForm(CorrectionForm):
    """The person's and the candidacy's details, as on entry (recruitment/forms/proposal.py)."""

    title = _("Sửa thông tin cá nhân")

    def __init__(self, *args, candidate: Candidate, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate, self.user = candidate, user
        self.may_see_sensitive = scoping.can_see_sensitive(user, candidate.cell)
        names = [
            n for n in corrections.PERSON_FIELDS if self.may_see_sensitive or n not in corrections.SENSITIVE_FIELDS
        ]
        person_fields = fields_for_model(Person, fields=names)
        _dates_as_pickers(person_fields)
        if "citizen_id" in person_fields:
            person_fields["citizen_id"].widget.attrs.update(inputmode="numeric", maxlength=12)
        person_fields["phone"].widget.attrs.update(inputmode="tel")
        self.fields.update(person_fields)
        self.fields["introduced_by"] = forms.ChoiceField(
            choices=IntroducingBody.choices, label=label_of(Candidate, "introduced_by")
        )
        self.fields["helper"] = MemberChoiceField(
            queryset=active_members_of(candidate.cell),
            required=False,
            label=label_of(Candidate, "helper"),
            empty_label=_("— Chưa chọn —"),
        )
        self.fields["proposed_on"] = date_field(label_of(Candidate, "proposed_on"))
        for name in ("over_age_exception", "education_exception"):
            self.fields[name] = forms.CharField(label=label_of(Candidate, name), max_length=120, required=False)
        self.fields["reason"] = reason_field()
        person = candidate.person
        for name in names:
            self.initial.setdefault(name, getattr(person, name))
        for name in corrections.CANDIDATE_FIELDS:
            self.initial.setdefault(name, getattr(candidate, name))

    def record(self, *, by):
        data = self.cleaned_data
        person_fields = {n: data[n] for n in corrections.PERSON_FIELDS if n in self.fields}
        try:
            return services.candidate_correct_details(
                candidate=self.candidate,
                person_fields=person_fields,
                candidate_fields={n: data[n] for n in corrections.CANDIDATE_FIELDS},
                reason=data["reason"],
                by=by,
            )
        except ValidationError as error:
            taken = getattr(error, "error_dict", {}).get("citizen_id", [])
            if any(e.code == "unique" for e in taken):
                raise services.StepRefused(
                    {"citizen_id": [citizen_id_refusal(self.user, data["citizen_id"])]}
                ) from None
            raise


class StepCorrectionForm(CorrectionForm):
    """One recorded step's values (date, numbers, references), prefilled with those on file."""

    def __init__(self, *args, candidate: Candidate, step: str, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate, self.step, self.step_record = candidate, step, record
        self.title = _("Sửa: %(kind)s") % {"kind": corrections.kind_label(step)}
        names = corrections.STEP_FIELDS[step]
        if step == "enrol":
            self.fields["party_class"] = EnrolForm(candidate=candidate).fields["party_class"]
        else:
            model_fields = fields_for_model(type(record), fields=names)
            _dates_as_pickers(model_fields)
            self.fields.update(model_fields)
        for name in names:
            self.initial.setdefault(name, getattr(record, name))
        self.fields["reason"] = reason_field()

    def record(self, *, by):
        data = dict(self.cleaned_data)
        reason = data.pop("reason")
        return services.step_correct(
            candidate=self.candidate, step=self.step, values=data, reason=reason, by=by, record_id=self.step_record.pk
        )


class UndoForm(forms.Form):
    """The reason, and the stage entry the user saw as the latest (refused if another came since)."""

    entry = forms.IntegerField(widget=forms.HiddenInput)
    reason = reason_field()

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate

    def record(self, *, by):
        return services.candidate_undo_latest_step(
            candidate=self.candidate, reason=self.cleaned_data["reason"], entry_id=self.cleaned_data["entry"], by=by
        )
