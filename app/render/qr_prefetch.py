"""QR codes of a one-shot handout command encoded in a helper process while Qt starts and lays out.

``qrcode`` chooses the best of eight mask patterns in pure Python: about a quarter of the CPU
of a booklet of all lessons (40-odd addresses). The command line knows the addresses as soon
as the lessons are read, so :func:`start` forks a child that encodes them with the same
:func:`app.render.qr_encode.encode` (same package, same modules, same pixels) while the parent
starts Qt and sets the text. The child sends each code as soon as it is done, in the order the
booklet needs them; :func:`take` reads up to the one asked for. Anything the
child did not deliver (it failed, was killed, an address was refused) is simply encoded in the
parent, with the parent's own errors. Nothing touches the disk.

Only on Linux, only before Qt is imported (no other threads yet), only from the command line.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Iterable

_child: tuple[int, object] | None = None  # (pid, read end of the pipe) while results are awaited
_pending: set[str] = set()  # addresses the child was asked for and has not delivered yet
_results: dict[str, list[list[bool]]] = {}
_HEADER = 4  # bytes of each record's length


def start(addresses: Iterable[str]) -> bool:
    """Fork a child that encodes *addresses*; False (nothing started) where that is not safe."""
    global _child
    wanted = list(dict.fromkeys(addresses))  # first appearance first: the order they are drawn
    from app.platform import IS_LINUX

    if _child is not None or len(wanted) < 2 or not IS_LINUX:
        return False
    if "PySide6.QtCore" in sys.modules:  # Qt may run threads of its own: no fork after it loaded
        return False
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return False
    if pid == 0:  # the child: encode, send, leave without running the parent's exit handlers
        status = 1
        try:
            os.close(read_end)
            from app.render.qr_encode import encode

            with os.fdopen(write_end, "wb") as pipe:
                for address in wanted:
                    try:
                        record = marshal.dumps((address, encode(address)))
                    except Exception:  # noqa: BLE001 - the parent encodes it again and reports the error
                        continue
                    pipe.write(len(record).to_bytes(_HEADER, "big") + record)
                    pipe.flush()
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    _child = (pid, os.fdopen(read_end, "rb"))
    _pending.update(wanted)
    return True


def take(address: str) -> list[list[bool]] | None:
    """The child's modules of *address* (reading the child's results up to it), or None."""
    while address not in _results and address in _pending and _child is not None:
        if not _receive():
            break
    return _results.pop(address, None)


def _receive() -> bool:
    """Read one record from the child; at its end (or on anything odd) reap it and stop waiting."""
    try:
        header = _child[1].read(_HEADER)
        record = _child[1].read(int.from_bytes(header, "big")) if len(header) == _HEADER else b""
        address, modules = marshal.loads(record) if record else (None, None)
    except (OSError, EOFError, ValueError, TypeError):
        address = modules = None
    if not isinstance(address, str) or not isinstance(modules, list):
        _finish()
        return False
    _pending.discard(address)
    _results[address] = modules
    return True


def stop() -> None:
    """End the helper (the command is done): it stops at its next write to the closed pipe."""
    if _child is not None:
        _finish()
    _results.clear()


def _finish() -> None:
    global _child
    pid, pipe = _child
    _child = None
    _pending.clear()
    pipe.close()
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
