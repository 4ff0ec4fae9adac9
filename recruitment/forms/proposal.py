"""Proposing a new outstanding person (quần chúng ưu tú) to a cell.

The citizen ID is unique, so a proposal with an ID already on file is refused; the refusal must not
tell the user anything about a record they may not see (issue 14, docs/security.md). The form
therefore leaves the ID's uniqueness out of its own validation: the service checks it last, once
nothing else refuses, and `citizen_id_refusal` words it. Only a user who may read that person's
citizen ID (a sensitive-data role over their unit) is told whose it is; everyone else, whether the
person is outside their subtree or not, gets the same neutral message.
"""

import logging

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import scoping
from members.models import Member, Organisation, Person
from members.vocabulary import CELL_LEVELS
from partyhub.forms import DateInput

from .. import services
from ..models import Candidate
from ..vocabulary import IntroducingBody
from .common import MemberChoiceField, active_members_of, date_field, label_of

# The person's fields a secretary types, as the corrections edit them (one list for both).
PERSON_FIELDS = services.corrections.PERSON_FIELDS

logger = logging.getLogger(__name__)

CITIZEN_ID_UNUSABLE = _(
    "Không thể dùng số CCCD này. Hãy kiểm tra lại số; nếu người này đã có hồ sơ ở đơn vị khác, hãy liên hệ "
    "Ban Tổ chức cấp trên để chuyển hồ sơ."
)


def citizen_id_refusal(user, citizen_id: str) -> str:
    """Why a citizen ID already on file cannot be used, in terms the user may read.

    Whose ID it is, only to a user who may read that person's citizen ID (members.scoping's
    sensitive-data rule over the unit of their membership or candidacy). Otherwise the neutral
    message, identical for a person outside the user's subtree, a person with no record at all, and a
    person the user may see but whose ID they may not read.
    """
    person = Person.objects.select_related("member__cell", "candidate__cell").filter(citizen_id=citizen_id).first()
    if person is not None:
        member = getattr(person, "member", None)
        if member is not None and scoping.can_see_sensitive(user, member.cell):
            return _("Số CCCD này là của “%(name)s”, đã có hồ sơ đảng viên tại %(cell)s.") % {
                "name": person.full_name,
                "cell": member.cell.name,
            }
        candidate = getattr(person, "candidate", None)
        if candidate is not None and scoping.can_see_sensitive(user, candidate.cell):
            return _("Số CCCD này là của “%(name)s”, đã có trong danh sách quần chúng ưu tú của %(cell)s.") % {
                "name": person.full_name,
                "cell": candidate.cell.name,
            }
    return CITIZEN_ID_UNUSABLE


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

    def __init__(self, *args, organisation: Organisation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.user = user
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

    def validate_unique(self):
        """Everything but the citizen ID's uniqueness, which the service checks last (see `record`), so
        a form refused for anything else looks the same whoever the ID belongs to."""
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions() | {"citizen_id"})
        except ValidationError as error:
            self._update_errors(error)

    def record(self, *, by) -> Candidate:
        data = self.cleaned_data
        try:
            return services.candidate_propose(
                cell=self.organisation if self.organisation.is_cell else data["cell"],
                introduced_by=data["introduced_by"],
                proposed_on=data["proposed_on"],
                person_fields={name: data[name] for name in PERSON_FIELDS},
                helper=data["helper"],
                by=by,
            )
        except ValidationError as error:
            taken = getattr(error, "error_dict", {}).get("citizen_id", [])
            if any(e.code == "unique" for e in taken):
                refusal = citizen_id_refusal(self.user, data["citizen_id"])
                # Refusals leave no record otherwise; repeated ones from one user look like probing.
                # The ID itself is personal data and stays out of the log.
                logger.warning(
                    "Proposal refused: citizen ID already on file (user %s, organisation %s)",
                    getattr(self.user, "pk", None),
                    self.organisation.pk,
                )
                raise services.StepRefused({"citizen_id": [refusal]}) from None
            raise
