"""Guards against a Qt binding release that corrupts Python's reference counts."""

from __future__ import annotations

import sys

from PySide6.QtGui import QFont


def test_void_calls_keep_none_refcount_stable(qapp):
    """PySide6 6.12.0 decrements None on each void call; on Python 3.11 that aborts the program."""
    font = QFont()
    font.setBold(True)
    before = sys.getrefcount(None)
    for _ in range(1000):
        font.setBold(True)
    after = sys.getrefcount(None)
    assert abs(after - before) < 50
