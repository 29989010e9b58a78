"""Bundled fonts (Atkinson Hyperlegible, SIL OFL) registered with Qt once per process."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFontDatabase

from app import paths

log = logging.getLogger(__name__)
PREFERRED_FAMILIES = ("Atkinson Hyperlegible", "Atkinson Hyperlegible Next")
# When the bundled fonts cannot be loaded: the usual sans-serif of Linux, Windows, macOS.
FALLBACK_FAMILIES = ("DejaVu Sans", "Segoe UI", "Arial", "Helvetica")
_family: str | None = None


def load_bundled_fonts() -> list[str]:
    """Register every TTF/OTF below ``ressourcen/schriften``; returns the families found."""
    families: list[str] = []
    folder = paths.resource("schriften")
    if folder.is_dir():
        for font_file in sorted(folder.rglob("*")):
            if font_file.suffix.lower() in (".ttf", ".otf"):
                font_id = QFontDatabase.addApplicationFont(str(font_file))
                if font_id < 0:
                    log.warning("Schrift nicht ladbar: %s", font_file)
                    continue
                families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def projection_family() -> str:
    """The font family for projected and printed text."""
    global _family
    if _family is None:
        loaded = load_bundled_fonts()
        available = set(loaded) | set(QFontDatabase.families())
        _family = next((f for f in (*PREFERRED_FAMILIES, *FALLBACK_FAMILIES) if f in available), "Sans Serif")
    return _family
