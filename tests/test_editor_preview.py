"""The handout preview follows the typing: only the edited step is taken from the draft, the QR codes are built
once, and the page it paints is the page the real handout of the saved lesson has."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app import paths
from app.lessons.parser import parse_lesson

TYPED = " Danach erscheint unten ein gelber Rahmen mit der Adresse."


@pytest.fixture
def editor(qtbot, tmp_path: Path):
    from app.ui.editor.window import LessonEditor

    folder = tmp_path / "qr-codes-scannen"
    shutil.copytree(paths.shipped_lessons_dir() / "qr-codes-scannen", folder)
    window = LessonEditor(folder)
    qtbot.addWidget(window)
    window.ask_close = lambda: "verwerfen"
    window.resize(1366, 740)
    window.show()
    window.step_list.setCurrentRow(2)
    qtbot.waitUntil(lambda: window.wait_idle() and window.last_result is not None, timeout=20000)
    return window


def _handouts(qtbot, window) -> list[QImage]:
    """Every handout picture the editor shows from now on."""
    shown: list[QImage] = []
    original = window._show_result

    def record(kind: str, result: object) -> None:
        if kind == "begleitblatt" and result is not None:
            shown.append(result.handout)
        original(kind, result)

    window._show_result = record
    return shown


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(window.wait_idle, timeout=20000)


def test_the_handout_page_follows_typing_and_is_the_real_page(qtbot, editor):
    from app.ui.editor.preview import handout_page

    shown = _handouts(qtbot, editor)
    editor.preview_tabs.setCurrentIndex(1)  # »Begleitblatt« in view
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=20000)
    _idle(qtbot, editor)
    box = editor.section_texts["text"]
    box.setFocus()
    box.moveCursor(box.textCursor().MoveOperation.End)
    count = len(shown)
    qtbot.keyClicks(box, TYPED)
    _idle(qtbot, editor)
    assert len(shown) > count  # painted while typing, not only after the checker's pause
    assert editor.modified

    # the last page shown is exactly the page of the saved lesson's full handout (QR codes included)
    assert editor.save()
    saved = parse_lesson(editor.folder)
    assert TYPED.strip() in saved.steps[2].text
    expected, page, pages = handout_page(saved, 2)
    _idle(qtbot, editor)
    last = shown[-1].convertToFormat(QImage.Format.Format_RGB32)
    assert last == expected.convertToFormat(QImage.Format.Format_RGB32)
    assert editor.preview_tabs.tabText(1) == f"Begleitblatt (Seite {page + 1} von {pages})"


def test_qr_codes_are_built_once_while_typing(qtbot, editor, monkeypatch):
    from app.render import qr

    calls: list[str] = []
    real = qr.qr_modules
    monkeypatch.setattr(qr, "qr_modules", lambda data: calls.append(data) or real(data))
    shown = _handouts(qtbot, editor)
    editor.preview_tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=20000)
    _idle(qtbot, editor)
    first = len(calls)
    links = len(parse_lesson(editor.folder).links)
    assert links == 4 and first <= links  # each of the four addresses at most once (the checker builds none)
    box = editor.section_texts["text"]
    for char in "abcde":
        qtbot.keyClicks(box, char)
        qtbot.wait(120)
    _idle(qtbot, editor)
    assert len(shown) >= 3
    assert len(calls) == first  # typing in a step builds no QR code again


def test_a_new_step_waits_for_the_checker_and_then_shows_its_page(qtbot, editor):
    shown = _handouts(qtbot, editor)
    editor.preview_tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=20000)
    _idle(qtbot, editor)
    before_pages = editor.preview_tabs.tabText(1)
    editor.step_list.setCurrentRow(len(editor.document.steps()) - 1)
    _idle(qtbot, editor)
    painted = len(shown)
    editor.add_step("Zum Schluss")
    _idle(qtbot, editor)
    assert len(shown) > painted  # painted after the checker brought the lesson with the new step
    lesson = parse_lesson(editor.folder)  # the saved file still has the old steps
    assert len(editor.document.steps()) == len(lesson.steps) + 1
    assert editor._base_lesson is not None and len(editor._base_lesson.steps) == len(lesson.steps) + 1
    assert editor.preview_tabs.tabText(1).startswith("Begleitblatt (Seite ")
    assert before_pages.startswith("Begleitblatt (Seite ")


def test_the_wall_tab_is_not_slowed_by_a_hidden_handout(qtbot, editor):
    """With »Wand« in view, typing paints the wall only; the handout follows when its tab is opened."""
    kinds: list[str] = []
    original = editor._start

    def record(kind: str) -> None:
        kinds.append(kind)
        original(kind)

    editor._start = record
    editor.preview_tabs.setCurrentIndex(0)
    _idle(qtbot, editor)
    kinds.clear()
    qtbot.keyClicks(editor.section_texts["text"], "x")
    _idle(qtbot, editor)
    assert "wand" in kinds and "begleitblatt" not in kinds
