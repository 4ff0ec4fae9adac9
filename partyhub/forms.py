"""What every app's forms share: the date picker and putting a service's refusal on a form.

The services check the rules and refuse with a ValidationError keyed by the form's field names
(recruitment's `StepRefused`, reports' `quota_set`), or with messages per row of a table (a class's
results, the children's quotas). `show_refusal` is the one place that turns such a refusal into
what the page shows: each message beside its field or its row, the rest above the form.
"""

from collections.abc import Callable, Hashable, Iterable, Mapping, MutableMapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class DateInput(forms.DateInput):
    """The browser's date picker; it reads and writes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def show_refusal(
    form: forms.BaseForm,
    refusal: ValidationError | Mapping[Hashable, Iterable[str]],
    *,
    rename: Mapping[str, str] | None = None,
    rows: MutableMapping[Hashable, list[str]] | None = None,
    row_of: Callable[[Hashable], Hashable | None] | None = None,
) -> None:
    """Put a refusal's messages on the form: beside the field a key names, else above the form.

    `refusal` is a ValidationError (keyed by field, or a plain list of messages, which go above the
    form) or a mapping key -> messages (e.g. reports' `ChildRowsRefused.errors`).
    `rename` moves a key onto another field first (a period's dates onto the period picker).
    `rows` and `row_of`: a table's per-row errors, which are not form fields. A key for which
    `row_of(key)` gives a row (not None) has its messages added to `rows[row]`; without `row_of`,
    every key is a row.
    """
    if isinstance(refusal, ValidationError):
        if not hasattr(refusal, "error_dict"):
            form.add_error(None, refusal.messages)
            return
        errors: Mapping[Hashable, Iterable[str]] = refusal.message_dict
    else:
        errors = refusal
    for key, messages in errors.items():
        messages = list(messages)
        if rows is not None:
            row = key if row_of is None else row_of(key)
            if row is not None:
                rows.setdefault(row, []).extend(messages)
                continue
        field = (rename or {}).get(key, key) if isinstance(key, str) else None
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, messages)


def prefixed_rows(prefix: str, known: Iterable[Hashable]) -> Callable[[Hashable], int | None]:
    """A `row_of` for keys like `row-<id>`: the id when it is one of the known rows, else None."""
    known = set(known)

    def row_of(key: Hashable) -> int | None:
        head, _sep, rest = str(key).partition("-")
        if head == prefix and rest.isdigit() and int(rest) in known:
            return int(rest)
        return None

    return row_of
