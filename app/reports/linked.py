"""The reports a reader can put side by side: every standard-period report of a year, for all Ortsgemeinden.

A published report is protected together with the other standard-period reports of its year (4
quarters, 2 half-years, the year; a village's own reports are »nur intern«), so the same cell is
hidden in every report that shows it and no difference between two reports gives a hidden cell
away. The year's facts are read once and every report of the set is computed from them exactly as
if it had been read on its own (:func:`year_reports` sums each month once for all reports).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from app.domain.indicators import Period, standard_periods
from app.reports import compute
from app.reports.model import ReportData, ReportFacts


def year_reports(year_facts: ReportFacts, created: dt.datetime,
                 progress: Callable[[int, int], None] | None = None) -> dict[Period, ReportData]:
    """Every standard report of the year of *year_facts* (read for the whole year and all villages).

    Each month is summed once for all the reports it belongs to (:func:`compute.compute_periods`);
    each report equals the one computed from its own facts, as a test checks."""
    return compute.compute_periods(year_facts, standard_periods(year_facts.period.start.year), created,
                                   progress=progress)
