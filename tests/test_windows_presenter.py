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


class _Kernel32:
    """Stands in for kernel32.dll: records SetThreadExecutionState calls, answers like Windows."""

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.state = 0x80000000  # ES_CONTINUOUS: the previous state Windows returns (non-zero = success)

    def SetThreadExecutionState(self, flags) -> int:  # noqa: N802 - the Windows API name
        self.calls.append(flags.value)
        previous, self.state = self.state, flags.value
        return previous


def test_a_presentation_on_windows_keeps_the_display_awake_until_it_ends(qtbot, lesson, monkeypatch):
    import ctypes
    import types

    from app import platform

    kernel32 = _Kernel32()
    monkeypatch.setattr(platform, "IS_WINDOWS", True)
    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=kernel32), raising=False)
    session = _session(qtbot, lesson, QGuiApplication.screens)
    assert kernel32.calls == [0x80000003]  # continuous, display and system required
    assert session.display_keeper.holding
    session.end()
    assert kernel32.calls == [0x80000003, 0x80000000]  # back to normal: the screen may sleep again
    session.end()  # a second end (window closed after Esc) changes nothing
    assert kernel32.calls == [0x80000003, 0x80000000]
