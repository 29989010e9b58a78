"""A document is a flow of blocks; layout cuts the flow into pages, painting draws the pages.

Blocks know three things: how tall they are at a given width (``measure``), where they may be
cut if a page ends inside them (``split``), and how to paint themselves (``paint``). The
paginator here knows nothing about handouts: it honours ``keep_with_next`` (a heading never
ends a page alone), never cuts an atomic block (a picture is never split), collapses spacing
at the top of a page, and records on which page each :class:`Anchor` landed (for a table of
contents). Everything is measured in layout units (see :mod:`app.render.units`).
"""

from __future__ import annotations

import copy
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from app.render.units import mm

log = logging.getLogger(__name__)

EPSILON = 0.5  # layout units; 0.05 pt of slack against float noise
Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]


class RenderCancelled(Exception):
    """Raised inside layout or painting when the person pressed »Abbrechen«."""


@dataclass(frozen=True)
class PageInfo:
    """What the header and footer of one page need to know."""

    number: int
    total: int
    section: str = ""
    plain: bool = False  # a cover page: no header, no footer


@dataclass
class PaintContext:
    """Passed to every block while painting: the page and the resolved anchors."""

    page: PageInfo
    anchors: dict[str, int] = field(default_factory=dict)


class Block:
    """Something in the flow. Subclasses set ``height`` in :meth:`measure` and paint in :meth:`paint`."""

    space_before: float = 0.0
    space_after: float = 0.0
    keep_with_next: bool = False
    fill_page: bool = False  # grows to the bottom of the page (lines for notes)
    optional: bool = False  # a fill_page block that is left out rather than given a page of its own
    height: float = 0.0
    width: float = 0.0

    def measure(self, width: float, page_height: float) -> float:
        """Lay the block out at *width*; *page_height* is the body height of an empty page."""
        self.width = width
        return self.height

    def split(self, available: float) -> tuple[Block, Block] | None:
        """Cut into a head no taller than *available* and the rest, or None if that is impossible."""
        return None

    def min_head(self) -> float:
        """Height of the smallest head :meth:`split` would produce (the block itself if atomic)."""
        return self.height

    def shrink(self, available: float) -> bool:
        """Atomic blocks that can get smaller (pictures) take *available* height and return True."""
        return False

    def grow(self, available: float) -> None:
        """Only for ``fill_page`` blocks: take *available* height."""

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        """Paint at (*x*, *y*), the block's top-left corner on the page."""

    def spaced(self, before: float | None = None, after: float | None = None) -> Block:
        """Set the space before/after in layout units and return self (for chaining)."""
        if before is not None:
            self.space_before = before
        if after is not None:
            self.space_after = after
        return self

    def clone(self) -> Block:
        return copy.copy(self)


class Marker(Block):
    """A zero-height instruction to the paginator."""


class PageBreak(Marker):
    """Start a new page unless the current one is still empty; *right_hand*: an odd page (duplex)."""

    def __init__(self, right_hand: bool = False) -> None:
        self.right_hand = right_hand


@dataclass(eq=False)
class Anchor(Marker):
    """Remembers the page of the next visible block under *key* (for a table of contents)."""

    key: str = ""


@dataclass(eq=False)
class Section(Marker):
    """From here on, pages show *title* in the running header."""

    title: str = ""


class PlainPage(Marker):
    """The current page gets no header and no footer (a cover page)."""


@dataclass
class Placed:
    block: Block
    y: float


@dataclass
class Page:
    placed: list[Placed] = field(default_factory=list)
    section: str = ""
    plain: bool = False

    @property
    def empty(self) -> bool:
        return not self.placed


@dataclass
class PageStyle:
    """Paper and margins (mm) plus the page furniture painted around the flow."""

    margin_left: float = 20.0
    margin_top: float = 14.0
    margin_right: float = 16.0
    margin_bottom: float = 14.0
    header: Callable[[QPainter, QRectF, PageInfo], None] | None = None
    header_height: float = 0.0  # mm, inside the top margin box
    footer: Callable[[QPainter, QRectF, PageInfo], None] | None = None
    footer_height: float = 0.0  # mm, inside the bottom margin box
    gap: float = 5.0  # mm between header/footer and the flow

    def body_rect(self, page_width: float, page_height: float) -> QRectF:
        """The flow's rectangle in layout units on a page of the given size (layout units)."""
        top = mm(self.margin_top + (self.header_height + self.gap if self.header else 0))
        bottom = mm(self.margin_bottom + (self.footer_height + self.gap if self.footer else 0))
        left = mm(self.margin_left)
        right = mm(self.margin_right)
        return QRectF(left, top, page_width - left - right, page_height - top - bottom)

    def header_rect(self, page_width: float) -> QRectF:
        left = mm(self.margin_left)
        return QRectF(left, mm(self.margin_top), page_width - left - mm(self.margin_right), mm(self.header_height))

    def footer_rect(self, page_width: float, page_height: float) -> QRectF:
        left = mm(self.margin_left)
        top = page_height - mm(self.margin_bottom + self.footer_height)
        return QRectF(left, top, page_width - left - mm(self.margin_right), mm(self.footer_height))


@dataclass
class Layout:
    """The result of laying out a document for one paper size."""

    pages: list[Page]
    anchors: dict[str, int]
    style: PageStyle
    page_width: float
    page_height: float
    warnings: list[str]
    sections: list[tuple[str, int]] = field(default_factory=list)  # (title, first page index)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def body(self) -> QRectF:
        return self.style.body_rect(self.page_width, self.page_height)


class Document:
    """A flow of blocks plus page style; build it once, lay it out for any paper size.

    ``warnings`` collects German messages about things that were printed differently than the
    author wanted (e.g. a missing picture replaced by a placeholder).
    """

    def __init__(self, style: PageStyle | None = None, title: str = "") -> None:
        self.style = style or PageStyle()
        self.title = title
        self.author = ""  # PDF metadata: organisation or Kursleitung
        self.blocks: list[Block] = []
        self.warnings: list[str] = []

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self

    def extend(self, blocks: Iterable[Block]) -> Document:
        self.blocks.extend(blocks)
        return self

    def layout(
        self,
        page_width: float,
        page_height: float,
        progress: Progress | None = None,
        cancelled: Cancelled | None = None,
    ) -> Layout:
        """Cut the flow into pages of *page_width* × *page_height* layout units."""
        body = self.style.body_rect(page_width, page_height)
        paginator = _Paginator(body.width(), body.height(), progress, cancelled, len(self.blocks))
        pages, anchors, warnings = paginator.run(self.blocks)
        return Layout(pages, anchors, self.style, page_width, page_height, self.warnings + warnings,
                      paginator.sections)


class _Paginator:
    def __init__(self, width: float, height: float, progress: Progress | None, cancelled: Cancelled | None,
                 total: int) -> None:
        self.width = width
        self.height = height
        self.progress = progress
        self.cancelled = cancelled
        self.total = total
        self.pages: list[Page] = []
        self.anchors: dict[str, int] = {}
        self.pending_anchors: list[str] = []
        self.pending_sections: list[str] = []
        self.sections: list[tuple[str, int]] = []  # where each section's first block landed
        self.warnings: list[str] = []
        self.section = ""
        self.y = 0.0
        self.previous_after = 0.0
        self.measured: set[int] = set()

    def run(self, blocks: list[Block]) -> tuple[list[Page], dict[str, int], list[str]]:
        self.new_page()
        queue: deque[Block] = deque(blocks)
        pending = {id(block) for block in blocks}
        while queue:
            block = queue.popleft()
            self.place(block, queue)
            pending.discard(id(block))
            if self.cancelled is not None and self.cancelled():
                raise RenderCancelled
            done = self.total - len(pending)
            if self.progress is not None and done % 8 == 0:
                self.progress(done, self.total)
        if len(self.pages) > 1 and self.pages[-1].empty:
            self.pages.pop()
        for key in self.pending_anchors:
            self.anchors[key] = len(self.pages)
        return self.pages, self.anchors, self.warnings

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page(section=self.section))
        self.y = 0.0
        self.previous_after = 0.0

    def measure(self, block: Block) -> None:
        if id(block) not in self.measured:
            block.measure(self.width, self.height)
            self.measured.add(id(block))

    def put(self, block: Block, y: float) -> None:
        for key in self.pending_anchors:
            self.anchors[key] = len(self.pages)
        self.pending_anchors.clear()
        self.sections.extend((title, len(self.pages) - 1) for title in self.pending_sections)
        self.pending_sections.clear()
        self.page.placed.append(Placed(block, y))
        self.y = y + block.height
        self.previous_after = block.space_after

    def gap(self, block: Block) -> float:
        return 0.0 if self.page.empty else max(self.previous_after, block.space_before)

    def place(self, block: Block, queue: deque[Block]) -> None:
        if isinstance(block, Marker):
            self.place_marker(block)
            return
        self.measure(block)
        gap = self.gap(block)
        available = self.height - self.y - gap
        if block.fill_page:
            if block.height <= available + EPSILON:
                block.grow(available)
                self.put(block, self.y + gap)
            elif block.optional:
                return  # e.g. note lines: never a page with nothing else on it
            else:
                self.new_page()
                block.grow(self.height)
                self.put(block, 0.0)
            return
        needed = self.chain_height(block, queue) if block.keep_with_next else block.height
        if needed <= available + EPSILON:
            self.put(block, self.y + gap)
            return
        if block.keep_with_next and not self.page.empty:
            self.new_page()
            queue.appendleft(block)
            return
        if block.height <= available + EPSILON or block.shrink(available):
            self.put(block, self.y + gap)
            return
        parts = block.split(available) if available > EPSILON else None
        if parts is not None:
            head, tail = parts
            self.put(head, self.y + gap)
            self.measured.update((id(head), id(tail)))
            queue.appendleft(tail)
            self.new_page()
            return
        if not self.page.empty:
            self.new_page()
            queue.appendleft(block)
            return
        # Taller than an empty page and impossible to cut: should not happen with the shipped
        # blocks (pictures shrink to fit); print it anyway rather than losing it.
        log.warning("Block %s (%.0f) höher als eine Seite (%.0f)", type(block).__name__, block.height, self.height)
        self.warnings.append("Ein Element war höher als eine Seite und wurde abgeschnitten.")
        self.put(block, 0.0)
        self.new_page()

    def place_marker(self, block: Marker) -> None:
        if isinstance(block, PageBreak):
            if not self.page.empty:
                self.new_page()
            if block.right_hand and len(self.pages) % 2 == 0:
                self.new_page()  # the left-hand page stays blank (it keeps header and footer)
        elif isinstance(block, Section):
            self.section = block.title
            if block.title:
                self.pending_sections.append(block.title)
            if self.page.empty:
                self.page.section = block.title
        elif isinstance(block, Anchor):
            self.pending_anchors.append(block.key)
        elif isinstance(block, PlainPage):
            self.page.plain = True

    def chain_height(self, block: Block, queue: deque[Block], depth: int = 0) -> float:
        """Height needed so *block* and the first piece of what follows share a page."""
        following = None
        for candidate in queue:
            if isinstance(candidate, PageBreak):
                break
            if not isinstance(candidate, Marker):
                following = candidate
                break
        if following is None or depth > 4:
            return block.height
        self.measure(following)
        rest = list(queue)
        index = next(i for i, b in enumerate(rest) if b is following)
        if following.keep_with_next:
            tail = self.chain_height(following, deque(rest[index + 1:]), depth + 1)
        else:
            tail = min(following.min_head(), following.height)
        return block.height + max(block.space_after, following.space_before) + tail
