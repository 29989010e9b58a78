"""Pictures on paper: SVG stays vector, PNG/JPEG is read downscaled; a bad file becomes a placeholder.

Only QImage and raw SVG bytes are kept (no QPixmap), so pictures load in a worker thread.
Files are read only as regular files with a bounded read, and an SVG is painted only from bytes
that passed :func:`app.lessons.svg_safety.check` — never by its path — so a shared lesson cannot
pull another file of the trainer's computer onto paper or the wall (also used by the presenter).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter
from PySide6.QtSvg import QSvgRenderer

from app.render.blocks import BLACK, pen
from app.render.document import EPSILON, Block, PaintContext
from app.render.fonts import load_fonts, with_print_font
from app.render.text import BODY, Text
from app.render.units import mm

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5_000_000
MAX_SVG_BYTES = 1_000_000
MAX_SIDE_PX = 4000
PRINT_SIDE_PX = 1400  # longest side kept for print: ~300 dpi at 12 cm
_CACHE_SIZE = 48
MIN_SHRINK = 0.6  # a picture may shrink to this share of its planned size to fit a page
MIN_SHRUNK_MM = 45.0


@dataclass(frozen=True)
class LoadedPicture:
    """A picture ready to paint, or a ``problem`` (German) that turns it into a placeholder."""

    name: str
    alt: str = ""
    width: float = 4.0  # natural size; only the aspect ratio matters
    height: float = 3.0
    image: QImage | None = None
    svg: bytes | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


_cache: OrderedDict[tuple, LoadedPicture] = OrderedDict()
_cache_lock = threading.Lock()


def load_picture(path: Path, alt: str = "") -> LoadedPicture:
    """Read *path* once per process (cached by path, size and modification time)."""
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return LoadedPicture(path.name, alt, problem="Die Bilddatei fehlt.")
    except OSError as error:
        return LoadedPicture(path.name, alt, problem=f"Die Bilddatei ist nicht lesbar ({error.strerror}).")
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _cache_lock:
        ahead = _reading_ahead.get(str(path))
    if ahead is not None:
        ahead.wait()  # being read in the helper thread of read_ahead: take its result from the cache
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return LoadedPicture(cached.name, alt, cached.width, cached.height, cached.image, cached.svg, cached.problem)
    loaded = _read(path, alt, stat.st_size)
    with _cache_lock:
        _cache[key] = loaded
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return loaded


_reading_ahead: dict[str, threading.Event] = {}  # path -> set when read_ahead has cached it
_READ_AHEAD_MAX = 8
_read_ahead_threads: list[threading.Thread] = []


def read_ahead(paths: list[Path]) -> None:
    """Decode the PNG/JPEG pictures among *paths* except the first in a helper thread (command line).

    The main thread reads the first picture itself and sets the text while the helper decodes
    the next ones (Qt releases the GIL while decoding); :func:`load_picture` waits for a picture
    the helper is still reading and then takes it from the cache. Same :func:`_read`, same pixels;
    at most a few pictures (the cache keeps 48), nothing when there is only one.
    """
    wanted = [Path(p) for p in dict.fromkeys(str(p) for p in paths if Path(p).suffix.lower() != ".svg")]
    wanted = wanted[1:_READ_AHEAD_MAX + 1]
    with _cache_lock:
        wanted = [p for p in wanted if str(p) not in _reading_ahead]
        events = {str(p): threading.Event() for p in wanted}
        _reading_ahead.update(events)
    if wanted:
        thread = threading.Thread(target=_read_ahead, args=(wanted, events), name="Bilder vorlesen", daemon=True)
        _read_ahead_threads.append(thread)
        thread.start()


def end_read_ahead() -> None:
    """Wait for the helper threads of :func:`read_ahead` (the command is done or failed)."""
    while _read_ahead_threads:
        _read_ahead_threads.pop().join()


def _read_ahead(paths: list[Path], events: dict[str, threading.Event]) -> None:
    for path in paths:
        try:
            stat = path.stat()
            if stat.st_size <= MAX_FILE_BYTES:
                loaded = _read(path, "", stat.st_size)
                with _cache_lock:
                    _cache[(str(path), stat.st_size, stat.st_mtime_ns)] = loaded
                    while len(_cache) > _CACHE_SIZE:
                        _cache.popitem(last=False)
        except Exception:  # load_picture reads it again and reports the problem
            log.debug("Bild %s nicht vorab gelesen", path, exc_info=True)
        finally:
            with _cache_lock:
                _reading_ahead.pop(str(path), None)
            events[str(path)].set()


def read_checked(path: Path) -> tuple[bytes | None, str]:
    """(bytes, "") of a picture file that is safe to decode, or (None, German problem)."""
    from app.lessons import safe_read, svg_safety

    is_svg = Path(path).suffix.lower() == ".svg"
    try:
        data = safe_read.read_bounded(Path(path), MAX_SVG_BYTES if is_svg else MAX_FILE_BYTES)
    except safe_read.UnsafeFile as error:
        return None, f"Die Bilddatei {error}"
    if is_svg:
        try:
            svg_safety.check(data)
        except svg_safety.SvgRefused as error:
            return None, f"Die SVG-Datei {error}"
    return data, ""


def svg_renderer_for(path: Path) -> QSvgRenderer | None:
    """A renderer over the checked bytes of the SVG at *path* (None if refused or broken)."""
    data, _problem = read_checked(path)
    if data is None:
        return None
    renderer = QSvgRenderer(QByteArray(data))
    return renderer if renderer.isValid() else None


def image_reader_for(path: Path) -> QImageReader | None:
    """A reader over the bounded bytes of the PNG/JPEG at *path* (None if it is no regular file)."""
    data, _problem = read_checked(path)
    if data is None:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.keep_buffer = buffer  # the reader does not own its device
    hint = format_hint(data)
    if hint:
        reader.setFormat(hint)
    return reader


def format_hint(data: bytes) -> bytes:
    """b"png"/b"jpeg" when *data* starts with that format's signature, else b"" (Qt guesses).

    Without a format Qt asks every image plugin (GIF, TIFF, WebP, ICNS, PDF …) whether it can
    read the bytes, which loads all of them: about 5 ms on a handout's first picture. With the
    hint Qt goes straight to the same decoder it would have found (PNG built in, JPEG plugin);
    bytes that do not match still fall back to Qt's own guess.
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return b"png"
    if data.startswith(b"\xff\xd8\xff"):
        return b"jpeg"
    return b""


def load_image_bytes(data: bytes, name: str) -> LoadedPicture:
    """A picture from memory (e.g. an organisation logo stored in the database)."""
    hint = format_hint(data)
    image = QImage.fromData(QByteArray(data), hint.decode() or None)
    if image.isNull():
        return LoadedPicture(name, problem="Das Bild ist beschädigt oder hat ein unbekanntes Format.")
    return LoadedPicture(name, "", image.width(), image.height(), image=image)


def _read(path: Path, alt: str, size: int) -> LoadedPicture:
    suffix = path.suffix.lower()
    if suffix == ".svg":
        if size > MAX_SVG_BYTES:
            return LoadedPicture(path.name, alt, problem="Die SVG-Datei ist zu groß.")
        return _read_svg(path, alt)
    if size > MAX_FILE_BYTES:
        return LoadedPicture(path.name, alt, problem="Die Bilddatei ist zu groß.")
    reader = image_reader_for(path)
    if reader is None:
        return LoadedPicture(path.name, alt, problem=read_checked(path)[1])
    reader.setAutoTransform(True)
    natural = reader.size()
    if not reader.canRead() or not natural.isValid():
        return LoadedPicture(path.name, alt, problem="Das Bild ist beschädigt oder hat ein unbekanntes Format.")
    if natural.width() > MAX_SIDE_PX or natural.height() > MAX_SIDE_PX:
        return LoadedPicture(path.name, alt, problem=f"Das Bild ist mit {natural.width()}×{natural.height()} Pixeln zu groß.")
    longest = max(natural.width(), natural.height())
    if longest > PRINT_SIDE_PX:
        factor = PRINT_SIDE_PX / longest
        reader.setScaledSize(QSize(max(1, round(natural.width() * factor)), max(1, round(natural.height() * factor))))
    image = reader.read()
    if image.isNull():
        return LoadedPicture(path.name, alt, problem=f"Das Bild ist beschädigt ({reader.errorString()}).")
    if image.hasAlphaChannel():
        flattened = QImage(image.size(), QImage.Format.Format_RGB32)
        flattened.fill(QColor("#ffffff"))
        painter = QPainter(flattened)
        painter.drawImage(0, 0, image)
        painter.end()
        image = flattened
    return LoadedPicture(path.name, alt, image.width(), image.height(), image=image)


def _read_svg(path: Path, alt: str) -> LoadedPicture:
    # Checked with Python first: Qt would print warnings for broken files; entities and
    # references to other files are refused, and only these bytes are ever painted.
    data, problem = read_checked(path)
    if data is None:
        return LoadedPicture(path.name, alt, problem=problem)
    data = with_print_font(data)  # one typeface on paper (see app.render.fonts)
    renderer = _svg_renderer(data)
    if not renderer.isValid():
        return LoadedPicture(path.name, alt, problem="Die SVG-Datei ist beschädigt.")
    box = renderer.viewBoxF()
    width, height = (box.width(), box.height()) if box.isValid() and not box.isEmpty() else (
        renderer.defaultSize().width(), renderer.defaultSize().height())
    if width <= 0 or height <= 0:
        return LoadedPicture(path.name, alt, problem="Das SVG-Bild hat keine Größe.")
    return LoadedPicture(path.name, alt, width, height, svg=data)


_renderers = threading.local()
_RENDERERS_PER_THREAD = 16
# The command line reads all pictures of a booklet (200-odd small SVGs) before painting any:
# the main thread keeps a renderer for each of them, within a budget of SVG source bytes (the
# whole shipped library has about 0.6 MB), and drops them when the document is painted.
_RENDERERS_MAIN_THREAD = 256
_MAIN_THREAD_SVG_BYTES = 4_000_000


def _svg_renderer(data: bytes) -> QSvgRenderer:
    """A renderer of the SVG *data*, parsed once per thread while recent.

    Reading a picture parses it to check it; painting the same bytes later (a handout's or a
    booklet's pictures) reuses that parse. Kept per thread (a renderer is a QObject) and only
    for the last few pictures (more, within a byte budget, in the main thread), so memory stays bounded.
    """
    cache: OrderedDict[int, tuple[bytes, QSvgRenderer]] | None = getattr(_renderers, "cache", None)
    if cache is None:
        cache = _renderers.cache = OrderedDict()
        _renderers.size = 0
    found = cache.get(id(data))
    if found is not None and found[0] is data:
        cache.move_to_end(id(data))
        return found[1]
    renderer = QSvgRenderer(QByteArray(data))
    cache[id(data)] = (data, renderer)
    _renderers.size += len(data)
    main = threading.current_thread() is threading.main_thread()
    limit, budget = (_RENDERERS_MAIN_THREAD, _MAIN_THREAD_SVG_BYTES) if main else (_RENDERERS_PER_THREAD, 0)
    while len(cache) > 1 and (len(cache) > limit or (budget and _renderers.size > budget)):
        _renderers.size -= len(cache.popitem(last=False)[1][0])
    return renderer


def release_svg_renderers() -> None:
    """Drop this thread's kept renderers (after painting a document): no Qt object outlives its use."""
    cache = getattr(_renderers, "cache", None)
    if cache:
        cache.clear()
        _renderers.size = 0


def paint_picture(painter: QPainter, picture: LoadedPicture, rect: QRectF) -> None:
    """Draw *picture* scaled into *rect* (aspect ratio is the caller's business)."""
    if picture.image is not None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(rect, picture.image)
        painter.restore()
    elif picture.svg is not None:
        load_fonts()  # the bundled face must be registered before Qt resolves the SVG's font
        renderer = _svg_renderer(picture.svg)
        renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        painter.save()
        painter.setClipRect(rect)
        renderer.render(painter, rect)
        painter.restore()


class PictureBlock(Block):
    """A picture that is never split: it shrinks to fit the page instead."""

    def __init__(self, picture: LoadedPicture, *, max_width: float = mm(150), max_height: float = mm(110),
                 frame: bool = True, centred: bool = True) -> None:
        self.picture = picture
        self.max_width = max_width
        self.max_height = max_height
        self.frame = frame and picture.image is not None
        self.centred = centred
        self.space_before = self.space_after = mm(4)
        self.placeholder: Text | None = None
        self.draw_width = 0.0

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        if not self.picture.ok:
            label = f"**Bild fehlt:** {self.picture.name}"
            if self.picture.alt:
                label += f"\n\n{self.picture.alt}"
            self.placeholder = Text(label, BODY, is_markdown=True, space_before=0, space_after=0)
            self.draw_width = min(width, mm(120))
            self.placeholder.measure(self.draw_width - 2 * mm(5), page_height)
            self.height = self.placeholder.height + 2 * mm(5)
            return self.height
        limit_w = min(width, self.max_width)
        limit_h = min(self.max_height, page_height * 0.8)
        scale = min(limit_w / self.picture.width, limit_h / self.picture.height)
        self.draw_width = self.picture.width * scale
        self.height = self.picture.height * scale
        return self.height

    def min_head(self) -> float:
        if self.placeholder is not None:
            return self.height
        return min(self.height, max(mm(MIN_SHRUNK_MM), self.height * MIN_SHRINK))

    def shrink(self, available: float) -> bool:
        """Use the rest of a page rather than leaving it empty, down to 60 % of the planned size."""
        if available + EPSILON < self.min_head() or available <= 0:
            return False
        factor = min(1.0, available / self.height)
        self.height *= factor
        self.draw_width *= factor
        return True

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        left = x + ((self.width - self.draw_width) / 2 if self.centred else 0.0)
        rect = QRectF(left, y, self.draw_width, self.height)
        if self.placeholder is not None:
            half = mm(0.3)
            painter.save()
            painter.setPen(pen(1.5, BLACK, Qt.PenStyle.DashLine))
            painter.drawRect(rect.adjusted(half, half, -half, -half))
            painter.restore()
            self.placeholder.paint(painter, left + mm(5), y + mm(5), context)
            return
        paint_picture(painter, self.picture, rect)
        if self.frame:
            half = mm(0.15)
            painter.save()
            painter.setPen(pen(0.75, QColor("#666666")))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(half, half, -half, -half))
            painter.restore()
