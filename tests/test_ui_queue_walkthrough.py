"""The issue's "done" scenario, driven like a trainer: a queue of 16 at the door on a 1366×768 touch
laptop – 10 enrolled people arrive, 2 are excused, 4 walk-ins – with taps and typing only, no English
word on screen, and no data lost by a single unasked click."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget

from app.ui.look import install_german
from tests.attendance_fixtures import db, make_course, no_leaked_listeners  # noqa: F401
from tests.test_checkin_queue import QUEUE, view  # noqa: F401
from tests.test_checkin_screen import answer_next_question

ENGLISH = re.compile(r"\b(Yes|No|Cancel|Save|Open|Close|Print|Ctrl|Shift|File|Look in|Apply|Status:)\b")
WALK_INS = ("Walter Zimmermann", "Hildegard Franke", "Rudolf Engel", "Irmgard Seidel")


def _visible_texts(root: QWidget) -> list[str]:
    texts = []
    for widget in root.findChildren(QWidget):
        if widget.isVisibleTo(root) and isinstance(widget, (QAbstractButton, QLabel, QLineEdit)):
            texts.append(widget.text())
            if isinstance(widget, QLineEdit):
                texts.append(widget.placeholderText())
    return [text for text in texts if text]


def _marks(db) -> dict[str, str]:  # noqa: ANN001
    with sqlite3.connect(db.path) as conn:
        return dict(conn.execute(
            "SELECT p.name, a.status FROM attendances a JOIN participants p ON p.id = a.participant_id "
            "WHERE a.deleted = 0").fetchall())


def test_queue_of_sixteen_with_taps_and_typing(qtbot, view, db):
    install_german(QApplication.instance())
    started = time.monotonic()
    interactions = 0
    arriving = QUEUE[:10]
    for name in arriving:  # type a few letters, Eingabe: the one matching tile is marked present
        # a few letters of each name (QTest types ASCII only: "Jürgen Klein" becomes "J Klei")
        typed = " ".join(re.match(r"[A-Za-z]{0,4}", word).group(0) for word in name.split())
        qtbot.keyClicks(view.search, typed)
        qtbot.keyClick(view.search, Qt.Key.Key_Return)
        interactions += 2
        assert view.search.text() == ""
    for name in QUEUE[10:12]:  # excused: the visible button on the tile, then the large menu entry
        tile = next(t for t in view.tiles.values() if t.person.name == name)
        qtbot.mouseClick(tile.status_button, Qt.MouseButton.LeftButton)
        menu = view.last_menu
        qtbot.waitUntil(menu.isVisible)
        action = next(a for a in menu.actions() if a.text() == "entschuldigt")
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
        interactions += 2
    for name in WALK_INS:  # a new person: the name, then Eingabe
        view.walk_in.setFocus()
        qtbot.keyClicks(view.walk_in, name)
        view.walk_in.completer().popup().hide()
        qtbot.keyClick(view.walk_in, Qt.Key.Key_Return)
        interactions += 2
    marks = _marks(db)
    assert sorted(n for n, s in marks.items() if s == "present") == sorted([*arriving, *WALK_INS])
    assert sorted(n for n, s in marks.items() if s == "excused") == sorted(QUEUE[10:12])
    assert view.count_label.text() == "14 von 16 da"
    assert interactions == 32  # two actions per person in the queue
    assert time.monotonic() - started < 60  # the program's share of the two minutes, on a slow CI machine
    # one unasked click loses nothing: »Termin abschließen« asks, and »Abbrechen« changes nothing
    answer_next_question(qtbot, "Abbrechen")
    qtbot.mouseClick(view.finish_button, Qt.MouseButton.LeftButton)
    assert _marks(db) == marks
    english = [text for text in _visible_texts(view) if ENGLISH.search(text)]
    assert english == []
