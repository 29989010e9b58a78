"""The course screens driven with pytest-qt: course list, dialogs with German validation, course page, backups."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QPushButton

from app.domain.attendance import AttendanceStatus, CourseInput, ParticipantInput
from app.services import context, courses, people
from app.services.checkin import CheckInDesk
from app.storage.models import SCHEMA_VERSION
from app.ui.courses.backup_dialog import BackupDialog
from app.ui.courses.dialogs import CourseDialog, TerminDialog
from app.ui.courses.organisation_dialog import OrganisationDialog
from app.ui.courses.page import CoursesPage
from app.ui.courses.person_dialog import ParticipantDialog
from tests.attendance_fixtures import TODAY, db, make_course, no_leaked_listeners  # noqa: F401


def _rows(db, sql: str, *args) -> list[tuple]:  # noqa: ANN001
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def _with_modal(qtbot, trigger: Callable[[], object], interact: Callable[[QDialog], None]) -> None:  # noqa: ANN001
    """Open a modal dialog with *trigger*; *interact* drives it while it runs."""
    seen: list[QDialog] = []

    def handle() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, handle)
            return
        seen.append(dialog)
        try:
            interact(dialog)
        finally:  # a failing check must not leave the modal dialog blocking the test run
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, handle)
    trigger()
    assert seen, "kein Dialog geöffnet"


@pytest.fixture
def page(qtbot, db):  # noqa: ANN001
    widget = CoursesPage()
    qtbot.addWidget(widget)
    widget.resize(1300, 900)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.ensure_loaded()
    return widget


def test_page_opens_database_lazily_when_shown(qtbot, data_dir):
    context.close()
    widget = CoursesPage()
    qtbot.addWidget(widget)
    assert not (data_dir / "kurslotse.sqlite3").exists()
    widget.show()
    qtbot.waitUntil(lambda: widget.stack.currentWidget() is widget.list_view)
    assert (data_dir / "kurslotse.sqlite3").exists()


def test_page_explains_a_database_from_a_newer_version(qtbot, db):
    path = db.path
    context.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_info SET version = ?", (SCHEMA_VERSION + 1,))
    conn.commit()
    conn.close()
    widget = CoursesPage()
    qtbot.addWidget(widget)
    assert not widget.ensure_loaded()
    assert "neueren Kurslotse-Version" in widget.status.text()
    assert widget.list_view is None


def test_new_course_dialog_refuses_bad_input_then_saves(qtbot, page, db):
    def interact(dialog: QDialog) -> None:
        assert isinstance(dialog, CourseDialog)
        dialog.start_edit.setText("01.05.2026")
        dialog.end_edit.setText("31.02.2026")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()
        assert dialog.message.text() == "Ende: Den 31.02.2026 gibt es nicht im Kalender."
        dialog.end_edit.setText("01.04.2026")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert dialog.message.text() == (
            "Titel: Bitte einen Titel für den Kurs eingeben.\n"
            "Zeitraum: Das Ende (01.04.2026) liegt vor dem Beginn (01.05.2026)."
        )
        assert _rows(db, "SELECT count(*) FROM courses") == [(0,)]
        qtbot.keyClicks(dialog.title_edit, "Smartphone-Treff")
        dialog.town_box.setCurrentText("Nanzdietschweiler")
        dialog.end_edit.setText("30.06.2026")
        first = dialog.lessons.item(0)
        first.setCheckState(Qt.CheckState.Checked)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible()

    _with_modal(qtbot, page.list_view.new_course, interact)
    [(title, start, end)] = _rows(db, "SELECT title, start_date, end_date FROM courses")
    assert (title, start, end) == ("Smartphone-Treff", "2026-05-01", "2026-06-30")
    assert page.stack.currentWidget() is page.course_view  # a new course opens at once
    assert page.course_view.title.text() == "Smartphone-Treff"
    assert len(courses.get_course(db, page.course_view.course_id).planned_lessons) == 1


def test_termin_dialog_shows_end_before_start_and_saves_nothing(qtbot, page, db):
    setup = make_course(db, count=1)
    page.show_course(setup.course_id)

    def interact(dialog: QDialog) -> None:
        assert isinstance(dialog, TerminDialog)
        dialog.date_edit.setText((TODAY + dt.timedelta(days=300)).strftime("%d.%m.%Y"))
        dialog.start_edit.setText("16:00")
        dialog.end_edit.setText("15.30")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert "Uhrzeit: Das Ende (15:30 Uhr) liegt nicht nach dem Beginn (16:00 Uhr)." in dialog.message.text()
        assert "liegt nach dem Kursende" in dialog.message.text()
        assert dialog.isVisible()

    _with_modal(qtbot, page.course_view.new_termin, interact)
    assert _rows(db, "SELECT count(*) FROM termine") == [(1,)]


def test_termin_series_from_the_course_page(qtbot, page, db):
    setup = make_course(db, count=1)
    page.show_course(setup.course_id)

    def interact(dialog: QDialog) -> None:
        dialog.date_edit.setText((TODAY + dt.timedelta(days=7)).strftime("%d.%m.%Y"))
        dialog.count_box.setValue(3)
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    _with_modal(qtbot, page.course_view.new_series, interact)
    assert page.course_view.termin_model.rowCount() == 4
    dates = [row[0] for row in _rows(db, "SELECT date FROM termine ORDER BY date")]
    assert dates[1:] == [(TODAY + dt.timedelta(days=d)).isoformat() for d in (7, 14, 21)]


def test_course_page_shows_termine_people_grid_and_stats(qtbot, page, db, qtmodeltester):
    setup = make_course(db, count=3)
    desk = CheckInDesk(db, setup.termin_ids[0])
    desk.toggle(setup.person_ids[0])
    desk.set_status(setup.person_ids[1], AttendanceStatus.EXCUSED)
    page.list_view.refresh()
    page.list_view.select(setup.course_id)
    qtbot.keyClick(page.list_view.table, Qt.Key.Key_Return)
    view = page.course_view
    assert page.stack.currentWidget() is view
    assert view.termin_model.rowCount() == 3
    assert view.people_model.rowCount() == 3
    grid = view.grid_model
    qtmodeltester.check(grid)
    qtmodeltester.check(view.termin_model)
    assert grid.data(grid.index(0, 0)) == "✓"
    assert grid.data(grid.index(1, 0)) == "E"
    assert grid.data(grid.index(0, 0), Qt.ItemDataRole.AccessibleTextRole).startswith("Anna Müller, ")
    assert grid.data(grid.index(0, 3)) == "1/1"
    assert "Anwesenheitsquote" in view.stats_label.text() and "33 %" in view.stats_label.text()
    assert "Erika Lang" in view.info.text()
    # a change anywhere refreshes the visible page through the one change signal
    CheckInDesk(db, setup.termin_ids[0]).toggle(setup.person_ids[2])
    assert grid.data(grid.index(2, 0)) == "✓"
    # Eingabe on a Termin opens its check-in; Esc goes back to the list
    view.termin_table.setFocus()
    view.termin_table.selectRow(0)
    qtbot.keyClick(view.termin_table, Qt.Key.Key_Return)
    assert page.stack.currentWidget() is page.checkin_view
    page.checkin_view.back_requested.emit()
    assert page.stack.currentWidget() is view


def test_present_from_course_page_sends_termin_lessons(qtbot, page, db):
    setup = make_course(db, count=3)
    page.show_course(setup.course_id)
    page.course_view.termin_table.selectRow(2)
    with qtbot.waitSignal(page.present_requested) as signal:
        page.course_view.present_selected()
    assert signal.args == [["fotos-teilen"]]


def test_new_person_dialog_points_out_a_likely_duplicate(qtbot, page, db):
    first = make_course(db, title="Kurs A", names=())
    people.create_participant(db, ParticipantInput(name="Anna Müller", birth_year=1948))
    dialog = ParticipantDialog(db, course_id=first.course_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("anna müller")  # QTest types ASCII only
    qtbot.keyClicks(dialog.year_edit, "1948")
    dialog.consent_boxes[next(iter(dialog.consent_boxes))].setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "Hinweis: Es gibt schon Anna Müller (Jahrgang 1948)" in dialog.message.text()
    assert _rows(db, "SELECT count(*) FROM participants") == [(1,)]
    assert dialog.use_existing.isVisible()
    qtbot.mouseClick(dialog.use_existing, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert _rows(db, "SELECT count(*) FROM participants") == [(1,)]
    assert _rows(db, "SELECT count(*) FROM enrolments WHERE deleted = 0") == [(1,)]


def test_new_person_with_consent_and_bad_year(qtbot, page, db):
    setup = make_course(db, names=())
    dialog = ParticipantDialog(db, course_id=setup.course_id, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name_edit, "Otto Petry")
    qtbot.keyClicks(dialog.year_edit, "neunzehnhundert")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert "Geburtsjahr: »neunzehnhundert« ist keine Jahreszahl" in dialog.message.text()
    dialog.year_edit.setText("1941")
    dialog.device_box.setCurrentIndex(dialog.device_box.findData("iphone"))
    for box in dialog.consent_boxes.values():
        box.setChecked(True)
    dialog.wording_edit.setText("2026-1")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert _rows(db, "SELECT name, birth_year, device FROM participants") == [("Otto Petry", 1941, "iphone")]
    assert sorted(_rows(db, "SELECT kind, wording_version FROM consents")) == [
        ("contact", "2026-1"), ("data_storage", "2026-1"), ("photos", "2026-1"),
    ]


def test_backup_dialog_lists_and_restores(qtbot, page, db, monkeypatch):
    courses.create_course(db, CourseInput(title="Vor der Sicherung"))
    dialog = BackupDialog(page, confirm=False)
    qtbot.addWidget(dialog)
    buttons = {b.accessibleName(): b for b in dialog.findChildren(QPushButton)}
    qtbot.mouseClick(buttons["Jetzt eine Sicherung anlegen"], Qt.MouseButton.LeftButton)
    assert dialog.list.count() == 1 and "von Hand" in dialog.list.item(0).text()
    courses.create_course(db, CourseInput(title="Nach der Sicherung"))
    page.list_view.refresh()
    assert page.list_view.model.rowCount() == 2
    dialog.list.setCurrentRow(0)
    qtbot.mouseClick(buttons["Gewählte Sicherung wiederherstellen"], Qt.MouseButton.LeftButton)
    assert "wiederhergestellt" in dialog.message.text()
    assert [c.title for c in courses.list_courses(db)] == ["Vor der Sicherung"]
    assert page.list_view.model.rowCount() == 1  # views refreshed through the change signal
    assert "vor Wiederherstellung" in dialog.list.item(0).text()


def test_backup_restore_asks_first(qtbot, page, db, monkeypatch):
    courses.create_course(db, CourseInput(title="Bleibt"))
    dialog = BackupDialog(page)
    qtbot.addWidget(dialog)
    dialog.backup_now()
    courses.create_course(db, CourseInput(title="Bleibt auch"))
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.No)
    dialog.restore_selected()
    assert len(courses.list_courses(db)) == 2


def test_organisation_dialog_saves_logo_funding_and_trainers(qtbot, page, db):
    from app.services import organisation
    from app.services.demo import demo_logo_png

    dialog = OrganisationDialog(db, page)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Digitallotsen Kreis Kusel")
    dialog.funding_edit.setPlainText("gefördert im Rahmen von »Land L(i)eben«")
    dialog.set_logo(b"GIF89a kein png")
    dialog.trainers_edit.setPlainText("Erika Lang\n\nWalter Klein\n")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Logo: Die Datei ist kein PNG-Bild."
    assert organisation.get_settings(db).name == ""
    dialog.set_logo(demo_logo_png())
    assert dialog.logo_label.pixmap() is not None and not dialog.logo_label.pixmap().isNull()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    saved = organisation.get_settings(db)
    assert saved.name == "Digitallotsen Kreis Kusel"
    assert saved.logo_png == demo_logo_png()
    assert organisation.trainer_names(db) == ["Erika Lang", "Walter Klein"]


def test_damaged_database_can_be_rescued_from_a_backup(qtbot, db, monkeypatch):
    courses.create_course(db, CourseInput(title="Gerettet"))
    context.backup_now()
    path = db.path
    context.close()
    path.write_bytes(b"\x00" * 4096)  # the laptop's disk had a bad day
    widget = CoursesPage()
    qtbot.addWidget(widget)
    widget.show()
    assert not widget.ensure_loaded()
    assert "keine Kurslotse-Datenbank" in widget.status.text()
    assert widget.rescue_button.isVisible()
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)

    def interact(dialog: QDialog) -> None:
        assert isinstance(dialog, BackupDialog)
        assert dialog.list.count() == 1
        dialog.restore_selected()
        assert "wiederhergestellt" in dialog.message.text()
        dialog.accept()

    _with_modal(qtbot, widget.rescue_button.click, interact)
    assert widget.stack.currentWidget() is widget.list_view
    assert [c.title for c in courses.list_courses(widget.db)] == ["Gerettet"]
    assert list(path.parent.glob("kurslotse.sqlite3.defekt-*")), "die beschädigte Datei bleibt zur Untersuchung"


def test_course_from_a_template_gets_its_plan_and_termine(qtbot, page, db, monkeypatch):
    from app.services import lesson_titles
    from app.ui.courses.dialogs import CourseDialog, TerminDialog

    template = lesson_titles.PlanTemplate(
        "einsteiger", "Smartphone-Einsteigerkurs", (("kennenlernen", "einstellungen"), ("whatsapp",)),
    )
    monkeypatch.setattr(lesson_titles, "_cache", {
        "kennenlernen": lesson_titles.LessonInfo("kennenlernen", "Das Gerät kennenlernen"),
        "einstellungen": lesson_titles.LessonInfo("einstellungen", "Einstellungen"),
        "whatsapp": lesson_titles.LessonInfo("whatsapp", "WhatsApp"),
    })
    monkeypatch.setattr(lesson_titles, "_templates", [template])
    dialog = CourseDialog(db, parent=page)
    qtbot.addWidget(dialog)
    dialog.template_box.setCurrentIndex(1)
    assert dialog.title_edit.text() == "Smartphone-Einsteigerkurs"
    assert dialog.lessons.chosen() == ["kennenlernen", "einstellungen", "whatsapp"]
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    course = courses.get_course(db, dialog.saved_id)
    assert course.planned_lessons == ("kennenlernen", "einstellungen", "whatsapp")
    series = TerminDialog(db, course, series=True, parent=page)
    qtbot.addWidget(series)
    series.date_edit.setText("02.03.2026")
    series.plan_box.setCurrentIndex(1)
    assert series.count_box.value() == 2
    qtbot.mouseClick(series.ok_button, Qt.MouseButton.LeftButton)
    assert [courses.get_termin(db, tid).lessons for tid in series.saved_ids] == [
        ("kennenlernen", "einstellungen"), ("whatsapp",),
    ]
    assert [courses.get_termin(db, tid).date for tid in series.saved_ids] == [
        dt.date(2026, 3, 2), dt.date(2026, 3, 9),
    ]


def test_kursheft_button_sends_the_course_plan(qtbot, page, db):
    setup = make_course(db)
    page.show_course(setup.course_id)
    view = page.course_view
    with qtbot.waitSignal(page.booklet_requested) as signal:
        qtbot.mouseClick(view.booklet_button, Qt.MouseButton.LeftButton)
    assert signal.args == [["smartphone-kennenlernen", "whatsapp-nachrichten", "fotos-teilen"]]
