"""Import PySide6's binding core with its support code compiled once, not on every start.

``import shiboken6`` (the first step of every ``import PySide6``) runs about 130,000 characters of
Python that PySide carries inside its library and hands to ``compile()`` on each start — Python's
bytecode cache never sees it. That compile costs about 0.02–0.03 s CPU, a twentieth of a whole
``kurslotse handout``.
:func:`import_shiboken` keeps the compiled code beside our own bytecode (``__pycache__``, one file
per Python version) and gives it back while the source is character for character the same; a
new PySide version, another Python or an unreadable file just compiles again.

It follows Python's own rules for bytecode: nothing is written when ``sys.dont_write_bytecode``
is set (``PYTHONDONTWRITEBYTECODE``) or the folder is read-only (an installed bundle); the file
is trusted exactly as much as the ``.pyc`` files beside it.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sys
from pathlib import Path
from types import CodeType

CACHE_FILE = Path(__file__).resolve().parent / "__pycache__" / f"shibokensupport.{sys.implementation.cache_tag}.marshal"


def import_shiboken(cache_file: Path = CACHE_FILE) -> None:
    """``import shiboken6``, with its embedded support modules compiled from the cache when it fits."""
    if "shiboken6" in sys.modules:
        return
    cache = _read(cache_file)
    fresh: dict[str, tuple[str | bytes, CodeType]] = {}
    original = builtins.compile

    def compile_once(source, filename, mode, *args, **kwargs):  # noqa: ANN001, ANN202 - compile()'s own signature
        if mode == "exec" and not args and not kwargs and isinstance(source, (str, bytes)) and isinstance(filename, str):
            known = cache.get(filename)
            if known is not None and known[0] == source:
                return known[1]
            code = original(source, filename, mode)
            fresh[filename] = (source, code)
            return code
        return original(source, filename, mode, *args, **kwargs)

    builtins.compile = compile_once  # only while shiboken6 starts (before any thread of ours runs Qt)
    try:
        import shiboken6  # noqa: F401 - the import is the point
    finally:
        builtins.compile = original
    if fresh and not sys.dont_write_bytecode:
        cache.update(fresh)
        _write(cache_file, cache)


def _read(cache_file: Path) -> dict[str, tuple[str | bytes, CodeType]]:
    try:
        data = marshal.loads(cache_file.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: entry for name, entry in data.items()
            if isinstance(name, str) and isinstance(entry, tuple) and len(entry) == 2
            and isinstance(entry[0], (str, bytes))
            and isinstance(entry[1], CodeType)}


def _write(cache_file: Path, cache: dict[str, tuple[str | bytes, CodeType]]) -> None:
    """Write next to the file and rename, as Python does with ``.pyc`` files; failures are ignored."""
    temporary = cache_file.with_name(f"{cache_file.name}.{os.getpid()}.tmp")
    try:
        cache_file.parent.mkdir(exist_ok=True)
        temporary.write_bytes(marshal.dumps(cache))
        os.replace(temporary, cache_file)
    except (OSError, ValueError):
        try:
            temporary.unlink()
        except OSError:
            pass
