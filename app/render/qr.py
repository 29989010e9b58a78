"""QR codes that scan on the first try: error correction M, 4-module quiet zone, modules ≥ 0.9 mm, vector.

The printed size follows from the code: every module is at least ``MIN_MODULE_MM`` wide, so a
long address makes a larger code instead of finer modules (a phone photo of a handout resolves
about 0.8 mm). The code is drawn as one filled path (no seams between modules at any zoom), with
its title and the address printed beside it so it can also be typed in; the address is a
clickable link in the PDF. :func:`align_codes` lines up the text column of all codes on a page.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from dataclasses import dataclass
from collections.abc import Sequence
from functools import lru_cache

from app.render.document import Block, PaintContext
from app.render.markdown import Paragraph, Run
from app.render.qr_encode import allow_lazy_pillow, encode  # noqa: F401 - allow_lazy_pillow re-exported
from app.render.text import BODY, Text, TextStyle
from app.render.units import mm

QUIET_ZONE_MODULES = 4
MIN_CODE_MM = 25.0
DEFAULT_CODE_MM = 32.0
MIN_MODULE_MM = 0.9
TEXT_GAP_MM = 2.0
LINK_TITLE = TextStyle(size=16, bold=True, line_height=1.3, paragraph_gap=0.2)
URL_STYLE = TextStyle(size=14, line_height=1.35)


@lru_cache(maxsize=256)
def qr_modules(data: str) -> list[list[bool]]:
    """The dark/light modules of *data* (without quiet zone), error correction level M or better.

    Cached: a booklet prints the same help links in several lessons. Callers only read the result.
    The maintained ``qrcode`` package encodes (no encoder of our own; see
    :mod:`app.render.qr_encode`); the handout command may have encoded it already in a helper
    process (:mod:`app.render.qr_prefetch`, same function).
    """
    from app.render import qr_prefetch

    prefetched = qr_prefetch.take(data)
    return prefetched if prefetched is not None else encode(data)


def qr_rects(modules: list[list[bool]], module_size: float) -> list[QRectF]:
    """The dark modules as few rectangles: runs of a row, stacked while the rows below repeat them.

    Painted with one ``drawRects`` call, which Qt's PDF writer stores as one filled path of
    ``re`` operators (a quarter of the bytes of the same path from ``fillPath``; no seams).
    """
    return [QRectF(x * module_size, y * module_size, w * module_size, h * module_size)
            for x, y, w, h in module_rects(modules)]


def module_rects(modules: list[list[bool]]) -> list[tuple[int, int, int, int]]:
    """(column, row, width, height) in modules of the rectangles :func:`qr_rects` draws."""
    open_runs: dict[tuple[int, int], list[int]] = {}  # (start, end) -> [first row, row count]
    rects: list[tuple[int, int, int, int]] = []
    for row_index, row in enumerate(modules):
        runs = []
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            runs.append((start, column))
        for key in [key for key in open_runs if key not in runs]:
            first, count = open_runs.pop(key)
            rects.append((key[0], first, key[1] - key[0], count))
        for key in runs:
            if key in open_runs:
                open_runs[key][1] += 1
            else:
                open_runs[key] = [row_index, 1]
    rects.extend((start, first, end - start, count) for (start, end), (first, count) in open_runs.items())
    return rects


_rects_by_url: dict[str, list[tuple[int, int, int, int]]] = {}  # a booklet paints the same help links often


@dataclass
class LinkRun(Run):
    """A run that becomes a clickable link in the PDF."""

    href: str = ""


class QrCode(Block):
    """A QR code with quiet zone on the left, title, address and a hint on the right; never split."""

    def __init__(self, url: str, title: str = "", *, hint: str = "", code_mm: float = DEFAULT_CODE_MM) -> None:
        if not url.lower().startswith("https://"):
            raise ValueError(f"Nur https-Adressen werden als QR-Code gedruckt: {url}")
        self.url = url
        self.title = title
        self.modules = qr_modules(url)
        count = len(self.modules)
        self.module_size = max(mm(max(code_mm, MIN_CODE_MM)) / count, mm(MIN_MODULE_MM))
        self.side = self.module_size * (count + 2 * QUIET_ZONE_MODULES)
        self.text_x = self.side + mm(TEXT_GAP_MM)  # align_codes() moves it to the widest code's edge
        self.texts: list[Text] = []
        if title:
            self.texts.append(Text(title, LINK_TITLE, space_before=0, space_after=mm(1)))
        self.texts.append(Text([Paragraph([LinkRun(url, href=url)])], URL_STYLE, space_before=0, space_after=mm(1)))
        if hint:
            self.texts.append(Text(hint, BODY, space_before=0, space_after=0))
        self.space_before = self.space_after = mm(3)

    @property
    def code_size(self) -> float:
        """Printed side of the code without quiet zone, in layout units."""
        return self.module_size * len(self.modules)

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        text_width = width - self.text_x
        total = self.quiet
        for text in self.texts:
            total += text.measure(text_width, page_height) + text.space_after
        self.height = max(self.side, total)
        return self.height

    @property
    def quiet(self) -> float:
        return self.module_size * QUIET_ZONE_MODULES

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(QRectF(x, y, self.side, self.side), QColor("#ffffff"))
        painter.translate(x + self.quiet, y + self.quiet)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#000000"))
        rects = _rects_by_url.get(self.url)
        if rects is None:
            if len(_rects_by_url) > 256:
                _rects_by_url.clear()
            rects = _rects_by_url[self.url] = module_rects(self.modules)
        size = self.module_size
        painter.drawRects([QRectF(x * size, y * size, w * size, h * size) for x, y, w, h in rects])
        painter.restore()
        top = y + self.quiet
        for text in self.texts:
            text.paint(painter, x + self.text_x, top, context)
            top += text.height + text.space_after


def align_codes(codes: Sequence[QrCode]) -> None:
    """One text column for all *codes*: beside the widest code, so titles and addresses line up."""
    if codes:
        column = max(code.side for code in codes) + mm(TEXT_GAP_MM)
        for code in codes:
            code.text_x = column
