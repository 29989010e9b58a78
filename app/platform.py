"""What differs between Windows and the other systems, in one place (no ``sys.platform`` elsewhere).

* Files another program holds open. On Windows a virus scanner, the search indexer,
  OneDrive/Syncthing or a report still open in Excel briefly lock new and replaced files ("sharing
  violation"); ``os.replace`` and ``os.unlink`` then fail although a moment later they would work.
  Kurslotse retries a few times within about two seconds, then says in German which kind of
  program may hold the file.
* Places: drive letters that change (a USB stick is E: today, F: tomorrow), network shares (UNC,
  mapped drives, NFS/SMB) where SQLite is not safe, SQLite addresses of Windows paths.
* Programs and screens: the layout of a virtual environment, whether a display exists.

Only the standard library is used here: the first-start setup (``app._bootstrap``) needs it before
any dependency is installed.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path, PurePath

IS_WINDOWS = sys.platform == "win32"
IS_LINUX = sys.platform.startswith("linux")
IS_MACOS = sys.platform == "darwin"
# ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: what a briefly held file gives
WINDOWS_LOCK_ERRORS = frozenset({5, 32, 33})
RETRY_DELAYS_S = (0.05, 0.1, 0.2, 0.3, 0.5, 0.8)  # about two seconds in all


class GermanPermissionError(PermissionError):
    """A PermissionError whose ``str()`` is only its German message (it names the file itself)."""

    def __str__(self) -> str:
        return str(self.strerror)  # without "[Errno 13]" and the quoted path


class FileInUseError(GermanPermissionError):
    """The file stayed locked by another program; ``str()`` is a German message for the trainer."""


class ReadOnlyFileError(GermanPermissionError):
    """Windows does not replace or delete a file marked read-only (Linux does, by the folder's rights)."""


def is_transient_lock(error: OSError) -> bool:
    """Whether *error* is the kind of lock that goes away by itself (only Windows has those)."""
    return IS_WINDOWS and isinstance(error, PermissionError) and getattr(error, "winerror", None) in WINDOWS_LOCK_ERRORS


def _with_retry(action: Callable[[], None], path: Path, sleep: Callable[[float], None] | None = None) -> None:
    wait = sleep or time.sleep  # looked up at call time (tests replace time.sleep)
    for delay in (*RETRY_DELAYS_S, None):
        try:
            action()
            return
        except OSError as error:
            if IS_WINDOWS and getattr(error, "winerror", None) == 5 and _read_only(path):
                raise ReadOnlyFileError(
                    error.errno,
                    f"Die Datei »{path.name}« ist schreibgeschützt und wird deshalb nicht ersetzt. Bitte einen "
                    "anderen Namen wählen oder im Explorer unter Eigenschaften »Schreibgeschützt« abwählen.",
                    str(path),
                ) from error
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
            wait(delay)


# Windows error numbers whose errno Python sets to something vaguer (EACCES, ENOENT, EINVAL)
WINDOWS_ERRNO = {
    19: errno.EROFS,  # ERROR_WRITE_PROTECT: a locked SD card or USB stick
    206: errno.ENAMETOOLONG,  # ERROR_FILENAME_EXCED_RANGE: path longer than 260 characters
    111: errno.ENAMETOOLONG,  # ERROR_BUFFER_OVERFLOW: file name too long
    112: errno.ENOSPC,  # ERROR_DISK_FULL
    39: errno.ENOSPC,  # ERROR_HANDLE_DISK_FULL
}


def error_code(error: OSError) -> int | None:
    """The ``errno`` that says what went wrong, also for Windows errors (write-protected stick, long path)."""
    return WINDOWS_ERRNO.get(getattr(error, "winerror", None) or -1, error.errno)


def _read_only(path: Path) -> bool:
    try:
        return not os.stat(path).st_mode & stat.S_IWRITE
    except OSError:
        return False


def replace_file(source: str | os.PathLike[str], target: str | os.PathLike[str],
                 sleep: Callable[[float], None] | None = None) -> None:
    """``os.replace`` that waits out a short lock by another program (Windows)."""
    _with_retry(lambda: os.replace(source, target), Path(target), sleep)


def remove_file(path: str | os.PathLike[str], sleep: Callable[[float], None] | None = None) -> None:
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


# File systems on which SQLite's locking is not reliable (its own documentation advises against them).
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "afs", "ncpfs", "9p", "fuse.sshfs", "fuse.rclone", "davfs",
    "fuse.davfs2", "glusterfs", "ceph", "fuse.gvfsd-fuse",
})
DRIVE_REMOTE = 4  # GetDriveTypeW: a network drive mapped to a letter
MOUNTS_FILE = "/proc/self/mounts"


def is_unc(text: str) -> bool:
    """Whether a Windows path names a network share (``\\\\server\\share``, also in ``\\\\?\\UNC\\`` form)."""
    text = text.replace("/", "\\")
    if text.upper().startswith("\\\\?\\UNC\\"):
        return True
    return text.startswith("\\\\") and not text.startswith(("\\\\?\\", "\\\\.\\"))


def on_network_share(path: str | os.PathLike[str]) -> bool:
    """Whether *path* lies on a network share, where SQLite can lose or damage data.

    Windows: a UNC path or a drive letter mapped to a share; Linux: a folder on NFS, SMB/CIFS, sshfs
    and the like (from ``/proc/self/mounts``). Other systems: not detected.
    """
    text = os.fspath(path)
    if IS_WINDOWS:
        return is_unc(text) or _windows_drive_type(text) == DRIVE_REMOTE
    text = os.path.abspath(text)
    if sys.platform.startswith("linux"):
        try:
            with open(MOUNTS_FILE, encoding="utf-8", errors="replace") as handle:
                mounts = handle.read()
        except OSError:
            return False
        return filesystem_type(text, mounts) in NETWORK_FILESYSTEMS
    return False


def filesystem_type(path: str, mounts: str) -> str | None:
    """The type of the file system holding *path*, from the text of ``/proc/self/mounts``."""
    best, kind = "", None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        # /proc/mounts writes a space as \040 (and tab, newline, backslash likewise as octal)
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def _windows_drive_type(text: str) -> int:
    import ntpath

    drive = ntpath.splitdrive(text)[0].removeprefix("\\\\?\\")
    if len(drive) != 2 or drive[1] != ":":
        return 0
    try:
        import ctypes

        return int(ctypes.windll.kernel32.GetDriveTypeW(drive + "\\"))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return 0


def sqlite_uri(path: PurePath) -> str:
    """A ``file:`` URI for ``sqlite3.connect(..., uri=True)`` from an absolute *path* of this system.

    Characters such as ``#``, ``?``, ``%``, spaces and umlauts are percent-encoded; a Windows path
    becomes ``file:///C:/…``. A UNC path becomes ``file:////server/share/…``: SQLite refuses the
    ``file://server/…`` form that ``as_uri()`` gives (it allows no authority but ``localhost``).
    """
    uri = path.as_uri()
    if uri.startswith("file://") and not uri.startswith("file:///"):
        uri = "file:////" + uri[len("file://"):]
    return uri


def sqlite_url(path: PurePath) -> str:
    """SQLAlchemy address of the SQLite file *path* (``sqlite:///C:\\…`` on Windows).

    SQLAlchemy percent-decodes the file name, so ``%`` is written as ``%25`` (a folder named
    ``100%`` stays itself); ``?`` would start the options. Backslashes, spaces and umlauts stay.
    """
    return "sqlite:///" + str(path).replace("%", "%25").replace("?", "%3F")


def drive_roots() -> dict[str, Path]:
    """The drive letters in use now and their roots (``{"C": Path("C:\\\\"), "E": …}``); empty off Windows."""
    if not IS_WINDOWS:
        return {}
    try:
        import ctypes

        mask = int(ctypes.windll.kernel32.GetLogicalDrives())  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return {}
    return {chr(ord("A") + bit): Path(f"{chr(ord('A') + bit)}:\\") for bit in range(26) if mask & (1 << bit)}


def is_store_python(executable: str | None = None) -> bool:
    """Whether this is the Python from the Microsoft Store (an app package under ``WindowsApps``).

    Such a Python silently redirects what it writes below AppData into its own package folder,
    which Windows deletes together with Python: no place for a database.
    """
    if not IS_WINDOWS:
        return False
    places = (executable,) if executable is not None else (sys.executable, sys.base_prefix)
    return any("\\windowsapps\\" in place.lower() or "pythonsoftwarefoundation.python" in place.lower()
               for place in places if place)


STORE_PYTHON_NOTE = (
    "Hinweis: Dieses Python stammt aus dem Microsoft Store. Es legt Daten unter AppData in einem eigenen "
    "Ordner ab, den Windows beim Deinstallieren von Python mit löscht. Kurslotse speichert seine Daten "
    "deshalb im Ordner »Kurslotse-Daten« im Benutzerordner. Besser: Python von python.org installieren."
)


def venv_program(venv: Path, name: str) -> Path:
    """A program inside a virtual environment: ``Scripts\\name.exe`` on Windows, ``bin/name`` elsewhere."""
    return venv / "Scripts" / f"{name}.exe" if IS_WINDOWS else venv / "bin" / name


def peak_memory_mib(maxrss: float) -> float:
    """``ru_maxrss`` in MiB: macOS reports bytes, Linux KiB."""
    return maxrss / (1024 * 1024) if IS_MACOS else maxrss / 1024


def qt_offscreen_argument(screens: Path, cwd: str | None = None) -> str:
    """``QT_QPA_PLATFORM`` for Qt's offscreen platform with virtual screens from the JSON file *screens*.

    Qt splits platform arguments at every ``:``, so ``configfile=C:\\…`` breaks on Windows: there the
    file is named relative to the working folder; on another drive the virtual screens are left out.
    """
    import ntpath

    path = str(screens)
    if IS_WINDOWS:
        try:
            path = ntpath.relpath(path, cwd if cwd is not None else os.getcwd())
        except ValueError:  # another drive: no relative name exists
            return "offscreen"
    return "offscreen" if ":" in path else f"offscreen:configfile={path}"


def has_display() -> bool:
    """Whether a window could be shown; on Linux without X11/Wayland (a server, CI) Qt draws offscreen."""
    if not IS_LINUX:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
