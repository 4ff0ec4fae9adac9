"""`Model.full_clean` for the bulk path, with each field's checks gathered once per model.

`full_clean` is the services' check of a new record (Person, Candidate, Dossier, CellVote, PartyClass) and
the bulk path must refuse at least what it refuses. Django's `clean_fields` goes through `Field.clean` for
every field of every record (`to_python`, `validate`, `run_validators`, each rebuilding what it needs);
`clean` below does the same checks from a list made once per model:

- a field left out (`exclude`) is not checked, a blank field with an empty value is not checked
  (as `clean_fields`);
- a value of the field's own Python type (for a text, a str subclass such as a choice's enum member)
  is checked for null, blank, choices, and by the field's validators (max length, the integer range,
  `validate_not_in_future`, `validate_plain_text`, ...); a value of another type goes through the
  field's own `clean`, as in `clean_fields`;
- then the model's `clean()` (Person's normalises its texts, as the service's `full_clean` does), and
  its unique and constraint checks through Django when the model has any (none of those the walk
  cleans, with what it excludes, asks the database anything).

Any error raises ValidationError: the bulk path then leaves the row to the services, which say why in
their own words. So only "is it clean" must match `full_clean`, never the message.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, models

from members.validation import validate_not_in_future, validate_plain_text

from .. import hidden

_TYPES = {
    models.CharField: str,
    models.TextField: str,
    models.DateField: datetime.date,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
}


class _Field:
    __slots__ = (
        "attname",
        "blank",
        "choices",
        "empty",
        "field",
        "future",
        "name",
        "null",
        "plain",
        "type",
        "validators",
    )

    def __init__(self, field):
        self.field, self.name, self.attname = field, field.name, field.attname
        self.blank, self.null, self.empty = field.blank, field.null, field.empty_values
        self.type = _TYPES.get(type(field))
        self.choices = {key for key, _label in field.flatchoices} if field.choices else None
        validators = list(field.validators)
        # The one date validator that reads the clock: checked against the day read once per `clean`.
        self.future = validate_not_in_future in validators
        # `validate_plain_text` first asks the quick test (hidden.py), which says "none" as it would.
        self.plain = validate_plain_text in validators
        self.validators = [v for v in validators if v is not validate_not_in_future and v is not validate_plain_text]


class _Model:
    def __init__(self, model):
        meta = model._meta
        # As `clean_fields`: every field of `_meta.fields` but a generated one.
        self.fields = [_Field(f) for f in meta.fields if not getattr(f, "generated", False)]
        self.has_unique = any(f.unique and not f.primary_key for f in meta.concrete_fields) or bool(
            meta.unique_together or meta.total_unique_constraints
        )
        self.has_constraints = bool(meta.constraints)
        self.unique_checks: dict[frozenset, tuple[list[list[str]], bool]] = {}
        self.checked: dict[frozenset, list[_Field]] = {}  # the fields checked, by the names excluded

    def checks_unique(self, obj, exclude: set) -> bool:
        """Whether `validate_unique(exclude=exclude)` may look anything up for `obj`. Its checks depend only
        on the model and what is excluded (`Model._get_unique_checks`), so they are listed once; and
        `_perform_unique_checks` skips a check when a field of it is None on the record (a new record's
        empty one-to-one, its primary key not yet given), so a record with only such checks has none."""
        key = frozenset(exclude)
        if key not in self.unique_checks:
            unique, dates = obj._get_unique_checks(exclude=exclude)
            meta = type(obj)._meta
            attnames = [[meta.get_field(name).attname for name in names] for _model, names in unique]
            self.unique_checks[key] = (attnames, bool(dates))
        attnames, dated = self.unique_checks[key]
        if dated or connection.features.interprets_empty_strings_as_nulls:
            return True
        return any(all(getattr(obj, a) is not None for a in names) for names in attnames)


_models: dict[type, _Model] = {}


def clean(obj, exclude=(), validate_unique: bool = True, today: datetime.date | None = None) -> None:
    """`obj.full_clean(exclude=exclude, validate_unique=validate_unique)`: raises ValidationError when it would."""
    model = type(obj)
    if model not in _models:
        _models[model] = _Model(model)
    spec = _models[model]
    exclude = set(exclude)
    failed = False
    key = frozenset(exclude)
    fields = spec.checked.get(key)
    if fields is None:
        fields = spec.checked[key] = [f for f in spec.fields if f.name not in exclude]
    for f in fields:
        value = getattr(obj, f.attname)
        if f.blank and value in f.empty:
            continue
        if f.type is None or not (type(value) is f.type or (f.type is str and isinstance(value, str))):
            # Related fields, JSON, and a value of an unexpected type: the field's own clean.
            try:
                setattr(obj, f.attname, f.field.clean(value, obj))
            except ValidationError:
                failed = True
            continue
        if value is None:
            if not f.null:
                failed = True
            continue
        if (not f.blank and value in f.empty) or (f.choices is not None and value not in f.choices):
            failed = True
            continue
        if f.future:
            if today is None:
                from django.utils import timezone  # noqa: PLC0415 - read only when a date needs it

                today = timezone.localdate()
            if value > today:
                failed = True
                continue
        try:
            if f.plain and hidden.may_hide(value):
                validate_plain_text(value)
            for validator in f.validators:
                validator(value)
        except ValidationError:
            failed = True
    if failed:
        raise ValidationError("invalid")
    obj.clean()
    if validate_unique and spec.has_unique and spec.checks_unique(obj, exclude):
        obj.validate_unique(exclude=exclude)
    if spec.has_constraints:
        obj.validate_constraints(exclude=exclude)
