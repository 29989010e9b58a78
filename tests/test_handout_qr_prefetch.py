"""The handout command's QR helper process delivers exactly what ``qrcode`` encodes in the parent.

Runs in a fresh interpreter (the helper forks only before Qt is loaded, as the command does).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.render import qr_prefetch

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import os, sys
from app.render import qr_prefetch
from app.render.qr_encode import encode

addresses = ["https://www.example.org/hilfe", "https://www.example.org/" + "x" * 3000,
             "https://www.bundesregierung.de/breg-de/service/warn-app"]
assert qr_prefetch.start(addresses + [addresses[0]]) is True
assert "PySide6.QtCore" not in sys.modules
# Asked out of order: the later address first, then the first one.
late = qr_prefetch.take(addresses[2])
early = qr_prefetch.take(addresses[0])
assert late == encode(addresses[2]) and early == encode(addresses[0])
assert len(early) == 29 and len(late) == 33, (len(early), len(late))  # versions 3 and 4 at level M
# Too long for any QR code: the helper skips it, the parent gets None and encodes with its own error.
assert qr_prefetch.take(addresses[1]) is None
try:
    encode(addresses[1])
except Exception as error:
    print("parent error:", type(error).__name__)
# Taken once: a second take is the parent's own business (qr_modules caches it).
assert qr_prefetch.take(addresses[0]) is None
qr_prefetch.stop()
assert qr_prefetch._child is None
try:
    os.waitpid(-1, os.WNOHANG)
except ChildProcessError:
    print("no child left")
print("ok")
"""


def test_helper_process_delivers_the_same_modules_and_skips_what_it_cannot_encode() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["parent error: ValueError", "no child left", "ok"]


def test_no_helper_once_qt_is_loaded(qapp) -> None:
    # In this test process Qt runs already (it may run threads): no fork, the caller encodes.
    assert qr_prefetch.start(["https://www.example.org/a", "https://www.example.org/b"]) is False
    assert qr_prefetch.take("https://www.example.org/a") is None
