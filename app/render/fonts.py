"""The print fonts: bundled Atkinson Hyperlegible (SIL OFL), registered once, sized in layout units.

One typeface on paper: picture text is rewritten to name the bundled family before Qt draws an
SVG (:func:`with_print_font`; the root element names it too, for text without a family), so no
second font ends up embedded in a PDF. No global font substitution: the screen keeps its fonts. Ligatures are switched off: a PDF viewer's
search and copy must find »öffnen«, not »ö\ufb00nen«.
"""

from __future__ import annotations

import logging
import re
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
_FONT_FAMILY_ATTRIBUTE = re.compile(rb'font-family\s*=\s*("[^"]*"|\'[^\']*\')')
_FONT_FAMILY_STYLE = re.compile(rb'font-family\s*:\s*[^;"\'>]*')
_SVG_START = re.compile(rb"<svg\b")
_NO_LIGATURES = ("liga", "clig", "dlig")
# Characters lesson texts use that Atkinson Hyperlegible has no glyph for; Qt would take them from
# a second font (and embed it). One character each, so text positions and formats stay valid.
# »Einstellungen > Anzeige« is also how Apple's and Google's German help write menu paths.
_PRINTABLE = str.maketrans({"→": ">", "⇒": ">", "➔": ">", "➜": ">", "▶": ">", "►": ">", "▸": ">",
                            "○": "o", "●": "•", "⋮": ":", "✓": "+", "✔": "+", "✗": "x", "✘": "x"})

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


def printable(text: str) -> str:
    """*text* with the few characters missing from the print font replaced (same length)."""
    return text.translate(_PRINTABLE)


def with_print_font(svg: bytes) -> bytes:
    """*svg* with every font-family naming the print face (call :func:`load_fonts` before drawing)."""
    family = (_family or FAMILY).encode()
    svg = _FONT_FAMILY_ATTRIBUTE.sub(b'font-family="' + family + b'"', svg)
    svg = _FONT_FAMILY_STYLE.sub(b"font-family:" + family, svg)
    # text without any family inherits it from the root element (else Qt takes the system default)
    return _SVG_START.sub(b'<svg font-family="' + family + b'"', svg, count=1)


def without_ligatures(face: QFont) -> QFont:
    """Switch off ligatures so text copied or searched in the PDF reads as typed."""
    for tag in _NO_LIGATURES:
        face.setFeature(QFont.Tag(tag), 0)
    return face


def font(size_pt: float, *, bold: bool = False, italic: bool = False) -> QFont:
    """The print font at *size_pt* points, expressed as pixels of the layout grid (see units.py).

    Pixel sizes keep text the same size on every device: the painter is scaled from layout
    units to device pixels, never the font. Hinting is off so that measurements taken during
    layout hold exactly when painting onto a PDF, a printer or the preview.
    """
    key = (size_pt, bold, italic)
    made = _made.get(key)
    if made is None:  # a booklet asks for the same few faces thousands of times
        made = QFont(load_fonts())
        made.setPixelSize(max(1, round(pt(size_pt))))
        made.setBold(bold)
        made.setItalic(italic)
        made.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        made.setKerning(True)
        _made[key] = without_ligatures(made)
    return QFont(made)  # a copy: callers may change their font


_made: dict[tuple[float, bool, bool], QFont] = {}
