"""Print checks for SVG lesson pictures: contrast that survives a black-and-white printer, text size, frame.

Most handouts come out of a cheap black-and-white laser printer, which thresholds each pixel to
ink or paper. A colour survives that only when it differs clearly from what lies beneath it, so:

* **contrast** — text, lines (strokes) and filled shapes need a contrast of at least 4.5:1 (WCAG
  relative luminance) against the colour under them. The one exception is a pale tint (at most
  1.5:1) inside a dark outline: it prints white and the outline carries the shape. Mid-tones in
  between get a warning (``midtone``), because a printer's threshold makes them white or black
  by chance.
* **text size** — text inside a picture must reach 12 pt when the picture is printed at its
  smallest handout size (the 150 × 110 mm box shrunk to 80 %, see app/render/keep.py).
* **font** — picture text should name the bundled "Atkinson Hyperlegible" (the renderer maps
  generic families onto it anyway, so this is advice for portable files).
* **frame** — drawing that leaves the viewBox is cut hard at the picture's edge.

Pure Python (expat, no Qt): the lesson checker runs it for every picture. Geometry is estimated
from element attributes and transforms; text width is estimated from the character count.
The background of an element is the fill of the last earlier shape that covers its centre, or
the page white.
"""

from __future__ import annotations

import logging
import math
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

MIN_CONTRAST = 4.5
MIN_PICTURE_TEXT_PT = 12.0
# Smallest size a step picture is printed at: the 150 × 110 mm box of app/render/pictures.py,
# shrunk to its 80 % limit to share a page with its step (app/render/keep.py), so picture text
# is ≥ 12 pt on paper.
HANDOUT_PICTURE_MM = (150.0 * 0.8, 110.0 * 0.8)
FONT_FAMILY = "Atkinson Hyperlegible"
FRAME_TOLERANCE = 0.002  # share of the picture side a stroke may poke out (anti-aliasing)
INVISIBLE_CONTRAST = 1.05  # a colour this close to its background was never meant to be seen
PALE_CONTRAST = 1.5  # a fill this close to its background is a tint: it prints white, needs a dark outline
_PT_PER_MM = 72 / 25.4
_SHAPES = {"rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text"}
_CONTAINERS = {"svg", "g", "a", "switch"}
_INHERITED = ("fill", "stroke", "stroke-width", "font-size", "font-family", "font-weight", "text-anchor")
_NAMED = {
    "black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0), "green": (0, 128, 0),
    "blue": (0, 0, 255), "yellow": (255, 255, 0), "orange": (255, 165, 0), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "silver": (192, 192, 192), "navy": (0, 0, 128), "maroon": (128, 0, 0),
    "purple": (128, 0, 128), "teal": (0, 128, 128), "lime": (0, 255, 0), "aqua": (0, 255, 255),
    "cyan": (0, 255, 255), "magenta": (255, 0, 255), "fuchsia": (255, 0, 255), "olive": (128, 128, 0),
    "darkgray": (169, 169, 169), "lightgray": (211, 211, 211), "darkblue": (0, 0, 139),
    "darkred": (139, 0, 0), "darkgreen": (0, 100, 0),
}
WHITE = (255, 255, 255)

Rgb = tuple[int, int, int]
Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # left, top, right, bottom
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass(frozen=True)
class SvgFinding:
    """One problem in an SVG; *kind* is ``contrast``, ``midtone``, ``text_size``, ``font`` or ``frame``.

    For contrast findings *part* says which paint failed (``fill``, ``stroke`` or ``text``),
    *background_line* the line of the element whose fill lies beneath (0 = page white).
    """

    line: int
    kind: str
    message: str
    part: str = ""
    colour: Rgb | None = None
    background: Rgb | None = None
    background_line: int = 0
    ratio: float = 0.0


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    text: str = ""


@dataclass
class _Painted:
    box: Box
    colour: Rgb
    line: int
    ellipse: tuple[float, float, float, float] | None = None  # cx, cy, rx, ry in root space


# ---------------------------------------------------------------- colours

def parse_colour(value: str | None) -> Rgb | None:
    """``#rgb``, ``#rrggbb``, ``rgb(r,g,b)`` or a common name; None for none/unknown/url()."""
    if not value:
        return None
    value = value.strip().lower()
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        if len(digits) == 6 and all(c in "0123456789abcdef" for c in digits):
            return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
        return None
    match = re.fullmatch(r"rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", value)
    if match:
        return tuple(min(255, int(part)) for part in match.groups())  # type: ignore[return-value]
    return _NAMED.get(value)


def luminance(colour: Rgb) -> float:
    """WCAG 2 relative luminance."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = colour
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first: Rgb, second: Rgb) -> float:
    """WCAG contrast ratio, 1.0 … 21.0."""
    a, b = luminance(first), luminance(second)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def hex_colour(colour: Rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


# ---------------------------------------------------------------- geometry

def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _numbers(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", text)]


def parse_transform(text: str | None) -> Matrix:
    matrix = _IDENTITY
    for name, args in re.findall(r"(matrix|translate|scale|rotate|skewX|skewY)\s*\(([^)]*)\)", text or ""):
        v = _numbers(args)
        if name == "matrix" and len(v) == 6:
            step: Matrix = tuple(v)  # type: ignore[assignment]
        elif name == "translate" and v:
            step = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0.0)
        elif name == "scale" and v:
            step = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate" and v:
            r = math.radians(v[0])
            step = (math.cos(r), math.sin(r), -math.sin(r), math.cos(r), 0, 0)
            if len(v) == 3:
                step = _multiply(_multiply((1, 0, 0, 1, v[1], v[2]), step), (1, 0, 0, 1, -v[1], -v[2]))
        elif name == "skewX" and v:
            step = (1, 0, math.tan(math.radians(v[0])), 1, 0, 0)
        elif name == "skewY" and v:
            step = (1, math.tan(math.radians(v[0])), 0, 1, 0, 0)
        else:
            continue
        matrix = _multiply(matrix, step)
    return matrix


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


def _scale_of(m: Matrix) -> float:
    return math.sqrt(abs(m[0] * m[3] - m[1] * m[2])) or 1.0


def _arc_points(x0: float, y0: float, rx: float, ry: float, angle: float, large: bool, sweep: bool,
                x1: float, y1: float) -> list[tuple[float, float]]:
    """Points along an SVG elliptical arc (endpoint to centre conversion, SVG spec F.6.5)."""
    if rx == 0 or ry == 0 or (x0 == x1 and y0 == y1):
        return [(x1, y1)]
    rx, ry = abs(rx), abs(ry)
    phi = math.radians(angle)
    cos_p, sin_p = math.cos(phi), math.sin(phi)
    dx, dy = (x0 - x1) / 2, (y0 - y1) / 2
    x1p, y1p = cos_p * dx + sin_p * dy, -sin_p * dx + cos_p * dy
    scale = x1p ** 2 / rx ** 2 + y1p ** 2 / ry ** 2
    if scale > 1:
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    num = rx ** 2 * ry ** 2 - rx ** 2 * y1p ** 2 - ry ** 2 * x1p ** 2
    den = rx ** 2 * y1p ** 2 + ry ** 2 * x1p ** 2
    root = math.sqrt(max(0.0, num / den)) if den else 0.0
    if large == sweep:
        root = -root
    cxp, cyp = root * rx * y1p / ry, -root * ry * x1p / rx
    cx = cos_p * cxp - sin_p * cyp + (x0 + x1) / 2
    cy = sin_p * cxp + cos_p * cyp + (y0 + y1) / 2

    def angle_of(ux: float, uy: float) -> float:
        return math.atan2(uy, ux)
    start = angle_of((x1p - cxp) / rx, (y1p - cyp) / ry)
    end = angle_of((-x1p - cxp) / rx, (-y1p - cyp) / ry)
    delta = end - start
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    points = []
    for i in range(1, 25):
        t = start + delta * i / 24
        ex, ey = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + cos_p * ex - sin_p * ey, cy + sin_p * ex + cos_p * ey))
    return points


def path_points(d: str) -> list[tuple[float, float]]:
    """Points on an SVG path (curves sampled), enough for a bounding box."""
    tokens = re.findall(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", d)
    points: list[tuple[float, float]] = []
    x = y = start_x = start_y = 0.0
    last_control: tuple[float, float] | None = None
    command = ""
    i = 0

    def take(n: int) -> list[float] | None:
        nonlocal i
        if i + n > len(tokens) or any(t.isalpha() for t in tokens[i:i + n]):
            return None
        values = [float(t) for t in tokens[i:i + n]]
        i += n
        return values

    def bezier(p: list[tuple[float, float]]) -> None:
        for step in range(1, 13):
            t = step / 12
            if len(p) == 4:
                bx = (1 - t) ** 3 * p[0][0] + 3 * (1 - t) ** 2 * t * p[1][0] + 3 * (1 - t) * t ** 2 * p[2][0] + t ** 3 * p[3][0]
                by = (1 - t) ** 3 * p[0][1] + 3 * (1 - t) ** 2 * t * p[1][1] + 3 * (1 - t) * t ** 2 * p[2][1] + t ** 3 * p[3][1]
            else:
                bx = (1 - t) ** 2 * p[0][0] + 2 * (1 - t) * t * p[1][0] + t ** 2 * p[2][0]
                by = (1 - t) ** 2 * p[0][1] + 2 * (1 - t) * t * p[1][1] + t ** 2 * p[2][1]
            points.append((bx, by))

    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                x, y = start_x, start_y
                last_control = None
                continue
        if not command:
            break
        rel = command.islower()
        kind = command.upper()
        ox, oy = (x, y) if rel else (0.0, 0.0)
        if kind in "ML":
            v = take(2)
            if v is None:
                break
            x, y = ox + v[0], oy + v[1]
            if kind == "M":
                start_x, start_y = x, y
                command = "l" if rel else "L"
            points.append((x, y))
            last_control = None
        elif kind == "H":
            v = take(1)
            if v is None:
                break
            x = (x if rel else 0.0) + v[0]
            points.append((x, y))
            last_control = None
        elif kind == "V":
            v = take(1)
            if v is None:
                break
            y = (y if rel else 0.0) + v[0]
            points.append((x, y))
            last_control = None
        elif kind in "CS":
            v = take(6 if kind == "C" else 4)
            if v is None:
                break
            if kind == "C":
                c1 = (ox + v[0], oy + v[1])
                c2, end = (ox + v[2], oy + v[3]), (ox + v[4], oy + v[5])
            else:
                c1 = (2 * x - last_control[0], 2 * y - last_control[1]) if last_control else (x, y)
                c2, end = (ox + v[0], oy + v[1]), (ox + v[2], oy + v[3])
            bezier([(x, y), c1, c2, end])
            last_control = c2
            x, y = end
        elif kind in "QT":
            v = take(4 if kind == "Q" else 2)
            if v is None:
                break
            if kind == "Q":
                c1, end = (ox + v[0], oy + v[1]), (ox + v[2], oy + v[3])
            else:
                c1 = (2 * x - last_control[0], 2 * y - last_control[1]) if last_control else (x, y)
                end = (ox + v[0], oy + v[1])
            bezier([(x, y), c1, end])
            last_control = c1
            x, y = end
        elif kind == "A":
            v = take(7)
            if v is None:
                break
            end = (ox + v[5], oy + v[6])
            points.extend(_arc_points(x, y, v[0], v[1], v[2], bool(v[3]), bool(v[4]), *end))
            x, y = end
            last_control = None
        else:
            break
    return points


# ---------------------------------------------------------------- parsing

def _parse(data: bytes) -> _Node | None:
    parser = xml.parsers.expat.ParserCreate()
    stack: list[_Node] = []
    result: list[_Node] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        node = _Node(tag.rsplit(":", 1)[-1].rsplit("}", 1)[-1], dict(attrs), parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            result.append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].text += text

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError:
        return None
    return result[0] if result else None


def _style(attrs: dict[str, str]) -> dict[str, str]:
    merged = dict(attrs)
    for part in attrs.get("style", "").split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            merged[key.strip()] = value.strip()
    return merged


def _length(value: str | None, default: float = 0.0) -> float:
    numbers = _numbers(value or "")
    return numbers[0] if numbers else default


def view_box(root_attrs: dict[str, str]) -> Box | None:
    numbers = _numbers(root_attrs.get("viewBox", ""))
    if len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0:
        return numbers[0], numbers[1], numbers[0] + numbers[2], numbers[1] + numbers[3]
    width, height = _length(root_attrs.get("width")), _length(root_attrs.get("height"))
    if width > 0 and height > 0:
        return 0.0, 0.0, width, height
    return None


def _local_geometry(node: _Node, a: dict[str, str]) -> tuple[list[tuple[float, float]], tuple[float, float, float, float] | None]:
    """Outline points in the element's own coordinates, plus (cx, cy, rx, ry) for circles/ellipses."""
    tag = node.tag
    if tag == "rect":
        x, y = _length(a.get("x")), _length(a.get("y"))
        w, h = _length(a.get("width")), _length(a.get("height"))
        return [(x, y), (x + w, y), (x, y + h), (x + w, y + h)], None
    if tag in ("circle", "ellipse"):
        cx, cy = _length(a.get("cx")), _length(a.get("cy"))
        rx = _length(a.get("r")) if tag == "circle" else _length(a.get("rx"))
        ry = _length(a.get("r")) if tag == "circle" else _length(a.get("ry"))
        ring = [(cx + rx * math.cos(t * math.pi / 12), cy + ry * math.sin(t * math.pi / 12)) for t in range(24)]
        return ring, (cx, cy, rx, ry)
    if tag == "line":
        return [(_length(a.get("x1")), _length(a.get("y1"))), (_length(a.get("x2")), _length(a.get("y2")))], None
    if tag in ("polyline", "polygon"):
        v = _numbers(a.get("points", ""))
        return list(zip(v[0::2], v[1::2])), None
    if tag == "path":
        return path_points(a.get("d", "")), None
    if tag == "text":
        size = _length(a.get("font-size"), 16.0)
        x, y = _length(a.get("x")), _length(a.get("y"))
        content = " ".join(node.text.split()) or "".join(c.text for c in node.children)
        factor = 0.6 if a.get("font-weight", "normal") in ("bold", "700", "800", "900") else 0.55
        width = size * factor * len(content.strip())
        anchor = a.get("text-anchor", "start")
        left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
        return [(left, y - 0.75 * size), (left + width, y + 0.22 * size)], None
    return [], None


def _bounds(points: list[tuple[float, float]]) -> Box | None:
    if not points:
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _background(painted: list[_Painted], x: float, y: float) -> tuple[Rgb, int]:
    for shape in reversed(painted):
        left, top, right, bottom = shape.box
        if not (left <= x <= right and top <= y <= bottom):
            continue
        if shape.ellipse is not None:
            cx, cy, rx, ry = shape.ellipse
            if rx > 0 and ry > 0 and ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 > 1:
                continue
        return shape.colour, shape.line
    return WHITE, 0


# ---------------------------------------------------------------- the check

def check_svg(data: bytes, picture_mm: tuple[float, float] = HANDOUT_PICTURE_MM) -> list[SvgFinding]:
    """Print problems of the SVG *data*, in document order (German messages)."""
    return _analyse(data, picture_mm)[0]


def drawing_extent(data: bytes) -> tuple[Box, Box] | None:
    """(viewBox, estimated bounds of everything drawn incl. half stroke widths), or None."""
    _, frame, bounds = _analyse(data, HANDOUT_PICTURE_MM)
    if frame is None or bounds is None:
        return None
    return frame, bounds


def _analyse(data: bytes, picture_mm: tuple[float, float]) -> tuple[list[SvgFinding], Box | None, Box | None]:
    root = _parse(data)
    if root is None or root.tag != "svg":
        return [], None, None
    frame = view_box(root.attrs)
    if frame is None:
        return [], None, None
    fw, fh = frame[2] - frame[0], frame[3] - frame[1]
    mm_per_unit = min(picture_mm[0] / fw, picture_mm[1] / fh)
    findings: list[SvgFinding] = []
    painted: list[_Painted] = []
    outside: list[int] = []
    extent: list[Box] = []

    def visit(node: _Node, inherited: dict[str, str], matrix: Matrix) -> None:
        attrs = _style(node.attrs)
        current = dict(inherited)
        for key in _INHERITED:
            if key in attrs:
                current[key] = attrs[key]
        matrix = _multiply(matrix, parse_transform(attrs.get("transform")))
        if node.tag in _CONTAINERS:
            for child in node.children:
                visit(child, current, matrix)
            return
        if node.tag not in _SHAPES:
            return
        geometry = dict(attrs)
        geometry.update({k: v for k, v in current.items() if k not in attrs})
        local, ellipse = _local_geometry(node, geometry)
        points = [_apply(matrix, px, py) for px, py in local]
        box = _bounds(points)
        if box is None:
            return
        scale = _scale_of(matrix)
        fill = parse_colour(current.get("fill", "black")) if node.tag not in ("line",) else None
        if node.tag == "polyline" and current.get("fill") is None:
            fill = None
        stroke = parse_colour(current.get("stroke"))
        stroke_width = _length(current.get("stroke-width"), 1.0) * scale if stroke else 0.0
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        under, under_line = _background(painted, *centre)
        line = node.line
        if node.tag == "text":
            _check_text(node, current, fill, under, under_line, scale, mm_per_unit, findings)
        else:
            stroke_ok = stroke is not None and stroke_width > 0 and contrast(stroke, under) >= MIN_CONTRAST
            if stroke is not None and stroke_width > 0:
                ratio = contrast(stroke, under)
                if INVISIBLE_CONTRAST < ratio < MIN_CONTRAST and not (fill and contrast(stroke, fill) >= MIN_CONTRAST
                                                                       and contrast(fill, under) >= MIN_CONTRAST):
                    findings.append(SvgFinding(
                        line, "contrast",
                        f"Linienfarbe {hex_colour(stroke)} hat auf {hex_colour(under)} nur einen Kontrast von "
                        f"{_ratio_text(ratio)} (nötig {_ratio_text(MIN_CONTRAST)}); auf einem Schwarzweißdrucker "
                        "verschwindet sie.", "stroke", stroke, under, under_line, ratio))
            if fill is not None:
                ratio = contrast(fill, under)
                if PALE_CONTRAST < ratio < MIN_CONTRAST:
                    findings.append(SvgFinding(
                        line, "midtone",
                        f"Fläche in {hex_colour(fill)} ist ein Zwischenton (Kontrast {_ratio_text(ratio)} auf "
                        f"{hex_colour(under)}): ein Schwarzweißdrucker macht sie weiß oder schwarz. Dunkler färben "
                        f"(ab {_ratio_text(MIN_CONTRAST)}) oder heller (bis {_ratio_text(PALE_CONTRAST)}) mit dunklem "
                        "Rand.", "fill", fill, under, under_line, ratio))
                elif INVISIBLE_CONTRAST < ratio <= PALE_CONTRAST and not stroke_ok:
                    findings.append(SvgFinding(
                        line, "contrast",
                        f"Fläche in {hex_colour(fill)} hat auf {hex_colour(under)} nur einen Kontrast von "
                        f"{_ratio_text(ratio)} und keinen dunklen Rand; auf einem Schwarzweißdrucker verschwindet "
                        "sie (dunkler färben oder dunklen Rand geben).", "fill", fill, under, under_line, ratio))
                root_ellipse = None
                if ellipse is not None and abs(matrix[1]) < 1e-9 and abs(matrix[2]) < 1e-9:
                    cx, cy = _apply(matrix, ellipse[0], ellipse[1])
                    root_ellipse = (cx, cy, ellipse[2] * abs(matrix[0]), ellipse[3] * abs(matrix[3]))
                painted.append(_Painted(box, fill, line, root_ellipse))
        reach = stroke_width / 2 if node.tag != "text" else 0.0
        tolerance = FRAME_TOLERANCE * max(fw, fh)
        extent.append((box[0] - reach, box[1] - reach, box[2] + reach, box[3] + reach))
        if (box[0] - reach < frame[0] - tolerance or box[1] - reach < frame[1] - tolerance
                or box[2] + reach > frame[2] + tolerance or box[3] + reach > frame[3] + tolerance):
            outside.append(line)

    visit(root, {}, _IDENTITY)
    if outside:
        lines = ", ".join(str(n) for n in outside[:5]) + (" …" if len(outside) > 5 else "")
        findings.append(SvgFinding(
            outside[0], "frame",
            f"Zeichnung ragt über den Bildrahmen (viewBox) hinaus und wird abgeschnitten (Zeile {lines})."))
    bounds = (min(b[0] for b in extent), min(b[1] for b in extent),
              max(b[2] for b in extent), max(b[3] for b in extent)) if extent else None
    return sorted(findings, key=lambda f: f.line), frame, bounds


def _check_text(node: _Node, current: dict[str, str], fill: Rgb | None, under: Rgb, under_line: int,
                scale: float, mm_per_unit: float, findings: list[SvgFinding]) -> None:
    line = node.line
    if fill is not None:
        ratio = contrast(fill, under)
        if ratio < MIN_CONTRAST:
            findings.append(SvgFinding(
                line, "contrast",
                f"Schriftfarbe {hex_colour(fill)} hat auf {hex_colour(under)} nur einen Kontrast von "
                f"{_ratio_text(ratio)} (nötig {_ratio_text(MIN_CONTRAST)}).", "text", fill, under, under_line, ratio))
    size_pt = _length(current.get("font-size"), 16.0) * scale * mm_per_unit * _PT_PER_MM
    if size_pt < MIN_PICTURE_TEXT_PT - 0.05:
        findings.append(SvgFinding(
            line, "text_size",
            f"Schrift im Bild ist auf dem Handout nur {size_pt:.1f} pt groß (mindestens "
            f"{MIN_PICTURE_TEXT_PT:.0f} pt; Schriftgröße im Bild erhöhen)."))
    family = current.get("font-family", "")
    if FONT_FAMILY.lower() not in family.lower():
        findings.append(SvgFinding(
            line, "font",
            f"Schrift im Bild nennt »{family or 'keine Schriftart'}« statt »{FONT_FAMILY}« "
            "(die Schrift der Handouts)."))


def _ratio_text(ratio: float) -> str:
    return f"{ratio:.1f}:1".replace(".", ",")


# ---------------------------------------------------------------- lesson checker hook

MAX_MESSAGES_PER_PICTURE = 6
# Always warnings: drawing cut at the frame, and mid-tones inside a dark outline (the shape still
# prints, only its fill turns white or black). The test of the shipped pictures refuses them too.
ADVICE_KINDS = ("frame", "midtone")


class ProblemSink(Protocol):
    def error(self, line: int, message: str) -> None: ...


def is_shipped(folder: Path) -> bool:
    """True for a lesson that comes with the program (its print problems are errors, not advice)."""
    from app import paths

    try:
        return Path(folder).resolve().is_relative_to(paths.shipped_lessons_dir().resolve())
    except OSError:
        return False


def report_print_problems(folder: Path, target: Path, ref: str, line: int, problems: ProblemSink) -> None:
    """Record the print problems of the SVG *target* against the lesson line that uses it.

    Shipped lessons must be clean (errors); in a trainer's own lesson they are warnings, because
    the lesson still works on the wall and a colour printer.
    """
    try:
        findings = check_svg(target.read_bytes())
    except OSError:
        return
    except (ValueError, ArithmeticError, RecursionError):
        # a hostile or absurd file (numbers out of range, nesting thousands deep): the picture
        # checks above already decided whether it loads; the print advice is skipped
        log.warning("Druckprüfung für %s übersprungen", target, exc_info=True)
        return
    warning = getattr(problems, "warning", problems.error)
    shipped = is_shipped(folder)
    report = problems.error if shipped else warning
    if shipped:  # mid-tones of shipped pictures: tests/test_print_svg_checks.py lists them
        findings = [finding for finding in findings if finding.kind != "midtone"]
    for finding in findings[:MAX_MESSAGES_PER_PICTURE]:
        sink = warning if finding.kind in ADVICE_KINDS else report
        sink(line, f"Bild »{ref}«, SVG-Zeile {finding.line}: {finding.message}")
    rest = len(findings) - MAX_MESSAGES_PER_PICTURE
    if rest > 0:
        report(line, f"Bild »{ref}«: {rest} weitere Druckprobleme (Kontrast, Schriftgröße, Schriftart oder Rahmen).")
