"""Forms of the quota screen: the period asked for, the children's values, the organisation's own quota.

The forms check shapes only (a number is a number); the rules (no negative quota, a range's lower
bound under its upper, a rate up to 100%) are reports.quotas.services.check_quota's, and its Vietnamese
messages come back beside the field or the row they name.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from members.services import organisation_term_set
from partyhub.forms import DateInput, show_refusal

from ..dashboard.selectors import FIRST_TERM_YEAR, period_label
from ..models import Quota
from ..progress import periods
from ..vocabulary import QuotaMetric, QuotaSource, ShareAttribute, ValueKind
from .screen import ChildRow, ChildRowsRefused, period_kind_of
from .services import quota_set

CUSTOM = "custom"


def quota_period_choices(today: datetime.date, extra: periods.Period | None = None) -> list:
    """Terms and years a quota is set for: from the 2020 term to the next year, newest first."""
    current = periods.term_containing(today)
    terms = [periods.term(y) for y in range(current.start.year + periods.TERM_YEARS, FIRST_TERM_YEAR - 1, -5)]
    years = [periods.year(y) for y in range(today.year + 1, FIRST_TERM_YEAR - 1, -1)]
    if extra is not None and extra.kind in ("term", "year") and extra not in terms + years:
        (terms if extra.kind == "term" else years).append(extra)
    return [
        (_("Nhiệm kỳ"), [(p.key, period_label(p)) for p in terms]),
        (_("Năm"), [(p.key, period_label(p)) for p in years]),
    ]


class QuotaPeriodForm(forms.Form):
    """GET form: which period and which source the children's table shows."""

    ky = forms.ChoiceField(label=_("Kỳ chỉ tiêu"))
    nguon = forms.ChoiceField(label=_("Nguồn chỉ tiêu"), choices=QuotaSource.choices, initial=QuotaSource.ASSIGNED)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ky"].choices = quota_period_choices(today)
        self.fields["ky"].initial = str(today.year)

    def clean(self):
        cleaned = super().clean()
        if "ky" in cleaned:
            cleaned["period"] = periods.parse(cleaned["ky"])
        cleaned["source"] = cleaned.get("nguon") or QuotaSource.ASSIGNED
        return cleaned


@dataclass
class ChildInput:
    row: ChildRow
    field: BoundField
    errors: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"child-{self.row.organisation.pk}"


class ChildQuotasForm(forms.Form):
    """One number per child unit; a row left as it was (or empty) is not saved again."""

    def __init__(self, *args, rows: list[ChildRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.child_rows = rows
        self._row_errors: dict[int, list[str]] = {}
        for row in rows:
            self.fields[f"child_{row.organisation.pk}"] = forms.IntegerField(
                label=_("Chỉ tiêu giao cho %(name)s") % {"name": row.organisation.name},
                required=False,
                initial=row.current,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "inputmode": "numeric"}),
            )

    def changes(self) -> dict[Organisation, int]:
        changed = {}
        for row in self.child_rows:
            value = self.cleaned_data.get(f"child_{row.organisation.pk}")
            if value is None:
                continue
            unchanged = row.quota is not None and row.quota.value_kind == ValueKind.EXACT and row.quota.value == value
            if not unchanged:
                changed[row.organisation] = value
        return changed

    def show_refusal(self, refusal: ChildRowsRefused) -> None:
        show_refusal(self, refusal.errors, rows=self._row_errors)

    @property
    def has_row_errors(self) -> bool:
        return bool(self._row_errors) or any(self[name].errors for name in self.fields)

    def rows(self) -> list[ChildInput]:
        inputs = []
        for row in self.child_rows:
            bound = self[f"child_{row.organisation.pk}"]
            errors = [*self._row_errors.get(row.organisation.pk, []), *bound.errors]
            inputs.append(ChildInput(row, bound, [f"{row.organisation.name}: {m}" for m in errors]))
        return inputs


class OwnQuotaForm(forms.Form):
    """The organisation's own quota, any kind; `quota_set` decides whether it is valid."""

    ky = forms.ChoiceField(label=_("Kỳ chỉ tiêu"))
    period_start = forms.DateField(label=_("Từ ngày (khoảng khác)"), required=False, widget=DateInput)
    period_end = forms.DateField(label=_("Đến ngày (khoảng khác)"), required=False, widget=DateInput)
    source = forms.ChoiceField(label=_("Nguồn chỉ tiêu"), choices=QuotaSource.choices)
    metric = forms.ChoiceField(label=_("Nội dung"), choices=QuotaMetric.choices, initial=QuotaMetric.ADMISSIONS)
    share_attribute = forms.ChoiceField(
        label=_("Đặc điểm (chỉ tiêu tỷ lệ)"), choices=[("", "—"), *ShareAttribute.choices], required=False
    )
    value_kind = forms.ChoiceField(label=_("Dạng chỉ tiêu"), choices=ValueKind.choices, initial=ValueKind.EXACT)
    value = forms.IntegerField(label=_("Số lượng / cận dưới"), required=False)
    upper = forms.IntegerField(label=_("Cận trên"), required=False)
    rate_percent = forms.DecimalField(label=_("Tỷ lệ (%)"), required=False, max_digits=5, decimal_places=2)
    base_members = forms.IntegerField(
        label=_("Số đảng viên đầu nhiệm kỳ"),
        required=False,
        min_value=0,
        help_text=_("Chỉ tiêu theo tỷ lệ: để trống thì lấy số đảng viên ngày đầu nhiệm kỳ."),
    )
    carry_over = forms.BooleanField(
        label=_("Cộng phần thiếu vào chỉ tiêu năm sau"),
        required=False,
        help_text=_("Cấp trên quy định: phần chưa đạt của năm này được cộng vào chỉ tiêu năm sau."),
    )
    note = forms.CharField(label=_("Ghi chú"), max_length=200, required=False)

    def __init__(self, *args, today: datetime.date, editing: Quota | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        extra = None
        if editing is not None and editing.period_kind != "custom":
            extra = periods.parse(_key_of(editing))
        self.fields["ky"].choices = [*quota_period_choices(today, extra), (CUSTOM, _("Khoảng thời gian khác"))]

    @staticmethod
    def initial_for(quota: Quota | None, *, period: periods.Period, source: str) -> dict:
        if quota is None:
            return {"ky": period.key, "source": source, "metric": QuotaMetric.ADMISSIONS}
        custom = quota.period_kind == "custom"
        return {
            "ky": CUSTOM if custom else _key_of(quota),
            "period_start": quota.period_start if custom else None,
            "period_end": quota.period_end if custom else None,
            "source": quota.source,
            "metric": quota.metric,
            "share_attribute": quota.share_attribute,
            "value_kind": quota.value_kind,
            "value": quota.value,
            "upper": quota.upper,
            "rate_percent": quota.rate_percent,
            "base_members": quota.base_members,
            "carry_over": quota.carry_over,
            "note": quota.note,
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ky") == CUSTOM:
            for name in ("period_start", "period_end"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Khoảng thời gian khác cần cả ngày bắt đầu và ngày kết thúc."))
        return cleaned

    def _period(self) -> periods.Period:
        data = self.cleaned_data
        if data["ky"] == CUSTOM:
            return periods.Period("custom", data["period_start"], data["period_end"])
        return periods.parse(data["ky"])

    def save(self, *, organisation: Organisation, by) -> Quota:
        data = self.cleaned_data
        period = self._period()
        return quota_set(
            organisation=organisation,
            by=by,
            period_kind=period_kind_of(period),
            period_start=period.start,
            period_end=period.end,
            source=data["source"],
            metric=data["metric"],
            share_attribute=data["share_attribute"] if data["metric"] == QuotaMetric.SHARE else "",
            value_kind=data["value_kind"],
            value=data["value"],
            upper=data["upper"],
            rate_percent=data["rate_percent"],
            base_members=data["base_members"],
            carry_over=data["carry_over"],
            note=data["note"],
        )

    def show_refusal(self, refusal: ValidationError) -> None:
        """quota_set's messages beside their fields; the period's beside the period picker."""
        custom = self.cleaned_data.get("ky") == CUSTOM
        show_refusal(self, refusal, rename=None if custom else {"period_start": "ky", "period_end": "ky"})


def _key_of(quota: Quota) -> str:
    if quota.period_kind == "term":
        return f"{quota.period_start.year}-{quota.period_start.year + periods.TERM_YEARS}"
    if quota.period_kind == "year":
        return str(quota.period_start.year)
    return f"{quota.period_start.isoformat()}..{quota.period_end.isoformat()}"


def term_year_choices(today: datetime.date) -> list[tuple[int, str]]:
    """Congress cycles an organisation records its term for: the 2015 cycle up to the next one."""
    current = periods.term_containing(today).start.year
    years = range(current + periods.TERM_YEARS, 2015 - 1, -periods.TERM_YEARS)
    return [(y, f"{y}-{y + periods.TERM_YEARS}") for y in years]


class TermDatesForm(forms.Form):
    """An organisation's own term (its congress date); members.services.organisation_term_set checks it."""

    first_year = forms.TypedChoiceField(label=_("Nhiệm kỳ"), coerce=int)
    start = forms.DateField(label=_("Ngày bắt đầu (ngày đại hội)"), widget=DateInput)
    end = forms.DateField(label=_("Ngày kết thúc"), widget=DateInput)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_year"].choices = term_year_choices(today)
        self.fields["first_year"].initial = periods.term_containing(today).start.year

    def save(self, *, organisation: Organisation, by):
        data = self.cleaned_data
        return organisation_term_set(
            organisation=organisation, first_year=data["first_year"], start=data["start"], end=data["end"], by=by
        )

    def show_refusal(self, refusal: ValidationError) -> None:
        show_refusal(self, refusal)
