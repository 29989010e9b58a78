"""Menu entries "Lektion bearbeiten …" and "Neue Lektion …": find or create the folder, open the editor.

A shipped lesson is never edited in place: it is copied into the trainer's own lesson folder
with a new id and a header comment naming its origin (see :func:`app.lessons.editing.copy_lesson`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QMessageBox

from app.lessons.editing import EditError, copy_lesson, create_lesson
from app.lessons.package import own_lesson_folder
from app.ui.editor.window import LessonEditor

log = logging.getLogger(__name__)


def _taken(window) -> set[str]:  # noqa: ANN001 - the main window
    return {lesson.id for lesson in window.library.lessons}


def _open(window, folder: Path, note: str = "") -> LessonEditor | None:  # noqa: ANN001
    editors = window.__dict__.setdefault("_lesson_editors", [])
    for editor in editors:
        if editor.folder == Path(folder) and editor.isVisible():  # one editor per lesson: two would overwrite
            editor.raise_()
            editor.activateWindow()
            return editor
    try:
        editor = LessonEditor(folder, window, note)
    except EditError as error:
        QMessageBox.warning(window, "Lektion bearbeiten", str(error))
        return None
    editor.saved.connect(lambda _folder: window.reload_library())
    editor.taken_ids = lambda: {lesson.id: lesson.title for lesson in window.library.lessons
                                if Path(lesson.folder) != editor.folder}
    editors.append(editor)

    def forget() -> None:  # a closed editor is let go (its draft and preview copy are already handled)
        if editor in editors:
            editors.remove(editor)
        editor.deleteLater()

    editor.closed.connect(forget)
    editor.show()
    return editor


def close_editors(window) -> bool:  # noqa: ANN001 - the main window
    """Close every open editor before the main window closes; each asks about unsaved changes.

    False when the trainer chose »Abbrechen« in one of them (that editor stays open, the main window
    too). Editors closed before stay closed: their answer was given.
    """
    for editor in list(window.__dict__.get("_lesson_editors", [])):
        if not editor.isVisible() and not editor.modified:
            continue
        editor.show()
        editor.raise_()
        if not editor.close():
            editor.activateWindow()
            return False
    return True


def edit_lesson(window, lesson=None) -> LessonEditor | None:  # noqa: ANN001
    """Open the current lesson; a shipped one is copied first."""
    lesson = lesson or window.current_lesson()
    if lesson is None:
        QMessageBox.information(window, "Lektion bearbeiten", "Bitte zuerst eine Lektion in der Liste auswählen.")
        return None
    note = ""
    folder = Path(lesson.folder)
    if not lesson.user_lesson:
        root = own_lesson_folder(window.settings)
        try:
            folder = copy_lesson(folder, root, _taken(window))
        except EditError as error:
            QMessageBox.warning(window, "Lektion bearbeiten", str(error))
            return None
        note = (f"Mitgelieferte Lektionen bleiben unverändert: Sie bearbeiten eine Kopie mit der Kennung "
                f"»{folder.name}« in Ihrem Lektionsordner ({root}).")
        window.reload_library()
    return _open(window, folder, note)


def new_lesson(window, title: str | None = None) -> LessonEditor | None:  # noqa: ANN001
    """Ask for a title, create the lesson from the template in the own lesson folder, open it."""
    if title is None:
        title, ok = QInputDialog.getText(window, "Neue Lektion", "Titel der neuen Lektion:")
        if not ok or not title.strip():
            return None
    root = own_lesson_folder(window.settings)
    try:
        folder = create_lesson(root, title, _taken(window))
    except EditError as error:
        QMessageBox.warning(window, "Neue Lektion", str(error))
        return None
    window.reload_library()
    return _open(window, folder, f"Neue Lektion in {folder}. Sie erscheint in der Liste, sobald Sie speichern.")
