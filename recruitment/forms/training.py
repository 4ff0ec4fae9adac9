"""Forms of the class pages: a new class, enrolling people, and the results of a whole class."""

from dataclasses import dataclass, field

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from ..models import Enrolment, PartyClass
from ..services import ClassResult, StepRefused


class DateInput(forms.DateInput):
    """The browser's date picker; it reads and writes ISO dates whatever the page language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def show_refusal(form: forms.Form, refusal: StepRefused) -> None:
    """Put a service's refusal on the form: beside the field it names, else above the form."""
    for key, messages in refusal.message_dict.items():
        form.add_error(key if key in form.fields else None, messages)


class ClassForm(forms.Form):
    name = forms.CharField(
        label=_("Tên lớp"), max_length=200, help_text=_("Ví dụ: Lớp bồi dưỡng nhận thức về Đảng khóa 1 năm 2026")
    )
    starts_on = forms.DateField(label=_("Ngày khai giảng"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ngày bế giảng"), widget=DateInput)
    place = forms.CharField(label=_("Địa điểm"), max_length=200, required=False)


class CandidateChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, candidate):
        return f"{candidate.person.full_name} — {candidate.cell.name}"


class EnrolForm(forms.Form):
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
        rows = {e.candidate_id for e in self.enrolments}
        for key, messages in refusal.message_dict.items():
            prefix, _sep, rest = key.partition("-")
            if prefix == "row" and rest.isdigit() and int(rest) in rows:
                self._row_errors.setdefault(int(rest), []).extend(messages)
            else:
                self.add_error(None, messages)

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
