"""Anwesenheitsliste (signature sheet) and Teilnahmebescheinigung (certificate) as renderer documents.

Both are built from plain data (``app.domain.attendance``) into a
:class:`~app.render.document.Document`; PDF, printer and preview paint it through
:mod:`app.render.output`, like the handouts. Names are never parsed as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.attendance import CertificateData, CourseFormat, Letterhead, SignatureSheetData, format_date, format_date_long
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter

from app.render.blocks import BLACK, Lines, Rule, Table
from app.render.document import Document, PageBreak, PageInfo, Section
from app.render.fonts import font
from app.render.furniture import FURNITURE_PT, StandardFurniture
from app.render.markdown import Paragraph, Run
from app.render.pictures import load_image_bytes
from app.render.text import BODY, Text, TextStyle, heading
from app.render.units import mm, pt

SIGNATURE_ROW_MM = 13.0  # room for a shaky signature
CERTIFICATE_TITLE = TextStyle(size=30, bold=True, line_height=1.2, paragraph_gap=0.3)
NAME_STYLE = TextStyle(size=24, bold=True, line_height=1.3)


class CertificateFurniture(StandardFurniture):
    """Each certificate stands alone: the footer shows the contact line, no »Seite x von y«."""

    def paint_footer(self, painter: QPainter, rect: QRectF, info: PageInfo) -> None:
        if self.footer_note:
            painter.fillRect(QRectF(rect.left(), rect.top(), rect.width(), pt(0.75)), BLACK)
            band = QRectF(rect.left(), rect.top() + mm(1), rect.width(), rect.height() - mm(1))
            face = font(FURNITURE_PT)
            metrics = QFontMetricsF(face)
            shown = metrics.elidedText(self.footer_note, Qt.TextElideMode.ElideRight, band.width())
            painter.save()
            painter.setFont(face)
            painter.setPen(BLACK)
            painter.drawText(QPointF(band.left(), band.top() + (band.height() - metrics.height()) / 2 + metrics.ascent()),
                             shown)
            painter.restore()


def _furniture(head: Letterhead, note: str, warnings: list[str],
               kind: type[StandardFurniture] = StandardFurniture) -> StandardFurniture:
    logo = None
    if head.logo_png:
        logo = load_image_bytes(head.logo_png, "Logo")
        if not logo.ok:
            warnings.append(f"Das Logo wurde nicht gedruckt: {logo.problem}")
            logo = None
    return kind(head.organisation, logo, note)


def _facts(rows: Sequence[tuple[str, str]]) -> Text:
    """»Label: value« lines, the label bold; values are plain text, never Markdown."""
    paragraphs = [Paragraph([Run(f"{label}: ", bold=True), Run(value)]) for label, value in rows if value]
    return Text(paragraphs, BODY.with_(paragraph_gap=0.15), space_before=mm(2), space_after=mm(2))


def _plain(text: str, style: TextStyle = BODY, **spacing: float) -> Text:
    return Text([Paragraph([Run(part)]) for part in text.split("\n") if part.strip()], style, **spacing)


def build_signature_sheet(data: SignatureSheetData) -> Document:
    """One Termin's Anwesenheitsliste: header facts, then Nr / Name / Unterschrift, empty rows for walk-ins."""
    warnings: list[str] = []
    when = format_date_long(data.date) + (f", {data.time_text}" if data.time_text else "")
    furniture = _furniture(data.letterhead, f"{data.course_title} · {format_date(data.date)}", warnings)
    document = Document(furniture.page_style(), title=f"Anwesenheitsliste {data.course_title} {format_date(data.date)}")
    document.warnings.extend(warnings)
    place = ", ".join(part for part in (data.place, data.municipality) if part)
    document.add(
        Section("Anwesenheitsliste"),
        heading("Anwesenheitsliste", 1),
        _facts([
            (data.course_format.label, data.course_title),
            ("Datum", when),
            ("Ort", place),
            ("Leitung", ", ".join(data.trainers)),
            ("Thema", ", ".join(data.lesson_titles)),
        ]),
    )
    if data.letterhead.funding_line:
        document.add(_plain(data.letterhead.funding_line, BODY.with_(italic=True), space_before=mm(1),
                            space_after=mm(2)))
    rows = [[str(number), name, ""] for number, name in enumerate(data.names, 1)]
    rows += [[str(number), "", ""] for number in range(len(rows) + 1, len(rows) + 1 + data.empty_rows)]
    document.add(Table(["Nr.", "Name", "Unterschrift"], rows, widths=[0.09, 0.43, 0.48],
                       min_row_height=mm(SIGNATURE_ROW_MM)))
    if data.course_format is CourseFormat.DROP_IN:
        document.add(_plain("Besucher ohne Namen: ______", space_before=mm(4)))
    return document


def build_certificates(items: Sequence[CertificateData]) -> Document:
    """One Teilnahmebescheinigung per person, each on its own page, ready to print for a whole course."""
    warnings: list[str] = []
    head = items[0].letterhead if items else Letterhead("Kurslotse")
    furniture = _furniture(head, head.contact, warnings, CertificateFurniture)
    title = f"Teilnahmebescheinigungen {items[0].course_title}" if items else "Teilnahmebescheinigungen"
    document = Document(furniture.page_style(), title=title)
    document.warnings.extend(warnings)
    for number, item in enumerate(items):
        if number:
            document.add(PageBreak())
        _add_certificate(document, item)
    return document


def _add_certificate(document: Document, item: CertificateData) -> None:
    where = ", ".join(part for part in (item.place, item.municipality) if part)
    kind = {"course": "am Kurs", "drop_in": "an der Sprechstunde", "event": "an der Veranstaltung"}[item.course_format.value]
    count = len(item.dates_attended)
    document.add(
        Section("Teilnahmebescheinigung"),
        Text([Paragraph([Run("Teilnahmebescheinigung")])], CERTIFICATE_TITLE, space_before=mm(6), space_after=mm(8)),
        _plain("Hiermit wird bestätigt, dass", space_after=mm(2)),
        Text([Paragraph([Run(item.person_name)])], NAME_STYLE, space_before=mm(2), space_after=mm(2)),
        Text([Paragraph([Run(f"{kind} »"), Run(item.course_title, bold=True), Run("«" + (f" in {where}" if where else "")
                                                                                  + " teilgenommen hat.")])],
             BODY, space_after=mm(4)),
        heading(f"Besuchte Termine ({count} von {item.termine_held})", 3),
        Text([Paragraph([Run(", ".join(format_date(day) for day in item.dates_attended))])], BODY),
    )
    if item.topics:
        document.add(
            heading("Behandelte Themen", 3),
            Text([Paragraph([Run(topic)], marker="•") for topic in item.topics], BODY),
        )
    if item.letterhead.funding_line:
        document.add(Rule(0.75, mm(4)), _plain(item.letterhead.funding_line, BODY.with_(italic=True)))
    place = item.municipality or item.place
    document.add(
        _plain(f"{place + ', ' if place else ''}den {format_date(item.issued_on)}", space_before=mm(10)),
        Lines(1, mm(16)),
        _plain("Unterschrift der Kursleitung" + (f" ({', '.join(item.trainers)})" if item.trainers else ""),
               space_before=mm(1)),
    )
