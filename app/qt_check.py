"""Find missing Qt system libraries before a real window is opened, and name them in German."""

from __future__ import annotations

import os

from app.platform import IS_LINUX

# soname -> Debian/Ubuntu package that provides it
LINUX_QT_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-image.so.0": "libxcb-image0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
}


def missing_linux_packages() -> list[str]:
    """Debian packages whose libraries the Qt ``xcb`` platform needs but cannot load."""
    import ctypes  # here: only a Linux desktop start needs it, not every start of the window

    missing = []
    for soname, package in LINUX_QT_LIBRARIES.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    return missing


def gui_problem() -> str | None:
    """A German explanation why no window can be shown, or ``None`` if all is well."""
    if not IS_LINUX:
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return None
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return (
            "Kurslotse findet keinen Bildschirm (weder DISPLAY noch WAYLAND_DISPLAY ist gesetzt).\n"
            "Bitte Kurslotse an einem Rechner mit grafischer Oberfläche starten."
        )
    missing = missing_linux_packages()
    if missing:
        return (
            "Kurslotse kann kein Fenster öffnen, weil diese Systembibliotheken fehlen:\n  "
            + ", ".join(missing)
            + "\nBitte einmal ausführen:\n  sudo apt install "
            + " ".join(missing)
        )
    return None
