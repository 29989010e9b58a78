"""The reports a reader can put side by side: every standard-period report of a year, for all and for each village.

A published report is protected together with the other standard-period reports of its year (4
quarters, 2 half-years, the year, for all Ortsgemeinden; a village's report also with that village's
standard reports), so the same cell is hidden in every report that shows it and no difference
between two reports gives a hidden cell away. The year's facts are read once; each report's facts are cut from them here,
so every report of the set is computed exactly as if it had been read on its own.
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
    for all Ortsgemeinden, and for each of *villages* alone."""
    year = year_facts.period.start.year
    towns: list[str | None] = [None, *villages]
    periods = standard_periods(year)
    result: dict[tuple[Period, str | None], ReportData] = {}
    total = len(periods) * len(towns)
    for period in periods:
        whole = restrict(year_facts, period, None)
        for town in towns:
            facts = whole if town is None else restrict(whole, period, town)
            result[(period, town)] = compute.compute(facts, created)
            if progress is not None:
                progress(len(result), total)
    return result
