"""The other building blocks of a printed page: boxes, tick-box lists, tables, ruled lines, contents."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.render.document import EPSILON, Block, PaintContext
from app.render.fonts import font
from app.render.text import BODY, Text, TextStyle
from app.render.units import mm, pt

BLACK = QColor("#000000")
GREY = QColor("#555555")


def pen(width_pt: float, color: QColor = BLACK, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    result = QPen(color, pt(width_pt), style)
    result.setCapStyle(Qt.PenCapStyle.FlatCap)
    result.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
    return result


class Spacer(Block):
    """Empty vertical space (disappears at the top of a page)."""

    def __init__(self, height: float) -> None:
        self.space_before = height

    def measure(self, width: float, page_height: float) -> float:
        self.width, self.height = width, 0.0
        return 0.0


class Rule(Block):
    """A horizontal line across the flow."""

    def __init__(self, thickness_pt: float = 1.0, space: float = mm(3)) -> None:
        self.thickness = thickness_pt
        self.space_before = self.space_after = space

    def measure(self, width: float, page_height: float) -> float:
        self.width, self.height = width, pt(self.thickness)
        return self.height

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        painter.fillRect(QRectF(x, y, self.width, self.height), BLACK)


class Box(Block):
    """Text in a frame (Merksatz, trainer notes); if it must be cut, the frame stays open at the cut."""

    def __init__(self, inner: Text, *, frame_pt: float = 1.5, padding: float = mm(4), dashed: bool = False,
                 space: float = mm(4)) -> None:
        self.inner = inner
        self.frame = pt(frame_pt)
        self.padding = padding
        self.dashed = dashed
        self.open_top = False
        self.open_bottom = False
        self.space_before = self.space_after = space

    def _edge(self, is_open: bool) -> float:
        return 0.0 if is_open else self.frame + self.padding

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        self.inner.measure(width - 2 * (self.frame + self.padding), page_height)
        self.height = self._edge(self.open_top) + self.inner.height + self._edge(self.open_bottom)
        return self.height

    def split(self, available: float) -> tuple[Block, Block] | None:
        parts = self.inner.split(available - self._edge(self.open_top))
        if parts is None:
            return None
        head, tail = self.clone(), self.clone()
        assert isinstance(head, Box) and isinstance(tail, Box)
        head.inner, tail.inner = parts[0], parts[1]
        head.open_bottom, tail.open_top = True, True
        for part in (head, tail):
            part.height = part._edge(part.open_top) + part.inner.height + part._edge(part.open_bottom)
        tail.space_before = 0.0
        return head, tail

    def min_head(self) -> float:
        return min(self.height, self._edge(self.open_top) + self.inner.min_head() + self.frame + self.padding)

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        half = self.frame / 2
        left, right = x + half, x + self.width - half
        top, bottom = y + half, y + self.height - half
        painter.save()
        painter.setPen(pen(self.frame / pt(1), style=Qt.PenStyle.DashLine if self.dashed else Qt.PenStyle.SolidLine))
        painter.drawLine(QPointF(left, top), QPointF(left, bottom))
        painter.drawLine(QPointF(right, top), QPointF(right, bottom))
        if not self.open_top:
            painter.drawLine(QPointF(left, top), QPointF(right, top))
        if not self.open_bottom:
            painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
        painter.restore()
        self.inner.paint(painter, x + self.frame + self.padding, y + self._edge(self.open_top), context)


class Rows(Block, ABC):
    """A block made of rows: may be cut between rows; an optional header repeats on every page."""

    row_gap = 0.0
    min_rows = 1  # fewest rows left on either side of a cut (2 avoids a lone item on a page)

    def __init__(self) -> None:
        self.heights: list[float] = []
        self.header_height = 0.0
        self.first = 0
        self.last = 0

    @abstractmethod
    def measure_rows(self, width: float) -> list[float]:
        """Height of every row at *width*."""

    @abstractmethod
    def paint_row(self, painter: QPainter, index: int, x: float, y: float, context: PaintContext) -> None:
        """Paint row *index* with its top-left corner at (*x*, *y*)."""

    def paint_header(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        """Subclasses with ``header_height`` > 0 paint their header here."""

    def _height(self, first: int, last: int) -> float:
        rows = self.heights[first:last]
        return self.header_height + sum(rows) + self.row_gap * max(0, len(rows) - 1)

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        self.heights = self.measure_rows(width)
        self.first, self.last = 0, len(self.heights)
        self.height = self._height(self.first, self.last)
        return self.height

    def split(self, available: float) -> tuple[Block, Block] | None:
        keep = self.min_rows if self.last - self.first >= 2 * self.min_rows else 1
        count = 0
        for end in range(self.first + keep, self.last - keep + 1):
            if self._height(self.first, end) <= available + EPSILON:
                count = end - self.first
            else:
                break
        if count == 0:
            return None
        return self._slice(self.first, self.first + count), self._slice(self.first + count, self.last)

    def min_head(self) -> float:
        keep = self.min_rows if self.last - self.first >= 2 * self.min_rows else 1
        return self._height(self.first, min(self.first + keep, self.last))

    def _slice(self, first: int, last: int) -> Rows:
        part = self.clone()
        assert isinstance(part, Rows)
        part.first, part.last = first, last
        part.height = part._height(first, last)
        if first > self.first:
            part.space_before = 0.0
        return part

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        if self.header_height:
            self.paint_header(painter, x, y, context)
        top = y + self.header_height
        for index in range(self.first, self.last):
            self.paint_row(painter, index, x, top, context)
            top += self.heights[index] + self.row_gap


class Checklist(Rows):
    """Tasks with an empty square to tick by hand (Übung)."""

    def __init__(self, items: Sequence[str], style: TextStyle = BODY, *, is_markdown: bool = True) -> None:
        super().__init__()
        self.style = style
        self.box = mm(6)
        self.texts = [Text(item, style, is_markdown=is_markdown, space_before=0, space_after=0) for item in items]
        self.row_gap = mm(3)
        self.min_rows = 2
        self.space_before = self.space_after = mm(3)

    def measure_rows(self, width: float) -> list[float]:
        indent = self.box + mm(4)
        return [max(text.measure(width - indent, 0), self.box) for text in self.texts]

    def paint_row(self, painter: QPainter, index: int, x: float, y: float, context: PaintContext) -> None:
        text = self.texts[index]
        line_height = pt(self.style.size * self.style.line_height)
        box_top = y + max(0.0, (line_height - self.box) / 2)
        half = pt(0.75)
        painter.save()
        painter.setPen(pen(1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(x + half, box_top + half, self.box - 2 * half, self.box - 2 * half))
        painter.restore()
        text.paint(painter, x + self.box + mm(4), y, context)


class Lines(Rows):
    """Ruled lines to write on (»Meine Notizen«); with ``fill`` they run to the bottom of the page."""

    def __init__(self, count: int = 6, spacing: float = mm(11), *, fill: bool = False) -> None:
        super().__init__()
        self.count = count
        self.spacing = spacing
        self.fill_page = fill
        self.space_before = mm(2)

    def measure_rows(self, width: float) -> list[float]:
        return [self.spacing] * self.count

    def min_head(self) -> float:
        return self._height(self.first, self.last) if self.fill_page else super().min_head()

    def grow(self, available: float) -> None:
        count = max(self.count, int((available + EPSILON) // self.spacing))
        self.heights = [self.spacing] * count
        self.first, self.last = 0, count
        self.height = self._height(0, count)

    def paint_row(self, painter: QPainter, index: int, x: float, y: float, context: PaintContext) -> None:
        painter.save()
        painter.setPen(pen(0.75, GREY))
        bottom = y + self.spacing - pt(0.5)
        painter.drawLine(QPointF(x, bottom), QPointF(x + self.width, bottom))
        painter.restore()


class Table(Rows):
    """A grid with a header row repeated on every page (signature sheets, lists)."""

    def __init__(self, headers: Sequence[str], rows: Sequence[Sequence[str]], *, widths: Sequence[float] | None = None,
                 style: TextStyle = BODY, min_row_height: float = 0.0, padding: float = mm(2)) -> None:
        super().__init__()
        count = len(headers)
        self.fractions = list(widths) if widths else [1.0 / count] * count
        total = sum(self.fractions)
        self.fractions = [f / total for f in self.fractions]
        self.style = style
        self.padding = padding
        self.min_row_height = min_row_height
        self.header_cells = [Text(h, style.with_(bold=True), space_before=0, space_after=0) for h in headers]
        self.cells = [[Text(c, style, space_before=0, space_after=0) for c in row] for row in rows]
        self.space_before = self.space_after = mm(3)
        self.column_x: list[float] = []

    def _measure_cells(self, cells: list[Text], width: float) -> float:
        tallest = 0.0
        for index, cell in enumerate(cells[: len(self.fractions)]):
            inner = width * self.fractions[index] - 2 * self.padding
            tallest = max(tallest, cell.measure(inner, 0))
        return tallest + 2 * self.padding

    def measure_rows(self, width: float) -> list[float]:
        self.column_x = [sum(self.fractions[:i]) * width for i in range(len(self.fractions) + 1)]
        self.header_height = self._measure_cells(self.header_cells, width)
        return [max(self._measure_cells(row, width), self.min_row_height) for row in self.cells]

    def _paint_cells(self, painter: QPainter, cells: list[Text], x: float, y: float, height: float,
                     context: PaintContext) -> None:
        half = pt(0.5)
        painter.save()
        painter.setPen(pen(1.0))
        for index in range(len(self.fractions)):
            left = x + self.column_x[index] + half
            right = x + self.column_x[index + 1] - half
            painter.drawRect(QRectF(left, y + half, right - left, height - 2 * half))
        painter.restore()
        for index, cell in enumerate(cells[: len(self.fractions)]):
            cell.paint(painter, x + self.column_x[index] + self.padding, y + self.padding, context)

    def paint_header(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        self._paint_cells(painter, self.header_cells, x, y, self.header_height, context)

    def paint_row(self, painter: QPainter, index: int, x: float, y: float, context: PaintContext) -> None:
        self._paint_cells(painter, self.cells[index], x, y, self.heights[index], context)


class TableOfContents(Rows):
    """Entries with the page number of their :class:`~app.render.document.Anchor`, filled in at paint time."""

    def __init__(self, entries: Sequence[tuple[str, str]], style: TextStyle = BODY) -> None:
        super().__init__()
        self.entries = list(entries)
        self.style = style
        self.number_width = mm(18)
        self.texts = [Text(title, style, space_before=0, space_after=0) for title, _ in self.entries]
        self.row_gap = mm(3)
        self.space_before = mm(4)

    def measure_rows(self, width: float) -> list[float]:
        return [text.measure(width - self.number_width - mm(6), 0) for text in self.texts]

    def paint_row(self, painter: QPainter, index: int, x: float, y: float, context: PaintContext) -> None:
        text = self.texts[index]
        text.paint(painter, x, y, context)
        number = context.anchors.get(self.entries[index][1])
        assert text.lines is not None
        last = text.lines.lines[-1]
        baseline = y + last.y + last.ascent
        painter.save()
        painter.setFont(font(self.style.size, bold=self.style.bold))
        painter.setPen(BLACK)
        label = str(number) if number else "–"
        right = x + self.width
        metrics_width = painter.fontMetrics().horizontalAdvance(label)
        painter.drawText(QPointF(right - metrics_width, baseline), label)
        dots_from = x + last.x + last.natural_width + mm(3)
        dots_to = right - metrics_width - mm(3)
        if dots_to > dots_from:
            dotted = pen(1.5, GREY, Qt.PenStyle.DotLine)
            painter.setPen(dotted)
            painter.drawLine(QPointF(dots_from, baseline), QPointF(dots_to, baseline))
        painter.restore()
