"""pytest-qt drives the real check-in screen: taps, keyboard, walk-ins, head counter, undo — and reads SQLite."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.domain.attendance import CourseFormat
from app.ui.courses.page import CoursesPage
from tests.attendance_fixtures import db, make_course, no_leaked_listeners  # noqa: F401

TODAY = dt.date.today()


def _marks(db, termin_id: int) -> dict[str, str]:  # noqa: ANN001
    conn = sqlite3.connect(db.path)
    try:
        return dict(conn.execute(
            "SELECT p.name, a.status FROM attendances a JOIN participants p ON p.id = a.participant_id "
            "WHERE a.termin_id = ? AND a.deleted = 0 AND p.deleted = 0", (termin_id,)
        ).fetchall())
    finally:
        conn.close()


@pytest.fixture
def page(qtbot, db):  # noqa: ANN001
    widget = CoursesPage()
    qtbot.addWidget(widget)
    widget.resize(1300, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    assert widget.ensure_loaded()
    return widget


def answer_next_question(qtbot, button_text: str) -> list[str]:  # noqa: ANN001
    """Click *button_text* in the next modal question; returns the question's text once asked."""
    asked: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        asked.append(box.text())
        assert [b.text() for b in box.buttons()] and all("&" not in b.text() for b in box.buttons())
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, click)
    return asked


def _open_checkin(qtbot, page, termin_id: int):  # noqa: ANN001, ANN202
    page.show_checkin(termin_id)
    view = page.checkin_view
    assert page.stack.currentWidget() is view
    qtbot.waitUntil(lambda: QApplication.focusWidget() in view.tiles.values() or view.walk_in.hasFocus())
    return view


def test_one_tap_per_person_is_stored_at_once(qtbot, page, db):
    setup = make_course(db, first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[0])
    assert view.count_label.text() == "0 von 3 da"
    anna = view.tiles[setup.person_ids[0]]
    qtbot.mouseClick(anna, Qt.MouseButton.LeftButton)
    assert _marks(db, setup.termin_ids[0]) == {"Anna Müller": "present"}
    assert anna.text() == "Anna Müller – anwesend" and anna.isChecked()
    assert anna.accessibleName() == "Anna Müller: anwesend"
    assert view.count_label.text() == "1 von 3 da"
    qtbot.mouseClick(anna, Qt.MouseButton.LeftButton)
    assert _marks(db, setup.termin_ids[0]) == {}
    assert not anna.isChecked()


def test_keyboard_only_check_in(qtbot, page, db):
    setup = make_course(db, first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[0])
    first = view.tiles[setup.person_ids[0]]
    assert first.hasFocus()
    qtbot.keyClick(first, Qt.Key.Key_Space)
    qtbot.keyClick(first, Qt.Key.Key_Right)
    second = view.tiles[setup.person_ids[1]]
    assert second.hasFocus()
    qtbot.keyClick(second, Qt.Key.Key_E)
    qtbot.keyClick(second, Qt.Key.Key_Right)
    qtbot.keyClick(view.tiles[setup.person_ids[2]], Qt.Key.Key_Return)
    assert _marks(db, setup.termin_ids[0]) == {
        "Anna Müller": "present", "Bernd Schmidt": "excused", "Clara Weber": "present",
    }
    assert second.text() == "Bernd Schmidt – entschuldigt"
    # Strg+Z takes back the last change only
    qtbot.keyClick(view.tiles[setup.person_ids[2]], Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _marks(db, setup.termin_ids[0]) == {"Anna Müller": "present", "Bernd Schmidt": "excused"}
    assert "Rückgängig gemacht: Clara Weber: anwesend" in view.message.text()


def test_walk_in_in_two_steps_then_undo(qtbot, page, db):
    setup = make_course(db, first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[0])
    qtbot.keyClick(view.tiles[setup.person_ids[0]], Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert view.walk_in.hasFocus()
    qtbot.keyClicks(view.walk_in, "Karl-Heinz Becker")  # step 1: the name
    qtbot.keyClick(view.walk_in, Qt.Key.Key_Return)  # step 2: done
    assert _marks(db, setup.termin_ids[0]) == {"Karl-Heinz Becker": "present"}
    names = [tile.person.name for tile in view.tiles.values()]
    assert "Karl-Heinz Becker" in names
    assert view.walk_in.text() == ""
    assert view.count_label.text() == "1 von 4 da"
    view.undo_button.click()
    assert _marks(db, setup.termin_ids[0]) == {}
    assert "Karl-Heinz Becker" not in [tile.person.name for tile in view.tiles.values()]


def test_empty_walk_in_name_is_refused_with_a_message(qtbot, page, db):
    setup = make_course(db, first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[0])
    view.walk_in.setFocus()
    qtbot.keyClicks(view.walk_in, "   ")
    qtbot.keyClick(view.walk_in, Qt.Key.Key_Return)
    assert view.message.text() == "Name: Bitte einen Namen eingeben."
    assert _marks(db, setup.termin_ids[0]) == {}


def test_known_person_is_offered_and_checked_in_by_picking(qtbot, page, db):
    other = make_course(db, title="Früherer Kurs", names=("Otto Petry",), first=TODAY)
    setup = make_course(db, first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[0])
    completer = view.walk_in.completer()
    completer.setCompletionPrefix("Otto")
    assert completer.currentCompletion() == "Otto Petry"
    view.walk_in.setText("Otto Petry")
    completer.activated.emit("Otto Petry")
    qtbot.waitUntil(lambda: _marks(db, setup.termin_ids[0]) == {"Otto Petry": "present"})
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT count(*) FROM participants WHERE name = 'Otto Petry'").fetchone()[0] == 1
    conn.close()
    assert other.person_ids[0] in view.tiles
    # typing the same name by hand (without picking) makes a new person, and says so
    make_course(db, title="Dritter Kurs", names=("Ilse Kunz",), first=TODAY)
    view._load_suggestions()
    view.walk_in.setFocus()
    qtbot.keyClicks(view.walk_in, "Ilse Kunz")
    view.walk_in.completer().popup().hide()
    qtbot.keyClick(view.walk_in, Qt.Key.Key_Return)
    assert "Hinweis: Ilse Kunz gibt es schon" in view.message.text()


def test_head_counter_and_topics_for_a_sprechstunde(qtbot, page, db):
    setup = make_course(db, title="Smartphone-Sprechstunde", fmt=CourseFormat.DROP_IN, names=(), first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[0])
    counter = view.head_counter
    assert counter.isVisible()
    for _ in range(3):
        qtbot.mouseClick(counter.plus, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(counter.minus, Qt.MouseButton.LeftButton)
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    qtbot.mouseClick(counter.topic_buttons["WhatsApp"], Qt.MouseButton.LeftButton)
    counter.other_topic.setFocus()
    qtbot.keyClicks(counter.other_topic, "Corona-Warn-App")  # '-' typed into a field is text, not a count
    qtbot.keyClick(counter.other_topic, Qt.Key.Key_Return)
    assert counter.count_label.text() == "3"
    assert counter.topic_buttons["WhatsApp"].text() == "WhatsApp · 1"
    assert counter.topic_buttons["Corona-Warn-App"].text() == "Corona-Warn-App · 1"
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT head_count FROM termine WHERE id = ?", (setup.termin_ids[0],)).fetchone() == (3,)
    assert dict(conn.execute("SELECT topic, count FROM topic_tallies").fetchall()) == {
        "WhatsApp": 1, "Corona-Warn-App": 1,
    }
    conn.close()
    assert view.count_label.text() == "3 Besucher"
    answer_next_question(qtbot, "Termin abschließen")
    qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    assert view.message.text() == "Termin abgeschlossen. Strg+Z macht das rückgängig."
    page.show_course(setup.course_id)
    stats = page.course_view.stats_label.text()
    assert "Besuche insgesamt</td><td><b>3</b>" in stats and "WhatsApp (1)" in stats


def test_head_counter_is_hidden_for_a_course(qtbot, page, db):
    setup = make_course(db, first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[0])
    assert not view.head_counter.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT head_count FROM termine WHERE id = ?", (setup.termin_ids[0],)).fetchone() == (None,)
    conn.close()


def test_present_button_sends_the_planned_lessons(qtbot, page, db):
    setup = make_course(db, first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[1])
    with qtbot.waitSignal(page.present_requested) as signal:
        qtbot.mouseClick(view.present_button, Qt.MouseButton.LeftButton)
    assert signal.args == [["whatsapp-nachrichten"]]
    with qtbot.waitSignal(page.present_requested) as signal:
        qtbot.keyClick(view.tiles[setup.person_ids[0]], Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert signal.args == [["whatsapp-nachrichten"]]


def test_today_button_leads_to_checkin_and_esc_back(qtbot, page, db):
    setup = make_course(db, first=TODAY)
    page.list_view.refresh()
    buttons = [page.list_view.today_box.itemAt(i).widget() for i in range(page.list_view.today_box.count())]
    today = [b for b in buttons if b is not None and "Check-in" in b.text()]
    assert len(today) == 1 and "Smartphone-Grundkurs" in today[0].text()
    qtbot.mouseClick(today[0], Qt.MouseButton.LeftButton)
    assert page.stack.currentWidget() is page.checkin_view
    assert page.checkin_view.desk.termin_id == setup.termin_ids[0]
    qtbot.waitUntil(lambda: page.checkin_view.tiles[setup.person_ids[0]].hasFocus())
    qtbot.keyClick(page.checkin_view.tiles[setup.person_ids[0]], Qt.Key.Key_Escape)
    assert page.stack.currentWidget() is page.list_view


def test_finish_button_marks_the_missing(qtbot, page, db):
    setup = make_course(db, first=TODAY)
    view = _open_checkin(qtbot, page, setup.termin_ids[0])
    qtbot.mouseClick(view.tiles[setup.person_ids[0]], Qt.MouseButton.LeftButton)
    asked = answer_next_question(qtbot, "Termin abschließen")
    qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    assert "2 Personen ohne Eintrag werden als unentschuldigt eingetragen." in asked[0]
    assert _marks(db, setup.termin_ids[0]) == {
        "Anna Müller": "present", "Bernd Schmidt": "absent", "Clara Weber": "absent",
    }
    assert view.tiles[setup.person_ids[1]].accessibleName() == "Bernd Schmidt: unentschuldigt"
    assert "2 als unentschuldigt eingetragen" in view.message.text()
