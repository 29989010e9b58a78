"""Windows dark mode: the program follows it with its dark look, so no text may keep a fixed dark colour.

Error texts were a fixed dark red (#8a1c00): on the dark look's background it is almost invisible
(contrast about 1.3:1). They take the look's own error colour now. The dark look is switched on for
the test as Windows' dark mode switches it on (app.ui.look.colours()).
"""

from __future__ import annotations

from PySide6.QtGui import QColor

from app.domain.contrast import contrast_ratio
from app.lessons.parser import parse_lesson
from app.settings import Settings
from app.ui import look
from app.ui.lesson_preview import lesson_preview_html
from app.ui.settings_dialog import SettingsDialog
from tests.lesson_factory import write_lesson


def _readable_on_dark(colour: str) -> bool:
    return contrast_ratio(QColor(colour).name(), look.DARK_COLOURS.window) >= 4.5


def test_error_texts_use_the_dark_looks_colour(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(look, "_current", look.DARK_COLOURS)
    broken = parse_lesson(write_lesson(tmp_path, meta="---\nid: kaputt\n---\n", body="Kein Schritt."))
    html = lesson_preview_html(broken)
    assert f"color:{look.DARK_COLOURS.error}" in html and "#8a1c00" not in html
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    assert look.DARK_COLOURS.error in dialog.message.styleSheet()
    assert _readable_on_dark(look.DARK_COLOURS.error)
    assert not _readable_on_dark("#8a1c00")  # the old fixed colour really was unreadable there


def test_the_light_look_keeps_its_dark_red(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(look, "_current", look.LIGHT_COLOURS)
    broken = parse_lesson(write_lesson(tmp_path, meta="---\nid: kaputt\n---\n", body="Kein Schritt."))
    assert f"color:{look.LIGHT_COLOURS.error}" in lesson_preview_html(broken)
