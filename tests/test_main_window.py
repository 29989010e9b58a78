"""The library window as a trainer uses it: search, filters, preview, F5, broken lessons, settings."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from app.settings import Settings
from app.ui.main_window import MainWindow
from tests.lesson_factory import META, write_lesson


@pytest.fixture
def user_dir(tmp_path):
    root = tmp_path / "eigene"
    write_lesson(root, lesson_id="wlan-testlektion", title="WLAN-Testlektion", topic="Internet")
    meta = META.format(id="nur-iphone", title="Nur fürs iPhone", topic="Testthema Fotos").replace("geraete: android, iphone", "geraete: iphone")
    body = "\n## Foto\nTippen Sie auf den Auslöser.\n"
    write_lesson(root, lesson_id="nur-iphone", meta=meta, body=body)
    broken = root / "kaputte-lektion"
    broken.mkdir()
    (broken / "lektion.md").write_text("---\nid: kaputt\n", encoding="utf-8")
    return root


@pytest.fixture
def window(qtbot, user_dir):
    settings = Settings(user_lesson_dir=str(user_dir))
    created = MainWindow(settings, load_now=True)
    qtbot.addWidget(created)
    created.show()
    qtbot.waitExposed(created)
    yield created
    if created.session is not None:
        created.session.end()
    if created._courses_page is not None:  # its data-change subscription goes now, not during the next test
        from PySide6.QtCore import QCoreApplication, QEvent

        created._courses_page.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def visible_titles(window: MainWindow) -> list[str]:
    return [window.model.lesson(row).title for row in range(window.model.rowCount())]


def test_library_lists_shipped_and_own_lessons(window):
    titles = visible_titles(window)
    assert "WLAN-Testlektion" in titles and "Nur fürs iPhone" in titles
    assert len(titles) >= 3 + 3
    assert "Fehlern" in window.status_label.text()


def test_broken_lesson_is_listed_with_its_error(window, monkeypatch):
    row = next(r for r in range(window.model.rowCount()) if window.model.lesson(r).is_broken)
    index = window.model.index(row)
    assert window.model.data(index).startswith("⚠ ")
    assert "Fehler" in window.model.data(index, Qt.ItemDataRole.ToolTipRole)
    window.list_view.setCurrentIndex(index)
    assert "kann nicht gezeigt werden" in window.preview.toPlainText()
    assert not window.present_button.isEnabled()
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda *args: shown.append(args[2])))
    assert window.start_presentation(window.model.lesson(row)) is False
    assert window.session is None
    assert "hat Fehler" in shown[0]


def test_search_filters_as_you_type(qtbot, window):
    qtbot.keyClicks(window.search, "wlan-testlektion")
    assert visible_titles(window) == ["WLAN-Testlektion"]
    assert "WLAN-Testlektion" in window.preview.toPlainText()
    window.search.clear()
    qtbot.keyClicks(window.search, "xyzzy")
    assert visible_titles(window) == []
    assert "Keine Lektion passt" in window.preview.toPlainText()
    assert not window.present_button.isEnabled()


def test_topic_level_and_device_filters(window):
    window.topic_box.setCurrentText("Testthema Fotos")
    assert visible_titles(window) == ["Nur fürs iPhone"]
    window.topic_box.setCurrentText("Alle")
    window.device_filter.setCurrentText("Android")
    assert "Nur fürs iPhone" not in visible_titles(window)
    window.device_filter.setCurrentText("iPhone")
    assert "Nur fürs iPhone" in visible_titles(window)
    window.device_filter.setCurrentText("Alle")
    window.level_box.setCurrentText("Fortgeschrittene")
    assert all(window.model.lesson(r).level == "Fortgeschrittene" for r in range(window.model.rowCount()))


def test_f5_starts_presentation_of_selected_lesson(qtbot, window):
    assert window.select_lesson("wlan-testlektion")
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.session is not None
    assert window.session.controller.lesson.id == "wlan-testlektion"
    assert window.session.audience.isVisible()
    with qtbot.waitSignal(window.session.finished):
        qtbot.keyClick(window.session.audience, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.session is None)


def test_big_button_starts_presentation_with_chosen_device(qtbot, window):
    window.select_lesson("wlan-testlektion")
    window.present_device.setCurrentIndex(1)  # iPhone
    qtbot.mouseClick(window.present_button, Qt.MouseButton.LeftButton)
    assert window.session.controller.device.value == "iphone"
    window.session.end()


def test_enter_in_list_starts_presentation(qtbot, window):
    window.select_lesson("wlan-testlektion")
    window.list_view.setFocus()
    qtbot.keyClick(window.list_view, Qt.Key.Key_Return)
    assert window.session is not None
    window.session.end()


def test_settings_survive_a_restart(qtbot, window, data_dir, user_dir):
    window.present_device.setCurrentIndex(1)
    window.close()
    stored = json.loads((data_dir / "einstellungen.json").read_text(encoding="utf-8"))
    assert stored["device"] == "iphone"
    assert stored["user_lesson_dir"] == str(user_dir)
    again = MainWindow(Settings.load(), load_now=True)
    qtbot.addWidget(again)
    assert again.present_device.currentData() == "iphone"
    assert "wlan-testlektion" in [lesson.id for lesson in again.library.lessons]


def test_damaged_settings_file_falls_back_to_defaults(data_dir):
    (data_dir / "einstellungen.json").write_text("{kaputt", encoding="utf-8")
    assert Settings.load() == Settings()


def test_controls_have_accessible_names(window):
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QPushButton) and widget.isVisible():
            assert widget.accessibleName() or widget.text(), widget
    for widget in (window.search, window.list_view, window.preview, window.present_button, window.topic_box):
        assert widget.accessibleName()


def test_large_default_font(qapp):
    from app.ui.application import apply_ui_font

    apply_ui_font(Settings().ui_font_pt)
    assert qapp.font().pointSize() >= 14


def test_present_lessons_from_course(qtbot, window):
    window.present_lessons(["gibt-es-nicht", "wlan-testlektion"])
    assert window.session is not None and window.session.controller.lesson.id == "wlan-testlektion"
    window.session.end()


def test_settings_dialog_refuses_missing_folder(qtbot, window, tmp_path):
    from app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path / "gibt-es-nicht"))
    dialog.accept()
    assert dialog.result() == 0
    assert "existiert nicht" in dialog.message.text()
    dialog.folder.setText(str(tmp_path))
    dialog.theme.setCurrentIndex(1)
    dialog.accept()
    assert dialog.result() == 1
    dialog.apply_to(window.settings)
    assert window.settings.theme == "dunkel"


def test_check_lessons_dialog_lists_damaged_pictures(qtbot, window, user_dir, monkeypatch):
    folder = write_lesson(user_dir, lesson_id="kaputtes-bild", body="\n## Bild\nText\n![x](bilder/kaputt.svg)\n")
    (folder / "bilder" / "kaputt.svg").write_text("<svg><rect", encoding="utf-8")
    window.reload_library()
    from app.ui import problems_dialog

    shown = []
    monkeypatch.setattr(problems_dialog.ProblemsDialog, "exec", lambda self: shown.append(
        [self.list.item(i).text() for i in range(self.list.count())]))
    window.show_problems()
    assert any("kaputt.svg" in line and "keine gültige SVG-Datei" in line for line in shown[0])
    assert any(":" in line and line.split(":")[1].strip().isdigit() for line in shown[0])


def menu_actions(window: MainWindow) -> dict[str, object]:
    return {action.text().replace("&", ""): action for menu in window.menuBar().actions() if menu.menu()
            for action in menu.menu().actions() if action.text()}


def test_lessons_are_read_right_after_the_first_paint(qtbot):
    created = MainWindow(Settings())
    qtbot.addWidget(created)
    assert created.library.lessons == []  # nothing read before the window is on screen
    assert created.library.by_id("smartphone-kennenlernen") is None
    assert menu_actions(created)["Präsentieren"].icon().isNull()  # drawn right after the first paint
    with qtbot.waitSignal(created.library_loaded, timeout=5000):
        created.show()
    assert len(created.library.lessons) >= 16
    assert created.model.rowCount() >= 16
    actions = menu_actions(created)
    for text in ("Einstellungen …", "Beenden", "Präsentieren", "Handout oder Kursheft …", "Suchen",
                 "Lektionen prüfen …", "Lektion bearbeiten …", "Neu laden", "Tastenkürzel", "Über Kurslotse"):
        assert not actions[text].icon().pixmap(16, 16).isNull(), text
    assert actions["Neue Lektion …"].icon().isNull()  # has none, as before


def test_courses_tab_is_built_when_opened(qtbot, window):
    from app.ui.courses.page import CoursesPage

    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    index = titles.index("&Kurse")
    window.tabs.setCurrentIndex(index)
    assert isinstance(window.tabs.widget(index), CoursesPage)
    assert window.tabs.tabText(index) == "&Kurse"
    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentIndex(index)  # opening again reuses the page
    assert window.tabs.widget(index) is window._courses_page
