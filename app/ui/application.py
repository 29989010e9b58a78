"""Start the window program: QApplication, large font, error handling, optional direct presentation."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from types import TracebackType

from app import __app_name__, __version__, paths

log = logging.getLogger(__name__)
BENCH_EXIT_ENV = "KURSLOTSE_BENCH_EXIT_NACH_ZEICHNEN"
THEME_ENV = "KURSLOTSE_FARBEN"  # "hell" or "dunkel"; empty: follow the system


def apply_ui_font(point_size: int) -> None:
    """The program's font size (kept here for callers; it lives in :mod:`app.ui.look`)."""
    from app.ui.look import apply_ui_font as apply

    apply(point_size)


def prepare_application(app, with_stylesheet: bool = True) -> None:  # noqa: ANN001 - a QApplication
    """German Qt texts and the program's look, before the first window is built.

    ``with_stylesheet=False``: the caller applies it (``look.apply_stylesheet``) once its window is built.
    """
    from app.ui.look import apply_look, install_german

    install_german(app)  # Qt's own buttons, file and print dialogs, "Strg+…" in German
    apply_look(app, os.environ.get(THEME_ENV, ""), with_stylesheet=with_stylesheet)


def _database_trouble(error: BaseException) -> str | None:
    """The German text for a database server that went away while the window was reading from it."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError

    from app.storage.database import DatabaseError, explain_server_error

    if isinstance(error, DatabaseError):
        return str(error)  # already German, with any address masked
    return explain_server_error(error) if isinstance(error, DBAPIError) else None


def _install_excepthook() -> None:
    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("Unerwarteter Fehler:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        try:
            from PySide6.QtWidgets import QApplication, QMessageBox

            if QApplication.instance() is not None:
                explained = _database_trouble(error)
                if explained:
                    QMessageBox.warning(None, "Problem mit der Datenbank", explained)
                    return
                QMessageBox.critical(
                    None,
                    "Unerwarteter Fehler",
                    "Etwas ist schiefgegangen. Ihre gespeicherten Daten sind nicht betroffen.\n"
                    f"Einzelheiten stehen in der Datei:\n{paths.log_file()}",
                )
        except Exception:  # noqa: BLE001 - never let the hook itself fail
            pass

    sys.excepthook = hook


def run_gui(present: str | None = None, device: str | None = None, start_step: int = 1) -> int:
    from app.qt_check import gui_problem

    problem = gui_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from app.qt_import import import_shiboken

    import_shiboken()  # PySide's own support code compiled once, not on every start (~0.03 s CPU)
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.settings import Settings
    from app.ui.main_window import MainWindow
    from app.ui.presenter import cache_wall_glyphs

    cache_wall_glyphs()  # before the first text is drawn: Qt reads the glyph cache limit once
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(__app_name__)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("kurslotse")
    _install_excepthook()
    prepare_application(app, with_stylesheet=False)  # applied below, once the window is built
    settings = Settings.load()
    apply_ui_font(settings.ui_font_pt)
    if device:
        settings.device = device
    window = MainWindow(settings, load_now=bool(present))
    from app.ui.look import apply_stylesheet

    apply_stylesheet(app)  # one polish of the whole window instead of one per widget added while building it
    if os.environ.get(BENCH_EXIT_ENV):
        _exit_after_first_paint(window)
    window.show()
    # rolling backup of the attendance database at each start, once the window is up (in a worker thread)
    QTimer.singleShot(START_BACKUP_DELAY_MS, window.run_start_checks)
    app.aboutToQuit.connect(window.wait_for_start_checks)  # a backup being written is finished, not cut off
    if present:
        lesson = window.library.by_id(present)
        if lesson is None:
            from pathlib import Path

            from app.lessons.parser import parse_lesson

            folder = Path(present)
            lesson = parse_lesson(folder) if (folder / "lektion.md").exists() else None
        if lesson is None:
            print(f"Kurslotse: Lektion »{present}« nicht gefunden (ID oder Ordner).", file=sys.stderr)
            return 1
        if lesson.is_broken:
            for p in lesson.errors:
                print(p.format(), file=sys.stderr)
            print(f"Kurslotse: Lektion »{present}« ist fehlerhaft und kann nicht gezeigt werden.", file=sys.stderr)
            return 1
        window.select_lesson(lesson.id)
        QTimer.singleShot(0, lambda: window.start_presentation(lesson, max(start_step - 1, 0)))
    return app.exec()


START_BACKUP_DELAY_MS = 1500


def _exit_after_first_paint(window) -> None:
    """Benchmark hook: report the first paint of the main window and the filled lesson list, then quit.

    Before ``painted`` comes ``cpu SECONDS``: the process's CPU time up to the first paint (all threads),
    steadier than the clock on a busy machine.
    """
    import time

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    state = {"painted": False, "loaded": False}

    def finish_if_done() -> None:
        if state["painted"] and state["loaded"]:
            QTimer.singleShot(0, QApplication.quit)

    def on_loaded() -> None:
        if not state["loaded"]:
            state["loaded"] = True
            print("loaded", flush=True)
            finish_if_done()

    class FirstPaint(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint and obj is window and not state["painted"]:
                state["painted"] = True
                print(f"cpu {time.process_time():.4f}", flush=True)
                print("painted", flush=True)
                obj.removeEventFilter(self)
                finish_if_done()
            return False

    window._first_paint_filter = FirstPaint(window)
    window.installEventFilter(window._first_paint_filter)
    window.library_loaded.connect(on_loaded)
