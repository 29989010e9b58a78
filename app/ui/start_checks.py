"""After the window is up: the rolling start backup, a clear offer when the database is damaged, and
the removal of demo records an older version wrote into the real database.

The start backup checks the database (``quick_check``) before copying it. When it is damaged,
nothing is copied over the good backups, and the trainer is told what happened and offered the
newest good backup in one click; the damaged file is set aside, never deleted.

The window runs the copy in a worker thread (:func:`start_checks_in_background`): on an old
laptop with a large database it takes a noticeable moment, and the window stays usable meanwhile.
The questions it leads to are asked on the UI thread afterwards. Nothing writes to the database
before the copy exists: the pages that open the database wait for the job first.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from app.ui.background_job import BackgroundJob

log = logging.getLogger(__name__)
DEMO_ROWS = "demo"  # what _backup_and_look found besides damage


def take_start_backup(parent: QWidget | None) -> None:
    """The start backup and its checks on this thread, then the question they lead to."""
    _ask_about(parent, _backup_and_look())


def start_checks_in_background(parent: QWidget) -> BackgroundJob:
    """The start backup and its checks in a worker thread; a damaged file or demo rows are asked about afterwards.

    Returns the running job: whoever opens the database for writing waits for it first (``job.wait()``).
    """
    from app.ui.background_job import BackgroundJob

    job = BackgroundJob(lambda _progress, _cancelled: _backup_and_look(), what="der Sicherung beim Start",
                        parent=parent)
    job.succeeded.connect(lambda found: _ask_about(parent, found))
    job.start()
    return job


def _backup_and_look() -> object:
    """Worker part (no widgets): copy the database, then report damage (a StartProblem), demo rows, or None."""
    from app.storage.start_backup import damage_found
    from app.storage.start_backup import take_start_backup as take

    try:
        take()
        problem = damage_found()
        if problem is not None:
            return problem
        return DEMO_ROWS if real_database_has_demo_rows() else None
    except Exception:  # noqa: BLE001 - a failed backup must not stop teaching; it is logged
        log.exception("Sicherung beim Start fehlgeschlagen")
        return None


def _ask_about(parent: QWidget | None, found: object) -> None:
    """UI part: offer the good backup for a damaged file, or the removal of an older version's demo rows."""
    import shiboken6

    if parent is not None and not shiboken6.isValid(parent):
        return  # the window closed while the copy was made: nobody to ask (the next start asks again)
    if found == DEMO_ROWS:
        offer_demo_removal(parent)
    elif found is not None:
        offer_good_backup(parent, found)


def real_database_has_demo_rows() -> bool:
    """Demo records that an older version wrote into the real database (read without SQLAlchemy)."""
    import sqlite3

    from app import paths
    from app.platform import sqlite_uri
    from app.services.demo import DEMO_META_KEY, DEMO_ORGANISATION_SUFFIX
    from app.storage.models import TABLE_META, TABLE_ORGANISATION
    from app.storage.start_backup import database_file

    path = database_file()
    if paths.in_demo() or path is None or not path.is_file():
        return False
    try:
        connection = sqlite3.connect(sqlite_uri(path) + "?mode=ro", uri=True, timeout=2)
        try:
            marked = connection.execute(f"SELECT 1 FROM {TABLE_META} WHERE key = ?", (DEMO_META_KEY,)).fetchone()
            named = connection.execute(
                f"SELECT 1 FROM {TABLE_ORGANISATION} WHERE deleted = 0 AND name LIKE ?",
                (f"%{DEMO_ORGANISATION_SUFFIX}",)).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return bool(marked or named)


def offer_demo_removal(parent: QWidget | None) -> bool:
    """Explain the demo rows of an older version and remove them in one step (after a backup)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Demo-Daten in Ihren echten Daten")
    box.setText("Ihre Datenbank enthält Demo-Daten (erfundene Kurse und Personen), die eine ältere Version "
                "von Kurslotse dort angelegt hat.")
    box.setInformativeText("Sollen sie jetzt entfernt werden? Vorher wird eine Sicherung angelegt; Ihre eigenen "
                           "Kurse und Personen bleiben. Die Demo gibt es weiterhin getrennt: Hilfe → Demo "
                           "ausprobieren …")
    remove = box.addButton("Demo-Daten entfernen", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Später", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not remove:
        return False
    from app.services import context, demo
    from app.storage import backups
    from app.storage.database import DatabaseError

    try:
        db = context.database()
        if db.path is not None:
            backups.create_backup(db.path, "demo")
        removed = demo.remove_demo_rows(db)
    except (DatabaseError, backups.BackupError, OSError) as error:
        QMessageBox.warning(parent, "Demo-Daten entfernen", f"Das ging nicht: {error}")
        return False
    QMessageBox.information(parent, "Demo-Daten entfernen",
                            f"Entfernt: {removed.courses} Kurse, {removed.participants} Personen. "
                            "Ihre eigenen Einträge sind geblieben.")
    return True


def offer_good_backup(parent: QWidget | None, problem) -> bool:  # noqa: ANN001 - backups.StartProblem
    """Explain the damage; with a good backup, offer to restore it. Returns whether it was restored."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Datenbank beschädigt")
    box.setText(problem.message)
    restore = None
    if problem.backup is not None:
        box.setInformativeText(
            f"Die neueste unbeschädigte Sicherung ist vom {problem.backup.created_text}. "
            "Soll sie jetzt wiederhergestellt werden? Der beschädigte Stand wird vorher beiseitegelegt, "
            "nicht gelöscht."
        )
        restore = box.addButton("Sicherung wiederherstellen", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Später", QMessageBox.ButtonRole.RejectRole)
    else:
        box.setInformativeText("Es gibt keine unbeschädigte Sicherung. Bitte die Datei nicht löschen und "
                               "Hilfe holen (Datei → Sicherungen).")
        box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()
    if restore is None or box.clickedButton() is not restore:
        return False
    from app.services import context
    from app.storage.backups import BackupError
    from app.storage.database import DatabaseError

    try:
        context.restore(problem.backup.path)
    except (BackupError, DatabaseError, OSError) as error:
        QMessageBox.warning(parent, "Wiederherstellen", f"Die Sicherung ließ sich nicht wiederherstellen: {error}")
        return False
    QMessageBox.information(parent, "Wiederherstellen",
                            f"Der Stand vom {problem.backup.created_text} ist wiederhergestellt.")
    return True
