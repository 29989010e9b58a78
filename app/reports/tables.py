"""The report as tables (one per breakdown), with small counts suppressed: what XLSX, CSV, PDF and the preview show.

Cell values keep their real types — ``int``, ``float``, :class:`OneDecimal`, ``datetime.date``,
:class:`MonthStart`, ``str``, :class:`~app.domain.indicators.Hidden` or ``None`` (empty) — so every
exporter can write numbers as numbers and dates as dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.domain.indicators import (
    AGE_BANDS,
    BREAKDOWN_NOTES,
    DERIVED_HIDDEN,
    DEVICES,
    DISTRIBUTIONS,
    GENDER_LABELS,
    GENDERS,
    HIDDEN,
    INDICATORS,
    Hidden,
    Indicator,
    Kind,
    is_small,
    suppress,
    suppression_note,
)
from app.reports.cells import MonthStart, OneDecimal
from app.reports.model import GroupFigures, RawRow, ReportData

Cell = int | float | dt.date | dt.datetime | str | Hidden | None


@dataclass
class Sheet:
    """One table: a sheet in the XLSX, a section in the CSV, a table in the PDF and the preview."""

    name: str  # ≤ 31 characters (Excel's limit), unique within a report
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""
    widths: list[int] = field(default_factory=list)  # characters, for XLSX; empty: from the content


SHEET_DEFINITIONS = "Zeitraum und Definitionen"
SHEET_OVERVIEW = "Übersicht"
BREAKDOWN_SHEETS = (
    ("municipality", "Ortsgemeinden", "Ortsgemeinde"),
    ("format", "Formate", "Format"),
    ("topic", "Themen", "Thema der Lektionen"),
    ("month", "Monate", "Monat"),
)
REPORT_TITLE = "Smart-City-Kennzahlen"
INTERNAL = "nur intern"  # a month, a free period or one village: not protected against the others, not for the funder


# The person counts an average or a rate is computed from: it is withheld whenever one of them is.
DERIVED_FROM = {"persons_per_termin": ("persons", "attendances", "drop_in_anonymous"),
                "attendance_rate": ("persons", "attendances")}


def indicator_cell(indicator: Indicator, figures: GroupFigures, threshold: int) -> Cell:
    """The published value of one indicator in one row: persons suppressed, derived values hidden with them."""
    value = figures.values.get(indicator.key)
    if value is None:
        return None
    if indicator.kind is Kind.PERSONS:
        return HIDDEN if indicator.key in figures.hidden else suppress(int(value), threshold)
    if indicator.kind in (Kind.DECIMAL, Kind.PERCENT):
        persons = int(figures.values.get("persons") or 0)
        anonymous = int(figures.values.get("drop_in_anonymous") or 0)
        inputs = DERIVED_FROM.get(indicator.key, ("persons",))
        if (is_small(persons, threshold) or (persons == 0 and is_small(anonymous, threshold))
                or any(is_small(int(figures.values.get(key) or 0), threshold) for key in inputs)
                or figures.hidden.intersection(inputs)):
            return DERIVED_HIDDEN
        return OneDecimal(value) if indicator.kind is Kind.PERCENT else float(value)
    if indicator.kind is Kind.HOURS:
        return float(value)
    return int(value)


def _period_rows(data: ReportData, threshold: int) -> list[list[Cell]]:
    return [
        ["Bericht", f"{REPORT_TITLE} (Kurslotse)"],
        ["Zeitraum", f"{data.period.label} ({INTERNAL})" if data.internal else data.period.label],
        ["von", data.period.start],
        ["bis", data.period.end],
        ["Ortsgemeinde", data.municipality or "alle"],
        ["Erstellt am", data.created.replace(microsecond=0)],
        ["Schwelle für kleine Zahlen", threshold],
        ["Datenschutz", suppression_note(threshold)],
        ["Prüfung", data.audit.note(threshold) if data.audit else "nicht geprüft"],
    ]


def definitions_sheet(data: ReportData, threshold: int) -> Sheet:
    rows = _period_rows(data, threshold)
    rows.append([None, None])
    rows.append(["Kennzahl", "Definition"])
    rows += [[indicator.label, indicator.definition] for indicator in INDICATORS]
    rows += [[label, text] for _key, label, text in DISTRIBUTIONS]
    rows += [[f"Aufschlüsselung: {label}", BREAKDOWN_NOTES[key]] for key, label, _column in BREAKDOWN_SHEETS]
    if data.notes:
        rows.append([None, None])
        rows.append(["Hinweise zu den Daten", None])
        rows += [["Hinweis", note] for note in data.notes]
    return Sheet(SHEET_DEFINITIONS, "Zeitraum und Definitionen", ["Angabe", "Inhalt"], rows, widths=[34, 110])


def overview_sheet(data: ReportData, threshold: int) -> Sheet:
    rows = [[indicator.label, indicator_cell(indicator, data.total, threshold)] for indicator in INDICATORS]
    return Sheet(SHEET_OVERVIEW, f"Übersicht {data.period.label}", ["Kennzahl", "Wert"], rows, widths=[40, 14])


def breakdown_sheet(data: ReportData, key: str, name: str, column: str, threshold: int) -> Sheet:
    rows: list[list[Cell]] = []
    for figures in data.breakdown(key):
        first: Cell = MonthStart.of(figures.month) if key == "month" and figures.month else figures.label
        rows.append([first, *(indicator_cell(ind, figures, threshold) for ind in INDICATORS)])
    return Sheet(name, f"Nach {column}", [column, *(ind.label for ind in INDICATORS)], rows,
                 note=BREAKDOWN_NOTES[key])


def distribution_cell(figures: GroupFigures, attribute: str, key: str, threshold: int) -> Cell:
    """One published cell of a distribution (``age_bands``, ``genders``, ``devices``, ``drop_in_topics``)."""
    if f"{attribute}:{key}" in figures.hidden:
        return HIDDEN
    return suppress(getattr(figures, attribute).get(key, 0), threshold)


def _columns(data: ReportData) -> list[GroupFigures]:
    """Gesamt, then every Ortsgemeinde, then every format: the columns of the distribution tables."""
    return [data.total, *data.by_municipality, *data.by_format]


def distribution_sheet(data: ReportData, attribute: str, name: str, first: str, order: Sequence[str],
                       labels: dict[str, str] | None, threshold: int) -> Sheet:
    columns = _columns(data)
    rows: list[list[Cell]] = []
    for key in order:
        label = labels.get(key, key) if labels else key
        rows.append([label, *(distribution_cell(c, attribute, key, threshold) for c in columns)])
    definition = next(text for key, _label, text in DISTRIBUTIONS if key == attribute)
    return Sheet(name, name, [first, *(c.label for c in columns)], rows, note=definition)


def topics_sheet(data: ReportData, threshold: int) -> Sheet:
    columns = [data.total, *data.by_municipality]
    rows: list[list[Cell]] = [
        [topic, *(distribution_cell(c, "drop_in_topics", topic, threshold) for c in columns)]
        for topic in data.drop_in_topics
    ]
    definition = next(text for key, _label, text in DISTRIBUTIONS if key == "drop_in_topics")
    return Sheet("Sprechstunden-Themen", "Themen der Sprechstunden", ["Thema", *(c.label for c in columns)],
                 rows, note=definition)


def lessons_sheet(data: ReportData) -> Sheet:
    rows: list[list[Cell]] = [[item.title, item.topic, item.count] for item in data.lessons]
    definition = next(text for key, _label, text in DISTRIBUTIONS if key == "lessons")
    return Sheet("Lektionen", "Unterrichtete Lektionen", ["Lektion", "Thema", "Termine"], rows, note=definition,
                 widths=[50, 24, 12])


def report_sheets(data: ReportData, threshold: int) -> list[Sheet]:
    """All tables of the report, definitions first."""
    sheets = [definitions_sheet(data, threshold), overview_sheet(data, threshold)]
    sheets += [breakdown_sheet(data, key, name, column, threshold) for key, name, column in BREAKDOWN_SHEETS]
    sheets += [
        distribution_sheet(data, "age_bands", "Altersgruppen", "Altersgruppe", AGE_BANDS, None, threshold),
        distribution_sheet(data, "genders", "Geschlecht", "Geschlecht", GENDERS, GENDER_LABELS, threshold),
        distribution_sheet(data, "devices", "Geräteart", "Geräteart", DEVICES, None, threshold),
        topics_sheet(data, threshold),
        lessons_sheet(data),
    ]
    return sheets


RAW_HEADERS = ["Datum", "Ortsgemeinde", "Format", "Angebot", "Termin-Nr.", "Status", "Person (Schlüssel)",
               "Altersgruppe", "Geschlecht", "Geräteart"]
RAW_NOTE = (
    "Pseudonymisierte Rohdaten: eine Zeile je Anwesenheitseintrag an stattgefundenen Terminen. »Person« ist ein "
    "Zufallsschlüssel, der nur innerhalb dieser einen Datei dieselbe Person bezeichnet; er wird bei jedem Export neu "
    "vergeben und lässt sich nicht auf Namen zurückführen. Keine Namen, keine Kontaktdaten. Pseudonymisierte Daten "
    "sind nach DSGVO weiterhin personenbezogen: nur für die eigene Auswertung des Projektbüros, nicht zur Weitergabe."
)


def raw_sheet(rows: Sequence[RawRow], period_label: str) -> Sheet:
    cells: list[list[Cell]] = [
        [row.date, row.municipality, row.format, row.course, row.termin, row.status, row.person, row.age_band,
         row.gender, row.device]
        for row in rows
    ]
    return Sheet("Rohdaten", f"Rohdaten {period_label}", list(RAW_HEADERS), cells, note=RAW_NOTE,
                 widths=[12, 24, 20, 36, 11, 15, 18, 14, 13, 13])


def raw_info_sheet(period_rows: list[list[Cell]]) -> Sheet:
    return Sheet("Erläuterung", "Erläuterung", ["Angabe", "Inhalt"], [*period_rows, ["Hinweis", RAW_NOTE]],
                 widths=[26, 110])
