"""The layout grid: every length in app.render is a float in layout units of 1/720 inch (0.1 pt).

A fine grid keeps font metrics free of rounding; the painter is scaled from this grid to the
device's real resolution (PDF writer, printer, preview) just before painting.
"""

from __future__ import annotations

UNITS_PER_INCH = 720.0
UNITS_PER_PT = UNITS_PER_INCH / 72.0
MM_PER_INCH = 25.4


def pt(value: float) -> float:
    """Typographic points → layout units."""
    return value * UNITS_PER_PT


def mm(value: float) -> float:
    """Millimetres → layout units."""
    return value * UNITS_PER_INCH / MM_PER_INCH


def to_mm(units: float) -> float:
    """Layout units → millimetres."""
    return units * MM_PER_INCH / UNITS_PER_INCH
