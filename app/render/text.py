"""Text in the flow: paragraphs (plain or small Markdown) laid out line by line with QTextLayout.

QTextLayout (not QTextDocument) because it is no QObject — layout may run in a worker thread
and the result be painted in the GUI thread — and because every size and gap stays under our
control: nothing can print smaller than the style says.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QTextCharFormat, QTextLayout, QTextOption

from app.render import markdown
from app.render.document import EPSILON, Block, PaintContext
from app.render.fonts import font, printable
from app.render.units import mm, pt

MIN_BODY_PT = 14.0
MIN_HEADING_PT = 18.0
LIST_INDENT_MM = 8.0


@dataclass(frozen=True)
class TextStyle:
    """Size in points; line height and paragraph gap as multiples of the size."""

    size: float = MIN_BODY_PT
    bold: bool = False
    italic: bool = False
    line_height: float = 1.45
    paragraph_gap: float = 0.6
    item_gap: float = 0.25
    color: str = "#000000"

    def with_(self, **changes: object) -> TextStyle:
        return replace(self, **changes)


BODY = TextStyle()
STRONG = TextStyle(bold=True)
KEY_SENTENCE = TextStyle(size=16, line_height=1.4)  # in a thick frame, with a bold »Merksatz:«
TITLE = TextStyle(size=26, bold=True, line_height=1.2, paragraph_gap=0.3)
HEADING = TextStyle(size=20, bold=True, line_height=1.25, paragraph_gap=0.3)
SUBHEADING = TextStyle(size=MIN_HEADING_PT, bold=True, line_height=1.3, paragraph_gap=0.3)


class _Line(NamedTuple):
    """Where one line of a paragraph starts and sits — plain numbers, valid in every thread.

    A named tuple: made for every printed line and hashed when painting, both in C.
    """

    paragraph: int
    start: int
    length: int
    x: float
    y: float  # the QTextLine position (top of the line box plus half the leading)
    top: float
    bottom: float
    ascent: float
    natural_width: float
    marker: str = ""
    marker_x: float = 0.0


# Characters whose measured QTextLayouts may wait for painting at once (about 75 bytes each), so a
# booklet of hundreds of pages does not hold all its text twice; beyond it, painting lays out again.
KEPT_LAYOUT_CHARS = 150_000  # the booklet of all shipped lessons has 80,000
_kept = [0]  # characters kept now, over all TextLines (approximate across threads; only a limit)


class TextLines:
    """Paragraphs broken into lines at one width; knows where the lines start and end.

    The lines are kept as numbers. Qt's text layouts hold font engines that belong to the thread
    that made them (they die with a worker thread), so painting in another thread builds fresh
    layouts and breaks them exactly where measuring did. Text measured in the main thread (the
    command line) keeps its layouts until they are painted in that thread, each paragraph's once,
    and lets them go after its last line is drawn; a worker keeps none, so no layout outlives the
    thread it was made in.
    """

    def __init__(self, paragraphs: Sequence[markdown.Paragraph], style: TextStyle, width: float) -> None:
        self.style = style
        self.paragraphs = list(paragraphs)
        self.lines: list[_Line] = []
        self._thread = threading.get_ident()
        keep = threading.current_thread() is threading.main_thread()
        self._kept: dict[int, tuple[QTextLayout, int, int]] = {}  # paragraph -> (layout, lines to draw, chars)
        self._kept_chars = 0
        base = _base_font(style)
        metrics = QFontMetricsF(base)
        advance = max(pt(style.size * style.line_height), metrics.height())
        half_leading = (advance - metrics.height()) / 2
        y = 0.0
        previous: markdown.Paragraph | None = None
        for number, paragraph in enumerate(self.paragraphs):
            if previous is not None:
                both_items = bool(previous.marker and paragraph.marker)
                y += pt(style.size * (style.item_gap if both_items else style.paragraph_gap))
            indent = mm(LIST_INDENT_MM) * (paragraph.level + 1) if paragraph.marker else 0.0
            marker_x = indent - _natural_width(paragraph.marker, base) - mm(2) if paragraph.marker else 0.0
            layout = self._layout(number, base)
            layout.beginLayout()
            first = True
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(max(width - indent, mm(10)))
                line.setPosition(QPointF(indent, y + half_leading))
                self.lines.append(_Line(number, line.textStart(), line.textLength(), indent, y + half_leading, y,
                                        y + advance, line.ascent(), line.naturalTextWidth(),
                                        paragraph.marker if first else "", marker_x))
                y += advance
                first = False
            layout.endLayout()
            size = len(paragraph.text) if keep else 0
            if keep and _kept[0] + size <= KEPT_LAYOUT_CHARS:
                self._kept[number] = (layout, layout.lineCount(), size)
                self._kept_chars += size
                _kept[0] += size
            previous = paragraph
        self.height = y

    def __del__(self) -> None:
        _kept[0] -= getattr(self, "_kept_chars", 0)  # layouts measured but never painted (e.g. laid out again)

    def _release(self, number: int) -> None:
        size = self._kept.pop(number)[2]
        self._kept_chars -= size
        _kept[0] -= size

    def _layout(self, number: int, base: QFont) -> QTextLayout:
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        option.setUseDesignMetrics(True)
        paragraph = self.paragraphs[number]
        layout = QTextLayout(printable(paragraph.text), base)  # one font in the PDF
        layout.setTextOption(option)
        layout.setFormats(_formats(paragraph, self.style))
        return layout

    def cuts(self) -> list[float]:
        """Positions where a page may end: the top of every line but the first."""
        return [line.top for line in self.lines[1:]]

    def paint(self, painter: QPainter, x: float, y: float, top: float, bottom: float) -> None:
        """Paint the lines lying within [*top*, *bottom*] with their top at *y*."""
        wanted = {line for line in self.lines if line.top >= top - EPSILON and line.bottom <= bottom + EPSILON}
        if not wanted:
            return
        base = _base_font(self.style)
        origin = QPointF(x, y - top)
        same_thread = threading.get_ident() == self._thread
        painter.save()
        painter.setPen(QColor(self.style.color))
        for number in sorted({line.paragraph for line in wanted}):
            paragraph_lines = [line for line in self.lines if line.paragraph == number]
            kept = self._kept.get(number) if same_thread else None
            if kept is not None:
                layout, left, size = kept
                for index, spec in enumerate(paragraph_lines):
                    if spec in wanted and index < layout.lineCount():
                        self._draw_line(painter, layout, index, spec, base, origin)
                        left -= 1
                if left <= 0:
                    self._release(number)
                else:
                    self._kept[number] = (layout, left, size)
                continue
            last_wanted = max(line.start for line in wanted if line.paragraph == number)
            layout = self._layout(number, base)
            layout.beginLayout()
            for spec in paragraph_lines:
                if spec.start > last_wanted:
                    break
                line = layout.createLine()
                if not line.isValid():
                    break  # Qt may put trailing spaces into the line before: nothing left to lay out
                line.setNumColumns(spec.length)
                line.setPosition(QPointF(spec.x, spec.y))
            layout.endLayout()
            for index, spec in enumerate(paragraph_lines):
                if index >= layout.lineCount():
                    break  # drawing a line Qt did not create crashes the process
                if spec in wanted:
                    self._draw_line(painter, layout, index, spec, base, origin)
        painter.restore()

    @staticmethod
    def _draw_line(painter: QPainter, layout: QTextLayout, index: int, spec: _Line, base: QFont,
                   origin: QPointF) -> None:
        layout.lineAt(index).draw(painter, origin)
        if spec.marker:
            _draw_marker(painter, spec.marker, base, QPointF(origin.x() + spec.marker_x, origin.y() + spec.y))


def _base_font(style: TextStyle) -> QFont:
    return font(style.size, bold=style.bold, italic=style.italic)


def _formats(paragraph: markdown.Paragraph, style: TextStyle) -> list[QTextLayout.FormatRange]:
    """Every run gets an explicit weight and slant (the layout's base font alone is not enough)."""
    ranges = []
    start = 0
    for run in paragraph.runs:
        length = len(run.text)
        if length:
            char_format = QTextCharFormat()
            bold = run.bold or paragraph.bold or style.bold
            char_format.setFontWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
            char_format.setFontItalic(run.italic or style.italic)
            href = getattr(run, "href", "")  # a LinkRun (app.render.qr): clickable in the PDF
            if href:
                char_format.setAnchor(True)
                char_format.setAnchorHref(href)
            fmt = QTextLayout.FormatRange()
            fmt.start, fmt.length, fmt.format = start, length, char_format
            ranges.append(fmt)
        start += length
    return ranges


def _natural_width(text: str, base: QFont) -> float:
    """Width of a list marker; plain numbers, cached (a booklet has a thousand »•«)."""
    key = (text, base.pixelSize(), base.bold(), base.italic())
    width = _marker_widths.get(key)
    if width is None:
        layout = _marker_layout(text, base)  # kept in a name: its lines die with it
        width = _marker_widths[key] = layout.lineAt(0).naturalTextWidth()
    return width


_marker_widths: dict[tuple[str, int, bool, bool], float] = {}


def _marker_layout(text: str, base: QFont) -> QTextLayout:
    layout = QTextLayout(text, base)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(mm(40))
    line.setPosition(QPointF(0, 0))
    layout.endLayout()
    return layout


def _draw_marker(painter: QPainter, text: str, base: QFont, position: QPointF) -> None:
    """The bullet or number of a list item, in the hanging indent of its first line."""
    _marker_layout(text, base).draw(painter, position)


def paragraphs_of(content: str | Sequence[markdown.Paragraph], is_markdown: bool) -> list[markdown.Paragraph]:
    if not isinstance(content, str):
        return list(content)
    if is_markdown:
        return markdown.parse(content)
    return [markdown.Paragraph([markdown.Run(part)]) for part in content.split("\n\n") if part.strip()] or [
        markdown.Paragraph([markdown.Run("")])
    ]


class Text(Block):
    """Paragraphs of text; may be cut between lines, keeping at least two lines on each side."""

    def __init__(
        self,
        content: str | Sequence[markdown.Paragraph],
        style: TextStyle = BODY,
        *,
        is_markdown: bool = False,
        keep_with_next: bool = False,
        indent: float = 0.0,
        space_before: float | None = None,
        space_after: float | None = None,
    ) -> None:
        self.paragraphs = paragraphs_of(content, is_markdown)
        self.style = style
        self.keep_with_next = keep_with_next
        self.indent = indent
        self.space_before = pt(style.size * 0.6) if space_before is None else space_before
        self.space_after = pt(style.size * 0.6) if space_after is None else space_after
        self.lines: TextLines | None = None
        self.top = 0.0
        self.bottom = 0.0

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        self.lines = TextLines(self.paragraphs, self.style, width - self.indent)
        self.top, self.bottom = 0.0, self.lines.height
        self.height = self.bottom - self.top
        return self.height

    def _cuts(self) -> list[float]:
        assert self.lines is not None
        return [c for c in self.lines.cuts() if self.top + EPSILON < c < self.bottom - EPSILON]

    def split(self, available: float) -> tuple[Block, Block] | None:
        cuts = self._cuts()
        if not cuts:
            return None
        keep = 2 if len(cuts) >= 3 else 1  # no single orphan or widow line when avoidable
        allowed = cuts[keep - 1: len(cuts) - keep + 1]
        fitting = [c for c in allowed if c - self.top <= available + EPSILON]
        if not fitting:
            return None
        return self._slice(self.top, fitting[-1]), self._slice(fitting[-1], self.bottom)

    def min_head(self) -> float:
        cuts = self._cuts()
        if len(cuts) < 3:
            return self.height
        return cuts[1] - self.top

    def _slice(self, top: float, bottom: float) -> Text:
        part = self.clone()
        assert isinstance(part, Text)
        part.top, part.bottom = top, bottom
        part.height = bottom - top
        if top > self.top:
            part.space_before = 0.0
        return part

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        if self.lines is not None:
            self.lines.paint(painter, x + self.indent, y, self.top, self.bottom)


def heading(text: str, level: int = 2, *, space_before: float | None = None) -> Text:
    """A heading (level 1 title, 2 step title, 3 sub-heading) that never ends a page alone."""
    style = {1: TITLE, 2: HEADING}.get(level, SUBHEADING)
    before = pt({1: 0, 2: 22}.get(level, 14)) if space_before is None else space_before
    return Text(text, style, keep_with_next=True, space_before=before, space_after=pt(6))
