"""Phone screenshots with "tap here" marks: circles, arrows, numbered taps and blurred areas (no Qt).

A marked screenshot is stored twice in the lesson's ``bilder/`` folder:

* ``NAME.svg`` — the editable overlay: the screenshot (already blurred) embedded as a ``data:``
  URI, the marks as plain SVG shapes (crisp on the wall and on paper), and the list of marks as
  JSON in ``<desc id="kurslotse-markierungen">`` so the marking tool can open it again.
* ``NAME.png`` — the same picture flattened (marks drawn into the raster), for every checker and
  renderer that does not accept embedded pictures in an SVG.

:func:`lesson_target` says which of the two a lesson refers to: the SVG when the checker accepts
it, else the PNG. Blur is applied to the stored raster itself (pixelated, then blurred) before
anything is written, so the hidden names or numbers are in neither file. The original screenshot
is never copied into the lesson folder.

Marks are readable in black and white: a dark red core (prints near black) inside a white halo,
and numbers in white on a dark disc, sized so they reach 12 pt at the smallest handout size.

Every file is read like the lesson loader reads one (:mod:`app.lessons.safe_read`): regular files
only, never more than a limit. A raster's size is judged from its header before a pixel is decoded
(decompression bombs), an SVG passes :func:`app.lessons.svg_safety.check` before it is parsed, and a
file named by the lesson text must lie inside the lesson folder and be no symlink.
"""

from __future__ import annotations

import base64
import io
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.atomic_write import write_bytes_atomically
from app.lessons import safe_read, svg_safety
from app.lessons.svg_checks import FONT_FAMILY, HANDOUT_PICTURE_MM, MIN_PICTURE_TEXT_PT

MARK_KINDS = ("kreis", "pfeil", "nummer", "unschaerfe")
MARK_LABELS = {"kreis": "Kreis", "pfeil": "Pfeil", "nummer": "Nummer (hier tippen)", "unschaerfe": "Unkenntlich machen"}
MAX_SIDE = 1400  # a phone screenshot (1080 × 2400) becomes 630 × 1400: sharp at wall and A4 size
MAX_EMBEDDED_BYTES = 900_000  # the checker allows SVGs up to 1 MB
MAX_SOURCE_BYTES = 30_000_000  # a photo straight from a phone camera (12 MP JPEG: 3–8 MB)
MAX_SOURCE_PIXELS = 40_000_000  # judged from the header, before anything is decoded
MAX_SOURCE_SIDE = 12_000
MAX_OVERLAY_BYTES = 1_000_000  # the checker's limit for SVG pictures
RASTER_FORMATS = ("PNG", "JPEG", "MPO")  # MPO: what some phone cameras call their JPEG
CORE = "#a00000"  # dark red: > 7:1 on white, prints almost black
HALO = "#ffffff"
DESC_ID = "kurslotse-markierungen"
_PT_PER_MM = 72 / 25.4


class MarkupError(Exception):
    """A German message: the screenshot cannot be read or stored."""


@dataclass(frozen=True)
class Mark:
    """One mark in picture pixels. kreis/unschaerfe: box (x1,y1)-(x2,y2); pfeil: from (x1,y1) to the tip
    (x2,y2); nummer: centre (x1,y1) with *number*."""

    kind: str
    x1: float
    y1: float
    x2: float = 0.0
    y2: float = 0.0
    number: int = 0


@dataclass
class MarkedPicture:
    """The (already blurred) screenshot as PNG or JPEG bytes plus the marks drawn over it."""

    raster: bytes
    mime: str
    width: int
    height: int
    marks: list[Mark] = field(default_factory=list)

    @property
    def line_width(self) -> float:
        return max(4.0, round(max(self.width, self.height) / 160, 1))

    @property
    def number_radius(self) -> float:
        """Large enough that the digit inside reaches the checker's minimum print size."""
        mm_per_unit = min(HANDOUT_PICTURE_MM[0] / self.width, HANDOUT_PICTURE_MM[1] / self.height)
        minimum_font = (MIN_PICTURE_TEXT_PT + 1) / _PT_PER_MM / mm_per_unit
        return max(minimum_font * 0.75, max(self.width, self.height) / 28)

    def next_number(self) -> int:
        return max((m.number for m in self.marks if m.kind == "nummer"), default=0) + 1


# --- reading files safely --------------------------------------------------------------------


def read_source(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a picture the trainer chose (anywhere on the computer): a regular file up to *limit*."""
    path = Path(path)
    try:
        return safe_read.read_bounded(path, limit)
    except safe_read.UnsafeFile as error:
        raise MarkupError(f"Die Datei »{path.name}« {error}") from None


def inside_lesson(folder: Path, relative: str | Path) -> Path:
    """The path of *relative* in the lesson folder; :class:`MarkupError` when it leaves the folder or is a symlink."""
    text = relative.as_posix() if isinstance(relative, Path) else str(relative)  # Windows paths too
    if not text or ":" in text or text.startswith(("/", "\\")) or "\\" in text:
        raise MarkupError(f"Der Bildpfad »{text[:80]}« muss relativ zum Lektionsordner sein, z. B. »bilder/bild.png«.")
    root = Path(folder).resolve()
    path = Path(folder) / text
    if not path.resolve().is_relative_to(root):
        raise MarkupError(f"Der Bildpfad »{text[:80]}« verlässt den Lektionsordner; Bilder müssen im Lektionsordner liegen.")
    if path.is_symlink():
        raise MarkupError(f"Das Bild »{text[:80]}« ist eine Verknüpfung (Symlink) und wird nicht geöffnet.")
    return path


def read_in_lesson(folder: Path, relative: str | Path, limit: int = MAX_OVERLAY_BYTES) -> bytes:
    """The bytes of a file inside the lesson folder, read with the lesson loader's checks."""
    path = inside_lesson(folder, relative)
    try:
        return safe_read.read_bounded(path, limit)
    except safe_read.UnsafeFile as error:
        raise MarkupError(f"Das Bild »{str(relative)[:80]}« {error}") from None


def decode_raster(data: bytes, name: str = "Das Bild"):
    """A PNG or JPEG as an upright Pillow image; size and format are judged from the header first."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    # The size is judged below from the header before decoding (as app.lessons.pictures does), so Pillow's
    # own bomb guard, which refuses without telling the size, is not needed.
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
            if image.format not in RASTER_FORMATS:
                raise MarkupError(f"{name} ist kein PNG- oder JPEG-Bild (sondern {image.format}).")
            if width * height > MAX_SOURCE_PIXELS or max(width, height) > MAX_SOURCE_SIDE:
                raise MarkupError(f"{name} ist mit {width}×{height} Pixeln zu groß "
                                  f"(höchstens {MAX_SOURCE_PIXELS // 1_000_000} Millionen Pixel).")
            image.load()  # every pixel: a cut-off file fails here, not later in the renderer
            return ImageOps.exif_transpose(image)
    except MarkupError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise MarkupError(f"{name} ist kein lesbares PNG- oder JPEG-Bild.") from None
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError):
        raise MarkupError(f"{name} ist kein lesbares PNG- oder JPEG-Bild (beschädigt oder unvollständig).") from None


# --- reading a screenshot --------------------------------------------------------------------


def open_screenshot(data: bytes) -> MarkedPicture:
    """A PNG or JPEG screenshot, turned upright and scaled to at most MAX_SIDE pixels."""
    from PIL import Image

    image = decode_raster(data, "Das Bildschirmfoto").convert("RGB")
    scale = min(1.0, MAX_SIDE / max(image.width, image.height))
    if scale < 1.0:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.Resampling.LANCZOS)
    raster, mime = _encode(image)
    return MarkedPicture(raster, mime, image.width, image.height)


def _encode(image) -> tuple[bytes, str]:
    """PNG (sharp text) when it fits into an SVG, else JPEG (photos)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    if len(buffer.getvalue()) * 4 / 3 <= MAX_EMBEDDED_BYTES:
        return buffer.getvalue(), "image/png"
    for quality in (88, 80, 70, 60):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality)
        if len(buffer.getvalue()) * 4 / 3 <= MAX_EMBEDDED_BYTES:
            break
    return buffer.getvalue(), "image/jpeg"


def _image(picture: MarkedPicture):
    from PIL import Image

    with Image.open(io.BytesIO(picture.raster)) as image:
        return image.convert("RGB")


# --- blur: burnt into the raster ---------------------------------------------------------------


def apply_blur(picture: MarkedPicture) -> MarkedPicture:
    """Hide the areas of all ``unschaerfe`` marks in the raster itself; the marks are then dropped."""
    from PIL import Image, ImageFilter

    boxes = [m for m in picture.marks if m.kind == "unschaerfe"]
    if not boxes:
        return picture
    image = _image(picture)
    for mark in boxes:
        left, top, right, bottom = _box(mark, picture)
        if right - left < 2 or bottom - top < 2:
            continue
        region = image.crop((left, top, right, bottom))
        block = max(6, min(region.width, region.height) // 4)
        small = region.resize((max(1, region.width // block), max(1, region.height // block)), Image.Resampling.BILINEAR)
        region = small.resize(region.size, Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(block / 2))
        image.paste(region, (left, top))
    raster, mime = _encode(image)
    return MarkedPicture(raster, mime, picture.width, picture.height,
                         [m for m in picture.marks if m.kind != "unschaerfe"])


# --- turning and cutting: the raster and the marks move together --------------------------------

MIN_CROP_SIDE = 40  # pixels: a smaller cut-out is a slip of the mouse, not a picture


def rotate(picture: MarkedPicture, clockwise: bool = True) -> MarkedPicture:
    """The screenshot turned by a quarter (e.g. a landscape screenshot saved upright); marks turn with it."""
    from PIL import Image

    image = _image(picture).transpose(Image.Transpose.ROTATE_270 if clockwise else Image.Transpose.ROTATE_90)
    width, height = picture.width, picture.height

    def turn(x: float, y: float) -> tuple[float, float]:
        return (height - y, x) if clockwise else (y, width - x)

    marks = []
    for mark in picture.marks:
        x1, y1 = turn(mark.x1, mark.y1)
        x2, y2 = turn(mark.x2, mark.y2) if mark.kind != "nummer" else (0.0, 0.0)
        marks.append(Mark(mark.kind, x1, y1, x2, y2, mark.number))
    raster, mime = _encode(image)
    return MarkedPicture(raster, mime, image.width, image.height, marks)


def crop(picture: MarkedPicture, x1: float, y1: float, x2: float, y2: float) -> MarkedPicture:
    """Only the box (x1,y1)-(x2,y2) of the screenshot stays; marks outside it are dropped, the others move."""
    left, right = sorted((min(max(x1, 0), picture.width), min(max(x2, 0), picture.width)))
    top, bottom = sorted((min(max(y1, 0), picture.height), min(max(y2, 0), picture.height)))
    left, top, right, bottom = round(left), round(top), round(right), round(bottom)
    if right - left < MIN_CROP_SIDE or bottom - top < MIN_CROP_SIDE:
        raise MarkupError(f"Der Ausschnitt ist zu klein (mindestens {MIN_CROP_SIDE} × {MIN_CROP_SIDE} Pixel); "
                          "bitte einen größeren Rahmen ziehen.")
    image = _image(picture).crop((left, top, right, bottom))
    width, height = right - left, bottom - top

    def inside(x: float, y: float) -> bool:
        return 0 <= x <= width and 0 <= y <= height

    marks = []
    for mark in picture.marks:
        moved = Mark(mark.kind, mark.x1 - left, mark.y1 - top, mark.x2 - left if mark.kind != "nummer" else 0.0,
                     mark.y2 - top if mark.kind != "nummer" else 0.0, mark.number)
        if mark.kind == "nummer":
            keep = inside(moved.x1, moved.y1)
        elif mark.kind == "pfeil":
            keep = inside(moved.x2, moved.y2)  # the tip is what the arrow points at
        else:  # a circle stays when its centre is in the cut-out
            keep = inside((moved.x1 + moved.x2) / 2, (moved.y1 + moved.y2) / 2)
        if keep:
            marks.append(moved)
    raster, mime = _encode(image)
    return MarkedPicture(raster, mime, width, height, marks)


def _box(mark: Mark, picture: MarkedPicture) -> tuple[int, int, int, int]:
    left, right = sorted((mark.x1, mark.x2))
    top, bottom = sorted((mark.y1, mark.y2))
    clamp = lambda value, high: int(min(max(value, 0), high))  # noqa: E731
    return clamp(left, picture.width), clamp(top, picture.height), clamp(right, picture.width), clamp(bottom, picture.height)


# --- SVG ------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _inside(picture: MarkedPicture, x: float, y: float, margin: float) -> tuple[float, float]:
    return min(max(x, margin), picture.width - margin), min(max(y, margin), picture.height - margin)


def _arrow_points(picture: MarkedPicture, mark: Mark) -> tuple[tuple[float, float], tuple[float, float], list[tuple[float, float]]]:
    width = picture.line_width
    start = _inside(picture, mark.x1, mark.y1, width * 2)
    tip = _inside(picture, mark.x2, mark.y2, width * 2)
    angle = math.atan2(tip[1] - start[1], tip[0] - start[0])
    head = width * 5
    left = (tip[0] - head * math.cos(angle - 0.45), tip[1] - head * math.sin(angle - 0.45))
    right = (tip[0] - head * math.cos(angle + 0.45), tip[1] - head * math.sin(angle + 0.45))
    shaft_end = (tip[0] - head * 0.7 * math.cos(angle), tip[1] - head * 0.7 * math.sin(angle))
    return start, shaft_end, [tip, _inside(picture, *left, margin=width), _inside(picture, *right, margin=width)]


def _ellipse(picture: MarkedPicture, mark: Mark) -> tuple[float, float, float, float]:
    """Centre and radii, moved and shrunk so that the ring with its halo stays inside the picture."""
    width = picture.line_width
    left, top, right, bottom = _box(mark, picture)
    reach = width * 1.2 + 1
    rx = min(max((right - left) / 2, width * 3), picture.width / 2 - reach)
    ry = min(max((bottom - top) / 2, width * 3), picture.height / 2 - reach)
    cx = min(max((left + right) / 2, rx + reach), picture.width - rx - reach)
    cy = min(max((top + bottom) / 2, ry + reach), picture.height - ry - reach)
    return cx, cy, rx, ry


def _number_circle(picture: MarkedPicture, mark: Mark) -> tuple[float, float, float]:
    radius = min(picture.number_radius, picture.width / 2 - 2, picture.height / 2 - 2)
    cx, cy = _inside(picture, mark.x1, mark.y1, radius + picture.line_width / 2 + 1)
    return cx, cy, radius


def build_svg(picture: MarkedPicture) -> bytes:
    """The overlay as SVG Tiny 1.2: white page, embedded raster, marks, and the marks as JSON."""
    w, h = picture.width, picture.height
    width = picture.line_width
    data = base64.b64encode(picture.raster).decode("ascii")
    marks = json.dumps({"version": 1, "marks": [asdict(m) for m in picture.marks]}, ensure_ascii=False)
    shapes: list[str] = []
    for mark in picture.marks:
        if mark.kind == "kreis":
            cx, cy, rx, ry = _ellipse(picture, mark)
            for colour, stroke in ((HALO, width * 2.2), (CORE, width)):
                shapes.append(f'<ellipse cx="{_fmt(cx)}" cy="{_fmt(cy)}" rx="{_fmt(rx)}" ry="{_fmt(ry)}" fill="none" '
                              f'stroke="{colour}" stroke-width="{_fmt(stroke)}"/>')
        elif mark.kind == "pfeil":
            start, shaft_end, head = _arrow_points(picture, mark)
            points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in head)
            for colour, extra in ((HALO, width * 1.2), (CORE, 0.0)):
                shapes.append(f'<line x1="{_fmt(start[0])}" y1="{_fmt(start[1])}" x2="{_fmt(shaft_end[0])}" '
                              f'y2="{_fmt(shaft_end[1])}" stroke="{colour}" stroke-width="{_fmt(width + extra)}" '
                              'stroke-linecap="round"/>')
                shapes.append(f'<polygon points="{points}" fill="{colour}" stroke="{colour}" '
                              f'stroke-width="{_fmt(max(extra, 1.0))}" stroke-linejoin="round"/>')
        elif mark.kind == "nummer":
            cx, cy, radius = _number_circle(picture, mark)
            font = radius * 1.3
            shapes.append(f'<circle cx="{_fmt(cx)}" cy="{_fmt(cy)}" r="{_fmt(radius)}" fill="{CORE}" stroke="{HALO}" '
                          f'stroke-width="{_fmt(width)}"/>')
            shapes.append(f'<text x="{_fmt(cx)}" y="{_fmt(cy + font * 0.35)}" font-family="{FONT_FAMILY}" '
                          f'font-size="{_fmt(font)}" font-weight="bold" text-anchor="middle" fill="{HALO}">'
                          f'{int(mark.number)}</text>')
    body = "\n  ".join(shapes)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.2" '
        f'baseProfile="tiny" width="{w}" height="{h}" viewBox="0 0 {w} {h}">\n'
        f'  <desc id="{DESC_ID}">{_escape(marks)}</desc>\n'
        f'  <rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>\n'
        f'  <image x="0" y="0" width="{w}" height="{h}" xlink:href="data:{picture.mime};base64,{data}"/>\n'
        f'  {body}\n'
        '</svg>\n'
    )
    return text.encode("utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def read_svg(data: bytes) -> MarkedPicture:
    """Open an overlay written by :func:`build_svg` again (the marks stay editable)."""
    if len(data) > MAX_OVERLAY_BYTES:
        raise MarkupError("Die Markierungsdatei ist größer als 1 MB und wird nicht geöffnet.")
    try:
        root = svg_safety.check(data)  # no entities, no outside references, before anything else
    except svg_safety.SvgRefused as error:
        raise MarkupError(f"Die Markierungsdatei {error}") from None
    description = next((e for e in root.iter() if e.tag.endswith("desc") and e.get("id") == DESC_ID), None)
    image = next((e for e in root.iter() if e.tag.endswith("image")), None)
    if description is None or image is None:
        raise MarkupError("Dieses SVG wurde nicht mit dem Markierungswerkzeug erstellt.")
    href = image.get("{http://www.w3.org/1999/xlink}href") or image.get("href") or ""
    header, _, encoded = href.partition(",")
    mime = header.removeprefix("data:").removesuffix(";base64")
    if mime not in ("image/png", "image/jpeg") or not header.endswith(";base64"):
        raise MarkupError("Das eingebettete Bildschirmfoto ist weder PNG noch JPEG.")
    try:
        raster = base64.b64decode(encoded, validate=True)
        info = json.loads(description.text or "{}")
        marks = [Mark(kind=str(m["kind"]), x1=float(m["x1"]), y1=float(m["y1"]), x2=float(m.get("x2", 0)),
                      y2=float(m.get("y2", 0)), number=int(m.get("number", 0)))
                 for m in info.get("marks", []) if m.get("kind") in MARK_KINDS]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise MarkupError("Die Markierungen in der Datei sind beschädigt.") from None
    from app.lessons.pictures import raster_problem

    problem = raster_problem(raster)  # side limit from the header, then every pixel
    if problem:
        raise MarkupError(f"Das eingebettete Bildschirmfoto {problem}")
    with decode_raster(raster, "Das eingebettete Bildschirmfoto") as real:
        width, height = real.width, real.height
    return MarkedPicture(raster, mime, width, height, marks)


# --- flattened PNG ------------------------------------------------------------------------------


def flatten_png(picture: MarkedPicture) -> bytes:
    """The marks drawn into the raster (drawn at twice the size, then scaled down: smooth edges)."""
    from PIL import Image, ImageDraw

    factor = 2
    base = _image(picture).resize((picture.width * factor, picture.height * factor), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(base)
    width = picture.line_width * factor
    scaled = lambda *values: [v * factor for v in values]  # noqa: E731
    for mark in picture.marks:
        if mark.kind == "kreis":
            cx, cy, rx, ry = scaled(*_ellipse(picture, mark))
            for colour, stroke in ((HALO, width * 2.2), (CORE, width)):
                draw.ellipse((cx - rx - stroke / 2, cy - ry - stroke / 2, cx + rx + stroke / 2, cy + ry + stroke / 2),
                             outline=colour, width=max(1, round(stroke)))
        elif mark.kind == "pfeil":
            start, shaft_end, head = _arrow_points(picture, mark)
            for colour, extra in ((HALO, width * 1.2), (CORE, 0.0)):
                draw.line((*scaled(*start), *scaled(*shaft_end)), fill=colour, width=max(1, round(width + extra)))
                draw.polygon([tuple(scaled(*point)) for point in head], fill=colour,
                             outline=colour, width=max(1, round(extra / 2)))
        elif mark.kind == "nummer":
            cx, cy, radius = scaled(*_number_circle(picture, mark))
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=CORE, outline=HALO,
                         width=max(1, round(width)))
            font = _font(radius * 1.3)
            draw.text((cx, cy), str(int(mark.number)), fill=HALO, font=font, anchor="mm")
    result = base.resize((picture.width, picture.height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    result.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _font(size: float):
    from PIL import ImageFont

    from app import paths

    try:
        return ImageFont.truetype(str(paths.resource("schriften", "AtkinsonHyperlegible-Bold.ttf")), round(size))
    except OSError:
        return ImageFont.load_default(size=round(size))


# --- files ----------------------------------------------------------------------------------


def svg_accepted(data: bytes) -> bool:
    """Does the lesson checker accept this SVG (embedded pictures included)?"""
    try:
        svg_safety.check(data)
    except svg_safety.SvgRefused:
        return False
    return True


def lesson_target(svg_path: Path, png_path: Path) -> Path:
    """The file a lesson should refer to: the crisp SVG if the checker takes it, else the flat PNG."""
    try:
        data = safe_read.read_bounded(svg_path, MAX_OVERLAY_BYTES)
    except safe_read.UnsafeFile:
        return png_path
    return svg_path if svg_accepted(data) else png_path


def save(picture: MarkedPicture, folder: Path, name: str) -> tuple[MarkedPicture, Path]:
    """Blur, then write ``bilder/NAME.svg`` and ``bilder/NAME.png``; returns the stored picture and the
    path (relative to *folder*) the lesson should refer to."""
    stored = apply_blur(picture)
    pictures = _pictures_dir(folder)
    svg_path, png_path = pictures / f"{name}.svg", pictures / f"{name}.png"
    try:
        write_bytes_atomically(png_path, flatten_png(stored))
        write_bytes_atomically(svg_path, build_svg(stored))
    except OSError as error:
        raise MarkupError(f"Das markierte Bild konnte nicht in {pictures} gespeichert werden ({error.strerror}).") from None
    return stored, lesson_target(svg_path, png_path).relative_to(folder)


def _pictures_dir(folder: Path) -> Path:
    """``bilder/`` of the lesson, created if needed; refused when it leads out of the lesson folder."""
    pictures = Path(folder) / "bilder"
    try:
        pictures.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise MarkupError(f"Der Ordner {pictures} kann nicht angelegt werden ({error.strerror}).") from None
    if pictures.is_symlink() or not pictures.resolve().is_relative_to(Path(folder).resolve()):
        raise MarkupError(f"Der Ordner »bilder« der Lektion ist eine Verknüpfung nach außerhalb ({pictures}); "
                          "dorthin wird nichts gespeichert.")
    return pictures


def overlay_for(folder: Path, target: str) -> Path | None:
    """The editable overlay of a lesson picture ``bilder/NAME.png`` or ``.svg``, if there is one.

    Only a regular file inside the lesson folder (no symlink) counts; anything else is no overlay.
    """
    try:
        relative = Path(target).with_suffix(".svg")
        data = read_in_lesson(folder, relative)
    except (MarkupError, ValueError):
        return None
    return Path(folder) / relative if DESC_ID.encode() in data[:4000] else None


def read_overlay(folder: Path, overlay: Path) -> MarkedPicture:
    """Open the overlay *overlay* (a path inside *folder*, see :func:`overlay_for`) for editing."""
    return read_svg(read_in_lesson(folder, Path(overlay).relative_to(folder)))


def free_name(folder: Path, base: str) -> str:
    """A picture name not used yet in ``bilder/``."""
    name = base
    number = 2
    while (Path(folder) / "bilder" / f"{name}.svg").exists() or (Path(folder) / "bilder" / f"{name}.png").exists():
        name = f"{base}-{number}"
        number += 1
    return name


RASTER_SIDE = 1600  # pictures added to a step: enough for a 1920 px wall, small enough for the handout


def import_picture(source: Path, folder: Path) -> str:
    """Copy a PNG, JPEG or SVG into ``bilder/`` (rasters scaled down to RASTER_SIDE); returns ``bilder/NAME``."""
    from app.lessons import pictures
    from app.lessons.editing import slug

    source = Path(source)
    suffix = source.suffix.lower()
    if suffix not in pictures.ALLOWED_SUFFIXES:
        raise MarkupError(f"»{source.name}« ist kein PNG-, JPEG- oder SVG-Bild.")
    data = read_source(source, pictures.MAX_SVG_BYTES if suffix == ".svg" else MAX_SOURCE_BYTES)
    name = free_name(folder, slug(source.stem) or "bild")
    target_dir = _pictures_dir(folder)
    if suffix == ".svg":
        try:
            svg_safety.check(data)
        except svg_safety.SvgRefused as error:
            raise MarkupError(f"Das Bild »{source.name}« {error}") from None
        target = target_dir / f"{name}.svg"
    else:
        from PIL import Image

        image = decode_raster(data, f"Das Bild »{source.name}«")
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        scale = min(1.0, RASTER_SIDE / max(image.width, image.height))
        if scale < 1.0:
            image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        if suffix == ".png":
            image.save(buffer, "PNG", optimize=True)
            target = target_dir / f"{name}.png"
        else:
            image.convert("RGB").save(buffer, "JPEG", quality=88)
            target = target_dir / f"{name}.jpg"
        data = buffer.getvalue()
    try:
        write_bytes_atomically(target, data)
    except OSError as error:
        raise MarkupError(f"Das Bild konnte nicht in {target_dir} gespeichert werden ({error.strerror}).") from None
    return f"bilder/{target.name}"
