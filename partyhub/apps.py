from django.apps import AppConfig


class PartyhubConfig(AppConfig):
    name = "partyhub"
    verbose_name = "PartyHub"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401  (registers the production checks)
        from .middleware import stamp_new_session

        user_logged_in.connect(stamp_new_session, dispatch_uid="partyhub.stamp_new_session")
        install_plausibility_checks()


def install_plausibility_checks() -> None:
    """Every form's date fields refuse years outside 1900-2100 and its number fields (integers,
    decimals, floats) values past a billion, in every app and the admin: a birth date of 0001-01-01
    or a class in 9999 is a typing slip, and 2,147,483,648 members would not fit the database's
    integer (a server error instead of a message). Done once here on the field classes' default
    validators, so a form written later cannot forget it (tests/test_plausible_values.py)."""
    from django import forms

    from members.validation import validate_plausible_date, validate_plausible_number

    for field_class, validator in (
        (forms.DateField, validate_plausible_date),
        (forms.IntegerField, validate_plausible_number),
    ):
        if validator not in field_class.default_validators:
            # A new list on the class itself (not appended to a list shared with a parent class).
            field_class.default_validators = [*field_class.default_validators, validator]
