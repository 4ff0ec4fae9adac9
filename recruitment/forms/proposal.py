"""Proposing a new outstanding person (quần chúng ưu tú) to a cell."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member, Organisation, Person
from members.vocabulary import CELL_LEVELS
from partyhub.forms import DateInput

from .. import services
from ..models import Candidate
from ..vocabulary import IntroducingBody
from .common import MemberChoiceField, active_members_of, date_field, label_of

PERSON_FIELDS = (
    "full_name",
    "gender",
    "date_of_birth",
    "ethnicity",
    "religion",
    "general_education",
    "professional_training",
    "occupation",
    "phone",
    "citizen_id",
    "is_youth_union_member",
)


class ProposeForm(forms.ModelForm):
    """A new outstanding person (quần chúng ưu tú): who they are, which cell, who helps them."""

    cell = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=label_of(Candidate, "cell"))
    introduced_by = forms.ChoiceField(choices=IntroducingBody.choices, label=label_of(Candidate, "introduced_by"))
    helper = MemberChoiceField(
        queryset=Member.objects.none(),
        required=False,
        label=label_of(Candidate, "helper"),
        empty_label=_("— Chọn sau —"),
    )
    proposed_on = date_field(label_of(Candidate, "proposed_on"))

    class Meta:
        model = Person
        fields = PERSON_FIELDS
        widgets = {"date_of_birth": DateInput, "phone": forms.TextInput(attrs={"inputmode": "tel"})}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["proposed_on"].initial = timezone.localdate()
        self.fields["citizen_id"].widget.attrs.update(inputmode="numeric", maxlength=12)
        if organisation.is_cell:
            # A cell proposes to itself; the field stays out of the page.
            del self.fields["cell"]
            cell = organisation
        else:
            cells = Organisation.objects.filter(
                path__startswith=organisation.path, level__in=CELL_LEVELS, dissolved_on__isnull=True
            ).order_by("name")
            self.fields["cell"].queryset = cells
            # Choosing the cell reloads the helper list of that cell (htmx; without it, the list
            # fills in when the form comes back).
            self.fields["cell"].widget.attrs.update(
                {
                    "hx-get": reverse("recruitment:propose", args=[organisation.pk]),
                    "hx-target": "#helper-field",
                    "hx-select": "#helper-field",
                    "hx-swap": "outerHTML",
                }
            )
            chosen = self.data.get("cell") if self.is_bound else self.initial.get("cell")
            cell = cells.filter(pk=chosen).first() if str(chosen or "").isdigit() else None
        self.chosen_cell = cell
        self.fields["helper"].queryset = active_members_of(cell)
        if cell is None:
            self.fields["helper"].help_text = _("Chọn chi bộ trước, rồi chọn đảng viên của chi bộ đó.")

    def record(self, *, by) -> Candidate:
        data = self.cleaned_data
        return services.candidate_propose(
            cell=self.organisation if self.organisation.is_cell else data["cell"],
            introduced_by=data["introduced_by"],
            proposed_on=data["proposed_on"],
            person_fields={name: data[name] for name in PERSON_FIELDS},
            helper=data["helper"],
            by=by,
        )
