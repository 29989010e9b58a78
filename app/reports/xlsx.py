"""XLSX export (openpyxl): numbers as numbers, dates as dates, German headers, one sheet per table."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from app import __app_name__, __version__
from app.domain.indicators import Hidden
from app.reports.cells import MonthStart, OneDecimal, clean_text
from app.reports.files import write_atomically
from app.reports.tables import Sheet

FORMAT_INT = "0"
FORMAT_DECIMAL = "0.00"
FORMAT_ONE_DECIMAL = "0.0"
FORMAT_DATE = "DD.MM.YYYY"
FORMAT_MONTH = "MM.YYYY"
FORMAT_DATETIME = "DD.MM.YYYY HH:MM"
BOLD = Font(bold=True)
Progress = Callable[[int, int], None]


def cell_value(value: object) -> tuple[object, str | None]:
    """The value openpyxl stores and its number format; text is neutralised, never a formula."""
    if value is None:
        return None, None
    if isinstance(value, Hidden):
        return value.text, None
    if isinstance(value, bool):
        return ("ja" if value else "nein"), None
    if isinstance(value, int):
        return value, FORMAT_INT
    if isinstance(value, OneDecimal):
        return float(value), FORMAT_ONE_DECIMAL
    if isinstance(value, float):
        return value, FORMAT_DECIMAL
    if isinstance(value, dt.datetime):
        return value, FORMAT_DATETIME
    if isinstance(value, MonthStart):
        return dt.date(value.year, value.month, value.day), FORMAT_MONTH
    if isinstance(value, dt.date):
        return value, FORMAT_DATE
    return clean_text(str(value)), None


def _sheet_title(name: str) -> str:
    for bad in "[]:*?/\\":
        name = name.replace(bad, "-")
    return name[:31]


def _widths(sheet: Sheet) -> list[int]:
    if sheet.widths:
        return sheet.widths
    widths = [max(10, min(45, len(header) + 2)) for header in sheet.headers]
    for row in sheet.rows[:200]:
        for index, value in enumerate(row[: len(widths)]):
            if isinstance(value, str):
                widths[index] = max(widths[index], min(45, len(value) + 2))
    return widths


def _fill(worksheet, sheet: Sheet) -> None:  # noqa: ANN001 - openpyxl Worksheet
    worksheet.append([clean_text(header) for header in sheet.headers])
    for cell in worksheet[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.rows:
        values = [cell_value(value) for value in row]
        worksheet.append([value for value, _fmt in values])
        line = worksheet.max_row
        for column, (value, fmt) in enumerate(values, 1):
            cell = worksheet.cell(line, column)
            if fmt:
                cell.number_format = fmt
            elif isinstance(value, str):
                cell.data_type = "s"  # belt and braces: a string cell is never evaluated
                if len(value) > 60:
                    cell.alignment = wrap
    if sheet.note:
        worksheet.append([])
        worksheet.append([clean_text(sheet.note)])
        worksheet.cell(worksheet.max_row, 1).font = Font(italic=True)
    for index, width in enumerate(_widths(sheet), 1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "B2" if len(sheet.headers) > 2 else "A2"


def workbook_bytes(sheets: Sequence[Sheet], title: str, progress: Progress | None = None) -> bytes:
    """An XLSX file with one worksheet per table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = f"{__app_name__} {__version__}"
    workbook.properties.title = clean_text(title)
    for number, sheet in enumerate(sheets, 1):
        _fill(workbook.create_sheet(_sheet_title(sheet.name)), sheet)
        if progress is not None:
            progress(number, len(sheets))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def raw_workbook_bytes(data: Sheet, info: Sheet, progress: Progress | None = None) -> bytes:
    """The raw export: streamed (write-only), so a year of attendances fits in memory and time."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = f"{__app_name__} {__version__}"
    worksheet = workbook.create_sheet(_sheet_title(data.name))
    for index, width in enumerate(_widths(data), 1):
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    header = []
    for text in data.headers:
        cell = WriteOnlyCell(worksheet, clean_text(text))
        cell.font = BOLD
        header.append(cell)
    worksheet.append(header)
    total = len(data.rows)
    for number, row in enumerate(data.rows, 1):
        line = []
        for value in row:
            stored, fmt = cell_value(value)
            if fmt in (FORMAT_DATE, FORMAT_MONTH, FORMAT_DATETIME):
                cell = WriteOnlyCell(worksheet, stored)
                cell.number_format = fmt
                line.append(cell)
            else:
                line.append(stored)
        worksheet.append(line)
        if progress is not None and number % 5000 == 0:
            progress(number, total + 1)
    sheet = workbook.create_sheet(_sheet_title(info.name))
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 110
    sheet.append([WriteOnlyCell(sheet, text) for text in info.headers])
    for row in info.rows:
        line = []
        for value in row:
            stored, fmt = cell_value(value)
            cell = WriteOnlyCell(sheet, stored)
            if fmt:
                cell.number_format = fmt
            line.append(cell)
        sheet.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def write_xlsx(sheets: Sequence[Sheet], target: Path, title: str, progress: Progress | None = None) -> None:
    write_atomically(target, workbook_bytes(sheets, title, progress))
