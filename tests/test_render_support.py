"""Tools that read written PDFs back (text, font sizes, object positions, QR codes) — and their own tests.

Reading is done with pure-pip libraries so a clean CI machine needs no poppler:
pypdfium2 renders pages and lists page objects with their bounds; pypdf extracts text and reports
every text run with its font size and matrices; zxing-cpp decodes QR codes from the rendered pages.
Font sizes come from pypdf because it gives text *and* size per run: the size on paper is the
``Tf`` size times the vertical scale of text matrix × current transformation matrix.
"""

from __future__ import annotations

import ctypes
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

MM = 72 / 25.4  # PDF points per millimetre


@dataclass(frozen=True)
class TextRun:
    page: int
    text: str
    size: float  # points on paper
    font: str


@dataclass(frozen=True)
class PageObject:
    page: int
    kind: str  # "text", "path", "image", "shading", "form"
    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True)
class QrResult:
    page: int
    text: str
    ec_level: str
    width_mm: float
    quiet_zone_ok: bool
    centre_mm: tuple[float, float] = (0.0, 0.0)  # from the page's top-left corner


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def page_texts(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [normalise(page.extract_text() or "") for page in PdfReader(str(path)).pages]


def quick_page_texts(path: Path) -> list[str]:
    """The text of every page like :func:`page_texts`, read by pdfium (C, about 50 times faster for a
    280-page booklet). pdfium keeps list bullets and puts no space before a full stop after bold text."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for index in range(len(document)):
            text_page = document[index].get_textpage()
            texts.append(normalise(text_page.get_text_range()))
            text_page.close()
        return texts
    finally:
        document.close()


def pdf_text(path: Path) -> str:
    return " ".join(page_texts(path))


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def text_runs(path: Path) -> list[TextRun]:
    """Every non-blank text run with its size on paper (see module docstring)."""
    from pypdf import PdfReader

    runs: list[TextRun] = []
    for number, page in enumerate(PdfReader(str(path)).pages, 1):
        def visit(text, cm, tm, font_dict, font_size, number=number):
            if not text.strip() or not font_size:
                return
            # row-vector convention: text space → user space is Tm × CTM
            b = tm[0] * cm[1] + tm[1] * cm[3]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            name = str(font_dict.get("/BaseFont", "")) if font_dict else ""
            runs.append(TextRun(number, normalise(text), font_size * math.hypot(b, d), name))

        page.extract_text(visitor_text=visit)
    return runs


_KINDS = {1: "text", 2: "path", 3: "image", 4: "shading", 5: "form"}


def page_objects(path: Path) -> list[PageObject]:
    """Bounds of every painted object in PDF points (origin bottom-left).

    pdfium widens the bounds of a stroked path by the whole line width on each side; the ink
    reaches only half of it, so half the width is taken off again.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    found: list[PageObject] = []
    document = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(document)):
            page = document[index]
            for obj in page.get_objects():
                kind = _KINDS.get(obj.type, "other")
                if kind == "form":
                    continue  # its children are listed themselves
                left, bottom, right, top = obj.get_bounds()
                if kind == "path":
                    fill, stroke = ctypes.c_int(), ctypes.c_int()
                    raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
                    if stroke.value:
                        width = ctypes.c_float()
                        raw.FPDFPageObj_GetStrokeWidth(obj, ctypes.byref(width))
                        a, b, c, d, _, _ = obj.get_matrix().get()
                        half = width.value * math.sqrt(abs(a * d - b * c)) / 2
                        left, bottom, right, top = left + half, bottom + half, right - half, top - half
                found.append(PageObject(index + 1, kind, left, bottom, right, top))
    finally:
        document.close()
    return found


def render_pages(path: Path, dpi: int = 150, pages: set[int] | None = None):
    """Every page (or the page numbers in *pages*, from 1) as a PIL image at *dpi*."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return [document[index].render(scale=dpi / 72).to_pil() for index in range(len(document))
                if pages is None or index + 1 in pages]
    finally:
        document.close()


def decode_qr_codes(path: Path, dpi: int = 150, pages: set[int] | None = None) -> list[QrResult]:
    """Decode every QR code on every page (or on *pages*); also measure its printed size and check its quiet zone."""
    import zxingcpp

    results = []
    images = render_pages(path, dpi, pages)
    numbers = list(range(1, len(images) + 1)) if pages is None else sorted(pages)
    assert len(numbers) == len(images), f"Seiten {sorted(pages or ())} nicht alle im PDF"
    for number, image in zip(numbers, images):
        grey = image.convert("L")
        for code in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode):
            corners = code.position
            xs = [corners.top_left.x, corners.top_right.x, corners.bottom_left.x, corners.bottom_right.x]
            ys = [corners.top_left.y, corners.top_right.y, corners.bottom_left.y, corners.bottom_right.y]
            width_px = max(xs) - min(xs)
            modules = 17 + 4 * _version(code)
            module_px = width_px / modules
            centre = (sum(xs) / 4 / dpi * 25.4, sum(ys) / 4 / dpi * 25.4)
            results.append(QrResult(number, code.text, str(code.ec_level), width_px / dpi * 25.4,
                                    _quiet_zone_white(grey, min(xs), min(ys), max(xs), max(ys), module_px), centre))
    return results


def _version(code) -> int:
    """The symbol version (module count = 17 + 4 × version) as zxing-cpp reports it."""
    return int(code.extra["Version"])


def _quiet_zone_white(grey, left, top, right, bottom, module_px) -> bool:
    """The 4-module ring around the symbol is white (half a module of slack for anti-aliasing).

    Every pixel of the box is compared at once (numpy, a dependency of scipy and highspy); the loop
    over pixels in Python took 1.5 s of the booklet test's 13 s."""
    import numpy as np

    outer = 4 * module_px
    inner = module_px * 0.5
    x0, y0 = max(0, int(left - outer)), max(0, int(top - outer))
    x1, y1 = min(grey.width, int(right + outer)), min(grey.height, int(bottom + outer))
    if x0 >= x1 or y0 >= y1:
        return True
    box = np.asarray(grey)[y0:y1, x0:x1]
    xs, ys = np.arange(x0, x1), np.arange(y0, y1)
    inside = ((ys >= top - inner) & (ys <= bottom + inner))[:, None] & ((xs >= left - inner) & (xs <= right + inner))[None, :]
    return not bool(np.any((box < 128) & ~inside))


def picture_words(folders) -> set[str]:
    """Every word written inside the SVG pictures of the lesson *folders* (picture text may be 12 pt)."""
    import xml.etree.ElementTree as ElementTree

    words: set[str] = set()
    for folder in folders:
        for picture in Path(folder).glob("bilder/*.svg"):
            for element in ElementTree.parse(picture).iter():
                if element.tag.endswith("text") and element.text:
                    words.update(element.text.split())
    return words


def body_runs_too_small(runs, folders, body_pt: float = 14.0, picture_pt: float = 12.0) -> list:
    """Runs under *body_pt*, except picture text, which may go down to *picture_pt* (issue 14)."""
    allowed = picture_words(folders)
    small = []
    for run in runs:
        limit = picture_pt if run.text.strip() and set(run.text.split()) <= allowed else body_pt
        if run.size < limit - 0.01:
            small.append(run)
    return small


def placed_blocks(layout):
    """(page number, block, top in layout units from the body's top) of every block, inside groups too."""
    from app.render.keep import Group

    def walk(block, y):
        yield block, y
        if isinstance(block, Group):
            for child, offset in zip(block.children, block.offsets):
                yield from walk(child, y + offset)

    for number, page in enumerate(layout.pages, 1):
        for placed in page.placed:
            for block, y in walk(placed.block, placed.y):
                yield number, block, y


# --- tests of the tools themselves ----------------------------------------------------------


def _write_probe_pdf(path: Path, sizes: list[float]) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainter, QPdfWriter

    from app.render.fonts import font
    from app.render.output import prepare_pdf_writer
    from app.render.units import mm

    writer = QPdfWriter(str(path))
    prepare_pdf_writer(writer, "Probe")
    painter = QPainter(writer)
    for index, size in enumerate(sizes):
        painter.setFont(font(size))
        painter.drawText(QPointF(mm(30), mm(40 + 20 * index)), f"Größe{size:g}")
    painter.end()


def test_font_sizes_are_read_as_printed(qapp, tmp_path: Path) -> None:
    probe = tmp_path / "probe.pdf"
    _write_probe_pdf(probe, [10, 14, 20])
    sizes = {run.text: round(run.size, 2) for run in text_runs(probe)}
    assert sizes == {"Größe10": 10.0, "Größe14": 14.0, "Größe20": 20.0}


def test_qr_codes_are_decoded_with_size_and_quiet_zone(qapp, tmp_path: Path) -> None:
    from app.render.document import Document
    from app.render.output import write_pdf
    from app.render.qr import QrCode

    target = tmp_path / "qr.pdf"
    write_pdf(Document().add(QrCode("https://example.org/pfad?x=1", "Beispiel")), target)
    (result,) = decode_qr_codes(target)
    assert result.text == "https://example.org/pfad?x=1"
    assert result.ec_level in ("M", "Q", "H")
    assert result.width_mm == pytest.approx(32, abs=1.0)
    assert result.quiet_zone_ok
