"""Smart-City reports: indicators per period and Ortsgemeinde, exported as XLSX, CSV or (via app.render) PDF.

The pipeline, each step plain data and testable on its own::

    facts  = query.read_facts(db, period, municipality)   # read-only SQL, one snapshot, no names
    data   = compute.compute(facts)                       # every indicator, every breakdown
    protection.protect_reports([data, …], threshold)      # small counts and what gives them away, audited
    sheets = tables.report_sheets(data, threshold)        # withheld cells as ».«, typed cells
    xlsx.write_xlsx(sheets, path, title) / csvfile.write_csv(sheets, path)
    app.render.report.build_report_document(report)       # PDF with charts (needs Qt)

:func:`build_report` runs the first three steps; :func:`export` writes a file by its suffix.
A standard period (quarter, half-year, year) for all Ortsgemeinden is protected together with
every other such report of its year (:mod:`app.reports.linked`); a month, a free period or the
report of one Ortsgemeinde only on its own, and it is marked »nur intern«. Nothing here imports Qt; the PDF goes to :mod:`app.render.report`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.domain.attendance import Letterhead
from app.domain.indicators import (
    DEFAULT_THRESHOLD,
    Period,
    check_threshold,
    suppression_note,
    year_period,
)
from app.reports.files import ExportError
from app.reports.model import ReportData
from app.reports.tables import INTERNAL, REPORT_TITLE, Sheet

Progress = Callable[[int, int], None]
SUFFIXES = (".xlsx", ".csv", ".pdf")
RAW_SUFFIXES = (".xlsx", ".csv")

__all__ = ["Report", "ExportError", "build_report", "export", "export_raw", "check_suffix"]


@dataclass
class Report:
    """A computed report and its published tables."""

    data: ReportData
    sheets: list[Sheet]
    threshold: int
    letterhead: Letterhead | None = None  # organisation name, logo and funding line for the PDF

    @property
    def title(self) -> str:
        where = f" – {self.data.municipality}" if self.data.municipality else ""
        internal = f" ({INTERNAL})" if self.data.internal else ""
        return f"{REPORT_TITLE} {self.data.period.label}{where}{internal}"

    @property
    def privacy_note(self) -> str:
        """The rules and this report's audit figures, for the »Datenschutz« note of every format."""
        audit = self.data.audit.note(self.threshold) if self.data.audit else ""
        return f"{suppression_note(self.threshold)} {audit}".strip()

    def sheet(self, name: str) -> Sheet:
        return next(sheet for sheet in self.sheets if sheet.name == name)

    def persons_reached(self) -> object:
        """»Erreichte Personen« as published (after suppression): what any summary line may name."""
        return dict((row[0], row[1]) for row in self.sheet("Übersicht").rows)["Erreichte Personen"]


def _stage(progress: Progress | None, index: int, stages: int) -> Progress | None:
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        share = done / total if total else 1.0
        progress(int(1000 * (index + share) / stages), 1000)

    return report


def build_report(db, period: Period, municipality: str | None = None,  # noqa: ANN001 - app.storage Database
                 threshold: int = DEFAULT_THRESHOLD, lessons: Mapping[str, tuple[str, str]] | None = None,
                 progress: Progress | None = None, created: dt.datetime | None = None,
                 linked: bool = True, protected: bool = True) -> Report:
    """Read, compute, protect and tabulate the report for *period* (optionally one Ortsgemeinde).

    With *linked* (the default) a standard period is protected together with all standard reports of
    its year; ``linked=False`` protects the report on its own (for measuring what the link costs).
    ``protected=False`` hides only the small counts themselves, without secondary suppression and
    audit: never for a published report, only to measure what the protection costs (benchmark).
    """
    from app.reports import compute, protection, query, tables
    from app.reports import linked as links

    check_threshold(threshold)
    created = created or dt.datetime.now()
    step = _stage(progress, 0, 3)
    if step:
        step(0, 1)
    with _collector_paused():
        if not protected:
            facts = query.read_facts(db, period, municipality, lessons)
            data = compute.compute(facts, created, _stage(progress, 1, 3))
        elif linked and period.kind.standard and not municipality:
            year = year_period(period.start.year)
            facts = query.read_facts(db, year, None, lessons)
            if step:
                step(1, 1)
            reports = links.year_reports(facts, created, _stage(progress, 1, 3))
            data = reports[period]
            protection.protect_reports(list(reports.values()), threshold, focus=data,
                                       progress=_stage(progress, 2, 3))
        else:  # a month, a free period or one Ortsgemeinde: »nur intern«, protected on its own
            facts = query.read_facts(db, period, municipality, lessons)
            if step:
                step(1, 1)
            data = compute.compute(facts, created, _stage(progress, 1, 3))
            protection.protect_reports([data], threshold, progress=_stage(progress, 2, 3))
    sheets = tables.report_sheets(data, threshold)
    head = _letterhead(db)
    if progress:
        progress(1000, 1000)
    return Report(data, sheets, threshold, head)


def _letterhead(db) -> Letterhead | None:  # noqa: ANN001
    from app.services.documents import letterhead

    try:
        return letterhead(db)
    except Exception:  # noqa: BLE001 - a report without logo beats no report
        return None


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a million fresh tuples are made: they hold no cycles,
    and walking them again and again costs a third of a large report's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_suffix(target: Path, raw: bool = False) -> str:
    """``.xlsx``, ``.csv`` or ``.pdf`` from the file name, or a German ExportError."""
    suffix = Path(target).suffix.lower()
    allowed = RAW_SUFFIXES if raw else SUFFIXES
    if suffix not in allowed:
        what = "Rohdaten gibt es" if raw else "Berichte gibt es"
        raise ExportError(f"»{Path(target).name}«: {what} als {', '.join(allowed)} – bitte die Dateiendung so wählen.")
    return suffix


def export(report: Report, target: Path, progress: Progress | None = None) -> Path:
    """Write *report* to *target*; the suffix decides the format (PDF needs a QGuiApplication)."""
    target = Path(target)
    suffix = check_suffix(target)
    if suffix == ".xlsx":
        from app.reports.xlsx import write_xlsx

        write_xlsx(report.sheets, target, report.title, progress)
    elif suffix == ".csv":
        from app.reports.csvfile import write_csv

        write_csv(report.sheets, target)
    else:
        from app.render.output import OutputError, write_pdf
        from app.render.report import build_report_document

        try:
            write_pdf(build_report_document(report), target, progress)
        except OutputError as error:
            raise ExportError(str(error)) from error
    return target


def export_raw(db, period: Period, target: Path, municipality: str | None = None,  # noqa: ANN001
               progress: Progress | None = None) -> int:
    """The pseudonymised raw export (one row per attendance) as XLSX or CSV; returns the number of rows."""
    from app.reports import query, tables

    target = Path(target)
    suffix = check_suffix(target, raw=True)
    rows, town = query.read_raw(db, period, municipality)
    sheet = tables.raw_sheet(rows, period.label)
    if suffix == ".csv":
        from app.reports.csvfile import write_csv

        write_csv([sheet], target, sections=False)
    else:
        from app.reports.files import write_atomically
        from app.reports.xlsx import raw_workbook_bytes

        info = tables.raw_info_sheet([
            ["Zeitraum", period.label], ["von", period.start], ["bis", period.end],
            ["Ortsgemeinde", town or "alle"], ["Erstellt am", dt.datetime.now().replace(microsecond=0)],
            ["Zeilen", len(rows)],
        ])
        write_atomically(target, raw_workbook_bytes(sheet, info, progress))
    return len(rows)
