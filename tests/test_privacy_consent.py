"""Consent to data storage is needed for contact details: services and the person dialog, nothing saved without it."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from app.domain.attendance import ConsentKind, InputError, ParticipantInput
from app.services import people
from app.ui.courses.person_dialog import ParticipantDialog
from tests.attendance_fixtures import TODAY, db, db_any, make_course, no_leaked_listeners  # noqa: F401

GIVEN = TODAY - dt.timedelta(days=1)


def _rows(db, sql: str) -> list[tuple]:  # noqa: ANN001
    with db.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql))]


def test_contact_details_without_storage_consent_are_refused_and_nothing_is_saved(db_any):
    db = db_any  # on a laptop's SQLite file and on the office's PostgreSQL database
    with pytest.raises(InputError, match="nur mit Einwilligung zur Datenspeicherung") as error:
        people.create_participant(db, ParticipantInput(name="Otto Petry", phone="06381 1234"), today=TODAY)
    assert "Es wurde nichts gespeichert" in str(error.value)
    with pytest.raises(InputError, match="Datenspeicherung"):
        people.create_participant(db, ParticipantInput(name="Otto Petry", email="otto@example.org"), today=TODAY,
                                  new_consents=[(ConsentKind.PHOTOS, GIVEN, "1")])
    assert _rows(db, "SELECT count(*) FROM participants") == [(0,)]
    assert _rows(db, "SELECT count(*) FROM consents") == [(0,)]
    person = people.create_participant(db, ParticipantInput(name="Otto Petry", phone="06381 1234"), today=TODAY,
                                       new_consents=[(ConsentKind.DATA_STORAGE, GIVEN, "1")])
    assert people.get_participant(db, person).phone == "06381 1234"
    plain = people.create_participant(db, ParticipantInput(name="Anna Müller"), today=TODAY)  # no contact: fine
    with pytest.raises(InputError, match="Datenspeicherung"):
        people.update_participant(db, plain, ParticipantInput(name="Anna Müller", email="anna@example.org"))
    assert people.get_participant(db, plain).email == ""
    people.update_participant(db, plain, ParticipantInput(name="Anna Müller", email="anna@example.org"),
                              [(ConsentKind.DATA_STORAGE, GIVEN, "1")])
    assert people.get_participant(db, plain).email == "anna@example.org"


def test_withdrawing_storage_consent_removes_contact_details(db_any):
    db = db_any
    person = people.create_participant(
        db, ParticipantInput(name="Otto Petry", phone="06381 1234", email="otto@example.org"), today=TODAY,
        new_consents=[(ConsentKind.DATA_STORAGE, GIVEN, "1"), (ConsentKind.CONTACT, GIVEN, "1")])
    contact, storage = sorted(people.consents(db, person), key=lambda c: c.kind.value)
    assert people.withdraw_consent(db, contact.id, TODAY) is False
    assert people.get_participant(db, person).phone == "06381 1234"
    assert people.withdraw_consent(db, storage.id, TODAY) is True
    view = people.get_participant(db, person)
    assert (view.phone, view.email, view.name) == ("", "", "Otto Petry")
    with pytest.raises(InputError, match="Datenspeicherung"):
        people.update_participant(db, person, ParticipantInput(name="Otto Petry", phone="06381 1234"))


def test_person_dialog_needs_the_storage_consent_for_a_phone_number(qtbot, db):
    setup = make_course(db, names=())
    dialog = ParticipantDialog(db, course_id=setup.course_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name_edit, "Otto Petry")
    qtbot.keyClicks(dialog.phone_edit, "06381 1234")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "nur mit Einwilligung zur Datenspeicherung" in dialog.message.text()
    assert _rows(db, "SELECT count(*) FROM participants") == [(0,)]
    dialog.consent_boxes[ConsentKind.DATA_STORAGE].setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert _rows(db, "SELECT name, phone FROM participants") == [("Otto Petry", "06381 1234")]


def _answer_question(button_text: str) -> list[str]:
    """Press *button_text* in the next question box; returns the texts it showed."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    shown: list[str] = []

    def press() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                shown.append(widget.text())
                for button in widget.buttons():
                    if button.text().replace("&", "") == button_text:
                        button.click()
                        return
        QTimer.singleShot(30, press)

    QTimer.singleShot(30, press)
    return shown


def test_withdrawal_of_storage_consent_in_the_dialog_asks_then_clears_the_contact_fields(qtbot, db):
    person = people.create_participant(
        db, ParticipantInput(name="Otto Petry", phone="06381 1234"), today=TODAY,
        new_consents=[(ConsentKind.DATA_STORAGE, GIVEN, "1")])
    dialog = ParticipantDialog(db, person=people.get_participant(db, person), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    [button] = dialog.withdraw_buttons.values()
    asked = _answer_question("Abbrechen")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "Telefon und E-Mail dieser Person sofort gelöscht" in asked[0]  # it asks first …
    assert _rows(db, "SELECT phone FROM participants") == [("06381 1234",)]  # … and »Abbrechen« keeps them
    assert dialog.phone_edit.text() == "06381 1234"
    _answer_question("Widerrufen")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "Telefon und E-Mail wurden entfernt" in dialog.message.text()
    assert dialog.phone_edit.text() == ""
    assert _rows(db, "SELECT phone FROM participants") == [("",)]
    assert dialog.consent_boxes[ConsentKind.DATA_STORAGE].isEnabled()  # may be given again
