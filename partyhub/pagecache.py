"""The heavy pages' rendered parts, kept until the data under them changes (issue 15: a province board's
dashboard, the tree, the pipeline board and the deadlines page at 400,000 members).

A page marks its costly part with `{% pagecache key %}…{% endpagecache %}` (partyhub/templatetags/pagecache.py)
and computes what that part shows lazily (`django.utils.functional.SimpleLazyObject`), so a request
whose part is in the cache reads it and computes nothing. The key is built by the view from
everything the part shows:

- what the viewer may see (the organisation, the roles' flags that change the part: never the user's
  name, a CSRF token, or a time shown relative to now, which stay outside the part);
- the data under it: a dashboard's snapshot (its `computed_at`), or for the pages that read the records
  themselves `data_version()`, the newest row of every tracked model and of its history. Every write to
  a record goes through a service, the import or the admin, and each of these writes the record's
  history row (simple-history, "one history row per record" for the bulk import too), so any change of
  a member, a candidate, a step, a unit or a quota makes a new key (rows added without history, as
  the tests' bulk inserts do, too); the part computed before it is never shown again;
- the day (the deadlines and the dashboards count from today), the language, and a generation that
  `forget_all()` moves on (a restored backup, a regenerated demo), under PARTYHUB_PAGE_CACHE_SALT (each
  test has its own).

The cache is Django's (Redis in production, the process's memory without Redis). When it cannot be
reached the part is computed as if it were not there: a Redis outage makes the pages slower, never
wrong and never an error.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

log = logging.getLogger(__name__)

GENERATION_KEY = "partyhub:pagecache:generation"


class Key(str):
    """A part's cache key, with how long the part may be kept."""

    seconds: int


def seconds() -> int:
    return settings.PARTYHUB_PAGE_CACHE_SECONDS


def live_seconds() -> int:
    return min(settings.PARTYHUB_PAGE_CACHE_SECONDS, settings.PARTYHUB_LIVE_PAGE_CACHE_SECONDS)


def _version_columns() -> list[tuple[str, str]]:
    """(table, key column) of every tracked model and of its history, and of the stage entries."""
    from django.apps import apps
    from simple_history.models import registered_models

    columns = set()
    for model in registered_models.values():
        columns.add((model._meta.db_table, model._meta.pk.column))
        columns.add((model.history.model._meta.db_table, "history_id"))
    entries = apps.get_model("recruitment", "StageEntry")
    columns.add((entries._meta.db_table, entries._meta.pk.column))
    return sorted(columns)


def data_version() -> str:
    """The newest row of every tracked model and of its history, in one query: changes whenever a
    record is written (a history row), and when rows are added without one (a bulk insert)."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"(SELECT max({quote(c)}) FROM {quote(t)})" for t, c in _version_columns())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        row = cursor.fetchone()
    return ".".join("-" if value is None else str(value) for value in row)


def _generation_key() -> str:
    return f"{GENERATION_KEY}:{settings.PARTYHUB_PAGE_CACHE_SALT}"


def generation() -> str:
    try:
        value = cache.get(_generation_key())
    except Exception:  # the cache is out of reach: nothing will be read from it either
        log.warning("page cache unreachable", exc_info=True)
        return "unreachable"
    if value is None:
        value = _new_generation()
    return str(value)


def _new_generation() -> str:
    value = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S%f")
    try:
        cache.set(_generation_key(), value, None)
    except Exception:
        log.warning("page cache unreachable", exc_info=True)
    return value


def forget_all() -> None:
    """Make every part kept so far unreachable (a restored backup reuses history ids with other data)."""
    _new_generation()


def key(name: str, *parts, keep: int | None = None) -> Key:
    """The cache key of the part `name` of a page, for these parts (each turned to text)."""
    salt = settings.PARTYHUB_PAGE_CACHE_SALT
    text = "|".join([name, salt, generation(), translation.get_language() or "", *(str(p) for p in parts)])
    result = Key("partyhub:page:" + name + ":" + hashlib.sha256(text.encode()).hexdigest())
    result.seconds = seconds() if keep is None else keep
    return result


def live_key(name: str, *parts) -> Key:
    """The key of a part that reads the records themselves (not a snapshot): it changes with
    `data_version()`, and the part is kept at most PARTYHUB_LIVE_PAGE_CACHE_SECONDS. That bound covers
    the one case the version can miss on PostgreSQL: two writes committing out of the order of their
    history ids (the later id first), the earlier one while a page is being computed."""
    return key(name, data_version(), *parts, keep=live_seconds())


def get(cache_key: str) -> str | None:
    try:
        return cache.get(cache_key)
    except Exception:
        log.warning("page cache unreachable", exc_info=True)
        return None


def put(cache_key: str, html: str) -> None:
    keep = getattr(cache_key, "seconds", seconds())
    if keep <= 0:
        return
    try:
        cache.set(cache_key, html, keep)
    except Exception:
        log.warning("page cache unreachable", exc_info=True)
