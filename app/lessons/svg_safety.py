"""Is an SVG picture self-contained and harmless? Checked on the decoded text, whatever its encoding.

A shared lesson must never pull a file from the trainer's computer onto the wall or paper. An SVG
can name other files in many ways: ``<image href="/home/…/foto.jpg">``, ``<use href="x.svg#a">``,
``xlink:href``, CSS ``url(…)`` in a ``style`` attribute, a ``<style>`` element or a presentation
attribute, ``@import``, an ``<?xml-stylesheet?>`` instruction, or an external DTD entity. Only
references inside the document (``#id``) are allowed; everything else is refused by the checker
and the renderers paint only bytes that passed this check (never the file by its path).

Entity definitions are refused on the decoded text, so a UTF-16 or UTF-32 file cannot hide
``<!ENTITY`` from a byte search.
"""

from __future__ import annotations

import codecs
import xml.etree.ElementTree as ElementTree

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALLOWED_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "utf-16", "utf-32",
                      "windows-1252", "cp1252"}


class SvgRefused(Exception):
    """The German reason (continues »Das Bild … «) why an SVG is not shown."""


def decode(data: bytes) -> str:
    """The text of an SVG file by its byte-order mark, its first bytes or its XML declaration."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None and len(data) >= 4:
        encoding = _width_from_zero_bytes(data[:4])
    if encoding is None:
        encoding = _declared_encoding(data) or "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise SvgRefused(f"ist nicht in der angegebenen Zeichenkodierung ({encoding}) gespeichert.") from None
    if "\x00" in text:
        raise SvgRefused("enthält Nullbytes (falsche Zeichenkodierung oder Binärdaten).")
    return text.lstrip("\ufeff")


def _width_from_zero_bytes(head: bytes) -> str | None:
    """UTF-16/32 without a byte-order mark: an XML file starts with an ASCII character, so the zero bytes
    around it tell width and byte order."""
    zero = [byte == 0 for byte in head]
    if zero == [False, True, True, True]:
        return "utf-32-le"
    if zero == [True, True, True, False]:
        return "utf-32-be"
    if zero[:2] == [False, True]:
        return "utf-16-le"
    if zero[:2] == [True, False]:
        return "utf-16-be"
    return None


def _declared_encoding(data: bytes) -> str | None:
    head = data[:200]
    if not head.startswith(b"<?xml"):
        return None
    end = head.find(b"?>")
    declaration = head[:end if end > 0 else len(head)].decode("ascii", "replace")
    marker = declaration.find("encoding")
    if marker < 0:
        return None
    rest = declaration[marker + len("encoding"):].lstrip().lstrip("=").lstrip()
    if not rest or rest[0] not in "\"'":
        return None
    closing = rest.find(rest[0], 1)
    name = rest[1:closing].strip().lower() if closing > 0 else ""
    if name not in _ALLOWED_ENCODINGS:
        raise SvgRefused(f"ist in einer unbekannten Zeichenkodierung (»{name[:20]}«) gespeichert; bitte UTF-8 verwenden.")
    return name


def check(data: bytes) -> ElementTree.Element:
    """The parsed root of a self-contained SVG; anything else raises :class:`SvgRefused`."""
    text = decode(data)
    upper = text.upper()
    if "<!ENTITY" in upper:
        raise SvgRefused("enthält Entity-Definitionen und wird aus Sicherheitsgründen nicht geladen.")
    doctype = upper.find("<!DOCTYPE")
    if doctype >= 0:
        closing = upper.find(">", doctype)
        if "[" in upper[doctype:closing if closing > 0 else len(upper)]:
            raise SvgRefused("enthält eine eigene DTD (<!DOCTYPE … [ … ]>) und wird aus Sicherheitsgründen nicht geladen.")
    if "<?XML-STYLESHEET" in upper:
        raise SvgRefused("bindet ein fremdes Stylesheet ein (<?xml-stylesheet?>); Bilder müssen in sich geschlossen sein.")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, b"<\x00\x00\x00", b"\x00\x00\x00<")):
        raise SvgRefused("ist in UTF-32 gespeichert; bitte UTF-8 verwenden.")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise SvgRefused(f"ist keine gültige SVG-Datei (Zeile {error.position[0]}).") from None
    if not root.tag.endswith("svg"):
        raise SvgRefused("ist keine SVG-Datei (das äußerste Element ist nicht <svg>).")
    _check_references(root)
    return root


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _check_references(root: ElementTree.Element) -> None:
    for element in root.iter():
        tag = _local(element.tag) if isinstance(element.tag, str) else ""
        for name, value in element.attrib.items():
            local = _local(name)
            if local in ("href", "src"):
                target = value.strip()
                if tag == "image" and local == "href" and _embedded_raster_ok(target):
                    continue  # a PNG/JPEG inside the file itself (marked phone screenshots, issue 19)
                if not target.startswith("#"):
                    raise SvgRefused(
                        f"verweist mit <{tag} {local}=…> auf »{_short(target)}« außerhalb des Bildes; Bilder müssen in "
                        "sich geschlossen sein (keine Verweise auf andere Dateien oder Adressen).")
            elif "(" in value or "@" in value:  # url( and @import need one; lower() makes neither of others
                _check_css(value, tag)
        if tag == "style" and element.text:
            _check_css(element.text, tag)


_EMBEDDED = ("data:image/png;base64,", "data:image/jpeg;base64,")
MAX_EMBEDDED_BYTES = 1_000_000


def _embedded_raster_ok(target: str) -> bool:
    """True for a ``data:`` PNG or JPEG that decodes completely (nothing outside the file is named)."""
    import base64
    import binascii

    prefix = next((p for p in _EMBEDDED if target[:len(p)].lower() == p), None)
    if prefix is None or len(target) > MAX_EMBEDDED_BYTES * 4 // 3 + len(prefix) + 4:
        return False
    try:
        data = base64.b64decode("".join(target[len(prefix):].split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    from app.lessons.pictures import raster_problem  # late: pictures imports this module

    return raster_problem(data) is None


def _check_css(value: str, tag: str) -> None:
    lowered = value.lower()
    if "@import" in lowered:
        raise SvgRefused(f"lädt in <{tag}> mit @import ein fremdes Stylesheet; Bilder müssen in sich geschlossen sein.")
    position = lowered.find("url(")
    while position >= 0:
        inner = value[position + 4:].lstrip().lstrip("\"'").lstrip()
        if not inner.startswith("#"):
            closing = inner.find(")")
            target = inner[:closing if closing >= 0 else 40].rstrip().rstrip("\"'")
            raise SvgRefused(f"verweist in <{tag}> mit url(…) auf »{_short(target)}« außerhalb des Bildes; Bilder müssen "
                             "in sich geschlossen sein.")
        position = lowered.find("url(", position + 4)


def _short(text: str) -> str:
    text = "".join(char if char.isprintable() else "?" for char in text)
    return text if len(text) <= 60 else text[:57] + "…"
