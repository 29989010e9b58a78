"""Small building blocks of the course screens: big buttons, error labels, shortcuts, lesson picker."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QWidget

ERROR_STYLE = "color: #8a1c00; font-weight: bold;"
HINT_STYLE = "color: #5a4500;"
OK_STYLE = "color: #1b5e20;"


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    """The widget's font, *factor* times larger (the program's base font is already big)."""
    font = QFont(widget.font())
    size = font.pointSizeF() if font.pointSizeF() > 0 else 14.0
    font.setPointSizeF(size * factor)
    font.setBold(bold)
    return font


def big_button(text: str, accessible: str, slot: Callable[[], object] | None = None,
               height: int = 56, factor: float = 1.1) -> QPushButton:
    """A large, touch-friendly push button with an accessible name."""
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    button.setMinimumHeight(height)
    button.setFont(scaled_font(button, factor))
    if slot is not None:
        button.clicked.connect(lambda _checked=False: slot())
    return button


def message_label(accessible: str) -> QLabel:
    """A word-wrapped label for German error and hint messages."""
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(accessible)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def show_message(label: QLabel, text: str, style: str = ERROR_STYLE) -> None:
    """Show *text* as error, hint or confirmation, in the colours of the current light or dark look."""
    from app.ui.look import colours

    c = colours()
    palette_style = {ERROR_STYLE: f"color: {c.error}; font-weight: bold;", HINT_STYLE: f"color: {c.text};",
                     OK_STYLE: f"color: {c.ok};"}.get(style, style)
    label.setStyleSheet(palette_style)
    label.setText(text)


def ask(parent: QWidget | None, title: str, text: str, yes_text: str, no_text: str = "Abbrechen") -> bool:
    """A question before anything that cannot be undone by one more click; the safe answer is the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes = box.addButton(yes_text, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(no_text, QMessageBox.ButtonRole.RejectRole)
    for button in (yes, no):
        button.setMinimumHeight(48)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes


def shortcut(widget: QWidget, keys: str | QKeySequence, slot: Callable[[], object]) -> QShortcut:
    """A shortcut active only while *widget* (or a child) is visible and in the active window."""
    sequence = keys if isinstance(keys, QKeySequence) else QKeySequence(keys)
    item = QShortcut(sequence, widget)
    item.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    item.activated.connect(slot)
    return item


class LessonPicker(QListWidget):
    """Tick the lessons for a course or Termin; drag (or Alt+Pfeil) to change the order."""

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible)
        self.setDragDropMode(QListWidget.DragDropMode.InternalMove)
        self.setMinimumHeight(160)

    def set_lessons(self, available: list[tuple[str, str]], chosen: list[str]) -> None:
        """*available*: (id, title) of all known lessons; *chosen*: ids ticked, in this order first."""
        self.clear()
        titles = dict(available)
        for lesson_id in chosen:
            self._add(lesson_id, titles.get(lesson_id, f"{lesson_id} (hier nicht vorhanden)"), True)
        for lesson_id, title in available:
            if lesson_id not in chosen:
                self._add(lesson_id, title, False)

    def _add(self, lesson_id: str, title: str, checked: bool) -> None:
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, lesson_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.addItem(item)

    def chosen(self) -> list[str]:
        return [
            self.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.count())
            if self.item(row).checkState() == Qt.CheckState.Checked
        ]

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Alt+Up / Alt+Down move the current lesson: reordering without a mouse."""
        if event.modifiers() & Qt.KeyboardModifier.AltModifier and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            row = self.currentRow()
            target = row - 1 if event.key() == Qt.Key.Key_Up else row + 1
            if row >= 0 and 0 <= target < self.count():
                item = self.takeItem(row)
                self.insertItem(target, item)
                self.setCurrentRow(target)
            return
        super().keyPressEvent(event)
