"""»Tastenkürzel«: the key list in a scrolling window that fits a 1280×720 screen (a message box did not)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)


class KeysDialog(QDialog):
    """The shortcut table as rich text; Esc, Eingabe or »Schließen« close it."""

    def __init__(self, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tastenkürzel")
        self.text = QTextBrowser()
        self.text.setAccessibleName("Liste der Tastenkürzel")
        self.text.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Schließen")
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        width = round(self.fontMetrics().averageCharWidth() * 70)
        return QSize(width, round(self.fontMetrics().height() * 30))
