"""After the window is up: the rolling start backup, and a clear offer when the database is damaged.

The start backup checks the database (``quick_check``) before copying it. When it is damaged,
nothing is copied over the good backups, and the trainer is told what happened and offered the
newest good backup in one click; the damaged file is set aside, never deleted.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)


def take_start_backup(parent: QWidget | None) -> None:
    from app.storage.start_backup import damage_found
    from app.storage.start_backup import take_start_backup as take

    try:
        take()
        problem = damage_found()
    except Exception:  # noqa: BLE001 - a failed backup must not stop teaching; it is logged
        log.exception("Sicherung beim Start fehlgeschlagen")
        return
    if problem is not None:
        offer_good_backup(parent, problem)


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
