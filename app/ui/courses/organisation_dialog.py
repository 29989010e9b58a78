"""Organisation settings for sheets and certificates: name, logo, funding line, contact, trainers."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSpinBox, QWidget

from app.services import organisation, retention
from app.storage.database import Database
from app.ui.courses.dialogs import FormDialog, _line
from app.ui.courses.widgets import show_message

LOGO_PREVIEW = 96


class OrganisationDialog(FormDialog):
    """What the Anwesenheitsliste and the Teilnahmebescheinigung print in header and footer."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__("Organisation", parent)
        self.db = db
        settings = organisation.get_settings(db)
        self.logo_png = settings.logo_png
        self.name_edit = _line(settings.name, "Name der Organisation", "z. B. Digitallotsen Kreis Kusel")
        self.funding_edit = QPlainTextEdit(settings.funding_line)
        self.funding_edit.setAccessibleName("Förderhinweis")
        self.funding_edit.setPlaceholderText("gefördert im Rahmen von …")
        self.funding_edit.setMaximumHeight(90)
        self.contact_edit = _line(settings.contact, "Kontakt (Adresse, Telefon)")
        self.logo_label = QLabel()
        self.logo_label.setAccessibleName("Logo-Vorschau")
        self.logo_label.setFixedSize(LOGO_PREVIEW, LOGO_PREVIEW)
        self.logo_label.setWordWrap(True)  # "(kein Logo)" in a large font
        choose = QPushButton("Logo wählen …")
        choose.setAccessibleName("Logo als PNG-Datei wählen")
        choose.clicked.connect(self._choose_logo)
        remove = QPushButton("Logo entfernen")
        remove.setAccessibleName("Logo entfernen")
        remove.clicked.connect(lambda: self.set_logo(None))
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_label)
        logo_row.addWidget(choose)
        logo_row.addWidget(remove)
        logo_row.addStretch(1)
        self.trainers_edit = QPlainTextEdit("\n".join(organisation.trainer_names(db)))
        self.trainers_edit.setAccessibleName("Trainerinnen und Trainer, eine Person je Zeile")
        self.trainers_edit.setMaximumHeight(120)
        self.form.addRow("&Name:", self.name_edit)
        self.form.addRow("&Förderhinweis:", self.funding_edit)
        self.form.addRow("&Kontakt:", self.contact_edit)
        self.form.addRow("Logo:", logo_row)
        self.form.addRow("&Trainer (je Zeile):", self.trainers_edit)
        self.retention_box = QSpinBox()
        self.retention_box.setRange(retention.MIN_MONTHS, retention.MAX_MONTHS)
        self.retention_box.setSuffix(" Monate")
        self.retention_box.setValue(retention.retention_months(db))
        self.retention_box.setAccessibleName(
            "Aufbewahrungsfrist: Personen ohne Aktivität seit so vielen Monaten werden zum Löschen vorgeschlagen")
        self.form.addRow("&Aufbewahrungsfrist:", self.retention_box)
        self.set_logo(self.logo_png)

    def set_logo(self, data: bytes | None) -> None:
        self.logo_png = data
        pixmap = QPixmap()
        if data and pixmap.loadFromData(data):
            self.logo_label.setPixmap(pixmap.scaled(LOGO_PREVIEW, LOGO_PREVIEW))
        else:
            self.logo_label.setText("(kein Logo)")

    def _choose_logo(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(self, "Logo wählen", str(Path.home()), "PNG-Bilder (*.png)")
        if not name:
            return
        try:
            self.set_logo(Path(name).read_bytes())
        except OSError as error:
            show_message(self.message, f"Logo: {name} kann nicht gelesen werden ({error}).")

    def save(self) -> None:
        settings = organisation.OrganisationSettings(
            name=self.name_edit.text(), funding_line=self.funding_edit.toPlainText(),
            contact=self.contact_edit.text(), logo_png=self.logo_png,
        )
        organisation.save_settings(self.db, settings, self.trainers_edit.toPlainText().splitlines())
        if self.retention_box.value() != retention.retention_months(self.db):
            retention.set_retention_months(self.db, self.retention_box.value())
