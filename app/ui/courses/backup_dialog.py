"""Backups of the database: list them, make one now, restore one (the current state is saved first)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QVBoxLayout, QWidget

from app import server_database
from app.services import context
from app.storage.backups import BackupError, BackupInfo
from app.storage.database import DatabaseError
from app.ui.courses.widgets import OK_STYLE, big_button, message_label, show_message


class BackupDialog(QDialog):
    """Shows every backup, newest first; Wiederherstellen replaces the data after a confirmation."""

    def __init__(self, parent: QWidget | None = None, confirm: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sicherungen")
        self.setMinimumSize(720, 480)
        self.confirm = confirm
        self.restored = False
        intro = QLabel(
            "Kurslotse sichert die Daten bei jedem Start (die letzten 10 bleiben) und vor jeder Umstellung "
            "der Datenbank. Beim Wiederherstellen wird der jetzige Stand vorher ebenfalls gesichert."
        )
        intro.setWordWrap(True)
        self.on_server = server_database.uses_server()
        if self.on_server:  # the project office's PostgreSQL: backups are the server's job
            intro.setText(server_database.backups_note())
        self.list = QListWidget()
        self.list.setAccessibleName("Vorhandene Sicherungen, neueste zuerst")
        self.list.itemActivated.connect(lambda _item: self.restore_selected())
        self.message = message_label("Meldung")
        buttons = QHBoxLayout()
        for button in (big_button("Jetzt sichern", "Jetzt eine Sicherung anlegen", self.backup_now),
                       big_button("Wiederherstellen …", "Gewählte Sicherung wiederherstellen", self.restore_selected)):
            button.setEnabled(not self.on_server)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(big_button("Schließen", "Fenster schließen", self.reject))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        if self.on_server:
            self.list.addItem("Keine Sicherungen in Kurslotse: Der Datenbank-Server sichert selbst.")
            return
        try:
            found = context.list_backups()
        except DatabaseError as error:
            show_message(self.message, str(error))
            return
        for info in found:
            item = QListWidgetItem(f"{info.created_text}  –  {info.reason_label}  ({info.size_bytes // 1024} KB)")
            item.setData(Qt.ItemDataRole.UserRole, info)
            self.list.addItem(item)
        if not found:
            self.list.addItem("Noch keine Sicherung vorhanden.")
        self.list.setCurrentRow(0)

    def selected(self) -> BackupInfo | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def backup_now(self) -> None:
        if self.on_server:
            show_message(self.message, server_database.backups_note())
            return
        try:
            info = context.backup_now()
        except (BackupError, DatabaseError) as error:
            show_message(self.message, str(error))
            return
        self.reload()
        show_message(self.message, f"Sicherung angelegt: {info.path.name}", OK_STYLE)

    def restore_selected(self) -> None:
        if self.on_server:
            show_message(self.message, server_database.backups_note())
            return
        info = self.selected()
        if info is None:
            show_message(self.message, "Bitte zuerst eine Sicherung auswählen.")
            return
        if self.confirm and QMessageBox.question(
            self, "Wiederherstellen",
            f"Die Daten auf den Stand vom {info.created_text} zurücksetzen?\n"
            "Der jetzige Stand wird vorher gesichert.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        ) != QMessageBox.StandardButton.Yes:
            return
        try:
            context.restore(info.path)
        except (BackupError, DatabaseError) as error:
            show_message(self.message, str(error))
            return
        self.restored = True
        self.reload()
        show_message(self.message, f"Der Stand vom {info.created_text} ist wiederhergestellt.", OK_STYLE)
