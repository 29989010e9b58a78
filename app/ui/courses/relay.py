"""Qt adapter for the services' change notifier: one ``changed`` signal the course views listen to."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.services import events


class DataChangedRelay(QObject):
    """Re-emits every committed change as a Qt signal; unsubscribes itself when destroyed."""

    changed = Signal(object)  # events.DataChange

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = events.changes.subscribe(self.changed.emit)
        self.destroyed.connect(self._unsubscribe)

    def detach(self) -> None:
        self._unsubscribe()
