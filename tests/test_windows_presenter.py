"""Win+P »Duplizieren«: Windows then reports one screen, and Tab would put the notes on the wall unnoticed.

With one screen reported, the console that Tab brings up says so and names the fix (Win+P
»Erweitern«); with two screens the note is not shown. Driven with real windows and keys (offscreen).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.lessons.parser import parse_lesson
from app.ui.presenter.session import PresentationSession
from tests.lesson_factory import write_lesson


@pytest.fixture
def lesson(tmp_path):
    return parse_lesson(write_lesson(tmp_path))


def _session(qtbot, lesson, screens) -> PresentationSession:
    created = PresentationSession(lesson, screens=screens)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    return created


def test_tab_on_a_duplicated_screen_warns_that_the_notes_are_on_the_wall(qtbot, lesson):
    primary = QGuiApplication.primaryScreen()
    session = _session(qtbot, lesson, lambda: [primary])  # what Windows reports in »Duplizieren«
    try:
        assert not session.console.isVisible()
        qtbot.keyClick(session.audience, Qt.Key.Key_Tab)
        assert session.console.isVisible()
        note = session.console.single_screen_note
        assert note.isVisible()
        assert "Nur ein Bildschirm" in note.text() and "Win+P »Erweitern«" in note.text()
        qtbot.keyClick(session.console, Qt.Key.Key_Tab)  # back to the wall view
        assert not session.console.isVisible() and session.audience.isVisible()
    finally:
        session.end()


def test_two_screens_need_no_note(qtbot, lesson):
    session = _session(qtbot, lesson, QGuiApplication.screens)  # laptop and projector (tests/two_screens.json)
    try:
        assert session.console.isVisible()
        assert not session.console.single_screen_note.isVisible()
    finally:
        session.end()
