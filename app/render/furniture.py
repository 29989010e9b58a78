"""Header and footer of every page: organisation (logo and name), section title, »Seite x von y«."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter

from app.render.blocks import BLACK
from app.render.document import PageInfo, PageStyle
from app.render.fonts import font
from app.render.pictures import LoadedPicture, paint_picture
from app.render.units import mm, pt

FURNITURE_PT = 14.0  # header and footer are as large as body text: they are read, too


@dataclass
class StandardFurniture:
    """Organisation left and section title right in the header; a note left, page number right below."""

    organisation: str = "Kurslotse"
    logo: LoadedPicture | None = None
    footer_note: str = ""

    def page_style(self, **margins: float) -> PageStyle:
        return PageStyle(header=self.paint_header, header_height=12.0, footer=self.paint_footer,
                         footer_height=8.0, **margins)

    def paint_header(self, painter: QPainter, rect: QRectF, info: PageInfo) -> None:
        if info.plain:
            return
        left = rect.left()
        text_height = rect.height() - pt(1.5) - mm(1.5)
        if self.logo is not None and self.logo.ok:
            logo_height = text_height
            logo_width = min(mm(40), logo_height * self.logo.width / self.logo.height)
            logo_height = logo_width * self.logo.height / self.logo.width
            paint_picture(painter, self.logo, QRectF(left, rect.top() + (text_height - logo_height) / 2,
                                                     logo_width, logo_height))
            left += logo_width + mm(3)
        half = (rect.right() - left - mm(4)) / 2
        band = QRectF(left, rect.top(), rect.right() - left, text_height)
        _text(painter, self.organisation, band, bold=True, width=half if info.section else band.width())
        if info.section:
            _text(painter, info.section, band, width=half, right=True)
        painter.fillRect(QRectF(rect.left(), rect.bottom() - pt(1.5), rect.width(), pt(1.5)), BLACK)

    def paint_footer(self, painter: QPainter, rect: QRectF, info: PageInfo) -> None:
        if info.plain:
            return
        painter.fillRect(QRectF(rect.left(), rect.top(), rect.width(), pt(0.75)), BLACK)
        band = QRectF(rect.left(), rect.top() + mm(1), rect.width(), rect.height() - mm(1))
        number = f"Seite {info.number} von {info.total}"
        number_width = _fitted(number, None, False)[1]
        if self.footer_note:
            _text(painter, self.footer_note, band, width=band.width() - number_width - mm(6))
        _text(painter, number, band, width=None, right=True)  # never shortened


def _text(painter: QPainter, text: str, band: QRectF, *, width: float | None, bold: bool = False,
          right: bool = False) -> None:
    """One line, vertically centred in *band*, shortened with »…« if wider than *width* (if given)."""
    shown, advance, height, ascent = _fitted(text, width, bold)
    x = band.right() - advance if right else band.left()
    baseline = band.top() + (band.height() - height) / 2 + ascent
    painter.save()
    painter.setFont(font(FURNITURE_PT, bold=bold))
    painter.setPen(BLACK)
    painter.drawText(QPointF(x, baseline), shown)
    painter.restore()


_fitted_cache: dict[tuple[str, float | None, bool], tuple[str, float, float, float]] = {}


def _fitted(text: str, width: float | None, bold: bool) -> tuple[str, float, float, float]:
    """(shown text, its advance, line height, ascent) of a header/footer line; elided to *width*.

    Plain numbers, cached: a booklet paints the same organisation, section and »Seite x von y«
    lines on hundreds of pages, and measuring them again on each page was a tenth of its painting.
    """
    key = (text, width, bold)
    found = _fitted_cache.get(key)
    if found is None:
        metrics = QFontMetricsF(font(FURNITURE_PT, bold=bold))
        shown = text if width is None else metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        found = (shown, metrics.horizontalAdvance(shown), metrics.height(), metrics.ascent())
        if len(_fitted_cache) > 4096:
            _fitted_cache.clear()
        _fitted_cache[key] = found
    return found
