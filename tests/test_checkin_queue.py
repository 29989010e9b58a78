"""A queue at the door on a 1366×768 touch laptop: search as one types, status by touch, a question
before »Termin abschließen«, the grid stays whole, new tiles come into view, targets ≥ 44 px."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QWidget

from app.ui.courses.page import CoursesPage
from app.ui.look import apply_look
from tests.attendance_fixtures import db, make_course, no_leaked_listeners  # noqa: F401
from tests.test_checkin_screen import answer_next_question

TODAY = dt.date.today()
QUEUE = tuple(f"{first} {last}" for first, last in zip(
    ("Anna", "Bernd", "Clara", "Dieter", "Erika", "Franz", "Gisela", "Heinz", "Ingrid", "Jürgen", "Karin", "Lothar"),
    ("Müller", "Schmidt", "Weber", "Becker", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
     "Neumann"), strict=True))


def _marks(db, termin_id: int) -> dict[str, str]:  # noqa: ANN001
    conn = sqlite3.connect(db.path)
    try:
        return dict(conn.execute(
            "SELECT p.name, a.status FROM attendances a JOIN participants p ON p.id = a.participant_id "
            "WHERE a.termin_id = ? AND a.deleted = 0", (termin_id,)).fetchall())
    finally:
        conn.close()


@pytest.fixture
def view(qtbot, db):  # noqa: ANN001, ANN201
    apply_look(QApplication.instance(), "hell")
    page = CoursesPage()
    qtbot.addWidget(page)
    page.resize(1366, 768 - 40 - 32 - 60)  # screen minus taskbar, title bar, menu and tabs
    page.show()
    qtbot.waitExposed(page)
    assert page.ensure_loaded()
    setup = make_course(db, names=QUEUE, first=TODAY)
    page.show_checkin(setup.termin_ids[0])
    checkin = page.checkin_view
    qtbot.waitUntil(lambda: len(checkin.tiles) == len(QUEUE))
    checkin.setup = setup  # type: ignore[attr-defined]
    return checkin


def test_search_filters_tiles_while_typing_and_enter_checks_in_the_one_match(qtbot, view, db):
    qtbot.keyClicks(view.search, "sch")
    shown = sorted(tile.person.name for tile in view.visible_tiles())
    assert shown == ["Bernd Schmidt", "Franz Schäfer"]
    qtbot.keyClicks(view.search, "m")
    assert [tile.person.name for tile in view.visible_tiles()] == ["Bernd Schmidt"]
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert _marks(db, view.setup.termin_ids[0]) == {"Bernd Schmidt": "present"}
    assert view.search.text() == "" and len(view.visible_tiles()) == len(QUEUE)
    qtbot.keyClicks(view.search, "Zacharias")
    assert view.visible_tiles() == [] and view.no_match.isVisible()
    assert "Niemand auf der Liste heißt »Zacharias«" in view.no_match.text()


def test_status_by_touch_through_the_visible_button_on_the_tile(qtbot, view, db):
    tile = view.tiles[view.setup.person_ids[2]]
    assert tile.status_button.isVisible()
    assert tile.status_button.width() >= 44 and tile.status_button.height() >= 44
    qtbot.mouseClick(tile.status_button, Qt.MouseButton.LeftButton)
    menu = view.last_menu
    qtbot.waitUntil(menu.isVisible)
    actions = {action.text(): action for action in menu.actions()}
    assert list(actions) == ["anwesend", "entschuldigt", "unentschuldigt", "keine Angabe"]
    for action in actions.values():
        assert menu.actionGeometry(action).height() >= 44, action.text()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(actions["entschuldigt"]).center())
    assert _marks(db, view.setup.termin_ids[0]) == {"Clara Weber": "excused"}
    assert tile.text() == "Clara Weber – entschuldigt"


def test_each_status_has_its_own_colour_symbol_and_word(qtbot, view):
    ids = view.setup.person_ids
    view.toggle(ids[0])
    view.set_status(ids[1], None)
    from app.domain.attendance import AttendanceStatus

    view.set_status(ids[2], AttendanceStatus.EXCUSED)
    view.set_status(ids[3], AttendanceStatus.ABSENT)
    expected_words = ["anwesend", "noch nicht da", "entschuldigt", "unentschuldigt"]
    fills, words = [], []
    for person_id in ids[:4]:
        tile = view.tiles[person_id]
        image = tile.grab().toImage()
        fills.append(image.pixelColor(8, tile.height() // 2).name())
        words.append(tile.status_word)
    assert words == expected_words
    assert len(set(fills)) == 4, fills  # four different colours, not one tile "almost unmarked"
    assert fills[0] == "#1b5e20" and fills[3] == "#fde2dc"


def test_finish_asks_first_and_keeps_the_grid_whole(qtbot, view, db):
    ids = view.setup.person_ids
    view.toggle(ids[0])
    asked = answer_next_question(qtbot, "Abbrechen")
    qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    assert "11 Personen ohne Eintrag" in asked[0]
    assert _marks(db, view.setup.termin_ids[0]) == {"Anna Müller": "present"}  # nothing changed
    answer_next_question(qtbot, "Termin abschließen")
    qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    assert list(_marks(db, view.setup.termin_ids[0]).values()).count("absent") == 11
    qtbot.wait(20)
    scroll = view.scroll
    assert not scroll.horizontalScrollBar().isVisible()
    viewport_width = scroll.viewport().width()
    for tile in view.tiles.values():
        right = tile.mapTo(view.tiles_box, QPoint(tile.width(), 0)).x()
        assert right <= viewport_width, (tile.person.name, right, viewport_width)
    assert view._columns() >= 3


def test_new_walk_in_tile_scrolls_into_view(qtbot, view, db):
    for name in ("Walter Zimmermann", "Zita Zander", "Zoe Zeller", "Zeno Zorn"):
        view.walk_in.setText(name)
        qtbot.keyClick(view.walk_in, Qt.Key.Key_Return)
        new = next(tile for tile in view.tiles.values() if tile.person.name == name)
        qtbot.waitUntil(lambda tile=new: view.scroll.viewport().rect().contains(
            tile.mapTo(view.scroll.viewport(), QPoint(0, tile.height() - 1))))
    assert len(view.tiles) == len(QUEUE) + 4


def test_touch_targets_are_at_least_44_px(qtbot, view):
    small = []
    for widget in view.findChildren(QWidget):
        if isinstance(widget, (QAbstractButton, QLineEdit)) and widget.isVisibleTo(view):
            if widget.height() < 44 or widget.width() < 44:
                small.append((type(widget).__name__, widget.accessibleName() or widget.objectName(),
                              widget.width(), widget.height()))
    assert small == []


def test_holding_a_finger_on_a_tile_opens_the_status_choice_without_toggling(qtbot, view, db):
    from app.ui.courses.checkin_view import LONG_PRESS_MS

    tile = view.tiles[view.setup.person_ids[4]]
    qtbot.mousePress(tile, Qt.MouseButton.LeftButton)
    qtbot.wait(LONG_PRESS_MS + 150)
    qtbot.mouseRelease(tile, Qt.MouseButton.LeftButton)
    menu = view.last_menu
    qtbot.waitUntil(menu.isVisible)
    assert _marks(db, view.setup.termin_ids[0]) == {}  # held, not tapped: nothing marked
    menu.close()
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)  # a short tap still marks anwesend
    assert _marks(db, view.setup.termin_ids[0]) == {"Erika Hoffmann": "present"}
