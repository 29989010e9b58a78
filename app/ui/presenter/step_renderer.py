"""Paints one lesson step for the wall: title, text, picture, Übung and Merksatz, as large as fits.

Used by the audience window and (scaled) by the console previews, so the trainer sees exactly
what the audience sees. Trainer notes are never part of what this paints.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QImage,
    QPainter,
    QPalette,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QTextBlockFormat,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer

from app.domain import projection
from app.domain.contrast import Theme
from app.domain.lesson import Device, Picture, Step
from app.render.pictures import image_reader_for, read_checked

log = logging.getLogger(__name__)

MAX_PICTURE_SIDE = 4000
MAX_CACHED_FRAMES = 6  # full-HD frames are 8 MB each
FOOTER_FRACTION = projection.FOOTER_FRACTION
DEVICE_BADGE_FRACTION = 0.05  # height of the »Android«/»iPhone« badge as a share of the screen height


_font_family: str | None = None


def projection_font_family() -> str:
    global _font_family
    if _font_family is None:  # looked up once: a layout asks for it a dozen times
        from app.ui.fonts import projection_family

        _font_family = projection_family()
    return _font_family


def make_document(markdown: str, pixel_size: float, colour: str, width: float, bold: bool = False) -> QTextDocument:
    """A laid-out QTextDocument for *markdown*; raw HTML is shown as text, never interpreted."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    font = QFont(projection_font_family())
    font.setPixelSize(max(1, round(pixel_size)))
    font.setBold(bold)
    document.setDefaultFont(font)
    document.setMarkdown(
        markdown,
        QTextDocument.MarkdownFeature.MarkdownNoHTML | QTextDocument.MarkdownFeature.MarkdownDialectGitHub,
    )
    cursor = QTextCursor(document)
    cursor.select(QTextCursor.SelectionType.Document)
    block_format = QTextBlockFormat()
    block_format.setLineHeight(projection.LINE_SPACING * 100, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
    block_format.setBottomMargin(pixel_size * projection.BLOCK_SPACING)
    cursor.mergeBlockFormat(block_format)
    char_format = QTextCharFormat()  # only the colour: bold/italic of single words must stay as written
    char_format.setForeground(QColor(colour))
    cursor.mergeCharFormat(char_format)
    document.setTextWidth(width)
    return document


def draw_document(painter: QPainter, document: QTextDocument, x: float, y: float, colour: str, clip: QRectF | None = None) -> None:
    painter.save()
    painter.translate(x, y)
    context = QAbstractTextDocumentLayout.PaintContext()
    context.palette.setColor(QPalette.ColorRole.Text, QColor(colour))
    if clip is not None:
        context.clip = clip.translated(-x, -y)
        painter.setClipRect(context.clip)
    document.documentLayout().draw(painter, context)
    painter.restore()


class PictureCache:
    """Pictures decoded once per size; oversized or broken files become None (placeholder).

    An SVG file is read and checked once (its natural size and every rendered size come from the
    same checked bytes): a step shown for the first time does not parse its picture twice.
    """

    def __init__(self) -> None:
        self._images: dict[tuple[str, int, int], QImage | None] = {}
        self._sizes: dict[str, QSizeF | None] = {}
        self._svg: dict[str, QByteArray | None] = {}

    def natural_size(self, path: Path) -> QSizeF | None:
        key = str(path)
        if key not in self._sizes:
            self._sizes[key] = self._read_size(path)
        return self._sizes[key]

    def _svg_renderer(self, path: Path) -> QSvgRenderer | None:
        """A renderer over the checked bytes of the SVG at *path*: never resolves references to other files."""
        key = str(path)
        if key not in self._svg:
            data = read_checked(path)[0] if path.is_file() else None
            self._svg[key] = QByteArray(data) if data is not None else None
        data = self._svg[key]
        if data is None:
            return None
        renderer = QSvgRenderer(data)
        return renderer if renderer.isValid() else None

    def _read_size(self, path: Path) -> QSizeF | None:
        if not path.is_file():
            return None
        if path.suffix.lower() == ".svg":
            renderer = self._svg_renderer(path)
            if renderer is None:
                return None
            size = renderer.viewBoxF().size()
            if size.isEmpty():
                size = QSizeF(renderer.defaultSize())
            return size if not size.isEmpty() else None
        reader = image_reader_for(path)  # a bounded read of a regular file only
        size = reader.size() if reader is not None else QSize()
        if not size.isValid() or size.width() > MAX_PICTURE_SIDE or size.height() > MAX_PICTURE_SIDE:
            return None
        return QSizeF(size)

    def image(self, path: Path, target: QSize) -> QImage | None:
        key = (str(path), target.width(), target.height())
        if key not in self._images:
            self._images[key] = self._render(path, target)
        return self._images[key]

    def _render(self, path: Path, target: QSize) -> QImage | None:
        if target.isEmpty() or not path.is_file():
            return None
        if path.suffix.lower() == ".svg":
            renderer = self._svg_renderer(path)
            if renderer is None:
                return None
            image = QImage(target, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter)
            painter.end()
            return image
        reader = image_reader_for(path)
        size = reader.size() if reader is not None else QSize()
        if reader is None or not size.isValid() or size.width() > MAX_PICTURE_SIDE or size.height() > MAX_PICTURE_SIDE:
            return None
        reader.setScaledSize(target)
        image = reader.read()
        if image.isNull():
            log.warning("Bild nicht lesbar: %s (%s)", path, reader.errorString())
            return None
        return image


@dataclass
class StepLayout:
    """Where everything of one step goes at one screen size; computed once and cached."""

    body_px: float
    overflow: bool
    title: QTextDocument
    body: QTextDocument | None
    boxes: list[tuple[str, QTextDocument]]  # ("uebung"|"merksatz", document)
    picture_rect: QRectF | None
    picture: Picture | None
    text_x: float
    text_width: float
    content: QRectF


class StepRenderer:
    """Lays out and paints steps; caches layouts per step, device, size, scale and theme."""

    def __init__(self) -> None:
        self.pictures = PictureCache()
        self._layouts: dict[tuple, tuple[Step, StepLayout]] = {}
        self._frames: dict[tuple, tuple[Step, QImage]] = {}

    def clear(self) -> None:
        self._layouts.clear()
        self._frames.clear()

    def cached_frame(self, step: Step, device: Device, size: QSize, scale: float, theme: Theme,
                     footer_text: str = "", pixel_ratio: float = 1.0) -> QImage | None:
        """The frame :meth:`frame` painted earlier for exactly these settings, or None."""
        key = (id(step), device, size.width(), size.height(), round(scale, 3), theme.name, footer_text,
               round(pixel_ratio, 3))
        entry = self._frames.get(key)
        if entry is None or entry[0] is not step:
            return None
        self._frames[key] = self._frames.pop(key)  # recently used frames stay longest
        return entry[1]

    def frame(self, step: Step, device: Device, size: QSize, scale: float, theme: Theme, footer_text: str = "",
              pixel_ratio: float = 1.0) -> QImage:
        """The whole step painted once into an image; a step change then only copies pixels.

        *pixel_ratio* is the wall's devicePixelRatio (1.25/1.5 at Windows' 125/150 % scaling): the
        image has that many device pixels per logical pixel, so text stays as sharp as at 100 %.
        """
        key = (id(step), device, size.width(), size.height(), round(scale, 3), theme.name, footer_text,
               round(pixel_ratio, 3))
        entry = self._frames.get(key)
        if entry is None or entry[0] is not step:
            image = QImage(round(size.width() * pixel_ratio), round(size.height() * pixel_ratio),
                           QImage.Format.Format_RGB32)
            image.setDevicePixelRatio(pixel_ratio)
            painter = QPainter(image)
            self.paint(painter, step, device, size, scale, theme, footer_text)
            painter.end()
            entry = (step, image)
            self._frames[key] = entry
            while len(self._frames) > MAX_CACHED_FRAMES:
                self._frames.pop(next(iter(self._frames)))
        else:  # keep recently used frames at the end (least recently used goes first)
            self._frames[key] = self._frames.pop(key)
        return entry[1]

    def layout(self, step: Step, device: Device, size: QSize, scale: float, theme: Theme) -> StepLayout:
        key = (id(step), device, size.width(), size.height(), round(scale, 3), theme.name)
        entry = self._layouts.get(key)
        # id() can be reused by a new Step after a reload; the stored object tells them apart
        if entry is None or entry[0] is not step:
            entry = (step, self._compute(step, device, size, scale, theme))
            if len(self._layouts) > 400:
                self._layouts.clear()
            self._layouts[key] = entry
        return entry[1]

    def _compute(self, step: Step, device: Device, size: QSize, scale: float, theme: Theme) -> StepLayout:
        width, height = size.width(), size.height()
        margin = height * projection.MARGIN_FRACTION
        footer = height * FOOTER_FRACTION * 1.6
        content = QRectF(margin, margin, width - 2 * margin, height - 2 * margin - footer)
        min_px = projection.min_text_px(height)
        picture = step.picture_for(device)
        picture_size = self.pictures.natural_size(picture.path) if picture else None
        has_picture_column = picture is not None
        body_md = step.text_for(device)

        ratios: dict[float, float] = {}  # font size -> needed height / available height

        def attempt(px: float) -> tuple[bool, StepLayout]:
            text_width = content.width() * (projection.TEXT_SHARE_WITH_PICTURE if has_picture_column and body_md else 1.0)
            title = make_document(step.title, px * projection.TITLE_SCALE, theme.accent_text, content.width(), bold=True)
            body = make_document(body_md, px, theme.text, text_width) if body_md else None
            boxes = []
            pad = px * projection.BOX_PADDING
            if step.exercise:
                boxes.append(("uebung", make_document(projection.boxed_markdown("Übung", step.exercise), px, theme.exercise_text, content.width() - 2 * pad)))
            if step.key_sentence:
                boxes.append(("merksatz", make_document(projection.boxed_markdown("Merksatz", step.key_sentence), px, theme.box_text, content.width() - 2 * pad)))
            title_h = title.size().height()
            gap = px * projection.GAP
            boxes_h = sum(doc.size().height() + 2 * pad + gap for _, doc in boxes)
            body_top = content.top() + title_h + gap
            body_area_h = content.bottom() - boxes_h - body_top
            body_h = body.size().height() if body else 0.0
            fits = body_h <= body_area_h + 0.5 and body_area_h > 0
            ratios[px] = (title_h + gap + body_h + boxes_h) / max(content.height(), 1.0)
            picture_rect = None
            if picture is not None:
                if body:
                    px_left = content.left() + text_width + content.width() * 0.03
                    area = QRectF(px_left, body_top, content.right() - px_left, max(body_area_h, 0))
                else:
                    area = QRectF(content.left(), body_top, content.width(), max(body_area_h, 0))
                picture_rect = _fit_rect(picture_size, area)
            return fits, StepLayout(px, not fits, title, body, boxes, picture_rect, picture, content.left(), text_width, content)

        # The largest whole even pixel size that fits, up to the normal maximum (further if the
        # trainer enlarged it), never below the legible minimum (then the step overflows). Even
        # sizes only: neighbouring steps share sizes, so Qt's glyph cache is reused.
        upper = max(min_px, height * projection.MAX_TEXT_HEIGHT_FRACTION * max(scale, 1.0))
        best = self._largest_fitting(attempt, ratios, min_px, upper)
        if scale < 1.0 and best.body_px > min_px:  # the trainer made it smaller than what fits
            smaller = max(min_px, math.floor(best.body_px * scale / 2) * 2)
            if smaller != best.body_px:
                best = attempt(smaller)[1]
        return best

    @staticmethod
    def _largest_fitting(attempt, ratios: dict[float, float], min_px: float, upper: float) -> StepLayout:  # noqa: ANN001
        """Search the even sizes between *min_px* and *upper* with as few layouts as possible.

        Text area grows with the square of the font size, so the size that fits is guessed from
        the first try's overflow; the guess and its neighbour usually settle it, bisection does
        the rest. A cold step change lays out two or three sizes instead of eight.
        """
        top = math.floor(upper / 2)  # sizes are 2 * k; k above ``floor`` and up to ``top``
        if 2 * top <= min_px:
            return attempt(min_px)[1]
        fits, layout = attempt(2 * top)
        if fits:
            return layout
        fits, best = attempt(min_px)
        if not fits:
            return best  # overflow at the minimum, never smaller than legible
        floor = math.floor(min_px / 2)  # stands for min_px itself, which fits
        high = top  # known not to fit
        low = floor
        guess = math.floor(2 * top / ratios[2 * top] ** 0.5 / 2)
        probes = [guess]
        while high - low > 1:
            probe = probes.pop(0) if probes else (low + high) // 2
            probe = min(max(probe, low + 1), high - 1)
            fits, layout = attempt(2 * probe)
            if fits:
                low, best = probe, layout
                if not probes and high - low > 1 and probe == guess:
                    probes.append(probe + 1)  # the boundary is usually right above the guess
            else:
                high = probe
                if not probes and high - low > 1 and probe == guess:
                    probes.append(probe - 1)
        return best

    def paint(
        self,
        painter: QPainter,
        step: Step,
        device: Device,
        size: QSize,
        scale: float,
        theme: Theme,
        footer_text: str = "",
    ) -> StepLayout:
        painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor(theme.background))
        layout = self.layout(step, device, size, scale, theme)
        content = layout.content
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        draw_document(painter, layout.title, content.left(), content.top(), theme.accent_text)
        gap = layout.body_px * projection.GAP
        body_top = content.top() + layout.title.size().height() + gap
        pad = layout.body_px * projection.BOX_PADDING
        boxes_h = sum(doc.size().height() + 2 * pad + gap for _, doc in layout.boxes)
        if layout.body is not None:
            clip = QRectF(content.left(), body_top, layout.text_width, max(content.bottom() - boxes_h - body_top, 0))
            draw_document(painter, layout.body, layout.text_x, body_top, theme.text, clip if layout.overflow else None)
        if layout.picture is not None and layout.picture_rect is not None:
            self._paint_picture(painter, layout.picture, layout.picture_rect, theme)
        y = content.bottom() - boxes_h + gap
        for kind, document in layout.boxes:
            box_h = document.size().height() + 2 * pad
            background = theme.box_background if kind == "merksatz" else theme.exercise_background
            colour = theme.box_text if kind == "merksatz" else theme.exercise_text
            rect = QRectF(content.left(), y, content.width(), box_h)
            painter.setPen(QPen(QColor(colour), max(2.0, layout.body_px * 0.06)))
            painter.setBrush(QColor(background))
            painter.drawRoundedRect(rect, pad, pad)
            draw_document(painter, document, rect.left() + pad, rect.top() + pad, colour)
            y += box_h + gap
        if step.differs_by_device:
            self.paint_device_badge(painter, device, size, theme)
        if footer_text:
            font = QFont(projection_font_family())
            font.setPixelSize(max(10, round(size.height() * FOOTER_FRACTION)))
            painter.setFont(font)
            painter.setPen(QColor(theme.muted_text))
            footer_rect = QRectF(content.left(), size.height() - size.height() * projection.MARGIN_FRACTION * 0.5 - font.pixelSize() * 1.4,
                                 content.width(), font.pixelSize() * 1.4)
            painter.drawText(footer_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, footer_text)
        return layout

    @staticmethod
    def paint_device_badge(painter: QPainter, device: Device, size: QSize, theme: Theme) -> QRectF:
        """»Android« or »iPhone« with a symbol, bottom left below the content, when the step has device variants."""
        from app.ui.look import icon

        height = size.height() * DEVICE_BADGE_FRACTION
        font = QFont(projection_font_family())
        font.setPixelSize(max(10, round(height * 0.62)))
        font.setBold(True)
        painter.save()
        painter.setFont(font)
        label = device.label
        text_width = painter.fontMetrics().horizontalAdvance(label)
        pad = height * 0.3
        icon_side = height * 0.7
        margin = size.height() * projection.MARGIN_FRACTION
        rect = QRectF(margin, size.height() - margin * 0.5 - height, pad * 2.6 + icon_side + text_width, height)
        painter.setPen(QPen(QColor(theme.accent_text), max(2.0, height * 0.06)))
        painter.setBrush(QColor(theme.background))
        painter.drawRoundedRect(rect, height / 2, height / 2)
        symbol = "bot" if device is Device.ANDROID else "apple"
        icon(symbol, theme.text).paint(painter, round(rect.left() + pad), round(rect.center().y() - icon_side / 2),
                                       round(icon_side), round(icon_side))
        painter.setPen(QColor(theme.text))
        painter.drawText(QRectF(rect.left() + pad * 1.6 + icon_side, rect.top(), text_width + pad, height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
        painter.restore()
        return rect

    def _paint_picture(self, painter: QPainter, picture: Picture, rect: QRectF, theme: Theme) -> None:
        device = painter.device()
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        # the picture in device pixels: an SVG drawn at 150 % scaling is rendered at 150 %, not enlarged
        target = QSize(max(1, round(rect.width() * ratio)), max(1, round(rect.height() * ratio)))
        image = self.pictures.image(picture.path, target)
        if image is None:
            self.paint_placeholder(painter, rect, picture, theme)
            return
        image.setDevicePixelRatio(ratio)
        if QColor(theme.background).lightness() < 128:
            # pictures are drawn for white paper: give transparent ones a light card in the dark theme
            pad = max(4.0, rect.height() * 0.02)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#ffffff"))
            painter.drawRoundedRect(rect.adjusted(-pad, -pad, pad, pad), pad, pad)
        if image.size() == target:
            painter.drawImage(rect.topLeft(), image)  # already the right size: no scaling on paint
        else:
            painter.drawImage(rect, image)

    def paint_zoomed_picture(self, painter: QPainter, picture: Picture | None, size: QSize, theme: Theme) -> None:
        painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor(theme.background))
        if picture is None:
            return
        margin = size.height() * 0.03
        area = QRectF(margin, margin, size.width() - 2 * margin, size.height() - 2 * margin)
        rect = _fit_rect(self.pictures.natural_size(picture.path), area)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self._paint_picture(painter, picture, rect, theme)

    @staticmethod
    def paint_placeholder(painter: QPainter, rect: QRectF, picture: Picture, theme: Theme) -> None:
        painter.save()
        painter.setPen(QPen(QColor(theme.text), 3, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        font = QFont(projection_font_family())
        font.setPixelSize(max(12, round(rect.height() * 0.06)))
        painter.setFont(font)
        painter.drawText(rect.adjusted(8, 8, -8, -8), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                         f"Bild nicht verfügbar:\n{picture.path.name}")
        painter.restore()


def _fit_rect(natural: QSizeF | None, area: QRectF) -> QRectF:
    """Largest rect with the picture's aspect ratio inside *area*, centred."""
    if area.width() <= 0 or area.height() <= 0:
        return QRectF(area.topLeft(), QSizeF(0, 0))
    if natural is None or natural.isEmpty():
        side = min(area.width(), area.height())
        return QRectF(area.center().x() - side / 2, area.top(), side, side * 0.75)
    scale = min(area.width() / natural.width(), area.height() / natural.height())
    w, h = natural.width() * scale, natural.height() * scale
    return QRectF(area.left() + (area.width() - w) / 2, area.top() + (area.height() - h) / 2, w, h)
