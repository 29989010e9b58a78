"""The reports a reader can put side by side: every standard-period report of a year, for all and for each village.

A published report is protected together with the other standard-period reports of its year (4
quarters, 2 half-years, the year, for all Ortsgemeinden; a village's own reports are »nur intern«),
so the same cell is hidden in every report that shows it and no difference between two reports
gives a hidden cell away. The year's facts are read once and every report of the
set is computed from them exactly as if it had been read on its own (:func:`restrict` cuts one
report's facts; :func:`year_reports` sums each month once for all reports).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from app.domain.indicators import Period, standard_periods
from app.reports import compute
from app.reports.model import ReportData, ReportFacts

HELD = "held"


def restrict(facts: ReportFacts, period: Period, municipality: str | None) -> ReportFacts:
    """The facts of *period* (inside the period of *facts*) and optionally one Ortsgemeinde (its stored name)."""
    if not (facts.period.start <= period.start and period.end <= facts.period.end):
        raise ValueError("restrict: the period lies outside the facts read")
    courses = facts.courses if municipality is None else {
        cid: course for cid, course in facts.courses.items() if course.municipality == municipality}
    termine = [t for t in facts.termine if period.start <= t.date <= period.end and t.course_id in courses]
    ids = {t.id for t in termine}
    earlier = {t.id for t in facts.termine if t.date < period.start and t.status == HELD}
    seen_before = set(facts.seen_before)
    if earlier:  # seen in any village before the period: the read facts hold every village's marks
        seen_before.update(person for termin, person in facts.marks if termin in earlier)
    marks = [mark for mark in facts.marks if mark[0] in ids]
    reached = {person for _termin, person in marks}
    return ReportFacts(
        period=period, municipality=municipality, courses=courses, termine=termine, marks=marks,
        people={pid: p for pid, p in facts.people.items() if pid in reached}, seen_before=seen_before,
        enrolments=[e for e in facts.enrolments if e[2] <= period.end and e[0] in courses],
        tallies=[t for t in facts.tallies if t[0] in ids], lesson_titles=facts.lesson_titles,
        lesson_topics=facts.lesson_topics, municipalities=facts.municipalities,
    )


def year_reports(year_facts: ReportFacts, created: dt.datetime, villages: Sequence[str] = (),
                 progress: Callable[[int, int], None] | None = None) -> dict[tuple[Period, str | None], ReportData]:
    """Every standard report of the year of *year_facts* (read for the whole year and all villages):
    for all Ortsgemeinden, and for each of *villages* alone.

    Each month is summed once for all the reports it belongs to (:func:`compute.compute_periods`);
    each report equals the one computed from its own facts (:func:`restrict`), as a test checks."""
    periods = standard_periods(year_facts.period.start.year)
    result: dict[tuple[Period, str | None], ReportData] = {}
    towns: list[str | None] = [None, *villages]
    for number, town in enumerate(towns, 1):
        if town is None:
            found = compute.compute_periods(year_facts, periods, created)
        else:
            found = compute.compute_periods(restrict(year_facts, year_facts.period, town), periods, created,
                                            seen_from=year_facts)
        result.update({(period, town): data for period, data in found.items()})
        if progress is not None:
            progress(number, len(towns))
    return result
