"""Check a picture referenced by a lesson: inside the folder, a regular file, a known format, not too big,
self-contained (SVG, see :mod:`app.lessons.svg_safety`) and decodable down to the last pixel (PNG/JPEG)."""

from __future__ import annotations

import io
import os
import posixpath
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Protocol

from app.domain.lesson import Picture
from app.lessons import safe_read, svg_safety

ALLOWED_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
MAX_PICTURE_BYTES = 5_000_000
MAX_SVG_BYTES = 1_000_000
MAX_PICTURE_SIDE = 4000
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class ProblemSink(Protocol):
    def error(self, line: int, message: str) -> None: ...


def resolve(folder: Path, picture: Picture, problems: ProblemSink, check_content: bool = True) -> Picture | None:
    """Return *picture* with an absolute path inside *folder*, or None after recording why not."""
    ref = str(picture.path)
    line = picture.line
    if _SCHEME.match(ref) or ref.startswith("//"):
        problems.error(line, f"Bilder aus dem Internet oder von anderen Adressen werden nicht geladen: »{ref}«. Bitte die Datei in den Ordner »bilder« legen.")
        return None
    if PurePosixPath(ref).is_absolute() or PureWindowsPath(ref).is_absolute() or "\\" in ref:
        problems.error(line, f"Der Bildpfad »{ref}« muss relativ zum Lektionsordner sein, z. B. »bilder/datei.svg«.")
        return None
    root = folder.resolve()
    target = (folder / ref).resolve()
    if not target.is_relative_to(root):
        problems.error(line, f"Der Bildpfad »{ref}« verlässt den Lektionsordner; Bilder müssen im Lektionsordner liegen.")
        return None
    if target.suffix.lower() not in ALLOWED_SUFFIXES:
        problems.error(line, f"Bildformat von »{ref}« wird nicht unterstützt (erlaubt: {', '.join(ALLOWED_SUFFIXES)}).")
        return None
    case_problem = _case_problem(root, ref)
    if case_problem:  # Windows and FAT sticks ignore the case, Linux does not: fails on one of them
        problems.error(line, f"Das Bild »{ref}« {case_problem}")
        return None
    if not target.exists():
        problems.error(line, f"Das Bild »{ref}« fehlt.")
        # kept (inside the folder, never loaded from elsewhere) so projection and handout
        # can show a framed placeholder with the file name instead of silently dropping it
        return Picture(path=target, alt=picture.alt, line=line)
    try:
        size = target.stat().st_size
    except OSError as error:
        problems.error(line, f"Das Bild »{ref}« ist nicht lesbar ({error.strerror}).")
        return None
    kind = safe_read.kind_problem(target.stat().st_mode)
    if kind:  # a FIFO would block every reader, a device would never end
        problems.error(line, f"Das Bild »{ref}« {kind}")
        return None
    limit = MAX_SVG_BYTES if target.suffix.lower() == ".svg" else MAX_PICTURE_BYTES
    if size > limit:
        problems.error(line, f"Das Bild »{ref}« ist mit {size / 1_000_000:.1f} MB zu groß (höchstens {limit // 1_000_000} MB).")
        return None
    if check_content:
        message = _content_problem(target, limit)
        if message:
            problems.error(line, f"Das Bild »{ref}« {message}")
            return None
        if target.suffix.lower() == ".svg":
            from app.lessons import svg_checks  # only when checking content: a handout does without

            svg_checks.report_print_problems(folder, target, ref, line, problems)
    return Picture(path=target, alt=picture.alt, line=line)


def _case_problem(root: Path, ref: str) -> str | None:
    """Why *ref* works on one system only: its name differs from the file's in case, or a second
    file differs from it only in case (one file on Windows, NTFS and FAT sticks; two on Linux)."""
    current = root
    written: list[str] = []
    parts = [part for part in posixpath.normpath(ref).split("/") if part not in ("", ".")]
    for index, part in enumerate(parts):
        try:
            names = os.listdir(current)
        except OSError:
            return None  # not a folder, or unreadable: the other checks say so
        twins = sorted(name for name in names if name != part and name.casefold() == part.casefold())
        if part not in names:
            if not twins:
                return None  # really missing: reported as such
            actual = "/".join([*written, twins[0], *parts[index + 1:]])
            return (f"heißt im Lektionsordner »{actual}« (andere Groß-/Kleinschreibung). Unter Windows wird es "
                    "gefunden, auf anderen Rechnern fehlt es. Bitte den Namen genau so schreiben wie die Datei.")
        if twins:
            other = "/".join([*written, twins[0]])
            return (f"und »{other}« unterscheiden sich nur in der Groß-/Kleinschreibung. Unter Windows und auf "
                    "USB-Sticks sind das dieselbe Datei (eine überschreibt die andere). Bitte eine davon umbenennen.")
        written.append(part)
        current = current / part
    return None


def _content_problem(path: Path, limit: int) -> str | None:
    try:
        data = safe_read.read_bounded(path, limit)
    except safe_read.UnsafeFile as error:
        return str(error)
    if path.suffix.lower() == ".svg":
        try:
            svg_safety.check(data)
        except svg_safety.SvgRefused as error:
            return str(error)
        return None
    return raster_problem(data)


def raster_problem(data: bytes) -> str | None:
    """Why PNG/JPEG *data* cannot be shown, or None: the header is checked, then every pixel decoded."""
    from PIL import Image, UnidentifiedImageError

    # Our own side limit below is checked from the header before anything is decoded,
    # so Pillow's bomb guard (which refuses without telling the size) is not needed here.
    Image.MAX_IMAGE_PIXELS = None
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            width, height = image.size
            if width > MAX_PICTURE_SIDE or height > MAX_PICTURE_SIDE:
                return f"ist mit {width}×{height} Pixeln zu groß (höchstens {MAX_PICTURE_SIDE}×{MAX_PICTURE_SIDE})."
            if image.format not in ("PNG", "JPEG", "MPO"):  # MPO: a phone camera's JPEG
                return f"ist kein PNG- oder JPEG-Bild (sondern {image.format})."
            image.verify()
        with Image.open(io.BytesIO(data)) as image:  # verify() does not decode: a cut-off file only fails here
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError):
        return "ist kein lesbares Bild (beschädigt oder falsches Format)."
    except (OSError, SyntaxError, ValueError, EOFError):
        return "ist kein lesbares Bild (beschädigt oder unvollständig)."
    return None
