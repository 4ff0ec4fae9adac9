"""The one way a lower layer says "the figures of these units moved".

Dependencies point one way (members ← recruitment ← reports): the tree and the pipeline record facts,
the reports compute figures from them. A service that changes a fact calls `figures_changed(cell)`;
whatever computes figures subscribes with `subscribe(listener)` when its app starts
(`reports.apps.ReportsConfig.ready`). With no subscriber the call does nothing, so members and
recruitment load, run and test without knowing that reports exist.
"""

from collections.abc import Callable
from typing import Any

Listener = Callable[..., None]

_listeners: list[Listener] = []


def subscribe(listener: Listener) -> Listener:
    """Call `listener(*organisations)` whenever figures change; subscribing twice is harmless."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def figures_changed(*organisations: Any) -> None:
    """Announce that the figures of these organisations (and so their ancestors') changed.

    Organisations may be None (a member with no cell yet): the listeners skip them.
    """
    for listener in list(_listeners):
        listener(*organisations)
