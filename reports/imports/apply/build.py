"""`Model(**fields)` for the bulk path's in-memory records, with what each model's `__init__` works out for
every record (which fields are relations, each missing field's default) worked out once per model.

`Model.__init__` walks every field for every record: it asks each missing field for its default (a foreign
key's `get_default` looks at what the default is each time) and sets every value through `setattr`. Here:

- a field given by name goes through `setattr` as in `__init__` (a related record through the relation's
  descriptor, which caches it and takes its key; a value through the field's attribute);
- a missing field gets its default: a field without one (None, or "" for a text that allows no null)
  the same constant each time, a field with one (a callable or a value) its `get_default()` each time;
- a field whose attribute on the class is not Django's plain `DeferredAttribute` (a descriptor with a
  setter of its own) always goes through `setattr`;
- anything else `__init__` would do (positional arguments, properties given as keywords, an unknown keyword,
  `pre_init`/`post_init` receivers, an abstract model) goes through `Model(**fields)` itself.

The result has the same attributes, relation caches and state as `Model(**fields)`
(tests/reports/imports/test_import_fast_paths.py compares them).
"""

from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related import ForeignObjectRel
from django.db.models.query_utils import DeferredAttribute

_NO_DEFAULT = object()


class _Plan:
    def __init__(self, model):
        meta = model._meta
        self.usable = not meta.abstract
        self.fields = []  # (name, attname, is relation, constant default or _NO_DEFAULT, get_default, plain)
        for field in meta.fields:
            if field.column is None or field.generated:
                continue
            related = isinstance(field.remote_field, ForeignObjectRel)
            constant = _NO_DEFAULT
            if not field.has_default() and not field.has_db_default():
                value = field.get_default()
                if value is None or value == "" and type(value) is str:
                    constant = value
            plain = type(model.__dict__.get(field.attname)) is DeferredAttribute or (
                related and type(getattr(model, field.attname, None)).__name__ == "ForeignKeyDeferredAttribute"
            )
            self.fields.append((field.name, field.attname, related, constant, field.get_default, plain))
        self.names = {name for name, *_rest in self.fields} | {f[1] for f in self.fields}


_plans: dict[type, _Plan] = {}


def build(model, **fields):
    """`model(**fields)`."""
    plan = _plans.get(model)
    if plan is None:
        plan = _plans[model] = _Plan(model)
    if (
        not plan.usable
        or not fields.keys() <= plan.names
        or signals.pre_init.has_listeners(model)
        or signals.post_init.has_listeners(model)
    ):
        return model(**fields)
    record = model.__new__(model)
    record._state = ModelState()
    values = record.__dict__
    for name, attname, related, constant, get_default, plain in plan.fields:
        if related and name in fields:
            setattr(record, name, fields[name])
            continue
        if attname in fields:
            value = fields[attname]
        elif constant is not _NO_DEFAULT:
            value = constant
        else:
            value = get_default()
        if plain:
            values[attname] = value
        else:
            setattr(record, attname, value)
    return record
