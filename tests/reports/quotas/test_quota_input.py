import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from members.vocabulary import Level
from reports.models import Quota
from reports.progress import periods
from reports.quotas.services import quota_set

from ..builders import org

pytestmark = pytest.mark.django_db
YEAR = periods.year(2026)


def set_quota(unit, **fields):
    base = {"period_kind": "year", "period_start": YEAR.start, "period_end": YEAR.end, "source": "plan", "value": 5}
    base.update(fields)
    return quota_set(organisation=unit, by=None, **base)


def refused(unit, **fields):
    with pytest.raises(ValidationError) as caught:
        set_quota(unit, **fields)
    assert not Quota.objects.exists()
    return caught.value.message_dict


def test_a_negative_value_is_refused_naming_the_field():
    assert "không thể là số âm" in refused(org(), value=-3)["value"][0]


def test_a_range_with_the_lower_bound_above_the_upper_is_refused():
    assert "lớn hơn cận trên" in refused(org(), value_kind="range", value=20, upper=15)["upper"][0]


def test_a_rate_above_100_percent_is_refused():
    assert "không quá 100%" in refused(org(), value_kind="rate", rate_percent=Decimal("120"))["rate_percent"][0]


def test_a_quota_outside_the_organisations_life_is_refused():
    unit = org(Level.COMMUNE, founded_on=datetime.date(2025, 7, 1))
    old = periods.year(2023)
    errors = refused(unit, period_start=old.start, period_end=old.end)
    assert "ngoài thời gian hoạt động" in errors["period_start"][0]


def test_a_custom_range_across_two_terms_is_refused():
    errors = refused(
        org(), period_kind="custom", period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)
    )
    assert "nằm trong một nhiệm kỳ" in errors["period_end"][0]


def test_setting_the_same_quota_again_changes_it_instead_of_adding_one():
    unit = org()
    set_quota(unit, value=5)
    set_quota(unit, value=8)
    assert list(Quota.objects.values_list("value", flat=True)) == [8]
