"""Anwesenheitsliste (signature sheet) and Teilnahmebescheinigung (certificate) as renderer documents.

Both are built from plain data (``app.domain.attendance``) into a
:class:`~app.render.document.Document`; PDF, printer and preview paint it through
:mod:`app.render.output`, like the handouts. Names are never parsed as Markdown.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.attendance import CertificateData, CourseFormat, Letterhead, SignatureSheetData, format_date, format_date_long
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter

from app.render.blocks import Table, pen
from app.render.document import Block, Document, PageBreak, PageStyle, PaintContext, PlainPage, Section
from app.render.furniture import StandardFurniture
from app.render.markdown import Paragraph, Run
from app.render.output import a4_layout
from app.render.pictures import LoadedPicture, PictureBlock, load_image_bytes
from app.render.text import BODY, HEADING, Text, TextStyle, heading
from app.render.units import mm, pt

SIGNATURE_ROW_MM = 13.0  # room for a shaky signature, when the page has it
MIN_SIGNATURE_ROW_MM = 10.0
INDENT = mm(8)  # left-aligned parts of a certificate sit a little inside the frame  # 20 names and the walk-in rows still fit one A4 sheet
CERTIFICATE_TITLE = TextStyle(size=34, bold=True, line_height=1.2, paragraph_gap=0.3)
NAME_STYLE = TextStyle(size=30, bold=True, line_height=1.25)
CERTIFICATE_TEXT = TextStyle(size=16, line_height=1.4, paragraph_gap=0.3)
SMALL_PRINT = TextStyle(size=12, line_height=1.35, paragraph_gap=0.2)
SHEET_STYLE = dict(margin_top=9.0, margin_bottom=9.0, gap=3.0)  # room for 20 rows of signatures
SHEET_FACTS = BODY.with_(size=12, line_height=1.35, paragraph_gap=0.1)
# A place named after a building gets an article: »im Dorfgemeinschaftshaus«, »in der Bücherei«.
_NEUTER_OR_MASCULINE = ("haus", "heim", "zentrum", "treff", "café", "cafe", "raum", "saal", "büro", "amt",
                        "hof", "center", "keller", "pavillon", "forum", "studio", "bürgerhaus")
_FEMININE = ("halle", "schule", "bücherei", "bibliothek", "kirche", "stube", "scheune", "hütte", "mühle",
             "stätte", "werkstatt", "akademie", "station", "begegnungsstätte", "kita", "kantine", "aula")


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




def place_phrase(place: str, municipality: str = "") -> str:
    """»im Dorfgemeinschaftshaus in Nanzdietschweiler«, »in der Bücherei Kusel«, »in Nanzdietschweiler«."""
    place, municipality = place.strip(), municipality.strip()
    if not place:
        return f"in {municipality}" if municipality else ""
    first = place.split()[0].casefold()
    lowered = place.split(",")[0].split()[-1].casefold() if place.split(",")[0].split() else ""
    if first in ("im", "in", "am", "beim", "bei", "auf", "an", "zum", "zur"):
        phrase = place
    elif first in ("der", "die"):
        phrase = f"in der {place.split(None, 1)[1]}" if first == "die" and " " in place else f"in {place}"
    elif first == "das" and " " in place:
        phrase = f"im {place.split(None, 1)[1]}"
    elif lowered.endswith(_FEMININE):
        phrase = f"in der {place}"
    elif lowered.endswith(_NEUTER_OR_MASCULINE):
        phrase = f"im {place}"
    else:
        phrase = f"in {place}"
    if municipality and municipality.casefold() not in place.casefold():
        phrase += f" in {municipality}"
    return phrase


def build_signature_sheet(data: SignatureSheetData) -> Document:
    """One Termin's Anwesenheitsliste: compact facts, then Nr / Name / Unterschrift rows of at least 10 mm.

    The rows are as tall as the sheet allows (10–13 mm); the empty rows for walk-ins are cut to
    what still fits, so a course of 20 signs on one A4 sheet. Longer lists continue on more
    sheets with the header row repeated.
    """
    warnings: list[str] = []
    when = format_date_long(data.date) + (f", {data.time_text}" if data.time_text else "")
    furniture = _furniture(data.letterhead, f"{data.course_title} · {format_date(data.date)}", warnings)
    document = Document(furniture.page_style(**SHEET_STYLE),
                        title=f"Anwesenheitsliste {data.course_title} {format_date(data.date)}")
    document.author = data.letterhead.organisation
    document.warnings.extend(warnings)
    place = ", ".join(part for part in (data.place, data.municipality) if part)
    facts = [
        Paragraph([Run(f"{data.course_format.label}: ", bold=True), Run(data.course_title), Run("   ·   "),
                   Run("Datum: ", bold=True), Run(when)]),
    ]
    second = [(label, value) for label, value in (("Ort", place), ("Leitung", ", ".join(data.trainers)),
                                                  ("Thema", ", ".join(data.lesson_titles))) if value]
    if second:
        runs: list[Run] = []
        for index, (label, value) in enumerate(second):
            if index:
                runs.append(Run("   ·   "))
            runs.extend((Run(f"{label}: ", bold=True), Run(value)))
        facts.append(Paragraph(runs))
    top: list[Block] = [Section("Anwesenheitsliste"), heading("Anwesenheitsliste", 2, space_before=0),
                        Text(facts, SHEET_FACTS, space_before=mm(1), space_after=mm(1))]
    if data.letterhead.funding_line:
        top.append(_plain(data.letterhead.funding_line, SHEET_FACTS.with_(italic=True), space_before=0,
                          space_after=mm(1)))
    document.add(*top)
    tail: list[Block] = []
    if data.course_format is CourseFormat.DROP_IN:
        tail.append(_plain("Besucher ohne Namen: ______", space_before=mm(4)))
    names = list(data.names)
    table = Table(["Nr.", "Name", "Unterschrift"], [], widths=[0.09, 0.43, 0.48], padding=mm(1.5))
    available = _room_below(document, [*top[1:], *tail], furniture, table)
    fitting = int(available // mm(MIN_SIGNATURE_ROW_MM))
    empty = data.empty_rows
    if len(names) + empty > fitting >= len(names):
        empty = fitting - len(names)  # walk-in rows only as far as the sheet goes
    total = len(names) + empty
    row = mm(SIGNATURE_ROW_MM)
    if 0 < total <= fitting:
        row = max(mm(MIN_SIGNATURE_ROW_MM), min(row, available / total - mm(0.01)))
    else:
        row = mm(MIN_SIGNATURE_ROW_MM) if total > fitting else row
    rows = [[str(number), name, ""] for number, name in enumerate(names, 1)]
    rows += [[str(number), "", ""] for number in range(len(rows) + 1, total + 1)]
    document.add(Table(["Nr.", "Name", "Unterschrift"], rows, widths=[0.09, 0.43, 0.48], min_row_height=row,
                       padding=mm(1.5)).spaced(mm(2), mm(2)), *tail)
    return document


def _room_below(document: Document, blocks: list[Block], furniture: StandardFurniture, table: Table) -> float:
    """Height left on the first sheet for table rows after *blocks* and the table's header row."""
    layout = a4_layout().fullRect().size()
    body = document.style.body_rect(mm(layout.width()), mm(layout.height()))
    used = 0.0
    previous_after = 0.0
    for index, block in enumerate(blocks):
        block.measure(body.width(), body.height())
        used += block.height + (max(previous_after, block.space_before) if index else 0.0)
        previous_after = block.space_after
    table.measure(body.width(), body.height())
    used += max(previous_after, mm(2)) + table.header_height
    return body.height() - used


def build_certificates(items: Sequence[CertificateData]) -> Document:
    """One Teilnahmebescheinigung per person, each a page of its own, ready to print for a whole course."""
    warnings: list[str] = []
    head = items[0].letterhead if items else Letterhead("Kurslotse")
    logo = None
    if head.logo_png:
        logo = load_image_bytes(head.logo_png, "Logo")
        if not logo.ok:
            warnings.append(f"Das Logo wurde nicht gedruckt: {logo.problem}")
            logo = None
    title = f"Teilnahmebescheinigungen {items[0].course_title}" if items else "Teilnahmebescheinigungen"
    document = Document(PageStyle(margin_left=14.0, margin_right=14.0, margin_top=14.0, margin_bottom=14.0),
                        title=title)
    document.author = head.organisation
    document.warnings.extend(warnings)
    for number, item in enumerate(items):
        if number:
            document.add(PageBreak())
        document.add(PlainPage(), Section(f"Teilnahmebescheinigung {item.person_name}"), Certificate(item, logo))
    return document


def _line(text: str, style: TextStyle, **spacing: float) -> Text:
    return Text([Paragraph([Run(text)])], style, space_before=spacing.get("space_before", 0.0),
                space_after=spacing.get("space_after", 0.0))


class Certificate(Block):
    """A whole certificate page: double frame, logo and organisation, title, the name large, course,
    place and dates, the lessons covered, place/date and signature lines, funding and contact.

    Centred blocks with left-aligned lines inside; the signature part sits at the foot of the page.
    """

    FRAME_MM = 8.0

    def overflows(self) -> bool:
        """True when the upper part would run into the signature lines (checked by tests)."""
        return self.top_end > self.bottom_start
    def __init__(self, item: CertificateData, logo: LoadedPicture | None) -> None:
        self.item = item
        kind = {"course": "am Kurs", "drop_in": "an der Sprechstunde", "event": "an der Veranstaltung"}[
            item.course_format.value]
        where = place_phrase(item.place, item.municipality)
        count = len(item.dates_attended)
        org_style = HEADING.with_(size=18)
        self.top: list[tuple[Block, bool]] = []  # (block, centred)
        if logo is not None:
            self.top.append((PictureBlock(logo, max_width=mm(60), max_height=mm(18), frame=False), True))
        self.top += [
            (_line(item.letterhead.organisation, org_style, space_before=mm(2), space_after=mm(8)), True),
            (_line("Teilnahmebescheinigung", CERTIFICATE_TITLE, space_after=mm(8)), True),
            (_line("Hiermit wird bestätigt, dass", CERTIFICATE_TEXT, space_after=mm(4)), True),
            (_line(item.person_name, NAME_STYLE, space_after=mm(5)), True),
            (Text([Paragraph([Run(f"{kind} »"), Run(item.course_title, bold=True),
                              Run("«" + (f" {where}" if where else "") + " teilgenommen hat.")])],
                  CERTIFICATE_TEXT, space_before=0, space_after=mm(6)), True),
            (Text([Paragraph([Run(f"Besuchte Termine ({count} von {item.termine_held}): ", bold=True),
                              Run(", ".join(format_date(day) for day in item.dates_attended))])],
                  BODY, space_before=0, space_after=mm(5)), False),
        ]
        if item.topics:
            self.top.append((_line("Behandelte Themen", BODY.with_(bold=True), space_after=mm(1)), False))
            self.top.append((TwoColumns([Paragraph([Run(topic)], marker="•") for topic in item.topics]), False))
        place = item.municipality or item.place
        trainers = f" ({', '.join(item.trainers)})" if item.trainers else ""
        self.place_date = _line(f"{place + ', ' if place else ''}den {format_date(item.issued_on)}",
                                BODY.with_(size=13))
        self.place_label = _line("Ort, Datum", SMALL_PRINT)
        self.signature_label = Text([Paragraph([Run("Unterschrift der Kursleitung" + trainers)])], SMALL_PRINT,
                                    space_before=0, space_after=0)
        foot = [part for part in (item.letterhead.funding_line, item.letterhead.contact) if part]
        self.foot = Text([Paragraph([Run(part, italic=index == 0 and bool(item.letterhead.funding_line))])
                          for index, part in enumerate(foot)], SMALL_PRINT, space_before=0, space_after=0) if foot else None

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        inner = width - 2 * mm(self.FRAME_MM)
        for block, centred in self.top:
            block.measure(inner - 2 * INDENT, page_height)
        column = inner / 2 - mm(6)
        self.place_date.measure(column, page_height)
        self.place_label.measure(column, page_height)
        self.signature_label.measure(column, page_height)
        if self.foot is not None:
            self.foot.measure(inner, page_height)
        self.height = page_height
        self.top_end = self.bottom_start = 0.0
        return self.height

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        frame = QRectF(x, y, self.width, self.height)
        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(pen(3.0))
        painter.drawRect(frame)
        painter.setPen(pen(0.75))
        painter.drawRect(frame.adjusted(mm(2.5), mm(2.5), -mm(2.5), -mm(2.5)))
        painter.restore()
        left = x + mm(self.FRAME_MM)
        inner = self.width - 2 * mm(self.FRAME_MM)
        top = y + mm(self.FRAME_MM) + mm(3)
        previous_after = 0.0
        for index, (block, centred) in enumerate(self.top):
            top += max(previous_after, block.space_before) if index else 0.0
            if isinstance(block, PictureBlock):
                offset = 0.0  # centres itself
            else:
                offset = (inner - _natural_width(block)) / 2 if centred else INDENT
            block.paint(painter, left + max(0.0, offset), top, context)
            top += block.height
            previous_after = block.space_after
        bottom = y + self.height - mm(self.FRAME_MM)
        if self.foot is not None:
            bottom -= self.foot.height
            self.foot.paint(painter, left + max(0.0, (inner - _natural_width(self.foot)) / 2), bottom, context)
            bottom -= mm(8)
        column = inner / 2 - mm(6)
        label_top = bottom - max(self.place_label.height, self.signature_label.height)
        line_y = label_top - mm(1)
        right = left + inner - column
        painter.save()
        painter.setPen(pen(1.0))
        painter.drawLine(QPointF(left, line_y), QPointF(left + column, line_y))
        painter.drawLine(QPointF(right, line_y), QPointF(right + column, line_y))
        painter.restore()
        self.place_label.paint(painter, left, label_top, context)
        self.signature_label.paint(painter, right, label_top, context)
        self.place_date.paint(painter, left, line_y - mm(2) - self.place_date.height, context)
        self.top_end, self.bottom_start = top, line_y - mm(4) - self.place_date.height


class TwoColumns(Block):
    """A bullet list in two columns (the lessons covered), filled top to bottom."""

    def __init__(self, items: list[Paragraph]) -> None:
        half = (len(items) + 1) // 2 if len(items) > 3 else len(items)
        style = BODY.with_(item_gap=0.1)
        self.parts = [Text(chunk, style, space_before=0, space_after=0) for chunk in (items[:half], items[half:]) if chunk]

    def measure(self, width: float, page_height: float) -> float:
        self.width = width
        column = width / len(self.parts) - mm(3)
        self.height = max(part.measure(column, page_height) for part in self.parts)
        return self.height

    def paint(self, painter: QPainter, x: float, y: float, context: PaintContext) -> None:
        for index, part in enumerate(self.parts):
            part.paint(painter, x + index * self.width / len(self.parts), y, context)


def _natural_width(block: Block) -> float:
    """Widest line of a measured text (a picture: its drawn width), for centring."""
    if isinstance(block, PictureBlock):
        return block.draw_width
    lines = getattr(block, "lines", None)
    if lines is None or not lines.lines:
        return block.width
    return max(line.x + line.natural_width for line in lines.lines)
