"""The shared folder: ``ORDNER/<device-id>/<number>.klsync``; junk and half-written files are never read.

Only the device's own sub-folder is ever written, and only with new files (temp file, fsync,
rename), so Nextcloud or Syncthing never see two writers of one file. Their conflict copies
(``00000003.sync-conflict-….klsync``, ``00000003 (conflicted copy).klsync``) are read as possible
duplicates; OS junk (``desktop.ini``, ``.DS_Store``, ``._*``, ``Thumbs.db``) is skipped.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

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


def scan(root: Path) -> list[FolderFile]:
    """Every candidate sync file below *root*, ordered by device and number."""
    found: list[FolderFile] = []
    with os.scandir(root) as top:
        device_dirs = [entry for entry in top if DEVICE_DIR_RE.match(entry.name) and entry.is_dir()]
    for entry in device_dirs:
        try:
            with os.scandir(entry.path) as files:
                for item in files:
                    if is_junk(item.name):
                        continue
                    match = FILE_RE.match(item.name)
                    copy = False
                    if match is None:
                        match = COPY_RE.match(item.name)
                        copy = True
                    if match is None or not item.is_file():
                        continue
                    stat = item.stat()
                    found.append(FolderFile(Path(item.path), entry.name, int(match.group(1)), stat.st_size,
                                            stat.st_mtime_ns, copy))
        except OSError:
            continue  # a device folder that vanished or cannot be read: the others still count
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


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles for this)."""
    if sys.platform == "win32":
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
