"""Settings: the trainer's own lesson folder, colours on the wall, font size of the program."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.contrast import THEMES
from app.settings import Settings
from app.ui.look import colours


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Einstellungen")
        self.folder = QLineEdit(settings.user_lesson_dir)
        self.folder.setAccessibleName("Eigener Lektionsordner")
        self.folder.setPlaceholderText("(kein eigener Ordner)")
        choose = QPushButton("Auswählen …")
        choose.setAccessibleName("Eigenen Lektionsordner auswählen")
        choose.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        self.theme = QComboBox()
        self.theme.setAccessibleName("Farben der Projektion")
        for theme in THEMES.values():
            self.theme.addItem(theme.label, theme.name)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))
        self.font_size = QSpinBox()
        self.font_size.setAccessibleName("Schriftgröße des Programms in Punkt")
        self.font_size.setRange(11, 28)
        self.font_size.setValue(settings.ui_font_pt)
        self.font_size.setSuffix(" pt")
        self.message = QLabel()
        self.message.setStyleSheet(f"color: {colours().error}")  # readable in the light and the dark look
        self.message.setWordWrap(True)

        form = QFormLayout()
        folder_label = QLabel("Eigener &Lektionsordner:")
        folder_label.setBuddy(self.folder)  # the row holds a layout: Qt would show the "&" otherwise
        form.addRow(folder_label, row)
        form.addRow("&Farben an der Wand:", self.theme)
        form.addRow("&Schriftgröße im Programm:", self.font_size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Übernehmen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Eigenen Lektionsordner wählen", self.folder.text() or str(Path.home()))
        if folder:
            self.folder.setText(folder)

    def accept(self) -> None:
        text = self.folder.text().strip()
        if text and not Path(text).expanduser().is_dir():
            self.message.setText(f"Der Ordner »{text}« existiert nicht. Bitte einen vorhandenen Ordner wählen oder das Feld leeren.")
            self.folder.setFocus()
            return
        super().accept()

    def apply_to(self, settings: Settings) -> None:
        settings.user_lesson_dir = self.folder.text().strip()
        settings.theme = self.theme.currentData()
        settings.ui_font_pt = self.font_size.value()
