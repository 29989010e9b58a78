"""Read a file from a lesson folder someone else handed over: regular files only, never more than a limit.

A shared lesson folder is untrusted input. A FIFO named ``lektion.md`` would block ``open()``
forever, a symlink to ``/dev/zero`` would read without end, a ``/proc`` file lies about its
size. So every file is checked with ``stat`` before it is opened, opened without blocking,
checked again on the open handle (the name may have been swapped in between) and read with a
bounded read that stops one byte after the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISFIFO, "eine Pipe (FIFO)"),
    (stat.S_ISCHR, "ein Gerät"),
    (stat.S_ISBLK, "ein Gerät"),
    (stat.S_ISSOCK, "ein Socket"),
    (stat.S_ISDIR, "ein Ordner"),
)


class UnsafeFile(Exception):
    """A file that is not read; the message (German) says why, without the file name."""


def kind_problem(mode: int) -> str | None:
    """German reason why a file of this ``st_mode`` is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, name in _KINDS:
        if test(mode):
            return f"ist keine normale Datei, sondern {name}, und wird nicht gelesen."
    return "ist keine normale Datei und wird nicht gelesen."


def check_regular(path: Path, limit: int) -> int:
    """Size of *path* if it is a regular file of at most *limit* bytes; else :class:`UnsafeFile`."""
    try:
        info = os.stat(path)  # follows symlinks: a link to /dev/zero is judged as the device
    except FileNotFoundError:
        raise UnsafeFile("fehlt.") from None
    except OSError as error:
        raise UnsafeFile(f"ist nicht lesbar ({error.strerror}).") from None
    problem = kind_problem(info.st_mode)
    if problem:
        raise UnsafeFile(problem)
    if _is_proc(path):
        raise UnsafeFile("ist eine Systemdatei (/proc, /sys) und wird nicht gelesen.")
    if info.st_size > limit:
        raise UnsafeFile(f"ist mit {_size(info.st_size)} zu groß (höchstens {_size(limit)}).")
    return info.st_size


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of the regular file *path*, at most *limit*; anything else raises :class:`UnsafeFile`."""
    path = Path(path)
    check_regular(path, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(path, flags)
    except OSError as error:
        raise UnsafeFile(f"ist nicht lesbar ({error.strerror}).") from None
    try:
        info = os.fstat(handle)
        problem = kind_problem(info.st_mode)
        if problem:  # swapped between stat and open
            raise UnsafeFile(problem)
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            try:
                chunk = os.read(handle, min(remaining, 1 << 20))
            except BlockingIOError:
                raise UnsafeFile("ist keine normale Datei und wird nicht gelesen.") from None
            except OSError as error:
                raise UnsafeFile(f"ist nicht lesbar ({error.strerror}).") from None
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(handle)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UnsafeFile(f"ist größer als erlaubt (höchstens {_size(limit)}).")
    return data


def _is_proc(path: Path) -> bool:
    try:
        real = os.path.realpath(path)
    except OSError:
        return False
    return real.startswith(("/proc/", "/sys/"))


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} MB".replace(".", ",")
    if count >= 1000:
        return f"{count / 1000:.0f} kB"
    return f"{count} Bytes"
