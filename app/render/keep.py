"""Blocks that stay on one page together, and the device parts of a step (Android / iPhone at a glance).

:class:`Group` keeps a step's heading, its first text and its first picture on one page: the
first ``keep`` children are never parted (the paginator moves the group to the next page, where
the picture may shrink a little). Only a group taller than a whole page is cut, and then between
children or between two lines of a text.

:class:`DevicePart` is a group drawn beside a device side bar, starting with a
:class:`DeviceLabel` (symbol and device name), so that a reader finds their phone's instructions
without reading: Android = a solid black bar and a filled black circle with a white »A«;
iPhone = a double-line bar and an outlined rounded square with an »i«. Both survive a
black-and-white printer because they differ in shape, not in colour. The wall (presenter) uses
the same symbols.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter

from app.domain.lesson import Device
from app.render.blocks import BLACK, pen
from app.render.document import EPSILON, Block, PaintContext
from app.render.fonts import font
from app.render.pictures import PictureBlock
from app.render.units import mm, pt

BAR_MM = 3.0
BAR_GAP_MM = 5.0
BADGE_MM = 9.0
LABEL_PT = 18.0
DEVICE_NAMES = {Device.ANDROID: "Android-Handy", Device.IPHONE: "iPhone"}
WHITE = QColor("#ffffff")
# A step picture shrinks at most to this share of its planned size to stay with its step, so the
# text inside it stays ≥ 12 pt (the lesson checker's limit, app/lessons/svg_checks.py).
MIN_PICTURE_SHARE = 0.8


class Group(Block):
    """Children stacked as one block; the first *keep* of them never leave each other's page."""

    def __init__(self, children: Sequence[Block], keep: int | None = None, indent: float = 0.0) -> None:
        self.children = [child for child in children if child is not None]
        self.keep = max(1, min(len(self.children), len(self.children) if keep is None else keep))
        self.indent = indent
        self.offsets: list[float] = []
        self.page_height = 0.0
        first, last = self.children[0], self.children[-1]
        self.space_before = first.space_before
        self.space_after = last.space_after
        self.keep_with_next = last.keep_with_next

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        self.page_height = page_height
        for child in self.children:
            child.measure(width - self.indent, page_height)
            if isinstance(child, PictureBlock):
                child.planned_height = child.height  # before any shrinking
        return self._stack()

    def _stack(self) -> float:
        """Offsets from the children's current heights (after a child shrank or was cut)."""
        y = 0.0
        self.offsets = []
        for index, child in enumerate(self.children):
            if index:
                y += max(self.children[index - 1].space_after, child.space_before)
            self.offsets.append(y)
            y += child.height
        self.height = y
        return y

    def _end(self, count: int) -> float:
        return self.offsets[count - 1] + self.children[count - 1].height if count else 0.0

    def min_head(self) -> float:
        return self._end(self.keep)

    def shrink(self, available: float) -> bool:
        """Shrink the pictures among the kept children (down to their limit) so the group fits."""
        excess = self.height - available
        if excess <= EPSILON:
            return True
        def floor(child: PictureBlock) -> float:
            planned = child.measure(child.width, self.page_height) if child.height == 0 else child.planned_height
            return max(child.min_head(), planned * MIN_PICTURE_SHARE)

        shrinkable = [child for child in self.children[:self.keep] if isinstance(child, PictureBlock)
                      and child.placeholder is None and floor(child) < child.height - EPSILON]
        room = sum(child.height - floor(child) for child in shrinkable)
        if room + EPSILON < excess:
            return False
        for child in shrinkable:
            share = excess * (child.height - floor(child)) / room
            child.shrink(child.height - share)
        self._stack()
        return self.height <= available + EPSILON

    def split(self, available: float) -> tuple[Block, Block] | None:
        # a group is only cut when it cannot fit even an empty page
        keep = self.keep if self._end(self.keep) <= self.page_height + EPSILON else 1
        count = 0
        for index in range(len(self.children)):
            if self._end(index + 1) <= available + EPSILON:
                count = index + 1
            else:
                break
        head_children = list(self.children[:count])
        tail_children = list(self.children[count:])
        if count < len(self.children):
            room = available - (self.offsets[count] if count else 0.0)
            parts = self.children[count].split(room) if room > EPSILON else None
            if parts is not None and count + 1 >= keep:
                head_children.append(parts[0])
                tail_children = [parts[1], *self.children[count + 1:]]
        if len(head_children) < keep or not head_children or not tail_children:
            return None
        return self._part(head_children, len(head_children), False), self._part(tail_children, 1, True)

    def _part(self, children: list[Block], keep: int, continued: bool) -> Group:
        part = self.clone()
        assert isinstance(part, Group)
        part.children = children
        part.keep = keep
        part.space_before = 0.0 if continued else self.space_before
        part.space_after = children[-1].space_after
        part._stack()
        return part

    def grow(self, available: float) -> None:
        """A group ending in a ``fill_page`` block (note lines) lets that block take the rest of the page."""
        last = self.children[-1]
        if last.fill_page:
            last.grow(available - self.offsets[-1])
            self._stack()

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        for child, offset in zip(self.children, self.offsets):
            child.paint(painter, x + self.indent, y + offset, context)


def paint_device_symbol(painter: QPainter, device: Device, rect: QRectF) -> None:
    """The device symbol in *rect* (square): Android a filled circle with »A«, iPhone an outlined square with »i«."""
    painter.save()
    face = font(LABEL_PT * rect.height() / mm(BADGE_MM) * 0.8, bold=True)
    painter.setFont(face)
    if device is Device.ANDROID:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BLACK)
        painter.drawEllipse(rect)
        painter.setPen(WHITE)
        letter = "A"
    else:
        line = pt(1.6)
        painter.setPen(pen(1.6))
        painter.setBrush(WHITE)
        painter.drawRoundedRect(rect.adjusted(line / 2, line / 2, -line / 2, -line / 2), rect.width() * 0.22,
                                rect.width() * 0.22)
        painter.setPen(BLACK)
        letter = "i"
    metrics = QFontMetricsF(face)
    advance = metrics.horizontalAdvance(letter)
    baseline = rect.top() + (rect.height() - metrics.height()) / 2 + metrics.ascent()
    painter.drawText(QPointF(rect.center().x() - advance / 2, baseline), letter)
    painter.restore()


def paint_device_bar(painter: QPainter, device: Device, rect: QRectF) -> None:
    """The side bar: solid for Android, two lines for iPhone."""
    if device is Device.ANDROID:
        painter.fillRect(rect, BLACK)
    else:
        third = rect.width() / 3
        painter.fillRect(QRectF(rect.left(), rect.top(), third, rect.height()), BLACK)
        painter.fillRect(QRectF(rect.right() - third, rect.top(), third, rect.height()), BLACK)


class DeviceLabel(Block):
    """Symbol and device name at the top of a device part (»iPhone«, »Android-Handy«)."""

    def __init__(self, device: Device, continued: bool = False) -> None:
        self.device = device
        self.continued = continued
        self.space_before = mm(1)
        self.space_after = mm(2)

    @property
    def text(self) -> str:
        return f"Auf dem {DEVICE_NAMES[self.device]}" + (" (weiter)" if self.continued else ":")

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        self.height = max(mm(BADGE_MM), QFontMetricsF(font(LABEL_PT, bold=True)).height())
        return self.height

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        side = mm(BADGE_MM)
        paint_device_symbol(painter, self.device, QRectF(x, y + (self.height - side) / 2, side, side))
        face = font(LABEL_PT, bold=True)
        metrics = QFontMetricsF(face)
        painter.save()
        painter.setFont(face)
        painter.setPen(BLACK)
        baseline = y + (self.height - metrics.height()) / 2 + metrics.ascent()
        painter.drawText(QPointF(x + side + mm(3), baseline), self.text)
        painter.restore()


class DevicePart(Group):
    """A device's own part of a step: label, text and picture beside the device's side bar."""

    def __init__(self, device: Device, children: Sequence[Block]) -> None:
        self.device = device
        super().__init__([DeviceLabel(device), *children], indent=mm(BAR_MM + BAR_GAP_MM))
        self.space_before = mm(5)
        self.space_after = mm(4)

    def _part(self, children: list[Block], keep: int, continued: bool) -> Group:
        if continued and not isinstance(children[0], DeviceLabel):
            label = DeviceLabel(self.device, continued=True)
            label.measure(self.width - self.indent, self.page_height)
            children = [label, *children]
            keep = 2
        return super()._part(children, keep, continued)

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        paint_device_bar(painter, self.device, QRectF(x, y, mm(BAR_MM), self.height))
        super().paint(painter, x, y, context)
