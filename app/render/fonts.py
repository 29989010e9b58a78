"""The print fonts: bundled Atkinson Hyperlegible (SIL OFL), registered once, sized in layout units."""

from __future__ import annotations

import logging
import threading

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from app import paths
from app.render.units import pt

log = logging.getLogger(__name__)

FAMILY = "Atkinson Hyperlegible"
FONT_FILES = (
    "AtkinsonHyperlegible-Regular.ttf",
    "AtkinsonHyperlegible-Bold.ttf",
    "AtkinsonHyperlegible-Italic.ttf",
    "AtkinsonHyperlegible-BoldItalic.ttf",
)
FALLBACK_FAMILY = "sans-serif"

_lock = threading.Lock()
_family: str | None = None


def load_fonts() -> str:
    """Register the bundled fonts with Qt (once per process) and return the family to print with.

    Needs a QGuiApplication. When the files are missing (damaged installation) the system's
    sans-serif font is used and a warning is logged: a handout in another font beats no handout.
    """
    global _family
    with _lock:
        if _family is not None:
            return _family
        if QGuiApplication.instance() is None:
            raise RuntimeError("Für Schriften und PDF wird eine QGuiApplication gebraucht (zuerst anlegen).")
        family = None
        for name in FONT_FILES:
            path = paths.resource("schriften", name)
            font_id = QFontDatabase.addApplicationFont(str(path)) if path.is_file() else -1
            if font_id < 0:
                log.warning("Schrift %s konnte nicht geladen werden", path)
                continue
            families = QFontDatabase.applicationFontFamilies(font_id)
            family = family or (families[0] if families else None)
        _family = family or FALLBACK_FAMILY
        return _family


def font(size_pt: float, *, bold: bool = False, italic: bool = False) -> QFont:
    """The print font at *size_pt* points, expressed as pixels of the layout grid (see units.py).

    Pixel sizes keep text the same size on every device: the painter is scaled from layout
    units to device pixels, never the font. Hinting is off so that measurements taken during
    layout hold exactly when painting onto a PDF, a printer or the preview.
    """
    result = QFont(load_fonts())
    result.setPixelSize(max(1, round(pt(size_pt))))
    result.setBold(bold)
    result.setItalic(italic)
    result.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    result.setKerning(True)
    return result
