"""The author and reason of history rows written outside a request.

simple-history takes a save's author from `instance._history_user`, else from the request that
HistoryRequestMiddleware keeps for the thread. An import run on a Celery worker has no request: a
record its code saves without `_history_user` (an organisation, a quota, a person) got a history row
with no author. `history_author(user, reason)` fills the gaps for everything saved inside it, in this
thread:

- a history row written by a save (`pre_create_historical_record`) gets the user when it has none, and
  the reason when it has none;
- the bulk path, which writes its history rows itself (`bulk_history_create`, which sends no signal),
  asks `current()` for the author and the reason (reports/imports/apply/bulk_candidates.py).

An author the code names itself (`_history_user`) is kept: it is the uploader too in an import.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass

_state = threading.local()


@dataclass(frozen=True)
class Author:
    user: object | None
    reason: str | None


def current() -> Author | None:
    """The author and reason set by the innermost `history_author` of this thread, if any."""
    stack = getattr(_state, "stack", None)
    return stack[-1] if stack else None


@contextmanager
def history_author(user, reason: str | None = None):
    stack = getattr(_state, "stack", None)
    if stack is None:
        stack = _state.stack = []
    stack.append(Author(user, (reason or "")[:100] or None))
    try:
        yield stack[-1]
    finally:
        stack.pop()


def import_reason(filename: str, run_id: int) -> str:
    """The change reason of an import's history rows, stored in Vietnamese as the records are (the
    history's reason column holds 100 characters: a long file name is cut)."""
    head, tail = "Nhập từ tệp ", f", lần chạy #{run_id}"
    room = 100 - len(head) - len(tail)
    name = filename if len(filename) <= room else filename[: max(room - 1, 0)] + "…"
    return f"{head}{name}{tail}"


def fill_author(sender, history_instance, **kwargs) -> None:
    """`pre_create_historical_record` receiver: the missing author and reason, inside `history_author`."""
    author = current()
    if author is None:
        return
    if author.user is not None and history_instance.history_user_id is None:
        history_instance.history_user = author.user
    if author.reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = author.reason
