"""partyhub/forms.py: the one date picker and the one way a service's refusal reaches a form."""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from partyhub.forms import DateInput, prefixed_rows, show_refusal


class PeriodForm(forms.Form):
    ky = forms.CharField(required=False)
    period_start = forms.DateField(required=False, widget=DateInput)
    value = forms.IntegerField(required=False)


def bound(form_class=PeriodForm, **data):
    form = form_class(data)
    assert form.is_valid(), form.errors
    return form


def test_the_date_picker_writes_iso_dates_whatever_the_language(settings):
    settings.LANGUAGE_CODE = "vi"
    html = DateInput(attrs={"class": "form-control"}).render("d", datetime.date(2026, 3, 9))
    assert 'type="date"' in html and 'value="2026-03-09"' in html and 'class="form-control"' in html


def test_messages_go_beside_their_field_and_the_rest_above_the_form():
    form = bound()
    show_refusal(
        form,
        ValidationError({"value": ["Số âm."], "elsewhere": ["Không có ô này."], NON_FIELD_ERRORS: ["Chung."]}),
    )
    assert form.errors["value"] == ["Số âm."]
    assert form.non_field_errors() == ["Không có ô này.", "Chung."]


def test_a_refusal_without_fields_goes_above_the_form():
    form = bound()
    show_refusal(form, ValidationError(["Một.", "Hai."]))
    assert form.non_field_errors() == ["Một.", "Hai."]


def test_rename_moves_a_key_onto_another_field():
    form = bound()
    show_refusal(form, ValidationError({"period_start": ["Trước ngày kết thúc."]}), rename={"period_start": "ky"})
    assert form.errors == {"ky": ["Trước ngày kết thúc."]}


def test_per_row_errors_by_key_as_reports_child_rows_refused_gives_them():
    form, rows = bound(), {}
    show_refusal(form, {7: ["Âm."], 9: ["Quá lớn."]}, rows=rows)
    show_refusal(form, {7: ["Lần hai."]}, rows=rows)
    assert rows == {7: ["Âm.", "Lần hai."], 9: ["Quá lớn."]}
    assert not form.errors


def test_prefixed_row_keys_go_to_their_row_and_unknown_rows_above_the_form():
    form, rows = bound(), {}
    refusal = ValidationError({"row-3": ["Thiếu số."], "row-99": ["Không học lớp này."], "value": ["Sai."]})
    show_refusal(form, refusal, rows=rows, row_of=prefixed_rows("row", [3, 4]))
    assert rows == {3: ["Thiếu số."]}
    assert form.errors["value"] == ["Sai."]
    assert form.non_field_errors() == ["Không học lớp này."]
