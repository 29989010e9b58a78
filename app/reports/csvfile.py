"""CSV export in the dialect German Excel opens with a double click: ``;``, UTF-8 with BOM, ``dd.mm.yyyy``, ``1,5``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from app.reports.cells import clean_text, csv_text
from app.reports.files import write_atomically
from app.reports.tables import Sheet

BOM = "\ufeff"


class GermanExcel(csv.Dialect):
    """Semicolon-separated, quoted only where needed, CRLF line ends (what Excel writes itself)."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def csv_bytes(sheets: Sequence[Sheet], *, sections: bool = True) -> bytes:
    """All tables one after another: with *sections*, each starts with its title and ends with an empty line."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, dialect=GermanExcel)
    for sheet in sheets:
        if sections:
            writer.writerow([clean_text(sheet.title)])
        writer.writerow([clean_text(header) for header in sheet.headers])
        for row in sheet.rows:
            writer.writerow([csv_text(value) for value in row])
        if sections:
            writer.writerow([])
    return out.getvalue().encode("utf-8")


def write_csv(sheets: Sequence[Sheet], target: Path, *, sections: bool = True) -> None:
    write_atomically(target, csv_bytes(sheets, sections=sections))
