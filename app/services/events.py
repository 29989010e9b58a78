"""One "data changed" announcement: services call ``notify``; views subscribe and refresh themselves."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

# What changed; a view refreshes when a kind it shows is among them.
COURSES = "courses"
TERMINE = "termine"
PARTICIPANTS = "participants"
ATTENDANCE = "attendance"
SETTINGS = "settings"
EVERYTHING = frozenset({COURSES, TERMINE, PARTICIPANTS, ATTENDANCE, SETTINGS})


@dataclass(frozen=True)
class DataChange:
    """What kinds of records changed, and (if known) in which course and Termin."""

    kinds: frozenset[str]
    course_id: int | None = None
    termin_id: int | None = None

    def touches(self, *kinds: str) -> bool:
        return bool(self.kinds.intersection(kinds))


Listener = Callable[[DataChange], None]


class ChangeNotifier:
    """A plain observer list; a Qt adapter in the UI turns it into a signal."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call *listener* after every change; returns a function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def notify(self, change: DataChange) -> None:
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:  # noqa: BLE001 - one broken view must not undo a committed change
                log.exception("Fehler in einem Beobachter für %s", change)


changes = ChangeNotifier()


def notify(*kinds: str, course_id: int | None = None, termin_id: int | None = None) -> None:
    """Announce a committed change to every listener."""
    changes.notify(DataChange(frozenset(kinds), course_id, termin_id))
