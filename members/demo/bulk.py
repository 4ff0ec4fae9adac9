"""Bulk writes for `generate_scale`: PostgreSQL COPY, or `bulk_create` elsewhere, with the history rows.

On PostgreSQL the primary keys are taken from the table's sequence first (one query per call), so
the caller knows every row's key before the rows are sent, and rows and their "created" history rows
go through `COPY … FROM STDIN`: building a 5,000-row INSERT costs Django more than the database
spends on it, and COPY skips that. On other databases (SQLite for the tests) the rows go through
`simple_history`'s `bulk_create_with_history`, which writes the same two sets of rows.
"""

import datetime
import decimal
import io
import json
import operator
from collections.abc import Callable, Sequence

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

# Rows per INSERT where COPY is not available; Django lowers it to SQLite's bound on parameters.
BATCH = 5000
# Rows per COPY buffer.
COPY_ROWS = 50_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """A value in COPY's text format (any type: the slow path)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date | int | decimal.Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)


def _text_str(value) -> str:
    return "\\N" if value is None else value.translate(_ESCAPES)


def _text_plain(value) -> str:
    """Dates and integers: their str() is COPY's text."""
    return "\\N" if value is None else str(value)


def _converter(field: models.Field) -> Callable:
    if isinstance(field, models.CharField | models.TextField):
        return _text_str
    if isinstance(field, models.DateTimeField | models.BooleanField | models.JSONField | models.DecimalField):
        return _text
    if isinstance(field, models.DateField | models.IntegerField | models.AutoField | models.ForeignKey):
        return _text_plain
    return _text


def _fixed_column(text: str) -> Callable[[object, int], str]:
    return lambda _obj, _id: text


def _own_column(field: models.Field) -> Callable[[object, int], str]:
    get, conv = operator.attrgetter(field.attname), _converter(field)
    return lambda obj, _id: conv(get(obj))


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, count])
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[models.Model], columns: Sequence[str], rows) -> None:
    """`rows`: iterables of values already in COPY's text format, in the order of `columns`."""
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"
    buffer, pending = io.StringIO(), 0
    with connection.cursor() as cursor:
        for row in rows:
            buffer.write("\t".join(row))
            buffer.write("\n")
            pending += 1
            if pending == COPY_ROWS:
                buffer.seek(0)
                cursor.copy_expert(sql, buffer)
                buffer, pending = io.StringIO(), 0
        if pending:
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)


def write(
    objs: list,
    model: type[models.Model],
    *,
    reason: str,
    before: tuple[Callable[[], None], list[str]] | None = None,
) -> None:
    """Insert `objs` (their primary keys set afterwards) and one "created" history row each.

    `before`: a step to run once the keys are known and before the rows are stored (setting a
    foreign key between the rows themselves), with the fields it sets.
    """
    if not objs:
        return
    has_history = hasattr(model, "history")
    if connection.vendor != "postgresql":
        if has_history:
            bulk_create_with_history(objs, model, batch_size=BATCH, default_change_reason=reason)
        else:
            model._default_manager.bulk_create(objs, batch_size=BATCH)
        if before is not None:
            step, fields = before
            step()
            model._default_manager.bulk_update(objs, fields, batch_size=BATCH)
        return
    for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    if before is not None:
        before[0]()
    now = timezone.now()
    concrete = model._meta.concrete_fields
    for field in concrete:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for obj in objs:
                if getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
    getters = [(operator.attrgetter(f.attname), _converter(f)) for f in concrete]
    _copy(model, [f.column for f in concrete], ([conv(get(o)) for get, conv in getters] for o in objs))
    if not has_history:
        return
    history = model.history.model  # type: ignore[attr-defined]
    history_ids = _reserve_ids(history, len(objs))
    fixed = {"history_date": now, "history_change_reason": reason, "history_type": "+", "history_user_id": None}
    tracked = {f.attname for f in history.tracked_fields}
    history_fields = history._meta.concrete_fields
    # Each column as a function of (record, history id): the id, a value the same on every row, or
    # the record's own field.
    columns: list[Callable[[object, int], str]] = []
    for f in history_fields:
        if f.attname == "history_id":
            columns.append(lambda _obj, history_id: str(history_id))
        elif f.attname in fixed:
            columns.append(_fixed_column(_text(fixed[f.attname])))
        elif f.attname in tracked:
            columns.append(_own_column(f))
        else:
            columns.append(_fixed_column("\\N"))
    rows = ([column(obj, history_id) for column in columns] for obj, history_id in zip(objs, history_ids, strict=True))
    _copy(history, [f.column for f in history_fields], rows)
