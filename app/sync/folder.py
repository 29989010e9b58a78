"""The shared folder: ``ORDNER/<device-id>/<number>.klsync``; junk and half-written files are never read.

Only the device's own sub-folder is ever written, and only with new files (temp file, fsync,
rename), so Nextcloud or Syncthing never see two writers of one file. Their conflict copies
(``00000003.sync-conflict-….klsync``, ``00000003 (conflicted copy).klsync``) are read as possible
duplicates; OS junk (``desktop.ini``, ``.DS_Store``, ``._*``, ``Thumbs.db``) is skipped.
"""

from __future__ import annotations

import ntpath
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app import platform
from app.atomic_write import write_bytes_atomically
from app.sync.fileformat import SUFFIX

DEVICE_DIR_RE = re.compile(r"^[0-9a-f]{32}$")
FILE_RE = re.compile(r"^(\d{8})\.klsync$")
COPY_RE = re.compile(r"^(\d{8})\D.*\.klsync$", re.IGNORECASE)
JUNK_NAMES = frozenset({"desktop.ini", ".ds_store", "thumbs.db", "ehthumbs.db", ".directory", "icon\r"})


@dataclass(frozen=True)
class FolderFile:
    """A sync file found in the folder (``copy``: a file-sync tool's conflict copy of number *seq*)."""

    path: Path
    device: str
    seq: int
    size: int
    mtime_ns: int
    copy: bool = False

    def label(self, root: Path) -> str:
        try:
            return str(self.path.relative_to(root))
        except ValueError:
            return str(self.path)


def file_name(seq: int) -> str:
    return f"{seq:08d}{SUFFIX}"


def is_junk(name: str) -> bool:
    """OS and editor leftovers, hidden files, temp files: never sync files."""
    lower = name.lower()
    return lower in JUNK_NAMES or name.startswith((".", "~$")) or lower.endswith((".tmp", ".part", ".partial"))


@dataclass(frozen=True)
class Unreadable:
    """A folder, entry or file below the sync folder that could not be looked at (it is refused, by name)."""

    label: str
    why: str

    @property
    def message(self) -> str:
        return f"{self.label}: {self.why} Nichts daraus wurde übernommen."


def _label(root: Path, path: str) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def _why(error: OSError) -> str:
    """German reason for an OSError while looking at the folder."""
    import errno

    if isinstance(error, PermissionError):
        return "Keine Berechtigung zum Lesen."
    if error.errno == errno.ELOOP:
        return "Verknüpfung zeigt im Kreis (symbolischer Link auf sich selbst)."
    if isinstance(error, FileNotFoundError):
        return "Verschwand während des Lesens."
    return f"Kann nicht gelesen werden ({error.strerror or error})."


def scan(root: Path, problems: list[Unreadable] | None = None) -> list[FolderFile]:
    """Every candidate sync file below *root*, ordered by device and number.

    Whatever cannot be looked at (a device folder without read permission, a symlink loop, an
    entry that fails ``stat``) is added to *problems* by name; one bad entry never hides the
    other files of its device. An OSError of *root* itself propagates (the folder is gone).
    """
    found: list[FolderFile] = []
    bad = problems if problems is not None else []
    with os.scandir(root) as top:
        entries = [entry for entry in top if DEVICE_DIR_RE.match(entry.name)]
    for entry in entries:
        label = _label(root, entry.path)
        device_folder = Path(entry.path)  # each file's path is made from it (cheaper than parsing every path)
        try:
            if not entry.is_dir():
                bad.append(Unreadable(label, "Ist kein Geräte-Ordner (eine Datei mit dem Namen einer Geräte-Kennung)."))
                continue
            with os.scandir(entry.path) as files:
                items = list(files)
        except OSError as error:
            if not root.is_dir():
                raise
            bad.append(Unreadable(label, f"Geräte-Ordner nicht lesbar: {_why(error)}"))
            continue
        for item in items:
            if is_junk(item.name):
                continue
            match = FILE_RE.match(item.name)
            copy = False
            if match is None:
                match = COPY_RE.match(item.name)
                copy = True
            if match is None:
                if item.name.lower().endswith(SUFFIX):
                    bad.append(Unreadable(_label(root, item.path), "Der Dateiname passt nicht zum Abgleich "
                                                                   "(erwartet z. B. 00000001.klsync)."))
                continue
            try:
                if not item.is_file():
                    bad.append(Unreadable(_label(root, item.path), "Ist keine Datei."))
                    continue
                stat = item.stat()
            except OSError as error:
                bad.append(Unreadable(_label(root, item.path), _why(error)))
                continue
            found.append(FolderFile(device_folder / item.name, entry.name, int(match.group(1)), stat.st_size,
                                    stat.st_mtime_ns, copy))
    return sorted(found, key=lambda f: (f.device, f.seq, f.copy, f.path.name))


def highest_seq(root: Path, device: str) -> int:
    """The highest file number in the device's sub-folder (0: none)."""
    folder = root / device
    if not folder.is_dir():
        return 0
    numbers = [int(m.group(1)) for name in os.listdir(folder) if (m := FILE_RE.match(name))]
    return max(numbers, default=0)


def remove_stale_temp_files(root: Path, device: str) -> None:
    """Temp files of an export that was killed; only this device writes its sub-folder."""
    folder = root / device
    if folder.is_dir():
        for name in os.listdir(folder):
            if name.startswith(".") and name.endswith(".tmp"):
                try:
                    os.unlink(folder / name)
                except OSError:
                    pass


def write_new_file(root: Path, device: str, seq: int, data: bytes) -> Path:
    """Write a new file atomically: temp file, fsync, rename (a reader never sees half a file)."""
    folder = root / device
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / file_name(seq)
    if target.exists():
        raise FileExistsError(f"{target} gibt es schon")
    return _write(folder, target, data)


def replace_file(root: Path, device: str, seq: int, data: bytes) -> Path:
    """Replace one of this device's own files atomically (only to remove erased people's data)."""
    folder = root / device
    return _write(folder, folder / file_name(seq), data)


def _write(folder: Path, target: Path, data: bytes) -> Path:
    # the temp file starts with "." and ends with ".tmp": readers skip it as unfinished
    write_bytes_atomically(target, data)
    _fsync_dir(folder)
    return target


def find_again(remembered: str, own_devices: Iterable[str], drives: Mapping[str, Path] | None = None) -> str:
    """The remembered sync folder, on whichever drive letter its USB stick has today (Windows).

    A stick that was ``E:`` at the last sync may be ``F:`` now. When ``E:\\Abgleich`` is gone, the
    same path on the other drives is tried: the one holding this laptop's own sub-folder
    (``<device-id>/``, written at every sync) is the folder; otherwise a single candidate that looks
    like a sync folder. With none or several the remembered text stays (the trainer chooses).
    """
    drive, rest = ntpath.splitdrive(remembered)
    if len(drive) != 2 or drive[1] != ":":
        return remembered
    drives = platform.drive_roots() if drives is None else drives
    parts = [part for part in re.split(r"[\\/]", rest) if part]
    same = drives.get(drive[0].upper())
    if not drives or (same is not None and same.joinpath(*parts).is_dir()):
        return remembered  # not Windows, or the stick still has its letter
    candidates = [root.joinpath(*parts) for letter, root in sorted(drives.items())
                  if letter.upper() != drive[0].upper()]
    candidates = [folder for folder in candidates if folder.is_dir()]
    devices = [device for device in own_devices if device]
    own = [folder for folder in candidates if any((folder / device).is_dir() for device in devices)]
    if len(own) == 1:
        return str(own[0])
    shared = [folder for folder in candidates if _has_device_folders(folder)]
    return str(shared[0]) if len(shared) == 1 and not own else remembered


def _has_device_folders(folder: Path) -> bool:
    try:
        return any(DEVICE_DIR_RE.match(entry.name) and entry.is_dir() for entry in os.scandir(folder))
    except OSError:
        return False


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles for this)."""
    if platform.IS_WINDOWS:
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
