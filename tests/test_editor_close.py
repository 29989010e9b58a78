"""Closing the main window (or the editor) with unsaved lesson changes asks first and never loses typed text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.lessons.editing import create_lesson
from app.lessons.parser import parse_lesson
from app.settings import Settings

TYPED = "Auf das grüne Symbol tippen."


def _window_with_editor(qtbot, tmp_path: Path):
    """The main window with the editor open on an own lesson, one step text typed but not saved."""
    from app.ui.editor.launch import _open
    from app.ui.main_window import MainWindow

    own = tmp_path / "eigene"
    own.mkdir()
    folder = create_lesson(own, "Anrufen", set())
    window = MainWindow(Settings(user_lesson_dir=str(own)), load_now=False)
    qtbot.addWidget(window)
    window.show()
    editor = _open(window, folder)  # a child of the window: closed (and let go) with it
    box = editor.section_texts["text"]
    box.setFocus()
    box.selectAll()
    box.insertPlainText(TYPED)
    assert editor.modified
    return window, editor, folder


def _drafted_text(folder: Path) -> str | None:
    from app.ui.editor import drafts

    draft = drafts.load_draft(folder)
    return None if draft is None else draft.text


@pytest.mark.parametrize("answer", ["abbrechen", "speichern", "verwerfen"])
def test_closing_the_main_window_asks_about_unsaved_lesson_changes(qtbot, tmp_path: Path, answer: str):
    window, editor, folder = _window_with_editor(qtbot, tmp_path)
    before = (folder / "lektion.md").read_bytes()
    asked: list[str] = []
    editor.ask_close = lambda: asked.append("gefragt") or answer

    window.close()

    assert asked == ["gefragt"]
    if answer == "abbrechen":
        # both stay open, the file is untouched and the typed text is in the draft on disk already
        assert window.isVisible() and editor.isVisible()
        assert (folder / "lektion.md").read_bytes() == before
        assert TYPED in (_drafted_text(folder) or "")
        assert editor.section_texts["text"].toPlainText() == TYPED
        editor.ask_close = lambda: "verwerfen"
    elif answer == "speichern":
        assert not window.isVisible() and not editor.isVisible()
        assert parse_lesson(folder).steps[0].text == TYPED
        assert _drafted_text(folder) is None
    else:
        assert not window.isVisible() and not editor.isVisible()
        assert (folder / "lektion.md").read_bytes() == before
        assert _drafted_text(folder) is None


def test_the_question_is_german_with_three_choices_and_escape_cancels(qtbot, tmp_path: Path):
    """The real message box: Speichern / Verwerfen / Abbrechen; Esc keeps everything open."""
    window, editor, folder = _window_with_editor(qtbot, tmp_path)
    seen: dict[str, object] = {}

    def answer_with_escape() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_with_escape)
            return
        seen["title"] = box.windowTitle()
        seen["text"] = box.text()
        seen["buttons"] = sorted(button.text() for button in box.buttons())
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(0, answer_with_escape)
    window.close()

    assert seen["title"] == "Änderungen speichern?"
    assert seen["buttons"] == ["Abbrechen", "Speichern", "Verwerfen"]
    assert "»Anrufen«" in str(seen["text"]) and "Entwurf" in str(seen["text"])
    assert window.isVisible() and editor.isVisible() and editor.modified
    assert TYPED in (_drafted_text(folder) or "")
    editor.ask_close = lambda: "verwerfen"


def test_a_saved_editor_closes_with_the_main_window_without_asking(qtbot, tmp_path: Path):
    window, editor, folder = _window_with_editor(qtbot, tmp_path)
    assert editor.save()
    editor.ask_close = lambda: pytest.fail("nothing unsaved: no question")
    window.close()
    assert not window.isVisible() and not editor.isVisible()
    assert parse_lesson(folder).steps[0].text == TYPED


def test_the_program_ending_without_a_question_keeps_the_last_keys_as_draft(qtbot, tmp_path: Path):
    """aboutToQuit (logout, Strg+Q elsewhere) writes the draft at once, not only after the 1 s pause."""
    window, editor, folder = _window_with_editor(qtbot, tmp_path)
    assert _drafted_text(folder) is None  # the autosave pause has not passed yet
    QApplication.instance().aboutToQuit.emit()
    assert TYPED in (_drafted_text(folder) or "")
    editor.ask_close = lambda: "verwerfen"
