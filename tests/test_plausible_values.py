"""Implausible values typed into a form (issue 14, finding 7): a clear message, never a server error.

Every form's date fields refuse years outside 1900-2100 and its number fields values past a billion
(partyhub/apps.py installs both on Django's field classes), the same bounds as the import's cells.
"""

import datetime

import pytest
from django import forms

from members.validation import EARLIEST_DATE, LARGEST_NUMBER, LATEST_DATE
from recruitment.forms.proposal import ProposeForm
from reports.imports import cells
from reports.quotas.forms import OwnQuotaForm


@pytest.mark.parametrize("typed", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_a_date_field_refuses_a_year_outside_1900_2100(typed):
    with pytest.raises(forms.ValidationError) as refused:
        forms.DateField().clean(typed)
    assert "nằm ngoài khoảng năm 1900–2100" in refused.value.messages[0]


@pytest.mark.parametrize("typed", ["1900-01-01", "2026-12-05", "2100-12-31"])
def test_a_date_field_takes_the_years_inside(typed):
    assert forms.DateField().clean(typed) == datetime.date.fromisoformat(typed)


@pytest.mark.parametrize("field", [forms.IntegerField, forms.DecimalField, forms.FloatField])
def test_a_number_field_refuses_a_number_past_a_billion(field):
    with pytest.raises(forms.ValidationError) as refused:
        field().clean("2147483648")
    assert refused.value.messages == ["Số 2.147.483.648 quá lớn; tối đa 1.000.000.000."]
    assert field().clean(str(LARGEST_NUMBER)) == LARGEST_NUMBER


def test_the_import_uses_the_same_bounds():
    assert cells.parse_date(EARLIEST_DATE.strftime("%d/%m/%Y")) == EARLIEST_DATE
    assert cells.parse_date(LATEST_DATE.strftime("%d/%m/%Y")) == LATEST_DATE
    with pytest.raises(cells.CellError):
        cells.parse_date("31/12/1899")
    with pytest.raises(cells.CellError):
        cells.parse_int(str(LARGEST_NUMBER + 1))


def test_a_proposal_with_a_birth_date_in_year_one_names_the_field(cast):
    form = ProposeForm(
        data={"full_name": "Lò Thị Mai", "date_of_birth": "0001-01-01"},
        organisation=cast.cell_a,
        user=cast.sec_a,
    )
    assert not form.is_valid()
    assert "nằm ngoài khoảng năm 1900–2100" in " ".join(form.errors["date_of_birth"])


def test_a_quota_base_past_the_database_integer_is_a_message(cast):
    form = OwnQuotaForm(
        data={"base_members": "2147483648", "value": "99999999999"},
        today=datetime.date(2026, 12, 5),
    )
    form.is_valid()
    assert "quá lớn" in " ".join(form.errors["base_members"])
    assert "quá lớn" in " ".join(form.errors["value"])


def test_a_page_given_a_date_in_year_one_answers_without_a_server_error(client, cast):
    client.force_login(cast.sec_a)
    response = client.get("/to-chuc/", {"ngay": "0001-01-01"})
    assert response.status_code in (200, 400)
