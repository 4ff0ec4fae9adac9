"""partyhub/numbers.py: one way to write a number in each language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from partyhub import numbers


@pytest.mark.parametrize(
    ("value", "decimals", "vi", "en"),
    [
        (0, 0, "0", "0"),
        (7, 0, "7", "7"),
        (999, 0, "999", "999"),
        (1000, 0, "1.000", "1,000"),
        (1234, 0, "1.234", "1,234"),
        (-1234, 0, "-1.234", "-1,234"),
        (1234567890, 0, "1.234.567.890", "1,234,567,890"),
        (43, 1, "43,0", "43.0"),
        ("49.0", 1, "49,0", "49.0"),
        ("311.4", 1, "311,4", "311.4"),
        (Decimal("1234.55"), 1, "1.234,6", "1,234.6"),
        (2.25, 1, "2,3", "2.3"),  # the decimal 2.25, not the float 2.2499999...
        (-2.25, 1, "-2,3", "-2.3"),
        (0.05, 1, "0,1", "0.1"),
        (-0.04, 1, "0,0", "0.0"),
        (0.5, 0, "1", "1"),
        (-0.5, 0, "-1", "-1"),
        (1.005, 2, "1,01", "1.01"),
        (999.96, 1, "1.000,0", "1,000.0"),
    ],
)
def test_number_in_both_languages(value, decimals, vi, en):
    assert numbers.number(value, decimals, "vi") == vi
    assert numbers.number(value, decimals, "en") == en


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        ("29.2", "29,2%", "29.2%"),
        ("200.0", "200,0%", "200.0%"),
        ("65.00", "65,0%", "65.0%"),
        (Decimal("65.00"), "65,0%", "65.0%"),
        (0, "0,0%", "0.0%"),
        ("-12.35", "-12,4%", "-12.4%"),
        (12345.67, "12.345,7%", "12,345.7%"),
        (33.349999, "33,3%", "33.3%"),
    ],
)
def test_percent_in_both_languages(value, vi, en):
    assert numbers.percent(value, "vi") == vi
    assert numbers.percent(value, "en") == en


@pytest.mark.parametrize("value", [None, ""])
def test_absent_figures_are_written_as_nothing(value):
    assert numbers.number(value) == ""
    assert numbers.percent(value) == ""
    assert numbers.excel_fraction(value) is None


def test_text_that_is_not_a_number_is_left_as_it_is():
    assert numbers.number("—") == "—"
    assert numbers.percent("n/a") == "n/a"


def test_language_follows_the_active_translation():
    with translation.override("vi"):
        assert numbers.number(1234.5, 1) == "1.234,5"
    with translation.override("en"):
        assert numbers.number(1234.5, 1) == "1,234.5"


def test_excel_fraction():
    assert numbers.excel_fraction("29.2") == pytest.approx(0.292)
    assert numbers.excel_fraction(200) == pytest.approx(2.0)


def test_template_filters():
    template = Template("{% load numbers %}{{ a|number }} {{ b|number:1 }} {{ c|percent }} [{{ d|percent }}]")
    context = Context({"a": 12345, "b": "49.0", "c": "65.00", "d": None})
    with translation.override("vi"):
        assert template.render(context) == "12.345 49,0 65,0% []"
    with translation.override("en"):
        assert template.render(context) == "12,345 49.0 65.0% []"
