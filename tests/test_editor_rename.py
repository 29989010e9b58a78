"""Changing a lesson's id in the editor: the id line and the folder name change together, clashes and bad ids get a
German message and change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.lessons.editing import EditError, LessonDocument, create_lesson, rename_lesson
from app.lessons.library import load_library
from app.lessons.parser import parse_lesson
from app.settings import Settings


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _editor(qtbot, folder: Path):
    from app.ui.editor.window import LessonEditor

    editor = LessonEditor(folder)
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    editor.ask = lambda _title, _text: True
    return editor


def test_a_new_id_renames_the_folder_and_saves_the_typed_text(qtbot, tmp_path: Path):
    own = tmp_path / "eigene"
    folder = create_lesson(own, "WLAN", set())
    assert folder.name == "wlan"
    editor = _editor(qtbot, folder)
    box = editor.section_texts["text"]
    box.selectAll()
    box.insertPlainText("Das WLAN zu Hause einrichten.")
    saved: list[Path] = []
    editor.saved.connect(saved.append)
    editor.ask_text = lambda _title, _label, value: "wlan-zu-hause" if value == "wlan" else None
    qtbot.mouseClick(editor.header_form.rename_button, Qt.MouseButton.LeftButton)

    new = own / "wlan-zu-hause"
    assert not folder.exists() and new.is_dir()
    assert editor.folder == new and not editor.modified and saved == [new]
    lesson = parse_lesson(new)
    assert lesson.id == "wlan-zu-hause" and lesson.steps[0].text == "Das WLAN zu Hause einrichten."
    assert "id: wlan-zu-hause\n" in (new / "lektion.md").read_text(encoding="utf-8")
    assert editor.header_form.lesson_id.text() == "wlan-zu-hause"
    library = load_library([], [own], check_pictures=False)
    assert [item.id for item in library.lessons] == ["wlan-zu-hause"]
    # editing goes on in the new folder
    editor.section_texts["text"].insertPlainText(" Weiter.")
    assert editor.save() and "Weiter." in parse_lesson(new).steps[0].text


@pytest.mark.parametrize(("new_id", "message"), [
    ("WLAN zu Hause", "»WLAN zu Hause« ist keine gültige Kennung: nur Kleinbuchstaben a–z, Ziffern und einzelne "
                      "Bindestriche, höchstens 60 Zeichen (zum Beispiel »wlan-zu-hause«)."),
    ("qr-codes-scannen", "Die Kennung »qr-codes-scannen« hat schon die Lektion »QR-Codes scannen«. Jede Kennung gibt "
                         "es nur einmal; bitte eine andere wählen."),
    ("nachbar", "Im Lektionsordner gibt es schon einen Ordner »nachbar«"),
    ("", "Bitte eine Kennung eingeben."),
    ("a" * 61, "ist keine gültige Kennung"),
])
def test_a_clash_or_bad_id_says_why_and_changes_nothing(qtbot, tmp_path: Path, new_id: str, message: str):
    from app.ui.main_window import MainWindow
    from app.ui.editor.launch import _open

    own = tmp_path / "eigene"
    folder = create_lesson(own, "WLAN", set())
    (own / "nachbar").mkdir()
    window = MainWindow(Settings(user_lesson_dir=str(own)), load_now=False)
    qtbot.addWidget(window)
    window.reload_library()
    qtbot.waitUntil(lambda: window.library.by_id("qr-codes-scannen") is not None, timeout=20000)
    editor = _open(window, folder)
    editor.ask_close = lambda: "verwerfen"
    before = _snapshot(own)

    assert not editor.change_id(new_id)

    assert message in editor.banner_text.text() and editor.banner.isVisible()
    assert _snapshot(own) == before and editor.folder == folder
    assert editor.document.header_value("id") == "wlan"


def test_the_file_is_put_back_when_the_folder_cannot_be_renamed(tmp_path: Path, monkeypatch):
    folder = create_lesson(tmp_path, "Sperre", set())
    before = (folder / "lektion.md").read_bytes()

    def locked(self, target):  # noqa: ANN001 - like Windows while a file in the folder is open
        raise PermissionError(13, "Zugriff verweigert")

    monkeypatch.setattr(Path, "rename", locked)
    with pytest.raises(EditError, match="konnte nicht in »gesperrt« umbenannt werden .*Es wurde nichts geändert"):
        rename_lesson(folder, LessonDocument.load(folder / "lektion.md"), "gesperrt", {})
    assert (folder / "lektion.md").read_bytes() == before and not (tmp_path / "gesperrt").exists()


def test_the_same_id_is_no_change(tmp_path: Path):
    folder = create_lesson(tmp_path, "Gleich", set())
    before = (folder / "lektion.md").read_bytes()
    assert rename_lesson(folder, LessonDocument.load(folder / "lektion.md"), " gleich ", {}) == folder
    assert (folder / "lektion.md").read_bytes() == before
