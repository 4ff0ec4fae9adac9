"""Forms of the party-awareness class: sending one candidate (their step), and the class pages: a new
class, enrolling people, and the results of a whole class."""

from dataclasses import dataclass, field

from django import forms
from django.forms import BoundField
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from members.names import person_label
from partyhub.forms import DateInput, prefixed_rows, show_refusal

from .. import services
from ..models import Enrolment, PartyClass
from ..rules import add_months
from ..services import ClassResult, StepRefused
from .common import StepForm

# A class that ended longer ago than this is no longer offered for enrolment (records of older
# classes are entered by the class page, which lists every class).
ENROL_CLASS_WINDOW_MONTHS = 24


class EnrolForm(StepForm):
    step = "enrol"
    title = _("Cử đi học lớp bồi dưỡng nhận thức về Đảng")

    party_class = forms.ModelChoiceField(
        queryset=PartyClass.objects.none(), label=capfirst(PartyClass._meta.verbose_name)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        path, steplen = self.candidate.cell.path, Organisation.steplen
        own_or_above = [path[:end] for end in range(steplen, len(path) + 1, steplen)]
        since = add_months(timezone.localdate(), -ENROL_CLASS_WINDOW_MONTHS)
        field = self.fields["party_class"]
        field.queryset = (
            PartyClass.objects.filter(organiser__path__in=own_or_above, ends_on__gte=since)
            .select_related("organiser")
            .order_by("-starts_on", "pk")
        )
        field.label_from_instance = lambda c: (
            f"{c.name} · {c.starts_on:%d/%m/%Y}–{c.ends_on:%d/%m/%Y} · {c.organiser.name}"
        )
        field.help_text = _("Lớp do chi bộ hoặc cấp ủy cấp trên tổ chức, kết thúc trong 24 tháng gần đây.")

    def record(self, *, by):
        return services.candidate_enroll_in_class(
            candidate=self.candidate, party_class=self.cleaned_data["party_class"], by=by
        )


class ClassForm(forms.Form):
    name = forms.CharField(
        label=_("Tên lớp"), max_length=200, help_text=_("Ví dụ: Lớp bồi dưỡng nhận thức về Đảng khóa 1 năm 2026")
    )
    starts_on = forms.DateField(label=_("Ngày khai giảng"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ngày bế giảng"), widget=DateInput)
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)


class CandidateChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, candidate):
        return person_label(candidate.person.full_name, candidate.person.date_of_birth, candidate.cell.name)


class ClassEnrolForm(forms.Form):
    """Several people sent to one class from the class page."""

    candidates = CandidateChoices(
        label=_("Quần chúng ưu tú được cử đi học"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Hãy chọn ít nhất một người."),
            "invalid_choice": _(
                "Có người đã được cử đi học hoặc không còn ở diện quần chúng ưu tú; hãy tải lại trang."
            ),
            "invalid_pk_value": _("Lựa chọn không hợp lệ; hãy tải lại trang."),
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidates"].queryset = candidates


PASSED, FAILED = "passed", "failed"


@dataclass
class ResultRow:
    enrolment: Enrolment
    result: BoundField
    number: BoundField
    issued_on: BoundField
    errors: list[str] = field(default_factory=list)

    @property
    def candidate(self):
        return self.enrolment.candidate

    @property
    def anchor(self) -> str:
        return f"row-{self.enrolment.candidate_id}"


class ResultsForm(forms.Form):
    """One form for the whole class: a result, certificate number and issue date per person.

    A row left at "not recorded" is skipped, so a late certificate can be recorded later. The
    service checks every row before saving any, and its errors come back keyed `row-<id>`.
    """

    def __init__(self, *args, party_class: PartyClass, enrolments: list[Enrolment], **kwargs):
        super().__init__(*args, **kwargs)
        self.party_class = party_class
        self.enrolments = enrolments
        self._row_errors: dict[int, list[str]] = {}
        for e in enrolments:
            cid, name = e.candidate_id, e.candidate.person.full_name
            self.fields[f"result_{cid}"] = forms.ChoiceField(
                label=_("Kết quả của %(name)s") % {"name": name},
                choices=[(PASSED, _("Đạt")), (FAILED, _("Chưa đạt")), ("", _("Chưa ghi"))],
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            )
            self.fields[f"number_{cid}"] = forms.CharField(
                label=_("Số giấy chứng nhận"),
                max_length=40,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )
            self.fields[f"issued_{cid}"] = forms.DateField(
                label=_("Ngày cấp"),
                required=False,
                initial=party_class.ends_on,
                widget=DateInput(attrs={"class": "form-control form-control-sm"}),
            )

    def clean(self):
        cleaned = super().clean()
        if self.enrolments and not any(cleaned.get(f"result_{e.candidate_id}") for e in self.enrolments):
            raise forms.ValidationError(_("Chưa ghi kết quả cho người nào."))
        return cleaned

    def results(self) -> list[ClassResult]:
        data = self.cleaned_data
        results = []
        for e in self.enrolments:
            cid = e.candidate_id
            outcome = data.get(f"result_{cid}")
            if not outcome:
                continue
            results.append(
                ClassResult(
                    candidate_id=cid,
                    passed=outcome == PASSED,
                    certificate_number=data.get(f"number_{cid}") or "",
                    certificate_issued_on=data.get(f"issued_{cid}"),
                )
            )
        return results

    def show_refusal(self, refusal: StepRefused) -> None:
        """Errors keyed `row-<candidate id>` go beside their row; the rest above the form."""
        rows = prefixed_rows("row", (e.candidate_id for e in self.enrolments))
        show_refusal(self, refusal, rows=self._row_errors, row_of=rows)

    def rows(self) -> list[ResultRow]:
        rows = []
        for e in self.enrolments:
            cid = e.candidate_id
            bound = {name: self[f"{name}_{cid}"] for name in ("result", "number", "issued")}
            errors = [*self._row_errors.get(cid, [])]
            for bf in bound.values():
                errors += [f"{bf.label}: {message}" for message in bf.errors]
            rows.append(ResultRow(e, bound["result"], bound["number"], bound["issued"], errors))
        return rows
