"""Privacy in the window: withdrawal after a question, Auskunft and Löschen in the person dialog, the retention dialog."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from app.services import people, privacy, retention
from app.ui.courses.organisation_dialog import OrganisationDialog
from app.ui.courses.person_dialog import ParticipantDialog
from app.ui.courses.privacy_dialog import PrivacyDialog
from tests.attendance_fixtures import TODAY, db, no_leaked_listeners  # noqa: F401
from tests.privacy_fixtures import NAME, PHONE, make_person
from tests.test_checkin_screen import answer_next_question


def _dialog(qtbot, db, person_id):  # noqa: ANN001, ANN202
    dialog = ParticipantDialog(db, person=people.get_participant(db, person_id), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_withdrawal_asks_first(qtbot, db):
    setup = make_person(db)
    dialog = _dialog(qtbot, db, setup.person_id)
    photos = next(c for c in people.consents(db, setup.person_id) if c.kind.label == "Fotos")
    button = dialog.withdraw_buttons[photos.id]
    assert button.text() == "»Fotos« widerrufen"
    asked = answer_next_question(qtbot, "Abbrechen")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "Die Einwilligung »Fotos« mit dem heutigen Datum widerrufen?" in asked[0]
    assert button.isEnabled() and all(c.withdrawn_on is None for c in people.consents(db, setup.person_id))
    answer_next_question(qtbot, "Widerrufen")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not button.isEnabled()
    assert "Widerruf »Fotos« gespeichert." in dialog.message.text()
    withdrawn = {c.kind.label: c.withdrawn_on for c in people.consents(db, setup.person_id)}
    assert withdrawn == {"Datenspeicherung": None, "Fotos": TODAY, "Kontakt": None}
    assert "widerrufen am 10.03.2026" in dialog.consent_list.item(1).text()


def test_auskunft_from_the_person_dialog_as_pdf_and_json(qtbot, db, tmp_path, monkeypatch):
    setup = make_person(db)
    dialog = _dialog(qtbot, db, setup.person_id)
    target = tmp_path / "auskunft.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    qtbot.mouseClick(dialog.auskunft_button, Qt.MouseButton.LeftButton)
    assert "Auskunft gespeichert" in dialog.message.text()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(target).pages).split())
    assert NAME in text and "Smartphone-Grundkurs" in text
    assert dialog.write_auskunft(tmp_path / "auskunft.json")
    assert json.loads((tmp_path / "auskunft.json").read_text(encoding="utf-8"))["person"]["name"] == NAME
    assert not dialog.write_auskunft(tmp_path / "auskunft.txt")
    assert ".pdf oder .json" in dialog.message.text()


def test_erase_from_the_person_dialog_asks_first(qtbot, db, monkeypatch):
    setup = make_person(db)
    dialog = _dialog(qtbot, db, setup.person_id)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or QMessageBox.StandardButton.No)
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert NAME in asked[0] and not privacy.is_erased(db, setup.person_id) and dialog.isVisible()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: shown.append(text))
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert privacy.is_erased(db, setup.person_id)
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    assert "1 Person gelöscht" in shown[0]
    with sqlite3.connect(db.path) as conn:
        assert conn.execute("SELECT name, phone FROM participants WHERE id = ?", (setup.person_id,)).fetchone() == (
            "Gelöschte Person", "")


def test_retention_dialog_erases_the_ticked_people_after_one_question(qtbot, db, monkeypatch):
    setup = make_person(db)
    later = dt.date.today() + dt.timedelta(days=800)
    dialog = PrivacyDialog(db, today=later)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.months_box.value() == 24 and dialog.people_list.count() == 4
    assert "4 Personen ohne Aktivität" in dialog.summary.text()
    keep = setup.others[0]
    for row in range(dialog.people_list.count()):
        item = dialog.people_list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == keep:
            item.setCheckState(Qt.CheckState.Unchecked)
    questions: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *a: questions.append(text) or QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert len(questions) == 1 and questions[0].startswith("3 Personen")
    assert "3 Personen gelöscht" in dialog.message.text()
    assert privacy.is_erased(db, setup.person_id) and not privacy.is_erased(db, keep)
    assert dialog.people_list.count() == 1
    dialog.months_box.setValue(60)
    assert dialog.people_list.count() == 0 and not dialog.erase_button.isEnabled()


def test_organisation_dialog_stores_the_retention_period(qtbot, db):
    dialog = OrganisationDialog(db)
    qtbot.addWidget(dialog)
    assert dialog.retention_box.value() == 24
    dialog.retention_box.setValue(36)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert retention.retention_months(db) == 36


def test_kurse_page_opens_the_privacy_dialog(qtbot, db, monkeypatch):
    from PySide6.QtWidgets import QPushButton

    from app.ui.courses.page import CoursesPage

    page = CoursesPage()
    qtbot.addWidget(page)
    page.resize(1300, 900)
    page.show()
    assert page.ensure_loaded()
    opened: list[PrivacyDialog] = []
    monkeypatch.setattr(PrivacyDialog, "exec", lambda self: opened.append(self) or 0)
    [button] = [b for b in page.list_view.findChildren(QPushButton) if b.text() == "Datenschutz …"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(opened) == 1 and opened[0].months_box.value() == 24
    opened[0].close()


def test_storage_withdrawal_says_contact_details_go_and_a_no_keeps_them(qtbot, db):
    setup = make_person(db)
    dialog = _dialog(qtbot, db, setup.person_id)
    storage = next(c for c in people.consents(db, setup.person_id) if c.kind.label == "Datenspeicherung")
    asked = answer_next_question(qtbot, "Abbrechen")
    qtbot.mouseClick(dialog.withdraw_buttons[storage.id], Qt.MouseButton.LeftButton)
    assert "Telefon und E-Mail dieser Person sofort gelöscht" in asked[0]
    assert people.get_participant(db, setup.person_id).phone == PHONE and dialog.phone_edit.text() == PHONE


def test_erasure_ends_enrolments_in_running_courses_but_keeps_finished_ones(qtbot, db, monkeypatch):
    from app.services.checkin import CheckInDesk
    from app.ui.courses.page import CoursesPage
    from tests.attendance_fixtures import make_course

    today = dt.date.today()
    running = make_course(db, title="Laufender Kurs", names=("Anna Müller", "Bernd Schmidt"), first=today)
    finished = make_course(db, title="Früherer Kurs", names=(), first=today - dt.timedelta(days=400), count=1)
    person = people.create_participant(db, people.ParticipantInput(name=NAME), course_id=running.course_id,
                                       today=today)
    people.enrol(db, finished.course_id, person, today - dt.timedelta(days=400))
    CheckInDesk(db, finished.termin_ids[0]).toggle(person)
    assert len(CheckInDesk(db, running.termin_ids[0]).state().rows) == 3
    dialog = _dialog(qtbot, db, person)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a: None)
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert privacy.is_erased(db, person)
    state = CheckInDesk(db, running.termin_ids[0]).state()
    assert [row.person.name for row in state.rows] == ["Anna Müller", "Bernd Schmidt"]
    with sqlite3.connect(db.path) as conn:
        live = dict(conn.execute("SELECT course_id, deleted FROM enrolments WHERE participant_id = ?",
                                 (person,)).fetchall())
    assert live == {running.course_id: 1, finished.course_id: 0}  # the past course still counts the placeholder
    assert CheckInDesk(db, finished.termin_ids[0]).state().present == 1
    page = CoursesPage()
    qtbot.addWidget(page)
    page.show()
    assert page.ensure_loaded()
    page.show_checkin(running.termin_ids[0])
    view = page.checkin_view
    assert sorted(tile.person.name for tile in view.tiles.values()) == ["Anna Müller", "Bernd Schmidt"]
    assert view.count_label.text() == "0 von 2 da"
