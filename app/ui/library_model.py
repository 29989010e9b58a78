"""Qt list model over the lesson library, plus the pure filter behind search and the filter boxes."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.domain.lesson import Device, Lesson

LessonRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class LessonFilter:
    text: str = ""
    topic: str = ""
    level: str = ""
    device: Device | None = None

    def accepts(self, lesson: Lesson) -> bool:
        if self.topic and lesson.topic != self.topic:
            return False
        if self.level and lesson.level != self.level:
            return False
        if self.device is not None and self.device not in lesson.devices:
            return False
        words = self.text.casefold().split()
        if words:
            haystack = " ".join(
                [lesson.id, lesson.title, lesson.description, lesson.topic, *lesson.goals, *(s.title for s in lesson.steps)]
            ).casefold()
            return all(word in haystack for word in words)
        return True


class LessonListModel(QAbstractListModel):
    """Rows are lessons; a broken lesson shows a warning sign and its first error as tooltip."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[Lesson] = []

    def set_rows(self, lessons: list[Lesson]) -> None:
        self.beginResetModel()
        self._rows = list(lessons)
        self.endResetModel()

    def lesson(self, row: int) -> Lesson | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, lesson_id: str) -> int:
        return next((i for i, lesson in enumerate(self._rows) if lesson.id == lesson_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802,B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        lesson = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            prefix = "⚠ " if lesson.is_broken else ""
            suffix = "  (eigene)" if lesson.user_lesson else ""
            return f"{prefix}{lesson.title}{suffix}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if lesson.is_broken:
                first = lesson.errors[0].format() if lesson.errors else "keine Schritte"
                return f"Diese Lektion hat Fehler und kann nicht gezeigt werden:\n{first}"
            return lesson.description
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "fehlerhaft, " if lesson.is_broken else ""
            return f"{state}{lesson.title}, {lesson.topic}, {len(lesson.steps)} Schritte"
        if role == Qt.ItemDataRole.ForegroundRole and lesson.is_broken:
            return QColor("#8a1c00")
        if role == LessonRole:
            return lesson
        return None
