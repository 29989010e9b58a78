"""Where "Speichern unter …" starts: the user's Documents folder, then the folder last used for that kind.

Kinds are short words ("handout", "liste", "auskunft", "bericht"). The remembered folders live in
their own small file in the data folder, so the main window saving its settings at exit cannot
overwrite them.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from app import paths
from app.atomic_write import write_bytes_atomically

log = logging.getLogger(__name__)
FOLDERS_FILE = "speicherorte.json"


def documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(found) if found else Path.home()


def _load() -> dict[str, str]:
    try:
        data = json.loads((paths.data_dir() / FOLDERS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def start_folder(kind: str) -> Path:
    """The folder last used for *kind* if it still exists, else the Documents folder."""
    remembered = _load().get(kind)
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    return documents_folder()


def remember(kind: str, target: Path) -> None:
    folders = _load()
    folders[kind] = str(Path(target).parent)
    try:
        write_bytes_atomically(paths.data_dir() / FOLDERS_FILE,
                               json.dumps(folders, ensure_ascii=False, indent=2).encode("utf-8"))
    except OSError as error:  # not worth bothering the trainer: next time starts in Documents again
        log.warning("Speicherorte nicht gespeichert: %s", error.strerror or error)


def ask_save_file(parent: QWidget, kind: str, title: str, file_name: str, file_filter: str) -> tuple[Path | None, str]:
    """The file dialog, started in the right folder; the chosen folder is remembered for *kind*.

    Returns the chosen path (``None`` if cancelled) and the chosen filter.
    """
    name, chosen = QFileDialog.getSaveFileName(parent, title, str(start_folder(kind) / file_name), file_filter)
    if not name:
        return None, chosen
    remember(kind, Path(name))
    return Path(name), chosen
