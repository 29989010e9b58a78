"""Datenschutz: people past the retention period, listed for Löschen (anonymisation) with one confirmation."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.attendance import InputError, format_date
from app import server_database
from app.services import erasure, retention
from app.storage.database import Database
from app.ui.courses.widgets import HINT_STYLE, OK_STYLE, message_label, show_message


class PrivacyDialog(QDialog):
    """Aufbewahrungsfrist: who has not taken part for N months; erase the ticked people in one go."""

    def __init__(self, db: Database, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Datenschutz – Aufbewahrungsfrist")
        self.setMinimumWidth(720)
        self.db = db
        self.today = today or dt.date.today()
        intro = QLabel(
            "Personen, die seit der Aufbewahrungsfrist an keinem Termin teilgenommen haben und keine neue "
            "Anmeldung oder Einwilligung haben, werden hier zum Löschen vorgeschlagen. Beim Löschen bleiben nur "
            "anonyme Platzhalter für die Statistik; Name, Kontakt, Geburtsjahr und Notiz verschwinden, auch auf "
            "den anderen Laptops nach dem nächsten Abgleich."
        )
        intro.setWordWrap(True)
        self.months_box = QSpinBox()
        self.months_box.setRange(retention.MIN_MONTHS, retention.MAX_MONTHS)
        self.months_box.setSuffix(" Monate")
        self.months_box.setValue(retention.retention_months(db))
        self.months_box.setAccessibleName("Aufbewahrungsfrist in Monaten")
        self.months_box.valueChanged.connect(lambda _value: self.refresh())
        months_row = QHBoxLayout()
        months_row.addWidget(QLabel("Ohne Aktivität seit mehr als"))
        months_row.addWidget(self.months_box)
        months_row.addStretch(1)
        self.people_list = QListWidget()
        self.people_list.setAccessibleName("Personen ohne Aktivität (angehakt: werden gelöscht)")
        self.summary = message_label("Zusammenfassung")
        self.message = message_label("Ergebnis")
        self.erase_button = QPushButton("Angehakte Personen löschen …")
        self.erase_button.setAccessibleName("Angehakte Personen löschen (anonymisieren)")
        self.erase_button.clicked.connect(self.erase_checked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Schließen")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(months_row)
        layout.addWidget(self.summary)
        layout.addWidget(self.people_list, 1)
        layout.addWidget(self.erase_button)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.people_list.clear()
        months = self.months_box.value()
        due = retention.inactive_people(self.db, months, self.today)
        for person in due:
            last = format_date(person.last_activity) if person.last_activity else "unbekannt"
            item = QListWidgetItem(f"Nr. {person.id}: {person.name} – zuletzt aktiv: {last}")
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.people_list.addItem(item)
        cutoff = format_date(retention.months_before(self.today, months))
        self.summary.setText(
            f"{len(due)} Person{'en' if len(due) != 1 else ''} ohne Aktivität seit dem {cutoff}."
            if due else f"Niemand ist seit dem {cutoff} ohne Aktivität. Es ist nichts zu löschen."
        )
        self.erase_button.setEnabled(bool(due))

    def checked_ids(self) -> list[int]:
        items = (self.people_list.item(row) for row in range(self.people_list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items if item.checkState() == Qt.CheckState.Checked]

    def erase_checked(self) -> None:
        chosen = self.checked_ids()
        if not chosen:
            show_message(self.message, "Bitte mindestens eine Person anhaken.", HINT_STYLE)
            return
        answer = QMessageBox.question(
            self, "Personen löschen",
            f"{len(chosen)} Person{'en' if len(chosen) != 1 else ''} jetzt löschen (anonymisieren)?\n\n"
            "Das lässt sich nicht rückgängig machen.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            if self.months_box.value() != retention.retention_months(self.db):
                retention.set_retention_months(self.db, self.months_box.value())
            report = erasure.erase_people(self.db, chosen)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return
        self.refresh()
        show_message(self.message, "\n".join(server_database.erasure_lines(report, self.db.is_server)), OK_STYLE)
