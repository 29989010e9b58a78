"""Bar charts painted with QPainter: a block for printed reports, the same painting for the screen.

Charts are plain data (:class:`ChartData`); :func:`paint_chart` draws one into a rectangle given
in layout units (1/720 inch, see :mod:`app.render.units`), so the PDF, the printer and a widget
(which scales its painter) share one code path. A value that is hidden for privacy (»<3«) gets no
bar, only its label — a chart must never show what the table hides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

from app.domain.indicators import Hidden
from app.render.document import Block, PaintContext
from app.render.fonts import font
from app.render.units import mm, pt

# Dark tones (≥ 4.5:1 on white) plus a pattern per series, so a black-and-white printer keeps
# every bar and the legend apart: solid, diagonal hatching, cross-hatching, horizontal lines.
SERIES_COLOURS = ("#0b4f8a", "#8a4500", "#00654a", "#6b2a5a")
SERIES_PATTERNS = ("solid", "diagonal", "cross", "lines")
# A series keeps its look in every chart of a report, whatever its position in the chart.
SERIES_BY_NAME = {"Termine stattgefunden": 0, "Erreichte Personen": 1}
HATCH_MM = 1.6
HATCH_PT = 1.3
TEXT = QColor("#000000")
GRID = QColor("#767676")  # 4.5:1 on white: the grid survives a black-and-white printer
TITLE_PT = 14.0
LABEL_PT = 11.0
VALUE_PT = 10.0

Value = float | int | Hidden | None


@dataclass(frozen=True)
class ChartData:
    """Categories along one axis, one or more series of values; horizontal bars suit long names."""

    title: str
    categories: list[str]
    series: list[tuple[str, list[Value]]]
    horizontal: bool = False
    unit: str = ""

    @property
    def empty(self) -> bool:
        return not self.categories or all(not _number(v) for _name, values in self.series for v in values)


def _number(value: Value) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _value_text(value: Value) -> str:
    if isinstance(value, Hidden):
        return value.text
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", ".")


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A round grid step (1, 2, 5 × 10ⁿ) giving about *ticks* lines up to *maximum*."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1.0, factor * power)
    return max(1.0, 10 * power)


def chart_height(data: ChartData, width: float) -> float:
    """A good height in layout units for *data* drawn *width* wide."""
    if data.horizontal:
        rows = max(1, len(data.categories)) * max(1, len(data.series))
        return pt(TITLE_PT * 1.8) + _legend_height(data) + rows * pt(LABEL_PT * 1.9) + pt(LABEL_PT * 2.2)
    return min(width * 0.55, mm(95))


def _legend_height(data: ChartData) -> float:
    return pt(LABEL_PT * 1.8) if len(data.series) > 1 else 0.0


def paint_chart(painter: QPainter, rect: QRectF, data: ChartData) -> None:
    """Draw *data* into *rect* (layout units): title, legend, grid, bars, labels."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    title_font = font(TITLE_PT, bold=True)
    painter.setFont(title_font)
    painter.setPen(TEXT)
    metrics = QFontMetricsF(title_font)
    painter.drawText(QPointF(rect.left(), rect.top() + metrics.ascent()), data.title)
    top = rect.top() + pt(TITLE_PT * 1.8)
    if len(data.series) > 1:
        _paint_legend(painter, QRectF(rect.left(), top, rect.width(), _legend_height(data)), data)
        top += _legend_height(data)
    area = QRectF(rect.left(), top, rect.width(), rect.bottom() - top)
    if data.empty:
        painter.setFont(font(LABEL_PT))
        painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter), "Keine Werte im Zeitraum")
    elif data.horizontal:
        _paint_horizontal(painter, area, data)
    else:
        _paint_vertical(painter, area, data)
    painter.restore()


def series_style(name: str, index: int) -> int:
    """The style number of a series: fixed for the report's known series, else by position."""
    return SERIES_BY_NAME.get(name, index) % len(SERIES_COLOURS)


def paint_bar(painter: QPainter, rect: QRectF, style: int) -> None:
    """One bar (or legend swatch) in the series' dark colour and pattern."""
    colour = QColor(SERIES_COLOURS[style])
    pattern = SERIES_PATTERNS[style]
    if pattern == "solid":
        painter.fillRect(rect, QBrush(colour))
        return
    painter.save()
    painter.fillRect(rect, QColor("#ffffff"))
    painter.setClipRect(rect)
    painter.setPen(QPen(colour, pt(HATCH_PT)))
    step = mm(HATCH_MM)
    if pattern in ("diagonal", "cross"):
        offset = -rect.height()
        while offset < rect.width():
            start = QPointF(rect.left() + offset, rect.bottom())
            painter.drawLine(start, QPointF(start.x() + rect.height(), rect.top()))
            if pattern == "cross":
                painter.drawLine(QPointF(rect.left() + offset, rect.top()),
                                 QPointF(rect.left() + offset + rect.height(), rect.bottom()))
            offset += step
    else:
        y = rect.top() + step / 2
        while y < rect.bottom():
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            y += step
    painter.setClipping(False)
    half = pt(0.6)
    painter.setPen(QPen(colour, 2 * half))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect.adjusted(half, half, -half, -half))
    painter.restore()


def _paint_legend(painter: QPainter, rect: QRectF, data: ChartData) -> None:
    label_font = font(LABEL_PT)
    metrics = QFontMetricsF(label_font)
    painter.setFont(label_font)
    x = rect.left()
    box = pt(LABEL_PT * 0.9)
    baseline = rect.top() + metrics.ascent()
    for index, (name, _values) in enumerate(data.series):
        paint_bar(painter, QRectF(x, baseline - box, box, box), series_style(name, index))
        x += box + mm(2)
        painter.setPen(TEXT)
        painter.drawText(QPointF(x, baseline), name)
        x += metrics.horizontalAdvance(name) + mm(8)


def _grid_lines(maximum: float) -> tuple[float, float]:
    step = nice_step(maximum)
    top = step * math.ceil(maximum / step) if maximum > 0 else step
    return step, top


def _paint_vertical(painter: QPainter, area: QRectF, data: ChartData) -> None:
    label_font, value_font = font(LABEL_PT), font(VALUE_PT)
    label_metrics, value_metrics = QFontMetricsF(label_font), QFontMetricsF(value_font)
    maximum = max((_number(v) for _name, values in data.series for v in values), default=0.0)
    step, top_value = _grid_lines(maximum)
    axis_width = label_metrics.horizontalAdvance(_value_text(top_value)) + mm(3)
    label_height = label_metrics.height() + mm(2)
    plot = QRectF(area.left() + axis_width, area.top() + value_metrics.height() + mm(1),
                  area.width() - axis_width, area.height() - label_height - value_metrics.height() - mm(1))
    _paint_grid(painter, plot, step, top_value, label_font, vertical=True)
    count = len(data.categories)
    slot = plot.width() / count
    groups = len(data.series)
    bar = slot * 0.8 / groups
    widest_value = max((value_metrics.horizontalAdvance(_value_text(v)) for _n, values in data.series
                        for v in values), default=0.0)
    show_values = widest_value <= bar * 1.15
    widest_label = max((label_metrics.horizontalAdvance(c) for c in data.categories), default=0.0)
    every = max(1, math.ceil((widest_label + mm(2)) / slot))
    for index, category in enumerate(data.categories):
        left = plot.left() + index * slot + slot * 0.1
        for number, (name, values) in enumerate(data.series):
            value = values[index] if index < len(values) else None
            x = left + number * bar
            height = plot.height() * _number(value) / top_value
            if height > 0:
                paint_bar(painter, QRectF(x, plot.bottom() - height, bar * 0.92, height), series_style(name, number))
            if (show_values and value is not None) or isinstance(value, Hidden):
                text = _value_text(value)
                if text and (text != "0" or isinstance(value, Hidden)):
                    painter.setFont(value_font)
                    painter.setPen(TEXT)
                    width = value_metrics.horizontalAdvance(text)
                    painter.drawText(QPointF(x + (bar * 0.92 - width) / 2, plot.bottom() - height - mm(0.8)), text)
        if index % every == 0:
            painter.setFont(label_font)
            painter.setPen(TEXT)
            width = label_metrics.horizontalAdvance(category)
            centre = plot.left() + index * slot + slot / 2
            painter.drawText(QPointF(centre - width / 2, plot.bottom() + mm(1.5) + label_metrics.ascent()), category)
    _paint_axis(painter, plot)


def _paint_horizontal(painter: QPainter, area: QRectF, data: ChartData) -> None:
    label_font, value_font = font(LABEL_PT), font(VALUE_PT)
    label_metrics, value_metrics = QFontMetricsF(label_font), QFontMetricsF(value_font)
    maximum = max((_number(v) for _name, values in data.series for v in values), default=0.0)
    step, top_value = _grid_lines(maximum)
    names_width = min(area.width() * 0.38, max(label_metrics.horizontalAdvance(c) for c in data.categories) + mm(3))
    scale_height = label_metrics.height() + mm(1.5)
    plot = QRectF(area.left() + names_width, area.top(), area.width() - names_width - mm(12),
                  area.height() - scale_height)
    _paint_grid(painter, plot, step, top_value, label_font, vertical=False)
    count = len(data.categories)
    slot = plot.height() / count
    groups = len(data.series)
    bar = slot * 0.72 / groups
    for index, category in enumerate(data.categories):
        top = plot.top() + index * slot + slot * 0.14
        painter.setFont(label_font)
        painter.setPen(TEXT)
        shown = label_metrics.elidedText(category, Qt.TextElideMode.ElideRight, names_width - mm(3))
        baseline = plot.top() + index * slot + (slot + label_metrics.ascent() - label_metrics.descent()) / 2
        painter.drawText(QPointF(area.left(), baseline), shown)
        for number, (name, values) in enumerate(data.series):
            value = values[index] if index < len(values) else None
            y = top + number * bar
            length = plot.width() * _number(value) / top_value
            if length > 0:
                paint_bar(painter, QRectF(plot.left(), y, length, bar * 0.92), series_style(name, number))
            text = _value_text(value)
            if text:
                painter.setFont(value_font)
                painter.setPen(TEXT)
                painter.drawText(QPointF(plot.left() + length + mm(1.2),
                                         y + (bar * 0.92 + value_metrics.ascent() - value_metrics.descent()) / 2), text)
    _paint_axis(painter, plot, horizontal=True)


def _paint_grid(painter: QPainter, plot: QRectF, step: float, top_value: float, label_font: QFont, *,
                vertical: bool) -> None:
    metrics = QFontMetricsF(label_font)
    painter.setFont(label_font)
    grid_pen = QPen(GRID, pt(0.5))
    value = 0.0
    while value <= top_value + 1e-9:
        share = value / top_value
        text = _value_text(int(value) if float(value).is_integer() else value)
        painter.setPen(grid_pen)
        if vertical:
            y = plot.bottom() - share * plot.height()
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(TEXT)
            painter.drawText(QPointF(plot.left() - mm(1.5) - metrics.horizontalAdvance(text),
                                     y + (metrics.ascent() - metrics.descent()) / 2), text)
        else:
            x = plot.left() + share * plot.width()
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(TEXT)
            painter.drawText(QPointF(x - metrics.horizontalAdvance(text) / 2, plot.bottom() + mm(1) + metrics.ascent()),
                             text)
        value += step


def _paint_axis(painter: QPainter, plot: QRectF, horizontal: bool = False) -> None:
    painter.setPen(QPen(TEXT, pt(1.0)))
    if horizontal:
        painter.drawLine(QPointF(plot.left(), plot.top()), QPointF(plot.left(), plot.bottom()))
    else:
        painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))


class BarChart(Block):
    """A chart in the flow of a printed document; never split across pages."""

    def __init__(self, data: ChartData, height: float | None = None) -> None:
        self.data = data
        self.fixed_height = height
        self.space_before = mm(4)
        self.space_after = mm(6)

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        self.height = min(self.fixed_height or chart_height(self.data, width), page_height)
        return self.height

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        paint_chart(painter, QRectF(x, y, self.width, self.height), self.data)
