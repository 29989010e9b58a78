"""Record a participant (only what the course needs), their consents, and point out likely duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.domain.attendance import (
    AGE_BANDS,
    ConsentKind,
    DeviceType,
    Gender,
    InputError,
    ParticipantInput,
    ParticipantView,
    parse_birth_year,
)
from app import server_database
from app.services import auskunft, erasure, people, privacy
from app.storage.database import Database, DatabaseError
from app.ui.courses.dialogs import FormDialog, _line
from app.ui.courses.widgets import HINT_STYLE, ask, show_message

DEFAULT_WORDING = "1"


def _combo(accessible: str, items: list[tuple[str, str]], current: str) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(accessible)
    box.addItem("keine Angabe", "")
    for label, value in items:
        box.addItem(label, value)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box


class ParticipantDialog(FormDialog):
    """New person for a course (enrolled on save) or change an existing person."""

    def __init__(self, db: Database, course_id: int | None = None, person: ParticipantView | None = None,
                 parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__("Person bearbeiten" if person else "Neue Person", parent)
        self.setMinimumWidth(820)
        self.db, self.course_id, self.person = db, course_id, person
        self.today = today or dt.date.today()
        self._duplicates_shown_for: str | None = None
        self.name_edit = _line(person.name if person else "", "Name (Pflichtfeld)", "Vorname Name")
        self.phone_edit = _line(person.phone if person else "", "Telefon (freiwillig)")
        self.email_edit = _line(person.email if person else "", "E-Mail (freiwillig)")
        self.year_edit = _line(str(person.birth_year) if person and person.birth_year else "",
                               "Geburtsjahr (freiwillig)", "z. B. 1948")
        self.age_box = _combo("Altersgruppe (freiwillig)", [(band, band) for band in AGE_BANDS],
                              person.age_band if person else "")
        self.gender_box = _combo("Geschlecht (freiwillig)", [(g.label, g.value) for g in Gender],
                                 person.gender.value if person and person.gender else "")
        self.device_box = _combo("Gerät", [(d.label, d.value) for d in DeviceType],
                                 person.device.value if person and person.device else "")
        self.note_edit = _line(person.note if person else "", "Notiz (freiwillig)")
        self.form.addRow("&Name:", self.name_edit)
        self.form.addRow("&Telefon:", self.phone_edit)
        self.form.addRow("&E-Mail:", self.email_edit)
        self.form.addRow("&Geburtsjahr:", self.year_edit)
        self.form.addRow("&Altersgruppe:", self.age_box)
        self.form.addRow("Ge&schlecht:", self.gender_box)
        self.form.addRow("Ge&rät:", self.device_box)
        self.form.addRow("N&otiz:", self.note_edit)
        self._build_consents()
        self.use_existing = QPushButton("Stattdessen die vorhandene Person anmelden")
        self.use_existing.setAccessibleName("Vorhandene Person anmelden statt neu anlegen")
        self.use_existing.hide()
        self.use_existing.clicked.connect(self._enrol_existing)
        self.layout().insertWidget(2, self.use_existing)

    def _build_consents(self) -> None:
        active = []
        self.withdraw_buttons: dict[int, QPushButton] = {}
        if self.person is not None:
            self.consent_list = QListWidget()
            self.consent_list.setAccessibleName("Erteilte Einwilligungen")
            self.consent_list.setMaximumHeight(120)
            self.consent_list.setWordWrap(True)
            self._consents = people.consents(self.db, self.person.id)
            for consent in self._consents:
                self.consent_list.addItem(consent.text)
            active = [c.kind for c in self._consents if c.withdrawn_on is None]
            self.form.addRow("Einwilligungen:", self.consent_list)
            withdraw_row = QHBoxLayout()
            for consent in self._consents:
                if consent.withdrawn_on is None:
                    button = QPushButton(f"»{consent.kind.label}« widerrufen")
                    button.setAccessibleName(f"Einwilligung {consent.kind.label} heute widerrufen")
                    button.clicked.connect(lambda _checked=False, cid=consent.id: self.withdraw(cid))
                    withdraw_row.addWidget(button)
                    self.withdraw_buttons[consent.id] = button
            withdraw_row.addStretch(1)
            if self.withdraw_buttons:
                self.form.addRow("Widerruf (heute):", withdraw_row)
            self._build_privacy_actions()
        row = QHBoxLayout()
        self.consent_boxes: dict[ConsentKind, QCheckBox] = {}
        for kind in ConsentKind:
            box = QCheckBox(kind.label)
            box.setAccessibleName(f"Einwilligung {kind.label} heute erteilt")
            box.setEnabled(kind not in active)
            row.addWidget(box)
            self.consent_boxes[kind] = box
        self.wording_edit = _line(DEFAULT_WORDING, "Fassung des unterschriebenen Einwilligungstextes")
        self.wording_edit.setMaximumWidth(160)
        row.addWidget(self.wording_edit)
        self.form.addRow("Neue Einwilligung:", row)

    def participant_input(self) -> ParticipantInput:
        return ParticipantInput(
            name=self.name_edit.text(), phone=self.phone_edit.text(), email=self.email_edit.text(),
            birth_year=parse_birth_year(self.year_edit.text()), age_band=self.age_box.currentData(),
            gender=Gender(self.gender_box.currentData()) if self.gender_box.currentData() else None,
            device=DeviceType(self.device_box.currentData()) if self.device_box.currentData() else None,
            note=self.note_edit.text(),
        )

    def save(self) -> None:
        data = self.participant_input()
        people.check_participant(data, self.today)
        if self.person is None and not self._confirmed_new(data):
            raise InputError([])  # keep the dialog open; the hint is already shown
        consents = [
            (kind, self.today, self.wording_edit.text())
            for kind, box in self.consent_boxes.items() if box.isChecked() and box.isEnabled()
        ]
        if self.person is None:
            self.saved_id = people.create_participant(self.db, data, self.course_id, self.today, consents)
        else:
            people.update_participant(self.db, self.person.id, data, consents)
            self.saved_id = self.person.id

    def accept(self) -> None:
        try:
            self.save()
        except InputError as error:
            if error.messages:
                show_message(self.message, "\n".join(error.messages))
            return
        except DatabaseError as error:  # not stored (server gone, disk full): the entries stay in the form
            show_message(self.message, str(error))
            return
        self.done(FormDialog.DialogCode.Accepted)

    def _confirmed_new(self, data: ParticipantInput) -> bool:
        """First save with a likely duplicate only points it out; saving again creates the person."""
        key = f"{data.name.strip().casefold()}|{data.birth_year}"
        if self._duplicates_shown_for == key:
            return True
        self._duplicates = people.likely_duplicates(self.db, data)
        if not self._duplicates:
            return True
        self._duplicates_shown_for = key
        names = ", ".join(
            f"{p.name}" + (f" (Jahrgang {p.birth_year})" if p.birth_year else "") for p in self._duplicates[:3]
        )
        show_message(
            self.message,
            f"Hinweis: Es gibt schon {names}. Ist das dieselbe Person? Dann bitte "
            "»Stattdessen die vorhandene Person anmelden«. Für eine neue Person nochmals »Speichern«.",
            HINT_STYLE,
        )
        self.use_existing.setVisible(self.course_id is not None)
        return False

    def _enrol_existing(self) -> None:
        if self.course_id is None or not self._duplicates:
            return
        try:
            people.enrol(self.db, self.course_id, self._duplicates[0].id, self.today)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return
        self.saved_id = self._duplicates[0].id
        self.done(FormDialog.DialogCode.Accepted)

    def withdraw(self, consent_id: int) -> None:
        """After a question: the consent is withdrawn today (the record stays as proof)."""
        consent = next((c for c in self._consents if c.id == consent_id), None)
        if consent is None:
            return
        text = f"Die Einwilligung »{consent.kind.label}« mit dem heutigen Datum widerrufen?"
        if consent.kind is ConsentKind.DATA_STORAGE and (self.phone_edit.text() or self.email_edit.text()):
            text += ("\n\nOhne Einwilligung zur Datenspeicherung werden Telefon und E-Mail dieser Person "
                     "sofort gelöscht.")
        text += "\n\nDer Widerruf lässt sich nicht zurücknehmen; eine neue Einwilligung ist möglich."
        if not ask(self, "Einwilligung widerrufen", text, "Widerrufen"):
            return
        try:
            removed = people.withdraw_consent(self.db, consent_id, self.today)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return
        self._consents = people.consents(self.db, self.person.id)  # type: ignore[union-attr]
        text = "Widerruf gespeichert."
        for row, consent in enumerate(self._consents):
            self.consent_list.item(row).setText(consent.text)
            if consent.id == consent_id:
                self.consent_boxes[consent.kind].setEnabled(True)
                text = f"Widerruf »{consent.kind.label}« gespeichert."
        self.withdraw_buttons.pop(consent_id).setEnabled(False)
        if removed:  # without consent to storage no contact details stay (see people.withdraw_consent)
            self.phone_edit.clear()
            self.email_edit.clear()
            text += " Telefon und E-Mail wurden entfernt."
        show_message(self.message, text, HINT_STYLE)

    # ------------------------------------------------------------------ Auskunft and Löschen

    def _build_privacy_actions(self) -> None:
        row = QHBoxLayout()
        self.auskunft_button = QPushButton("Auskunft …")
        self.auskunft_button.setAccessibleName("Auskunft: alles Gespeicherte über die Person als PDF oder JSON")
        self.auskunft_button.clicked.connect(self._choose_auskunft_file)
        self.erase_button = QPushButton("Person löschen …")
        self.erase_button.setAccessibleName("Person löschen (Datenschutz)")
        self.erase_button.clicked.connect(self.erase)
        row.addWidget(self.auskunft_button)
        row.addWidget(self.erase_button)
        if self.person is not None and privacy.is_erased(self.db, self.person.id):
            self.erase_button.setEnabled(False)
            self.erase_button.setText("Person ist gelöscht")
        row.addStretch(1)
        self.form.addRow("Datenschutz:", row)

    def _choose_auskunft_file(self) -> None:
        assert self.person is not None
        from app.ui.save_location import ask_save_file

        target, _ = ask_save_file(self, "auskunft", "Auskunft speichern", f"auskunft-person-{self.person.id}.pdf",
                                  "PDF-Dokument (*.pdf);;JSON-Datei (*.json)")
        if target is not None:
            self.write_auskunft(target)

    def write_auskunft(self, target: Path) -> bool:
        """Write the Auskunft as PDF or JSON (by the file ending); the outcome is shown in the dialog."""
        assert self.person is not None
        from app.render.output import OutputError

        try:
            kind = auskunft.check_target(target)
            data = auskunft.collect(self.db, self.person.id)
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                if kind == "json":
                    auskunft.write_json(data, target)
                else:
                    from app.render.auskunft import build_auskunft
                    from app.render.output import write_pdf

                    write_pdf(build_auskunft(data), target)
            finally:
                QApplication.restoreOverrideCursor()
        except (auskunft.AuskunftError, OutputError, InputError) as error:
            show_message(self.message, str(error))
            return False
        show_message(self.message, f"Auskunft gespeichert: {target}", HINT_STYLE)
        return True

    def erase(self) -> None:
        """After one confirmation: erase the person (placeholder for the statistics) and close the dialog."""
        assert self.person is not None
        answer = QMessageBox.question(
            self, "Person löschen",
            f"»{self.person.name}« wirklich löschen?\n\nName, Telefon, E-Mail, Geburtsjahr und Notiz werden "
            "entfernt – auch aus den Sicherungen und beim nächsten Abgleich auf den anderen Laptops. "
            "Die Anwesenheiten zählen anonym in der Statistik weiter.\n\nDas lässt sich nicht rückgängig machen.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            report = erasure.erase_one(self.db, self.person.id)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return
        self.erasure_lines = server_database.erasure_lines(report, self.db.is_server)
        QMessageBox.information(self, "Person gelöscht", "\n".join(self.erasure_lines))
        self.saved_id = self.person.id
        self.done(FormDialog.DialogCode.Accepted)
