"""Record a participant (only what the course needs), their consents, and point out likely duplicates."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QListWidget, QPushButton, QWidget

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
from app.services import people
from app.storage.database import Database
from app.ui.courses.dialogs import FormDialog, _line
from app.ui.courses.widgets import HINT_STYLE, show_message

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
        if self.person is not None:
            self.consent_list = QListWidget()
            self.consent_list.setAccessibleName("Erteilte Einwilligungen")
            self.consent_list.setMaximumHeight(120)
            self.consent_list.setWordWrap(True)
            self._consents = people.consents(self.db, self.person.id)
            for consent in self._consents:
                self.consent_list.addItem(consent.text)
            active = [c.kind for c in self._consents if c.withdrawn_on is None]
            withdraw = QPushButton("Markierte Einwilligung widerrufen (heute)")
            withdraw.setAccessibleName("Markierte Einwilligung widerrufen")
            withdraw.clicked.connect(self._withdraw)
            self.form.addRow("Einwilligungen:", self.consent_list)
            self.form.addRow("", withdraw)
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

    def _withdraw(self) -> None:
        row = self.consent_list.currentRow()
        if row < 0:
            show_message(self.message, "Bitte zuerst eine Einwilligung in der Liste markieren.")
            return
        try:
            people.withdraw_consent(self.db, self._consents[row].id, self.today)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return
        self._consents = people.consents(self.db, self.person.id)  # type: ignore[union-attr]
        self.consent_list.item(row).setText(self._consents[row].text)
        self.consent_boxes[self._consents[row].kind].setEnabled(True)
        show_message(self.message, "Widerruf gespeichert.", HINT_STYLE)
