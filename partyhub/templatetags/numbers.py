"""`{% load numbers %}`: `{{ n|number }}`, `{{ x|number:1 }}`, `{{ p|percent }}` in the active language.

The filters of partyhub/numbers.py; see there for the rules (separators, one decimal for percentages,
rounding, None written as "").
"""

from django import template

from partyhub import numbers

register = template.Library()


@register.filter(name="number")
def number(value, decimals=0):
    try:
        places = int(decimals)
    except (TypeError, ValueError):
        places = 0
    return numbers.number(value, places)


@register.filter(name="percent")
def percent(value):
    return numbers.percent(value)
