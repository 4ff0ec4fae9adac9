"""Multi-row INSERTs for the bulk path, without the ORM's per-value compilation.

`bulk_create` compiles every value of every row through the SQL compiler (`pre_save`, `get_db_prep_save`,
a placeholder per field), and simple-history's `bulk_history_create` first builds one historical model
instance per row: together most of the bulk path's writing time. Here each model's columns are prepared
once, each value goes through its field's `get_db_prep_save` only when the field needs it (dates on
SQLite, JSON, ...), and the rows go as one `INSERT ... VALUES (...), (...) RETURNING pk` per batch.

What is written is what `bulk_create` and `bulk_history_create` write: the same columns and values (a
field's `auto_now_add` filled at insertion, a related record's key taken from the record it names), the
primary keys set on the records, and for the history, each row's author (`_history_user`, else the
author given, else simple-history's default), reason, type and date. A database or a model this does not
handle (a `db_default`, no RETURNING from a multi-row INSERT) goes through those two functions instead.
"""

import datetime
import io
import operator
from decimal import Decimal

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

_BATCH = 1000


def _plain(field) -> bool:
    if field.is_relation:
        return _plain(field.target_field)
    # A CharField subclass may convert (an EmailField does not, but a custom one could): exact classes only,
    # and their usual subclasses from Django.
    return type(field) in {
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.SmallIntegerField,
        models.BigIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.PositiveBigIntegerField,
        models.BooleanField,
        models.AutoField,
        models.BigAutoField,
        models.SmallAutoField,
    }


def _converter(field):
    """How a value of the field is made ready for the database: None when the driver takes it as it is;
    a date or a date and time as the backend adapts it (what `get_db_prep_save` ends with for a value of
    the right type); else the field's own `get_db_prep_save`."""
    if _plain(field):
        return None
    ops = connection.ops
    kind = type(field.target_field if field.is_relation else field)
    if kind is models.DateField:
        # A batch's dates repeat (the same days down a sheet): each day adapted once per column.
        adapted: dict[datetime.date, object] = {}

        def date(value):
            if type(value) is datetime.date:
                ready = adapted.get(value)
                if ready is None:
                    if len(adapted) > 100_000:  # the table's converters last the process: kept bounded
                        adapted.clear()
                    ready = adapted[value] = ops.adapt_datefield_value(value)
                return ready
            return field.get_db_prep_save(value, connection)

        return date
    if kind is models.DateTimeField:

        def moment(value):
            if type(value) is datetime.datetime and timezone.is_aware(value):
                return ops.adapt_datetimefield_value(value)
            return field.get_db_prep_save(value, connection)

        return moment
    if isinstance(field, models.JSONField):
        # Most JSON values written are the same empty list (a record's open findings): prepared once.
        empty: list = []

        def json_value(value):
            if type(value) is list and not value:
                if not empty:
                    empty.append(field.get_db_prep_save([], connection))
                return empty[0]
            return field.get_db_prep_save(value, connection)

        return json_value
    return lambda value: field.get_db_prep_save(value, connection)


class _Table:
    """One model's INSERT: its columns (every concrete field but an auto primary key) and how each value
    is made ready for the database."""

    def __init__(self, model):
        meta = model._meta
        self.model = model
        pk = meta.pk
        self.auto_pk = isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField)
        self.fields = [f for f in meta.concrete_fields if not (self.auto_pk and f is pk)]
        self.usable = all(f.db_default is NOT_PROVIDED for f in self.fields) and (
            connection.features.can_return_rows_from_bulk_insert
        )
        self.stamped = [f for f in self.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
        self.related = [f for f in self.fields if f.is_relation]
        self.prep = [_converter(f) for f in self.fields]
        # A record's values of the columns, in their order, as one tuple (one call for them all).
        attnames = [f.attname for f in self.fields]
        self.values = operator.attrgetter(*attnames) if len(attnames) > 1 else lambda r: (getattr(r, attnames[0]),)
        qn = connection.ops.quote_name
        self.head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) VALUES "
        self.returning = f" RETURNING {qn(meta.db_table)}.{qn(pk.column)}" if self.auto_pk else ""
        self.size = max(1, min(_BATCH, connection.ops.bulk_batch_size(self.fields, [None] * _BATCH)))

    def value_rows(self, rows: list[list], ready: frozenset[int] = frozenset()) -> list[list]:
        """The rows' values, each through its field's preparation where it needs one (but the columns
        whose positions are `ready`)."""
        preps = [(i, convert) for i, convert in enumerate(self.prep) if convert is not None and i not in ready]
        if preps:
            for values in rows:
                for i, convert in preps:
                    if values[i] is not None:
                        values[i] = convert(values[i])
        return rows

    def execute(self, rows: list[list], returning: bool) -> list:
        """INSERT the rows in batches; the new primary keys in their order when `returning`."""
        if not returning and _copy(self, rows):
            return []
        if returning:
            keys = _copy_returning(self, rows)
            if keys is not None:
                return keys
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        keys = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.size):
                part = rows[start : start + self.size]
                sql = self.head + ", ".join([one] * len(part))
                params = [v for values in part for v in values]
                if returning:
                    cursor.execute(sql + self.returning, params)
                    keys += [r[0] for r in cursor.fetchall()]
                else:
                    cursor.execute(sql, params)
        return keys


class _NotCopyable(Exception):
    pass


def _copy_value(value) -> str:
    """A value made ready for the database (`_Table.value_rows`) in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is float or kind is Decimal:
        return str(value)
    if isinstance(value, str):
        text = str.__str__(value)  # a choice's enum member: its text
    elif isinstance(value, int):
        return str(int(value))
    elif kind is datetime.date or kind is datetime.datetime or kind is datetime.time:
        text = value.isoformat()
    elif kind.__module__.startswith(("psycopg2.", "django.db.backends.postgresql.")) and hasattr(value, "adapted"):
        text = value.dumps(value.adapted)  # psycopg2's Json / Django's Jsonb: the JSON text it would send
    else:
        raise _NotCopyable
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


# Rows per COPY statement (the text of one is held in memory).
_COPY_ROWS = 10_000


def _copy_lines(rows: list[list]) -> list[str] | None:
    """Each row as a line of COPY's text format, or None when a value is of a type this does not format."""
    try:
        return ["\t".join([_copy_value(v) for v in values]) + "\n" for values in rows]
    except _NotCopyable:
        return None


def _copy_lines_in(table: "_Table", lines: list[str], columns: list[str]) -> bool:
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table.model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if not hasattr(raw, "copy_expert"):
            return False
        for start in range(0, len(lines), _COPY_ROWS):
            raw.copy_expert(sql, io.StringIO("".join(lines[start : start + _COPY_ROWS])))
    return True


def _copyable() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return hasattr(cursor.cursor, "copy_expert")  # psycopg2


def _copy(table: "_Table", rows: list[list]) -> bool:
    """On PostgreSQL with psycopg2, rows without a key to return go by COPY: the same rows as the INSERT
    writes, three to four times quicker for the server than a multi-row INSERT. False (nothing written)
    on another database or driver, or when a value is of a type this does not format."""
    if not rows or not _copyable():
        return False
    lines = _copy_lines(rows)
    return lines is not None and _copy_lines_in(table, lines, [f.column for f in table.fields])


def _copy_returning(table: "_Table", rows: list[list]) -> list | None:
    """`_copy` for rows whose new keys are wanted: the keys drawn first from the table's sequence (as many
    `nextval` as rows, in increasing order as the INSERT would give them, in one query), then written with
    the rows. None (nothing written) where `_copy` would not copy, or the key has no sequence."""
    if not rows or not table.auto_pk or not _copyable():
        return None
    lines = _copy_lines(rows)
    if lines is None:
        return None
    meta = table.model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), meta.pk.column, len(rows)],
        )
        keys = sorted(key for (key,) in cursor.fetchall() if key is not None)
    if len(keys) != len(rows):
        return None
    lines = [f"{key}\t{line}" for key, line in zip(keys, lines, strict=True)]
    if not _copy_lines_in(table, lines, [meta.pk.column, *(f.column for f in table.fields)]):
        return None
    return keys


_tables: dict[type, _Table] = {}


def _table(model) -> _Table:
    key = (model, connection.vendor)
    if key not in _tables:
        _tables[key] = _Table(model)
    return _tables[key]


def insert(model, records: list) -> None:
    """`model.objects.bulk_create(records)`: the records written, their primary keys set."""
    if not records:
        return
    table = _table(model)
    if not table.usable or not table.auto_pk:
        model.objects.bulk_create(records, batch_size=_BATCH)
        return
    for field in table.stamped:
        for record in records:
            field.pre_save(record, add=True)
    for field in table.related:
        # As bulk_create: a record named before it had a key gives its key now.
        for record in records:
            if getattr(record, field.attname) is None:
                related = field.get_cached_value(record, None)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{model.__name__}.{field.name}: the related record is not saved")
                    setattr(record, field.attname, related.pk)
    values = table.values
    rows = [list(values(record)) for record in records]
    keys = table.execute(table.value_rows(rows), returning=True)
    alias = connection.alias
    for record, key in zip(records, keys, strict=True):
        record.pk = key
        record._state.adding = False
        record._state.db = alias


def insert_plain(model, records: list) -> None:
    """`model.objects.bulk_create([model(**fields) for ...])` for records that are not model instances but
    plain objects of one class with some of the model's fields as attributes (the same ones on every record):
    a relation by its name (the related record, written before, or None), any other field by its attribute
    name. A field the object lacks gets
    its default (as the model's `__init__` gives it), an `auto_now`/`auto_now_add` one the time of writing
    (as its `pre_save`). The records get no primary key back (nothing reads them after)."""
    if not records:
        return
    table = _table(model)
    if not table.usable or not table.auto_pk:
        model.objects.bulk_create([_instance(model, table, r) for r in records], batch_size=_BATCH)
        return
    if len({type(record) for record in records}) > 1:
        for record in records:
            insert_plain(model, [record])
        return
    # What each column takes, worked out once from the first record (the records are of one class and have
    # the same attributes, as `Entry`'s slots).
    plan = _plain_plan(table, records[0])
    scratch = _Scratch()
    rows = []
    for record in records:
        values = []
        for kind, what in plan:
            if kind == "attr":
                values.append(getattr(record, what))
            elif kind == "related":
                other = getattr(record, what)
                if other is None:
                    values.append(None)
                else:
                    if other.pk is None:
                        raise ValueError(f"{model.__name__}.{what}: the related record is not saved")
                    values.append(other.pk)
            elif kind == "stamp":
                values.append(what.pre_save(scratch, add=True))
            else:
                values.append(what())
        rows.append(values)
    table.execute(table.value_rows(rows), returning=False)


def _plain_plan(table: "_Table", record) -> list[tuple[str, object]]:
    """Per column: ("stamp", field) for an `auto_now`/`auto_now_add` field (its `pre_save`), ("related", name)
    for a relation the record has, ("attr", attname) for another field it has, ("default", get_default)."""
    plan = []
    for f in table.fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append(("stamp", f))
        elif f.is_relation and hasattr(record, f.name):
            plan.append(("related", f.name))
        elif not f.is_relation and hasattr(record, f.attname):
            plan.append(("attr", f.attname))
        else:
            plan.append(("default", f.get_default))
    return plan


class _Scratch:
    """Where a field's `pre_save` sets the value it returns (the record itself is not a model instance)."""


def _instance(model, table: _Table, record):
    fields = {}
    for f in table.fields:
        name = f.name if f.is_relation else f.attname
        if hasattr(record, name):
            fields[name] = getattr(record, name)
    return model(**fields)


def insert_history(model, states: list, update: bool, default_user=None, default_reason="") -> None:
    """`model.history.bulk_history_create(states, update=..., default_user=..., default_change_reason=...)`:
    one history row per state, with the same author, reason, type and values."""
    if not states:
        return
    history = model.history.model
    table = _table(history)
    if not table.usable:
        model.history.bulk_history_create(
            states, batch_size=_BATCH, update=update, default_user=default_user, default_change_reason=default_reason
        )
        return
    kind = "~" if update else "+"
    now = timezone.now()
    fallback: list = []  # simple-history's default author, asked once (it is the thread's request user)

    def author(state):
        if "_history_user" in state.__dict__:
            return state._history_user
        if default_user:
            return default_user
        if not fallback:
            fallback.append(history.get_default_history_user(state))
        return fallback[0]

    tracked = {f.attname for f in history.tracked_fields}
    relation = hasattr(history, "history_relation")
    getters = []
    for f in table.fields:
        if f.attname in tracked:
            getters.append(("field", f.attname))
        elif f.name == "history_date":
            getters.append(("date", None))
        elif f.name == "history_change_reason":
            getters.append(("reason", None))
        elif f.name == "history_type":
            getters.append(("type", None))
        elif f.name == "history_user":
            getters.append(("user", None))
        elif relation and f.name == "history_relation":
            getters.append(("pk", None))
        else:
            # A column this does not know how to fill (a custom historical field): the library's way.
            model.history.bulk_history_create(
                states,
                batch_size=_BATCH,
                update=update,
                default_user=default_user,
                default_change_reason=default_reason,
            )
            return
    # The date: the same moment for the whole call, made ready for the database once.
    dated = [i for i, (what, _a) in enumerate(getters) if what == "date"]
    convert = table.prep[dated[0]] if dated else None
    ready_now = convert(now) if convert is not None else now

    # The tracked fields' values in one call per state (`attrgetter`), the other columns put in their places.
    fields = [attname for what, attname in getters if what == "field"]
    tracked_values = operator.attrgetter(*fields) if len(fields) > 1 else None
    others = [(i, what) for i, (what, _a) in enumerate(getters) if what != "field"]
    rows = []
    for state in states:
        values = list(tracked_values(state)) if tracked_values is not None else [getattr(state, a) for a in fields]
        for i, what in others:
            if what == "date":
                when = getattr(state, "_history_date", None)
                value = ready_now if when is None else (convert(when) if convert is not None else when)
            elif what == "reason":
                value = get_change_reason_from_object(state) or default_reason
            elif what == "type":
                value = kind
            elif what == "user":
                user = author(state)
                value = user.pk if user is not None else None
            else:
                value = state.pk
            values.insert(i, value)
        rows.append(values)
    table.execute(table.value_rows(rows, ready=frozenset(dated)), returning=False)


def set_column(model, name: str, values: list[tuple]) -> None:
    """`UPDATE model SET name = value WHERE pk = key` for each (key, value), as one `executemany`."""
    if not values:
        return
    field = model._meta.get_field(name)
    convert = _converter(field) or (lambda value: value)
    qn = connection.ops.quote_name
    sql = f"UPDATE {qn(model._meta.db_table)} SET {qn(field.column)} = %s WHERE {qn(model._meta.pk.column)} = %s"
    params = [(None if v is None else convert(v), key) for key, v in values]
    if connection.vendor == "postgresql":
        # psycopg2's executemany is one statement (a round trip) per row: one UPDATE ... FROM (VALUES ...) per
        # batch instead, each value cast to its column's type (a NULL alone in VALUES has none).
        table, column, pk = qn(model._meta.db_table), qn(field.column), qn(model._meta.pk.column)
        one = f"(%s::{model._meta.pk.db_type(connection)}, %s::{field.db_type(connection)})"
        with connection.cursor() as cursor:
            for start in range(0, len(params), _BATCH):
                part = params[start : start + _BATCH]
                rows = ", ".join([one] * len(part))
                cursor.execute(
                    f"UPDATE {table} SET {column} = v.value FROM (VALUES {rows}) AS v(key, value) "
                    f"WHERE {table}.{pk} = v.key",
                    [x for value, key in part for x in (key, value)],
                )
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
