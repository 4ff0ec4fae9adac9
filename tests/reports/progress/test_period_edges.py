"""Periods a user can type into a URL: implausible years are refused with a message, never a 500."""

import pytest
from django.urls import reverse

from reports.progress import periods

ODD = ["0000", "9999", "0001-01", "2101-2106", "0001-01-01..0001-12-31", "2026-01-01..9999-12-31"]


@pytest.mark.parametrize("text", ODD)
def test_a_year_outside_1930_to_2100_is_refused_by_name(text):
    with pytest.raises(periods.PeriodError, match="Năm phải từ 1930 đến 2100"):
        periods.parse(text)


@pytest.mark.parametrize("text", ["1930", "2100", "1930-01-01..1930-12-31", "2095-2100"])
def test_the_edges_of_the_range_are_accepted(text):
    assert periods.parse(text).start.year >= 1930


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [{"ky": "0000"}, {"ky": "9999"}, {"tu": "0001-01-01", "den": "0001-12-31"}, {"ky": "2100-13"}]
)
def test_the_dashboard_answers_an_odd_period_with_its_default_and_the_reason(client, cast, query):
    client.force_login(cast.commune_board)
    response = client.get(reverse("reports:dashboard", args=[cast.commune_x.pk]), query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Năm phải từ 1930 đến 2100" in body or "Tháng không hợp lệ" in body
