"""Write a file completely or not at all: temp file in the target folder, fsync, rename (no Qt).

The temp file gets an unpredictable name and is created exclusively (``mkstemp``: O_EXCL, so a
planted symlink is never followed). Setting its permissions is a courtesy: FAT and exFAT sticks
mounted through FUSE answer ``chmod`` with ENOSYS or EPERM, and the file is written all the same.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from app.platform import remove_file, replace_file

log = logging.getLogger(__name__)


def write_bytes_atomically(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Afterwards either the whole new file is at *target* or the old one is untouched.

    Raises the OSError of the failing step; callers turn it into a German message.
    """
    target = Path(target)
    temp_name = None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            set_mode(handle.fileno(), temp_name, mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        replace_file(temp_name, target)  # waits out a short lock by a virus scanner or OneDrive
        temp_name = None
    finally:
        if temp_name is not None:
            try:
                remove_file(temp_name)
            except OSError:
                log.warning("Temporäre Datei %s konnte nicht gelöscht werden", temp_name)


def set_mode(fd: int, path: str, mode: int) -> None:
    """chmod the open file; file systems without permissions (FAT via FUSE: ENOSYS, EPERM) are fine."""
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        else:  # Windows
            os.chmod(path, mode)
    except OSError as error:
        log.debug("Dateirechte für %s nicht gesetzt (%s); das Dateisystem kennt keine Rechte", path, error)
