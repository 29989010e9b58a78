"""The two package dialogs and the window's library loading off the GUI thread (pytest-qt, real widgets)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.lessons.library import load_library
from app.lessons.package import export_package, read_package
from app.settings import Settings
from tests.lesson_factory import write_lesson


def _library(root: Path, *ids: str):
    for lesson_id in ids:
        write_lesson(root, lesson_id=lesson_id, title=f"Lektion {lesson_id}")
    return load_library([], [root])


def _ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_export_dialog_writes_the_ticked_lessons(qtbot, tmp_path):
    from app.ui.lesson_packages import ExportLessonsDialog

    library = _library(tmp_path / "eigene", "erste-lektion", "zweite-lektion")
    dialog = ExportLessonsDialog(library.lessons, "zweite-lektion", folder=tmp_path)
    qtbot.addWidget(dialog)
    ticked = [dialog.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(dialog.list.count())
              if dialog.list.item(row).checkState() == Qt.CheckState.Checked]
    assert ticked == ["zweite-lektion"]  # the lesson the trainer had open
    dialog.list.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.target.setText(str(tmp_path / "fuer-anna"))
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    assert dialog.result() == 1 and dialog.written == tmp_path / "fuer-anna.kurslotse"
    with read_package(dialog.written) as package:
        assert sorted(lesson.id for lesson in package.lessons) == ["erste-lektion", "zweite-lektion"]


def test_export_dialog_explains_a_missing_folder(qtbot, tmp_path):
    from app.ui.lesson_packages import ExportLessonsDialog

    library = _library(tmp_path / "eigene", "erste-lektion")
    dialog = ExportLessonsDialog(library.lessons, "erste-lektion")
    qtbot.addWidget(dialog)
    dialog.target.setText(str(tmp_path / "gibt-es-nicht" / "paket.kurslotse"))
    qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    assert "gibt es nicht" in dialog.message.text() and dialog.result() == 0


def test_import_dialog_shows_what_comes_in_and_installs(qtbot, tmp_path):
    from app.ui.lesson_packages import ImportLessonsDialog

    source = _library(tmp_path / "laptop-a", "neue-lektion", "bekannte-lektion")
    package = tmp_path / "paket.kurslotse"
    export_package(source.lessons, package)
    own = tmp_path / "laptop-b"
    here = _library(own, "bekannte-lektion")  # the same lesson already there, byte for byte
    dialog = ImportLessonsDialog(here.lessons, own, tmp_path / "mitgeliefert")
    qtbot.addWidget(dialog)
    assert not _ok(dialog).isEnabled()
    with qtbot.waitSignal(dialog.checked, timeout=20_000) as checked:
        dialog.open_package(package)
        assert dialog.message.text() == "Das Paket wird geprüft …"  # the check runs off the GUI thread
    assert checked.args == [True]
    rows = [dialog.list.item(row).text() for row in range(dialog.list.count())]
    assert any(row.startswith("Wird eingelesen: neue-lektion") and ": neu" in row for row in rows)
    assert any(row.startswith("Bleibt wie es ist: bekannte-lektion") and "schon vorhanden" in row for row in rows)
    assert "1 von 2" in dialog.message.text()
    with qtbot.waitSignal(dialog.installed) as signal:
        qtbot.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    assert signal.args == [["neue-lektion"]]
    assert (own / "neue-lektion" / "lektion.md").is_file()
    dialog.grab().save("/tmp/kurslotse-import-dialog.png")


def test_import_dialog_refuses_a_hostile_package_and_writes_nothing(qtbot, tmp_path):
    import zipfile

    from app.ui.lesson_packages import ImportLessonsDialog

    hostile = tmp_path / "boese.kurslotse"
    with zipfile.ZipFile(hostile, "w") as archive:
        archive.writestr("manifest.json", "{}")
        archive.writestr("../../../.bashrc", "rm -rf ~")
    own = tmp_path / "eigene"
    dialog = ImportLessonsDialog([], own, tmp_path / "mitgeliefert")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.checked, timeout=20_000) as checked:
        dialog.open_package(hostile)
    assert checked.args == [False]
    assert "wird nicht eingelesen" in dialog.message.text() and "../../../.bashrc" in dialog.message.text()
    assert not _ok(dialog).isEnabled() and dialog.list.count() == 0
    assert not own.exists()
    dialog.reject()  # closing after a finished check is clean
    assert dialog.package is None


# --- the main window --------------------------------------------------------------------------------


def _window(qtbot, own: Path):
    from app.ui.main_window import MainWindow

    window = MainWindow(Settings(user_lesson_dir=str(own)), load_now=False)
    qtbot.addWidget(window)
    return window


def _actions(window) -> dict:
    return {action.text().replace("&", ""): action for menu in window.menuBar().actions() if menu.menu()
            for action in menu.menu().actions()}


def test_menu_opens_both_dialogs(qtbot, tmp_path, monkeypatch):
    from app.ui import lesson_packages

    window = _window(qtbot, tmp_path / "eigene")
    opened = []
    monkeypatch.setattr(lesson_packages.ExportLessonsDialog, "exec", lambda self: opened.append(self.windowTitle()) or 0)
    monkeypatch.setattr(lesson_packages.ImportLessonsDialog, "exec", lambda self: opened.append(self.windowTitle()) or 0)
    actions = _actions(window)
    actions["Lektion weitergeben …"].trigger()
    actions["Lektionen einlesen …"].trigger()
    assert opened == ["Lektion weitergeben", "Lektionen einlesen"]


def test_library_loads_off_the_gui_thread_with_progress_and_a_slow_lesson_is_skipped(qtbot, tmp_path, monkeypatch):
    """A lesson that takes too long is marked ⚠ and skipped; the others load and the window stays usable."""
    from app.lessons import library as library_module
    from app.ui import main_window

    own = tmp_path / "eigene"
    write_lesson(own, lesson_id="langsame-lektion", title="Langsame Lektion")
    write_lesson(own, lesson_id="schnelle-lektion", title="Schnelle Lektion")
    threads, progress = set(), []
    real_parse = library_module.parse_lesson
    release = threading.Event()

    def parse(folder, **kwargs):  # noqa: ANN001, ANN003
        threads.add(threading.current_thread() is threading.main_thread())
        if folder.name == "langsame-lektion":
            release.wait(10)  # a lesson that would hang the window
        return real_parse(folder, **kwargs)

    monkeypatch.setattr(library_module, "parse_lesson", parse)
    monkeypatch.setattr(main_window, "LESSON_TIME_LIMIT_S", 0.5)
    window = _window(qtbot, own)
    window.status_label.setText("")
    window.status_label.linkHovered.connect(lambda *_: None)
    original = window.status_label.setText
    monkeypatch.setattr(window.status_label, "setText", lambda text: (progress.append(text), original(text)))
    start = time.perf_counter()
    with qtbot.waitSignal(window.library_loaded, timeout=20_000):
        window.load_library_in_background()
        # the GUI thread keeps running meanwhile: the settings action is reachable
        assert _actions(window)["Einstellungen …"].isEnabled()
        assert time.perf_counter() - start < 0.3
    release.set()
    assert threads == {False}  # never parsed on the GUI thread
    assert any("von" in text and "Lektionen werden geladen" in text for text in progress)
    slow = window.library.by_id("langsame-lektion")
    assert slow is not None and slow.is_broken and "länger als 0,5 s" in slow.errors[0].message
    fast = window.library.by_id("schnelle-lektion")
    assert fast is not None and not fast.is_broken
    rows = [window.model.data(window.model.index(row)) for row in range(window.model.rowCount())]
    assert any(str(row).startswith("⚠") and "langsame-lektion" in str(row) or "Langsame" in str(row) and "⚠" in str(row)
               for row in rows)
    assert "1 mit Fehlern" in window.status_label.text() or "davon 1" in window.status_label.text()
