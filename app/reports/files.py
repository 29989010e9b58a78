"""Write an export completely or not at all: temp file in the target folder, fsync, rename."""

from __future__ import annotations

import errno
from pathlib import Path

from app.atomic_write import write_bytes_atomically


class ExportError(Exception):
    """The export could not be written; the message is German and says what to do."""


def check_target(target: Path) -> None:
    """Refuse early what cannot work, before any time is spent."""
    if target.is_dir():
        raise ExportError(f"»{target}« ist ein Ordner. Bitte einen Dateinamen angeben.")
    if not target.parent.is_dir():
        raise ExportError(f"Der Ordner »{target.parent}« existiert nicht.")


def write_atomically(target: Path, data: bytes) -> None:
    """Either the whole new file is at *target* afterwards, or the old one is untouched."""
    target = Path(target)
    check_target(target)
    try:
        write_bytes_atomically(target, data)
    except OSError as error:
        raise ExportError(describe(error, target)) from error


def describe(error: OSError, target: Path) -> str:
    """German explanation of why *target* could not be written."""
    from app.platform import GermanPermissionError, error_code

    if isinstance(error, GermanPermissionError):  # a Windows lock or read-only mark, already explained
        return str(error)
    code = error_code(error)  # Windows: a write-protected stick has its own number
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return f"Auf dem Datenträger ist nicht genug Platz für »{target.name}«."
    if code in (errno.EACCES, errno.EPERM) and target.exists():
        return (f"Die Datei »{target.name}« lässt sich nicht ersetzen. Ist sie noch in einem anderen Programm "
                "(z. B. Excel) geöffnet? Bitte dort schließen oder einen anderen Namen wählen.")
    if code in (errno.EACCES, errno.EPERM):
        return f"Keine Berechtigung, in »{target.parent}« zu schreiben. Bitte einen anderen Ordner wählen."
    if code == errno.EROFS:
        return f"»{target.parent}« ist schreibgeschützt. Bitte einen anderen Ort wählen."
    return f"Die Datei »{target}« konnte nicht geschrieben werden (Meldung des Systems: {error.strerror or error})."
