"""The Smart-City report as a printed document: overview, charts, breakdowns and definitions.

Built from a computed :class:`app.reports.Report` — the published (suppressed) cells only, so the
PDF can show nothing the XLSX hides. Charts: Termine and persons per month, persons per
Ortsgemeinde, persons per age band (:mod:`app.render.charts`).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.attendance import Letterhead
from app.domain.indicators import (
    AGE_BANDS,
    DISTRIBUTIONS,
    INDICATOR_BY_KEY,
    INDICATORS,
    MONTH_NAMES,
    format_day,
)
from app.render.blocks import Table
from app.render.charts import BarChart, ChartData
from app.render.document import Document, Section
from app.render.hyphen import hyphenate
from app.render.furniture import StandardFurniture
from app.render.markdown import Paragraph, Run
from app.render.pictures import load_image_bytes
from app.render.text import BODY, Text, TextStyle, heading
from app.render.units import mm
from app.reports import Report
from app.reports.cells import display_text
from app.reports.model import GroupFigures
from app.reports.tables import INTERNAL, SHEET_OVERVIEW, Cell, distribution_cell, indicator_cell

TABLE_STYLE = TextStyle(size=11, line_height=1.3, paragraph_gap=0.2)
NOTE_STYLE = TextStyle(size=11, italic=True, line_height=1.35)
GROUPS_PER_TABLE = 3
MONTH_COLUMNS = ("termine_held", "attendances", "persons", "drop_in_contacts", "clock_hours")
TOPIC_COLUMNS = ("termine_held", "lessons_taught", "attendances", "persons")
# Narrow columns of A4 tables get short headers; the definitions page gives the full names.
SHORT_LABELS = {"termine_held": "Termine", "attendances": "Anwesen­heiten", "persons": "Personen",
                "drop_in_contacts": "Sprech­stunden-Kontakte", "clock_hours": "Zeit­stunden",
                "lessons_taught": "Lektionen"}


def _month_short(figures: Sequence[GroupFigures]) -> list[str]:
    years = {f.month.year for f in figures if f.month}
    if len(figures) <= 12 and len(years) <= 1:
        return [MONTH_NAMES[f.month.month - 1][:3] if f.month else f.label for f in figures]
    return [f.month.strftime("%m/%y") if f.month else f.label for f in figures]


def report_charts(report: Report) -> list[ChartData]:
    """The three charts of the report, from published values only."""
    data, threshold = report.data, report.threshold
    persons, held = INDICATOR_BY_KEY["persons"], INDICATOR_BY_KEY["termine_held"]
    months = data.by_month
    towns = [f for f in data.by_municipality if f.values.get("termine_held") or f.values.get("persons")]
    return [
        ChartData("Termine und erreichte Personen je Monat", _month_short(months), [
            ("Termine stattgefunden", [indicator_cell(held, f, threshold) for f in months]),
            ("Erreichte Personen", [indicator_cell(persons, f, threshold) for f in months]),
        ]),
        ChartData("Termine und erreichte Personen je Ortsgemeinde", [f.label for f in towns], [
            ("Termine stattgefunden", [indicator_cell(held, f, threshold) for f in towns]),
            ("Erreichte Personen", [indicator_cell(persons, f, threshold) for f in towns]),
        ], horizontal=True),
        ChartData("Erreichte Personen nach Altersgruppe", list(AGE_BANDS), [
            ("Erreichte Personen", [distribution_cell(data.total, "age_bands", band, threshold) for band in AGE_BANDS]),
        ], horizontal=True),
    ]


def _facts(rows: Sequence[tuple[str, str]]) -> Text:
    paragraphs = [Paragraph([Run(f"{label}: ", bold=True), Run(value)]) for label, value in rows if value]
    return Text(paragraphs, BODY.with_(paragraph_gap=0.15), space_before=mm(2), space_after=mm(3))


def _plain(text: str, style: TextStyle = NOTE_STYLE) -> Text:
    return Text([Paragraph([Run(part)]) for part in text.split("\n") if part.strip()], style,
                space_before=mm(1.5), space_after=mm(2))


EMPTY_CELL = "–"  # one convention for »nothing to show« in every table of the report


def _cell_text(cell: Cell) -> str:
    text = display_text(cell).strip()
    return EMPTY_CELL if text in ("", "-", "—", "–", "None") else text


def _table(headers: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[float]) -> Table:
    """A table whose narrow header cells break long words with a hyphen, never inside a syllable."""
    return Table([hyphenate(str(header)) for header in headers], [[_cell_text(cell) for cell in row] for row in rows],
                 widths=list(widths), style=TABLE_STYLE, padding=mm(1.5))


def _transposed(groups: Sequence[GroupFigures], threshold: int) -> list[Table]:
    """Indicators down, groups across, at most three groups per table (they stay readable on A4)."""
    tables = []
    for first in range(0, len(groups), GROUPS_PER_TABLE):
        chunk = groups[first:first + GROUPS_PER_TABLE]
        rows = [[indicator.label, *(indicator_cell(indicator, g, threshold) for g in chunk)] for indicator in INDICATORS]
        share = 0.64 / len(chunk)
        tables.append(_table(["Kennzahl", *(g.label for g in chunk)], rows, [0.36, *([share] * len(chunk))]))
    return tables


def _columns_table(groups: Sequence[GroupFigures], first: str, keys: Sequence[str], threshold: int,
                   labels: Sequence[str] | None = None) -> Table:
    indicators = [INDICATOR_BY_KEY[key] for key in keys]
    rows = [[label, *(indicator_cell(ind, g, threshold) for ind in indicators)]
            for label, g in zip(labels or [g.label for g in groups], groups, strict=True)]
    rest = 0.72 / len(indicators)
    headers = [first, *(SHORT_LABELS.get(ind.key, ind.label) for ind in indicators)]
    return _table(headers, rows, [0.28, *([rest] * len(indicators))])


def _distribution_tables(report: Report, attribute: str, first: str, order: Sequence[str],
                         labels: dict[str, str] | None = None) -> list[Table]:
    data, threshold = report.data, report.threshold
    columns = [data.total, *[f for f in data.by_municipality if f.values.get("persons")]]
    tables = []
    for start in range(0, len(columns), GROUPS_PER_TABLE + 1):
        chunk = columns[start:start + GROUPS_PER_TABLE + 1]
        rows = [[labels.get(key, key) if labels else key,
                 *(distribution_cell(c, attribute, key, threshold) for c in chunk)] for key in order]
        share = 0.7 / len(chunk)
        tables.append(_table([first, *(c.label for c in chunk)], rows, [0.3, *([share] * len(chunk))]))
    return tables


MIN_LAST_PAGE_SHARE = 0.4  # a last page filled less than this counts as »nearly empty«
DEFINITION_GAPS = (0.5, 0.9, 1.3, 0.25)  # paragraph gaps tried for the definitions, first is normal


def build_report_document(report: Report, letterhead: Letterhead | None = None) -> Document:
    """The whole report as a renderer document (A4, header and »Seite x von y« on every page).

    No nearly empty last page: when the definitions would leave a few lines alone on a page, their
    paragraph spacing is changed (never the text size) until the last page carries a fair share.
    """
    document = _build_report(report, letterhead, DEFINITION_GAPS[0])
    if _last_page_share(document) >= MIN_LAST_PAGE_SHARE:
        return document
    for gap in DEFINITION_GAPS[1:]:
        candidate = _build_report(report, letterhead, gap)
        if _last_page_share(candidate) >= MIN_LAST_PAGE_SHARE:
            return candidate
    return document


def _last_page_share(document: Document) -> float:
    """How much of the last page's body is used on A4 (1.0 for a one-page document)."""
    from app.render.output import a4_layout

    size = a4_layout().fullRect().size()
    layout = document.layout(mm(size.width()), mm(size.height()))
    if layout.page_count < 2 or not layout.pages[-1].placed:
        return 1.0
    used = max(placed.y + placed.block.height for placed in layout.pages[-1].placed)
    return used / layout.body.height()


def _build_report(report: Report, letterhead: Letterhead | None, definition_gap: float) -> Document:
    from app.domain.indicators import DEVICES, GENDER_LABELS, GENDERS

    data, threshold = report.data, report.threshold
    head = letterhead or report.letterhead or Letterhead("Kurslotse")
    logo = None
    if head.logo_png:
        logo = load_image_bytes(head.logo_png, "Logo")
        logo = logo if logo.ok else None
    internal = f" ({INTERNAL})" if data.internal else ""  # on every page: not for the funder
    furniture = StandardFurniture(head.organisation, logo, f"Smart-City-Kennzahlen · {data.period.label}{internal}")
    document = Document(furniture.page_style(), title=report.title)
    document.author = head.organisation
    period_text = f"{data.period.label} ({format_day(data.period.start)} bis {format_day(data.period.end)})"
    if data.internal:
        period_text += " – nur intern, nicht zur Weitergabe"
    document.add(
        Section("Smart-City-Kennzahlen"),
        heading("Smart-City-Kennzahlen", 1),
        _facts([("Zeitraum", period_text), ("Ortsgemeinde", data.municipality or "alle"),
                ("Träger", head.organisation),
                ("Erstellt am", data.created.strftime("%d.%m.%Y, %H:%M Uhr"))]),
    )
    if head.funding_line:
        document.add(_plain(head.funding_line))
    overview = report.sheet(SHEET_OVERVIEW)
    document.add(heading("Übersicht", 2, space_before=mm(3)), _table(overview.headers, overview.rows, [0.72, 0.28]),
                 _plain(report.privacy_note))

    # no forced page breaks: they left nearly empty pages; headings never end a page alone
    document.add(Section("Diagramme"), heading("Diagramme", 2))
    for chart in report_charts(report):
        document.add(BarChart(chart))

    document.add(Section("Aufschlüsselungen"), heading("Nach Ortsgemeinde", 2))
    document.extend(_transposed(data.by_municipality, threshold))
    document.add(heading("Nach Format", 2))
    document.extend(_transposed(data.by_format, threshold))
    document.add(heading("Nach Monat", 2))
    months = list(data.by_month)
    document.add(_columns_table(months, "Monat", MONTH_COLUMNS, threshold, [f.label for f in months]))
    document.add(_plain("Termine: stattgefundene Termine; Personen: erreichte Personen (siehe Definitionen)."))
    document.add(heading("Nach Thema der Lektionen", 2))
    document.add(_columns_table(data.by_topic, "Thema", TOPIC_COLUMNS, threshold))
    document.add(_plain("Ein Termin mit Lektionen aus mehreren Themen zählt in jedem davon."))
    for attribute, title, first, order, labels in (
        ("age_bands", "Altersgruppen", "Altersgruppe", AGE_BANDS, None),
        ("genders", "Geschlecht", "Geschlecht", GENDERS, GENDER_LABELS),
        ("devices", "Geräteart", "Geräteart", DEVICES, None),
    ):
        document.add(heading(title, 2))
        document.extend(_distribution_tables(report, attribute, first, order, labels))
    document.add(heading("Themen der Sprechstunden", 2))
    if data.drop_in_topics:
        document.add(_table(["Thema", "Nennungen"], [[topic, distribution_cell(data.total, "drop_in_topics", topic, threshold)]
                                                     for topic in data.drop_in_topics], [0.7, 0.3]))
    else:
        document.add(_plain("Im Zeitraum wurden keine Themen in Sprechstunden gezählt."))
    document.add(heading("Unterrichtete Lektionen", 2))
    if data.lessons:
        document.add(_table(["Lektion", "Thema", "Termine"], [[item.title, item.topic, item.count]
                                                              for item in data.lessons], [0.55, 0.3, 0.15]))
    else:
        document.add(_plain("Im Zeitraum wurden keine Lektionen an stattgefundenen Terminen eingetragen."))
    if data.notes:
        document.add(heading("Hinweise zu den Daten", 2))
        document.add(Text([Paragraph([Run(note)], marker="•") for note in data.notes], BODY.with_(size=12)))

    document.add(Section("Definitionen"), heading("Definitionen", 2))
    definitions = [(i.label, i.definition) for i in INDICATORS] + [(label, text) for _k, label, text in DISTRIBUTIONS]
    document.add(Text([Paragraph([Run(f"{label}: ", bold=True), Run(text)]) for label, text in definitions],
                      BODY.with_(size=12, paragraph_gap=definition_gap)))
    document.add(_plain(report.privacy_note))
    return document
