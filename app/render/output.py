"""Paint a laid-out document onto any QPagedPaintDevice, and write PDF files safely.

The same :func:`paint` serves QPdfWriter (files), QPrinter (printing) and the printer of a
QPrintPreviewDialog — there is no second code path for preview or print.
"""

from __future__ import annotations

import errno
import logging
import re
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF
from PySide6.QtGui import QPageLayout, QPagedPaintDevice, QPageSize, QPainter, QPdfWriter

from app import __app_name__, __version__
from app.atomic_write import write_bytes_atomically
from app.render.document import Cancelled, Document, Layout, PageInfo, PaintContext, Progress, RenderCancelled
from app.render.units import UNITS_PER_INCH, pt

log = logging.getLogger(__name__)

PDF_LANGUAGE = "de-DE"



def _file_mode() -> int:
    """Mode of a normal new file (mkstemp makes 0600; a handout is an ordinary document).

    The umask is read from /proc instead of being set and reset, which would race with other
    threads creating files.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644


class OutputError(Exception):
    """A German message for the person: the PDF could not be written or the printer refused."""


def a4_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0),
                       QPageLayout.Unit.Millimeter)


def page_size(device: QPagedPaintDevice) -> tuple[float, float]:
    """The paper size of *device* in layout units (orientation included)."""
    rect = device.pageLayout().fullRect(QPageLayout.Unit.Point)
    return pt(rect.width()), pt(rect.height())


def layout_for(document: Document, device: QPagedPaintDevice, progress: Progress | None = None,
               cancelled: Cancelled | None = None) -> Layout:
    width, height = page_size(device)
    return document.layout(width, height, progress, cancelled)


def paint(layout: Layout, device: QPagedPaintDevice, progress: Progress | None = None,
          cancelled: Cancelled | None = None) -> int:
    """Paint every page of *layout* on *device*; returns the number of pages.

    A QPrinter must have ``setFullPage(True)`` (see :func:`prepare_printer`) so that the
    painter's origin is the paper's corner, as it is for our QPdfWriter.
    """
    painter = QPainter()
    if not painter.begin(device):
        raise OutputError("Das Ausgabegerät (Drucker oder PDF-Datei) ließ sich nicht öffnen.")
    scale_x = device.logicalDpiX() / UNITS_PER_INCH
    scale_y = device.logicalDpiY() / UNITS_PER_INCH
    body = layout.body
    total = layout.page_count
    try:
        for index, page in enumerate(layout.pages):
            if cancelled is not None and cancelled():
                raise RenderCancelled
            if index and not device.newPage():
                raise OutputError("Für die nächste Seite konnte kein neues Blatt begonnen werden.")
            info = PageInfo(index + 1, total, page.section, page.plain)
            context = PaintContext(info, layout.anchors)
            painter.save()
            painter.scale(scale_x, scale_y)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            style = layout.style
            if style.header is not None:
                style.header(painter, style.header_rect(layout.page_width), info)
            for placed in page.placed:
                placed.block.paint(painter, body.left(), body.top() + placed.y, context)
            if style.footer is not None:  # painted last: text extraction reads header, body, footer
                style.footer(painter, style.footer_rect(layout.page_width, layout.page_height), info)
            painter.restore()
            if progress is not None:
                progress(index + 1, total)
    except RenderCancelled:
        abort = getattr(device, "abort", None)  # QPrinter: drop the job instead of printing half
        if abort is not None:
            abort()
        raise
    finally:
        painter.end()
        from app.render.pictures import release_svg_renderers

        release_svg_renderers()
    return total


def prepare_pdf_writer(writer: QPdfWriter, title: str = "", author: str = "") -> None:
    """A4 portrait without device margins at the layout resolution (no scaling needed)."""
    writer.setResolution(int(UNITS_PER_INCH))
    writer.setPageLayout(a4_layout())
    writer.setTitle(title)
    writer.setCreator(f"{__app_name__} {__version__}")
    if author and hasattr(writer, "setAuthor"):  # Qt ≥ 6.9; older: finish_pdf() writes it
        writer.setAuthor(author)


def bookmarks(layout: Layout) -> list[tuple[str, int]]:
    """(title, page index) where a new section starts: each lesson of a booklet, the contents, a list."""
    if layout.sections:
        return list(layout.sections)
    marks: list[tuple[str, int]] = []
    previous = None
    for index, page in enumerate(layout.pages):
        if page.section and page.section != previous:
            marks.append((page.section, index))
        previous = page.section
    return marks


def finish_pdf(data: bytes, layout: Layout, title: str, author: str) -> bytes:
    """Add what QPdfWriter cannot write: language de-DE, bookmarks per section, the author.

    Appended as an incremental update (new catalog, info and outline objects, a small xref
    section): the pages Qt wrote stay untouched and nothing is parsed but the trailer, the
    catalog and the page list. A file that does not look like Qt's (no classic xref table) is
    finished with pypdf instead.
    """
    try:
        finished = _append_update(data, bookmarks(layout), len(layout.pages), title, author)
    except (ValueError, KeyError, IndexError, AttributeError):
        finished = None
    if finished is not None:
        return finished
    log.info("PDF mit pypdf nachbearbeitet (unerwarteter Aufbau)")
    return _finish_with_pypdf(data, layout, title, author)


def _pdf_text(text: str) -> bytes:
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _append_update(data: bytes, marks: list[tuple[str, int]], page_count: int, title: str,
                   author: str) -> bytes | None:
    tail = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", data[-2048:])
    trailer_at = data.rfind(b"trailer")
    if tail is None or trailer_at < 0:
        return None
    previous = int(tail.group(1))
    trailer = data[trailer_at:data.rfind(b"startxref")]
    size = int(re.search(rb"/Size\s+(\d+)", trailer).group(1))
    root = int(re.search(rb"/Root\s+(\d+)\s+0\s+R", trailer).group(1))
    identifier = re.search(rb"/ID\s*(\[[^\]]*\])", trailer)
    old_info = re.search(rb"/Info\s+(\d+)\s+0\s+R", trailer)
    if data[previous:previous + 4] != b"xref":
        return None
    offsets: dict[int, int] = {}
    position = previous + 4
    while True:
        header = re.match(rb"\s*(\d+)\s+(\d+)\s*\n", data[position:position + 40])
        if header is None:
            break
        first, count = int(header.group(1)), int(header.group(2))
        position += header.end()
        for index in range(count):
            entry = data[position + 20 * index:position + 20 * index + 20]
            if entry[17:18] == b"n":
                offsets[first + index] = int(entry[:10])
        position += 20 * count

    def body(number: int) -> bytes:
        start = data.index(b"obj", offsets[number]) + 3
        return data[start:data.index(b"endobj", start)].strip()

    catalog = body(root)
    if not (catalog.startswith(b"<<") and catalog.endswith(b">>")) or b"/Outlines" in catalog or b"/Lang" in catalog:
        return None
    pages = body(int(re.search(rb"/Pages\s+(\d+)\s+0\s+R", catalog).group(1)))
    kids = [int(n) for n in re.findall(rb"(\d+)\s+0\s+R", re.search(rb"/Kids\s*\[([^\]]*)\]", pages).group(1))]
    if len(kids) != page_count:
        return None  # a nested page tree: leave it to pypdf
    info_extra = b""
    if old_info is not None:
        info = body(int(old_info.group(1)))
        for key in (rb"/Producer", rb"/CreationDate", rb"/ModDate"):
            found = re.search(re.escape(key) + rb"\s*(\([^)]*\)|<[0-9A-Fa-f]*>)", info)
            if found:
                info_extra += key + b" " + found.group(1) + b"\n"
    objects: list[tuple[int, bytes]] = []
    outline_root = size
    extra = b"/Lang (" + PDF_LANGUAGE.encode("ascii") + b")\n"
    if marks:
        items = list(range(size + 1, size + 1 + len(marks)))
        for index, ((name, page), number) in enumerate(zip(marks, items)):
            links = b""
            if index:
                links += b"/Prev %d 0 R\n" % items[index - 1]
            if index + 1 < len(items):
                links += b"/Next %d 0 R\n" % items[index + 1]
            objects.append((number, b"<<\n/Title " + _pdf_text(name) + b"\n/Parent %d 0 R\n/Dest [%d 0 R /Fit]\n"
                            % (outline_root, kids[page]) + links + b">>"))
        objects.insert(0, (outline_root, b"<<\n/Type /Outlines\n/First %d 0 R\n/Last %d 0 R\n/Count %d\n>>"
                           % (items[0], items[-1], len(items))))
        extra += b"/Outlines %d 0 R\n/PageMode /UseOutlines\n" % outline_root
        next_number = items[-1] + 1
    else:
        next_number = size
    info_number = next_number
    creator = f"{__app_name__} {__version__}"
    objects.append((info_number, b"<<\n/Title " + _pdf_text(title) + b"\n/Author " + _pdf_text(author)
                    + b"\n/Creator " + _pdf_text(creator) + b"\n" + info_extra + b">>"))
    objects.append((root, catalog[:-2].rstrip() + b"\n" + extra + b">>"))
    out = bytearray(data)
    if not out.endswith(b"\n"):
        out += b"\n"
    placed: list[tuple[int, int]] = []
    for number, content in objects:
        placed.append((number, len(out)))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"  # readers expect each section to start with object 0
    for number, offset in sorted(placed):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    out += b"trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n/Prev %d\n" % (
        max(size, info_number + 1), root, info_number, previous)
    if identifier is not None:
        out += b"/ID " + identifier.group(1) + b"\n"
    out += b">>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def _finish_with_pypdf(data: bytes, layout: Layout, title: str, author: str) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    writer._root_object[NameObject("/Lang")] = TextStringObject(PDF_LANGUAGE)
    metadata = {"/Title": title, "/Creator": f"{__app_name__} {__version__}"}
    if author:
        metadata["/Author"] = author
    writer.add_metadata(metadata)
    for name, index in bookmarks(layout):
        writer.add_outline_item(title=name, page_number=index)
    if bookmarks(layout):
        writer._root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def prepare_printer(printer) -> None:  # noqa: ANN001 - QPrinter; not imported here to keep QtPrintSupport optional
    """Paint from the paper's corner; our margins are larger than any printer's unprintable border."""
    printer.setFullPage(True)


def render_pdf_bytes(document: Document, progress: Progress | None = None,
                     cancelled: Cancelled | None = None) -> tuple[bytes, Layout]:
    """Lay out and paint *document* into an in-memory PDF (A4)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    author = getattr(document, "author", "")
    prepare_pdf_writer(writer, document.title, author)
    layout = layout_for(document, writer, _part(progress, 0, 2), cancelled)
    paint(layout, writer, _part(progress, 1, 2), cancelled)
    del writer
    buffer.close()
    return finish_pdf(bytes(data.data()), layout, document.title, author), layout


def write_pdf(document: Document, target: Path, progress: Progress | None = None,
              cancelled: Cancelled | None = None) -> Layout:
    """Write *document* as PDF to *target*: temp file in the same folder, then rename.

    Either the complete file is there afterwards or nothing (an older file stays untouched).
    Raises :class:`OutputError` with a German message, or :class:`RenderCancelled`.
    """
    target = Path(target)
    check_target(target)
    data, layout = render_pdf_bytes(document, progress, cancelled)
    if cancelled is not None and cancelled():
        raise RenderCancelled
    write_atomically(target, data)
    return layout


def check_target(target: Path) -> None:
    """Refuse early what cannot work, before any rendering time is spent."""
    folder = target.parent
    if target.is_dir():
        raise OutputError(f"»{target}« ist ein Ordner. Bitte einen Dateinamen angeben, z. B. {target / 'handout.pdf'}.")
    if not folder.exists():
        raise OutputError(f"Der Ordner »{folder}« existiert nicht.")
    if not folder.is_dir():
        raise OutputError(f"»{folder}« ist kein Ordner.")


def write_atomically(target: Path, data: bytes) -> None:
    target = Path(target)
    check_target(target)
    try:
        write_bytes_atomically(target, data, _file_mode())
    except OSError as error:
        raise OutputError(describe_os_error(error, target)) from error


def describe_os_error(error: OSError, target: Path) -> str:
    """German explanation of why *target* could not be written."""
    from app.platform import GermanPermissionError, error_code

    if isinstance(error, GermanPermissionError):  # a Windows lock or read-only mark, already explained
        return str(error)
    folder = target.parent
    code = error_code(error)  # Windows: write-protected sticks and long paths have their own numbers
    if code == errno.ENOSPC or code == getattr(errno, "EDQUOT", -1):
        return f"Auf dem Datenträger ist nicht genug Platz für »{target.name}«. Bitte Platz schaffen oder einen anderen Ort wählen."
    if code in (errno.EACCES, errno.EPERM) and target.exists():
        return (f"Die Datei »{target.name}« lässt sich nicht ersetzen. Ist sie noch in einem anderen Programm "
                "(z. B. dem PDF-Betrachter) geöffnet? Bitte dort schließen oder einen anderen Namen wählen.")
    if code in (errno.EACCES, errno.EPERM):
        return f"Keine Berechtigung, in »{folder}« zu schreiben. Bitte einen anderen Ordner wählen (z. B. »Dokumente«)."
    if code == errno.EROFS:
        return f"»{folder}« ist schreibgeschützt (z. B. ein gesperrter USB-Stick). Bitte einen anderen Ort wählen."
    if code == errno.ENOENT and not folder.is_dir():
        return f"Der Ordner »{folder}« existiert nicht."
    if code == errno.ENAMETOOLONG:
        return f"Der Dateiname »{target.name}« ist zu lang."
    reason = error.strerror or str(error)
    return f"Die Datei »{target}« konnte nicht geschrieben werden (Meldung des Systems: {reason})."


def _part(progress: Progress | None, index: int, parts: int) -> Progress | None:
    """Map the progress of phase *index* of *parts* phases onto 0…1000."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        share = done / total if total else 1.0
        progress(int(1000 * (index + share) / parts), 1000)

    return report

