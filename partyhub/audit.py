"""The one way a lower layer says "this page or file showed these sensitive fields to this user".

Citizen IDs, ethnicity, religion and the background verification's replies are sensitive personal data
(Nghị định 13/2023/NĐ-CP; docs/security.md "Audit"). Each page or export that shows them calls
`sensitive_shown(...)` once (one call per page or file, not per person); the reports app records it
(`reports.audit.reads`, subscribed in `ReportsConfig.ready`). Dependencies point one way
(members ← recruitment ← reports), as for partyhub/figures.py: with no subscriber the call does nothing.
"""

from collections.abc import Callable, Iterable
from typing import Any

# The fields, as the log names them.
CITIZEN_ID = "citizen_id"
ETHNICITY = "ethnicity"
RELIGION = "religion"
VERIFICATION = "verification"
PERSONAL = (CITIZEN_ID, ETHNICITY, RELIGION)

Listener = Callable[..., None]

_listeners: list[Listener] = []


def subscribe(listener: Listener) -> Listener:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def sensitive_shown(
    user: Any,
    *,
    fields: Iterable[str],
    where: str,
    people: Iterable[int] = (),
    organisation: Any = None,
    count: int | None = None,
) -> None:
    """`user` was shown `fields` on `where` (a page's or file's name): of `people` (Person ids) on a
    person's page, or of `count` people of `organisation`'s subtree in an export."""
    fields, people = tuple(fields), tuple(people)
    if not fields:
        return
    for listener in list(_listeners):
        listener(user, fields=fields, where=where, people=people, organisation=organisation, count=count)
