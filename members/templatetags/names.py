"""`{% load names %}`: `{{ user|user_name }}`, a user's name family name first, as the navbar shows it
(members/names.py)."""

from django import template

from members import names

register = template.Library()


@register.filter(name="user_name")
def user_name(user) -> str:
    return names.user_name(user)
