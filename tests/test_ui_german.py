"""Qt's own texts are German: standard buttons, file, print and preview dialogs, shortcut names."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
)

from app.settings import Settings
from app.ui.application import prepare_application
from app.ui.handout_dialog import simplify_preview_toolbar
from app.ui.main_window import MainWindow

NATIVE = QKeySequence.SequenceFormat.NativeText


def _plain(texts: list[str]) -> list[str]:
    return [text.replace("&", "") for text in texts]


def test_standard_buttons_and_shortcut_names_are_german(qtbot):
    prepare_application(QApplication.instance())
    box = QMessageBox(QMessageBox.Icon.Question, "Person löschen", "Wirklich?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    qtbot.addWidget(box)
    assert _plain([b.text() for b in box.buttons()]) == ["Ja", "Nein"]
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                               | QDialogButtonBox.StandardButton.Close)
    qtbot.addWidget(buttons)
    assert sorted(_plain([b.text() for b in buttons.buttons()])) == ["Abbrechen", "OK", "Schließen"]
    assert QKeySequence("Ctrl+Q").toString(NATIVE) == "Strg+Q"
    assert QKeySequence("Ctrl+Shift+Del").toString(NATIVE) == "Strg+Umschalt+Entf"


def test_menus_say_strg_like_the_buttons(qtbot):
    prepare_application(QApplication.instance())
    window = MainWindow(Settings(), load_now=False)
    qtbot.addWidget(window)
    shortcuts = {action.text().replace("&", ""): action.shortcut().toString(NATIVE)
                 for menu in window.menuBar().findChildren(type(window.menuBar().addMenu("x")))
                 for action in menu.actions() if not action.isSeparator()}
    assert shortcuts["Beenden"] == "Strg+Q"
    assert shortcuts["Handout oder Kursheft …"] == "Strg+P"
    assert all("Ctrl" not in text for text in shortcuts.values())


def test_file_print_and_preview_dialogs_are_german(qtbot):
    prepare_application(QApplication.instance())
    files = QFileDialog(None, "Als PDF speichern")
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    qtbot.addWidget(files)
    labels = _plain([label.text() for label in files.findChildren(QLabel)])
    assert "Suchen in:" in labels and "Dateiname:" in labels
    assert "Abbrechen" in _plain([b.text() for b in files.findChildren(QPushButton)])
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    assert "Drucken" in _plain([b.text() for b in dialog.findChildren(QPushButton)])
    preview = QPrintPreviewDialog(printer)
    qtbot.addWidget(preview)
    shown = simplify_preview_toolbar(preview)
    assert sorted(shown) == sorted(["Vorige Seite", "Nächste Seite", "Seite anpassen", "Vergrößern", "Verkleinern",
                                   "Drucken"])
    preview.resize(QSize(1366, 700))
    preview.show()
    from PySide6.QtWidgets import QToolBar

    toolbar = preview.findChildren(QToolBar)[0]
    assert toolbar.sizeHint().width() <= 1366  # words under the symbols, and still fits a laptop
