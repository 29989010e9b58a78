"""PyInstaller runtime hook of the Linux bundle: show windows through X11 on a Wayland desktop.

The bundle carries Qt's X11 (xcb) platform plugin, not the Wayland one (build.spec leaves it and
its libraries out; the presenter relies on placing windows on the projector screen, which X11
allows). Qt on a Wayland session tries »wayland« first and prints »Could not find the Qt platform
plugin "wayland"« before it falls back to X11 (XWayland). Asking for xcb directly skips that.
A platform the user chose (QT_QPA_PLATFORM) is kept; without an X11 display nothing is changed.
"""

from __future__ import annotations

import os
import sys


def choose_platform(environ: dict[str, str] | os._Environ, platform: str) -> None:
    """Set ``QT_QPA_PLATFORM=xcb`` in *environ* on Linux when an X11 display exists and none was chosen."""
    if platform.startswith("linux") and not environ.get("QT_QPA_PLATFORM") and environ.get("DISPLAY"):
        environ["QT_QPA_PLATFORM"] = "xcb"


choose_platform(os.environ, sys.platform)
