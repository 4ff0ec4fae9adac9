"""The quota screen: the board sets its units' quotas in one go and its own quota by a form."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from reports.models import Quota
from reports.progress import periods

from ..builders import quota

pytestmark = pytest.mark.django_db
YEAR = periods.year(2026)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 23, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


def screen_url(organisation, **params):
    url = reverse("reports:quotas", args=[organisation.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else url


def children_post(cast, **values):
    data = {"form": "children"}
    data.update({f"child_{getattr(cast, key).pk}": value for key, value in values.items()})
    return data


def assigned(unit):
    return Quota.objects.filter(organisation=unit, source="assigned", period_start=YEAR.start, period_end=YEAR.end)


def test_the_screen_lists_one_row_per_unit_directly_below(client, cast):
    client.force_login(cast.commune_board)
    body = client.get(screen_url(cast.commune_x, ky="2026", nguon="assigned")).content.decode()
    assert f'name="child_{cast.cell_a.pk}"' in body and f'name="child_{cast.cell_b.pk}"' in body
    assert "Chi bộ thôn C" not in body


def test_the_board_sets_every_units_quota_in_one_post(client, cast):
    client.force_login(cast.commune_board)
    url = screen_url(cast.commune_x, ky="2026", nguon="assigned")
    response = client.post(url, children_post(cast, cell_a="6", cell_b="4"))
    assert response.status_code == 302 and response.url == url
    assert assigned(cast.cell_a).get().value == 6
    assert assigned(cast.cell_b).get().value == 4
    assert assigned(cast.cell_a).get().period_kind == "year"
    body = client.get(url).content.decode()
    assert "Đã lưu chỉ tiêu của 2 đơn vị trực thuộc." in body


def test_a_row_left_as_it_was_is_not_saved_again(client, cast):
    existing = quota(cast.cell_a, YEAR, 6, source="assigned")
    client.force_login(cast.commune_board)
    client.post(screen_url(cast.commune_x, ky="2026", nguon="assigned"), children_post(cast, cell_a="6", cell_b=""))
    assert existing.history.count() == 1  # its creation; no second save
    assert not assigned(cast.cell_b).exists()


def test_it_warns_when_the_units_sum_is_below_the_organisations_own_quota(client, cast):
    quota(cast.commune_x, YEAR, 12, source="assigned")
    quota(cast.cell_a, YEAR, 6, source="assigned")
    quota(cast.cell_b, YEAR, 4, source="assigned")
    client.force_login(cast.commune_board)
    body = client.get(screen_url(cast.commune_x, ky="2026", nguon="assigned")).content.decode()
    warning = body.split('id="sum-warning"', 1)[1].split("</div>", 1)[0]
    assert "Tổng chỉ tiêu giao cho các đơn vị trực thuộc (10) thấp hơn chỉ tiêu của Đảng bộ xã Xuân (12)" in warning
    assert "còn thiếu 2" in warning


def test_no_warning_once_the_units_sum_reaches_the_quota(client, cast):
    quota(cast.commune_x, YEAR, 10, source="assigned")
    client.force_login(cast.commune_board)
    url = screen_url(cast.commune_x, ky="2026", nguon="assigned")
    client.post(url, children_post(cast, cell_a="6", cell_b="4"))
    assert 'id="sum-warning"' not in client.get(url).content.decode()


def test_a_negative_value_is_refused_naming_the_row_and_nothing_is_saved(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(
        screen_url(cast.commune_x, ky="2026", nguon="assigned"), children_post(cast, cell_a="5", cell_b="-3")
    )
    assert response.status_code == 200
    body = response.content.decode()
    row_b = body.split(f'id="child-{cast.cell_b.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Chi bộ thôn B: Chỉ tiêu không thể là số âm (đã nhập -3)." in row_b
    row_a = body.split(f'id="child-{cast.cell_a.pk}"', 1)[1].split("</li>", 1)[0]
    assert "row-errors" not in row_a
    assert not Quota.objects.exists()


def test_a_term_quota_is_set_for_the_term(client, cast):
    client.force_login(cast.commune_board)
    client.post(screen_url(cast.commune_x, ky="2025-2030", nguon="resolution"), children_post(cast, cell_a="20"))
    saved = Quota.objects.get(organisation=cast.cell_a)
    assert (saved.period_kind, saved.source) == ("term", "resolution")
    assert (saved.period_start, saved.period_end) == (datetime.date(2025, 7, 1), datetime.date(2030, 6, 30))


def test_the_board_sets_its_own_range_quota_with_carry_over(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(
        screen_url(cast.commune_x),
        {
            "form": "own",
            "ky": "2026",
            "source": "plan",
            "metric": "admissions",
            "value_kind": "range",
            "value": "8",
            "upper": "10",
            "carry_over": "on",
        },
    )
    assert response.status_code == 302
    saved = Quota.objects.get(organisation=cast.commune_x)
    assert (saved.value, saved.upper, saved.carry_over, saved.source) == (8, 10, True, "plan")


def test_the_own_quota_form_shows_the_services_errors_beside_their_fields(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(
        screen_url(cast.commune_x),
        {
            "form": "own",
            "ky": "2026",
            "source": "plan",
            "metric": "admissions",
            "value_kind": "range",
            "value": "20",
            "upper": "15",
        },
    )
    assert response.status_code == 200
    assert response.context["own_form"].errors["upper"] == ["Cận dưới (20) lớn hơn cận trên (15)."]
    assert not Quota.objects.exists()


def test_a_share_quota_needs_its_attribute(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(
        screen_url(cast.commune_x),
        {
            "form": "own",
            "ky": "2025-2030",
            "source": "resolution",
            "metric": "share",
            "value_kind": "rate",
            "rate_percent": "65",
        },
    )
    assert "cần chọn đặc điểm" in response.context["own_form"].errors["share_attribute"][0]
    response = client.post(
        screen_url(cast.commune_x),
        {
            "form": "own",
            "ky": "2025-2030",
            "source": "resolution",
            "metric": "share",
            "value_kind": "rate",
            "rate_percent": "65",
            "share_attribute": "youth_union_introduced",
        },
    )
    assert response.status_code == 302
    assert Quota.objects.get().rate_percent == Decimal("65")


def test_a_custom_period_needs_both_dates(client, cast):
    client.force_login(cast.commune_board)
    response = client.post(
        screen_url(cast.commune_x),
        {
            "form": "own",
            "ky": "custom",
            "period_start": "2026-01-01",
            "source": "plan",
            "metric": "admissions",
            "value_kind": "exact",
            "value": "3",
        },
    )
    assert "period_end" in response.context["own_form"].errors
    assert not Quota.objects.exists()


def test_the_existing_quotas_are_listed_with_an_edit_link_that_fills_the_form(client, cast):
    existing = quota(cast.commune_x, YEAR, 12, source="assigned")
    client.force_login(cast.commune_board)
    body = client.get(screen_url(cast.commune_x)).content.decode()
    assert f'href="?sua={existing.pk}#own-quota"' in body
    form = client.get(screen_url(cast.commune_x, sua=existing.pk)).context["own_form"]
    assert (form.initial["ky"], form.initial["source"], form.initial["value"]) == ("2026", "assigned", 12)


def test_a_cell_secretary_may_not_open_the_screen(client, cast):
    client.force_login(cast.sec_a)
    assert client.get(screen_url(cast.cell_a)).status_code == 403
    assert client.post(screen_url(cast.cell_a), {"form": "own"}).status_code == 403


def test_a_board_outside_the_subtree_gets_404(client, cast):
    client.force_login(cast.commune_board)
    assert client.get(screen_url(cast.commune_y)).status_code == 404
