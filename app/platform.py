"""What differs between Windows and the other systems, in one place (no ``sys.platform`` elsewhere).

So far: replacing a file that another program holds open. On Windows a virus scanner, the search
indexer, OneDrive/Syncthing or a report still open in Excel briefly lock new and replaced files
("sharing violation"); ``os.replace`` and ``os.unlink`` then fail although a moment later they
would work. Kurslotse retries a few times within about two seconds, then says in German which kind
of program may hold the file.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

IS_WINDOWS = sys.platform == "win32"
# ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: what a briefly held file gives
WINDOWS_LOCK_ERRORS = frozenset({5, 32, 33})
RETRY_DELAYS_S = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8)  # about two seconds in all


class FileInUseError(PermissionError):
    """The file stayed locked by another program; ``str()`` is a German message for the trainer."""


def is_transient_lock(error: OSError) -> bool:
    """Whether *error* is the kind of lock that goes away by itself (only Windows has those)."""
    return IS_WINDOWS and isinstance(error, PermissionError) and getattr(error, "winerror", None) in WINDOWS_LOCK_ERRORS


def _with_retry(action: Callable[[], None], path: Path, sleep: Callable[[float], None] = time.sleep) -> None:
    for delay in (*RETRY_DELAYS_S, None):
        try:
            action()
            return
        except OSError as error:
            if not is_transient_lock(error):
                raise
            if delay is None:
                raise FileInUseError(
                    error.errno,
                    f"Die Datei »{path.name}« ist gerade von einem anderen Programm geöffnet (z. B. Excel, "
                    "ein PDF-Betrachter, ein Virenscanner oder OneDrive). Bitte das Programm schließen oder "
                    "kurz warten und es noch einmal versuchen.",
                    str(path),
                ) from error
            sleep(delay)


def replace_file(source: str | os.PathLike[str], target: str | os.PathLike[str],
                 sleep: Callable[[float], None] = time.sleep) -> None:
    """``os.replace`` that waits out a short lock by another program (Windows)."""
    _with_retry(lambda: os.replace(source, target), Path(target), sleep)


def remove_file(path: str | os.PathLike[str], sleep: Callable[[float], None] = time.sleep) -> None:
    """``os.unlink`` that waits out a short lock; a file that is already gone is fine."""
    def unlink() -> None:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass

    _with_retry(unlink, Path(path), sleep)


def location_key(path: str | os.PathLike[str]) -> str:
    """Where a file lives, as part of an identity: on Windows without the drive letter.

    A USB stick is E: today and F: tomorrow on the same laptop; the data folder on it is still the
    same place. UNC paths (``\\\\server\\share``) keep their server and share.
    """
    return without_drive_letter(str(Path(path).resolve()), IS_WINDOWS)


def without_drive_letter(text: str, windows: bool) -> str:
    import ntpath

    if not windows:
        return text
    drive, rest = ntpath.splitdrive(text)
    return rest if len(drive) == 2 and drive[1] == ":" else text


def has_display() -> bool:
    """Whether a window could be shown; on Linux without X11/Wayland (a server, CI) Qt draws offscreen."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
