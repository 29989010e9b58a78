"""»Abgleichen«: choose the shared folder (USB stick, Nextcloud, Syncthing), sync with a progress bar, read the summary."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from app.services import events
from app.storage.database import Database
from app.sync import service
from app.ui.courses.widgets import ERROR_STYLE, OK_STYLE, HINT_STYLE, big_button, message_label, show_message
from app.ui.look import colours, mark_primary, with_icon
from app.ui.sync.worker import SyncThread


class SyncDialog(QDialog):
    """Runs the sync off the UI thread; the summary says what came in, conflicts and refused files."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.thread: SyncThread | None = None
        self.report: service.SyncReport | None = None
        self.setWindowTitle("Abgleichen")
        self.setMinimumSize(760, 560)
        intro = QLabel(
            "Alle Laptops und das Projektbüro legen ihre Daten in denselben Ordner – einen USB-Stick oder einen "
            "Ordner, den Nextcloud oder Syncthing verteilt. Jedes Gerät schreibt nur eigene neue Dateien und "
            "übernimmt die der anderen. Mit Passwort sind die Dateien verschlüsselt (für USB-Sticks empfohlen)."
        )
        intro.setWordWrap(True)
        device_id, name = service.device_info(db)
        self.name_edit = QLineEdit(name)
        self.name_edit.setAccessibleName("Name dieses Geräts")
        self.name_edit.setPlaceholderText("z. B. Laptop Silvia")
        self.name_edit.setToolTip(f"Geräte-Kennung {device_id}")
        self.folder_edit = QLineEdit(service.last_folder(db))
        self.folder_edit.setAccessibleName("Abgleich-Ordner")
        self.folder_edit.setPlaceholderText("Ordner auf dem USB-Stick oder im Nextcloud-Ordner")
        choose = big_button("Ordner wählen …", "Abgleich-Ordner wählen", self.choose_folder, height=40, factor=1.0)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(choose)
        self.password_edit = QLineEdit()
        self.password_edit.setAccessibleName("Passwort des Abgleich-Ordners")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("leer lassen: ohne Verschlüsselung")
        form = QFormLayout()
        form.addRow("Dieses Gerät:", self.name_edit)
        form.addRow("Ordner:", folder_row)
        form.addRow("Passwort:", self.password_edit)
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Fortschritt des Abgleichs")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.step_label = QLabel("")
        self.step_label.setAccessibleName("Was gerade geschieht")
        self.summary = message_label("Ergebnis des Abgleichs")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.sync_button = with_icon(big_button("Jetzt abgleichen", "Jetzt abgleichen", self.start), "folder-sync",
                                     colours().on_accent)
        mark_primary(self.sync_button)
        self.progress.setTextVisible(False)  # no "0%" before anything runs
        self.conflicts_button = big_button("Konflikte …", "Konflikte ansehen", self.open_conflicts)
        self.close_button = big_button("Schließen", "Fenster schließen", self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.conflicts_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.step_label)
        layout.addWidget(self.summary, 1)
        layout.addLayout(buttons)
        self._show_conflict_count()

    # ------------------------------------------------------------------ actions

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Abgleich-Ordner wählen", self.folder_edit.text() or str(Path.home()))
        if folder:
            self.folder_edit.setText(folder)

    def start(self) -> None:
        """Check the input, then sync in a background thread (the window stays responsive)."""
        if self.thread is not None:
            return
        folder = self.folder_edit.text().strip()
        if not folder:
            show_message(self.summary, "Bitte zuerst den Abgleich-Ordner wählen.")
            return
        try:
            if self.name_edit.text().strip():
                service.set_device_name(self.db, self.name_edit.text())
        except service.SyncError as error:
            show_message(self.summary, str(error))
            return
        self.sync_button.setEnabled(False)
        self.close_button.setEnabled(False)
        show_message(self.summary, "Abgleich läuft …", HINT_STYLE)
        self.progress.setRange(0, 0)  # busy until the first step is known
        self.thread = SyncThread(self.db, Path(folder).expanduser(), self.password_edit.text() or None, self)
        self.thread.progressed.connect(self._progressed)
        self.thread.succeeded.connect(self._succeeded)
        self.thread.failed.connect(self._failed)
        self.thread.finished.connect(self._thread_done)
        self.thread.start()

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress.setTextVisible(True)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.step_label.setText(text)

    def _succeeded(self, report: service.SyncReport) -> None:
        self.report = report
        service.remember_folder(self.db, report.folder)
        show_message(self.summary, "\n".join(report.lines()), OK_STYLE if report.complete else ERROR_STYLE)
        if report.changed_anything:
            events.notify(*events.EVERYTHING)  # on the UI thread: every view refreshes itself

    def _failed(self, message: str) -> None:
        show_message(self.summary, message)

    def _thread_done(self) -> None:
        if self.thread is not None:
            self.thread.deleteLater()
        self.thread = None
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.step_label.setText("")
        self.sync_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self._show_conflict_count()

    def _show_conflict_count(self, *_args) -> None:
        """Button and summary say how many conflicts are open now (also after deciding some)."""
        count = service.open_conflicts(self.db)
        self.conflicts_button.setText(f"Konflikte ({count}) …")
        self.conflicts_button.setEnabled(count > 0)
        if self.report is not None:
            lines = [line for line in self.report.lines() if "Konflikte" not in line]
            lines.append(f"Offene Konflikte jetzt: {count}")
            self.summary.setText("\n".join(lines))

    def open_conflicts(self) -> None:
        from app.ui.sync.conflicts_dialog import ConflictsDialog

        dialog = ConflictsDialog(self.db, self)
        dialog.count_changed.connect(self._show_conflict_count)
        dialog.exec()
        self._show_conflict_count()

    # ------------------------------------------------------------------ closing

    def reject(self) -> None:
        if self.thread is not None:
            return  # a running sync finishes first (each file is one transaction anyway)
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        if self.thread is not None:
            event.ignore()
            return
        super().closeEvent(event)
