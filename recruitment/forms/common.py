"""What the pipeline's forms share: labels from the models, date and count fields, the members of a
cell to choose from, and `StepForm`, the base of the forms of one candidate's steps.

The forms check shapes (a date is a date, a count is not negative); the rules live in the services,
which refuse with a `StepRefused` keyed by the names used here. `partyhub.forms.show_refusal` puts
those messages on the form's fields, so the page shows each one next to what must change.
"""

from django import forms
from django.utils.text import capfirst

from members.models import Member, Organisation
from members.names import name_order, person_label
from members.vocabulary import ACTIVE_MEMBER_STATUSES, MemberStatus
from partyhub.forms import DateInput

from ..models import Candidate


def label_of(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def date_field(label, *, required: bool = True, help_text: str = "", initial=None) -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, initial=initial, widget=DateInput)


def count_field(label, *, help_text: str = "", initial=None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        help_text=help_text,
        initial=initial,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class MemberChoiceField(forms.ModelChoiceField):
    """A member to pick, with the year of birth and the cell so that two people of one name differ:
    "Nguyễn Văn Sáng (1990, Chi bộ 3)". The queryset selects `person` and `cell`."""

    def label_from_instance(self, obj: Member) -> str:
        status = obj.get_status_display() if obj.status == MemberStatus.PROBATIONARY else ""
        return person_label(obj.person.full_name, obj.person.date_of_birth, obj.cell.name, status)


def active_members_of(cell: Organisation | None):
    if cell is None:
        return Member.objects.none()
    return (
        Member.objects.filter(cell=cell, status__in=ACTIVE_MEMBER_STATUSES)
        .select_related("person", "cell")
        .order_by(*name_order("person__full_name"), "pk")
    )


class StepForm(forms.Form):
    """One admission step for one candidate. `groups` lays the fields out in fieldsets."""

    step = ""
    title = ""
    groups: tuple[tuple[str | None, tuple[str, ...]], ...] = ()

    def __init__(self, *args, candidate: Candidate, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidate = candidate

    def fieldsets(self):
        groups = self.groups or ((None, tuple(self.fields)),)
        return [(legend, [self[name] for name in names]) for legend, names in groups]

    def record(self, *, by):
        raise NotImplementedError
