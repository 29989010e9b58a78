"""Run slow work (booklets, reports) off the GUI thread; progress, result or a German error come back as signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal

log = logging.getLogger(__name__)
Work = Callable[[Callable[[int, int], None], Callable[[], bool]], object]


class BackgroundJob(QThread):
    """Calls ``work(progress, cancelled)`` in a thread; known errors carry their German message.

    *what* names the result in the message of an unexpected error ("des Handouts", "des Berichts").
    *keep_alive* holds objects the work paints on (e.g. a QPrinter) until the thread is gone.
    """

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled_ = Signal()

    def __init__(self, work: Work, known_errors: tuple[type[BaseException], ...] = (), what: str = "des Ergebnisses",
                 parent: QObject | None = None, keep_alive: object = None) -> None:
        super().__init__(parent)
        self._work = work
        self._known = known_errors
        self._what = what
        self._stop = threading.Event()
        self.keep_alive = keep_alive

    def cancel(self) -> None:
        self._stop.set()

    def is_cancelled(self) -> bool:
        return self._stop.is_set()

    def run(self) -> None:  # noqa: D401 - QThread API
        from app.render.document import RenderCancelled

        try:
            result = self._work(self.progressed.emit, self._stop.is_set)
        except RenderCancelled:
            self.cancelled_.emit()
        except self._known as error:  # type: ignore[misc]
            self.failed.emit(str(error))
        except Exception:  # noqa: BLE001 - no traceback for the person; details go to the log
            log.exception("Fehler beim Erstellen %s", self._what)
            self.failed.emit(f"Beim Erstellen {self._what} ist ein unerwarteter Fehler aufgetreten. "
                             "Einzelheiten stehen in der Protokolldatei.")
        else:
            if self._stop.is_set():
                self.cancelled_.emit()
            else:
                self.succeeded.emit(result)
