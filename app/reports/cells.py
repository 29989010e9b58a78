"""Text and number cells made safe and German: formula injection neutralised, decimal comma, dd.mm.yyyy."""

from __future__ import annotations

import datetime as dt
import re

from app.domain.indicators import Hidden

# A spreadsheet may run a cell that starts with one of these as a formula (»CSV injection«).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XLSX cannot hold (tab, line feed and carriage return are allowed).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class OneDecimal(float):
    """A number shown with one decimal place (percentages)."""


class MonthStart(dt.date):
    """The first day of a month, shown as month and year."""

    @classmethod
    def of(cls, day: dt.date) -> MonthStart:
        return cls(day.year, day.month, 1)


def neutralise(text: str) -> str:
    """Prefix text that a spreadsheet could read as a formula with an apostrophe, so it stays text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def clean_text(text: str) -> str:
    """Neutralised text without control characters a workbook cannot store."""
    return neutralise(_ILLEGAL.sub("", text))


def german_number(value: float, places: int) -> str:
    """``1234.5`` → ``1234,50`` (decimal comma, no thousands separator: German Excel reads it as a number)."""
    return f"{value:.{places}f}".replace(".", ",")


def german_date(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return value.strftime("%d.%m.%Y")


def csv_text(value: object) -> str:
    """One cell as CSV text in the German Excel dialect."""
    if value is None:
        return ""
    if isinstance(value, Hidden):
        return value.text
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, OneDecimal):
        return german_number(value, 1)
    if isinstance(value, float):
        return german_number(value, 2)
    if isinstance(value, dt.date):
        return german_date(value)
    return clean_text(str(value))


def display_text(value: object) -> str:
    """One cell as a person reads it on screen or paper: ``1.234``, ``8,33``, ``März 2026``, ``<3``."""
    if value is None:
        return ""
    if isinstance(value, Hidden):
        return value.text
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, OneDecimal):
        return german_number(value, 1)
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if isinstance(value, MonthStart):
        from app.domain.indicators import month_label

        return month_label(value)
    if isinstance(value, dt.date):
        return german_date(value)
    return str(value)
