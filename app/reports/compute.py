"""Compute every indicator from the facts: the same code for the total and for each breakdown row.

A row of a breakdown is a group of Termine (all of one Ortsgemeinde, one format, one topic, one
month). The Termine are walked once: what each adds is summed per row and calendar month, with
the persons present (a bit per person), so a person who came to five Termine of a row counts once there. A
report is then the sum of its months — and so are all standard reports of a year at once
(:func:`compute_periods`), which the protection needs: each month is summed once, not once per
report it belongs to, and 1,000,000 marks stay about a second of work.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from app.domain.indicators import (
    AGE_BANDS,
    DEVICES,
    GENDERS,
    TEACHING_UNIT_MINUTES,
    Period,
    age_band_at,
    device_label,
    gender_key,
    month_label,
)
from app.reports.model import (
    FORMAT_LABELS,
    FORMAT_ORDER,
    NO_LESSON,
    UNKNOWN_TOPIC,
    GroupFigures,
    LessonCount,
    ReportData,
    ReportFacts,
)

HELD, CANCELLED, PLANNED = "held", "cancelled", "planned"
DROP_IN = "drop_in"
Progress = Callable[[int, int], None]

# What one held Termin adds to every row it belongs to, computed once:
# (course id, present person ids, head count, minutes, trainer minutes, lessons, is drop-in,
#  present enrolled persons, enrolled persons, topic tallies). A plain tuple: 100,000 of them are made.
_TerminSums = tuple[int, list[int], int, int, int, int, bool, int, int, list[tuple[str, int]]]


_COUNTS = ("termine", "cancelled", "held", "attendances", "visits", "anonymous", "drop_in_contacts", "lessons",
           "minutes", "trainer_minutes", "rate_present", "rate_expected", "enrolments")


class _Part:
    """The Termine of one row in one month, summed (a period's row is the sum of its months)."""

    __slots__ = (*_COUNTS, "members", "offers", "persons", "topics")

    def __init__(self) -> None:
        self.termine = self.cancelled = self.held = self.attendances = self.visits = 0
        self.anonymous = self.drop_in_contacts = self.lessons = self.minutes = self.trainer_minutes = 0
        self.rate_present = self.rate_expected = self.enrolments = 0
        self.members: list[int] = []  # person ids present, while the Termine are walked
        self.persons = 0  # then a bit per person (see _Index): unions and counts of 40,000 persons are quick
        self.offers: set[int] = set()
        self.topics: Counter[str] = Counter()

    def add(self, item: _TerminSums) -> None:
        """One held Termin."""
        course_id, present, head_count, minutes, trainer_minutes, lessons, drop_in, part, whole, tallies = item
        self.held += 1
        self.members.extend(present)
        count = len(present)
        self.attendances += count
        self.visits += count + head_count
        self.offers.add(course_id)
        self.lessons += lessons
        self.minutes += minutes
        self.trainer_minutes += trainer_minutes
        if drop_in:
            self.anonymous += head_count
            self.drop_in_contacts += head_count + count
            for topic, tally in tallies:
                self.topics[topic] += tally
        else:
            self.rate_present += part
            self.rate_expected += whole

    def absorb(self, other: _Part) -> None:
        """Add the sums of *other* (Termine not in this part yet)."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.persons |= other.persons
        self.offers |= other.offers
        if other.topics:
            self.topics.update(other.topics)

    @classmethod
    def merged(cls, parts: Sequence[_Part]) -> _Part:
        if len(parts) == 1:
            return parts[0]
        total = cls()
        for part in parts:
            total.absorb(part)
        return total


class _Month:
    """Every row's part of one calendar month, and what the notes need."""

    def __init__(self) -> None:
        self.total = _Part()
        self.enrolments_known = 0  # enrolments whose offer is in scope (the month row counts these)
        self.towns: dict[str, _Part] = defaultdict(_Part)
        self.formats: dict[str, _Part] = defaultdict(_Part)
        self.topics: dict[str, _Part] = defaultdict(_Part)
        self.lesson_counts: Counter[str] = Counter()
        self.untimed = 0
        self.open_termine = 0
        self.no_trainer: set[int] = set()


def _termin_sums(facts: ReportFacts) -> dict[int, _TerminSums]:
    """What each held Termin adds, independent of the period it is reported in."""
    present_by_termin: dict[int, list[int]] = defaultdict(list)
    for termin_id, person_id in facts.marks:
        present_by_termin[termin_id].append(person_id)
    tallies_by_termin: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for termin_id, topic, count in facts.tallies:
        tallies_by_termin[termin_id].append((topic, int(count)))
    # Enrolment dates per course (sorted) and per course and person, for the attendance rate.
    enrolled_on: dict[int, dict[int, dt.date]] = defaultdict(dict)
    for course_id, person_id, day in facts.enrolments:
        enrolled_on[course_id][person_id] = day
    enrolment_dates = {course_id: sorted(days.values()) for course_id, days in enrolled_on.items()}
    latest = {course_id: days[-1] for course_id, days in enrolment_dates.items()}
    sums: dict[int, _TerminSums] = {}
    no_tallies: list[tuple[str, int]] = []
    for termin in facts.termine:
        if termin.status != HELD:
            continue
        course = facts.courses[termin.course_id]
        present = present_by_termin.get(termin.id, [])
        drop_in = course.format == DROP_IN
        rate_present = rate_expected = 0
        if not drop_in and termin.course_id in enrolment_dates:
            rate_expected = bisect.bisect_right(enrolment_dates[termin.course_id], termin.date)
            dates = enrolled_on[termin.course_id]
            day = termin.date
            if latest[termin.course_id] <= day:  # the usual case: everyone enrolled before this Termin
                rate_present = len(dates.keys() & present)
            else:
                rate_present = sum(1 for pid in present if (d := dates.get(pid)) is not None and d <= day)
        minutes = termin.minutes or 0
        sums[termin.id] = (termin.course_id, present, termin.head_count, minutes, minutes * course.trainers,
                           len(termin.lessons), drop_in, rate_present, rate_expected,
                           tallies_by_termin.get(termin.id, no_tallies))
    return sums


def _months(facts: ReportFacts, formats: Iterable[str]) -> tuple[dict[dt.date, _Month], _Index]:
    """Every row's sums per calendar month: each Termin and each enrolment is looked at once.

    The Termine of one month, Ortsgemeinde, format and set of topics are summed first (one sum
    per Termin, not one per row it belongs to); those sums are then added to the rows."""
    sums = _termin_sums(facts)
    courses = facts.courses
    known_formats = set(formats)
    months: dict[dt.date, _Month] = defaultdict(_Month)
    first_of: dict[dt.date, dt.date] = {}
    topics_of: dict[tuple[str, ...], tuple[str, ...]] = {}
    cells: dict[tuple[dt.date, str, str, tuple[str, ...]], _Part] = {}
    lesson_lists: dict[dt.date, dict[tuple[str, ...], int]] = defaultdict(dict)
    today = dt.date.today()
    for termin in facts.termine:
        course = courses[termin.course_id]
        first = first_of.get(termin.date)
        if first is None:
            first = first_of[termin.date] = termin.date.replace(day=1)
        topics = topics_of.get(termin.lessons)
        if topics is None:
            topics = tuple(sorted({facts.lesson_topics.get(lesson) or UNKNOWN_TOPIC for lesson in termin.lessons}
                                  or {NO_LESSON}))
            topics_of[termin.lessons] = topics
        where = (first, course.municipality, course.format if course.format in known_formats else "course", topics)
        part = cells.get(where)
        if part is None:
            part = cells[where] = _Part()
        part.termine += 1
        item = sums.get(termin.id)
        if item is None:
            part.cancelled += termin.status == CANCELLED
            if termin.status == PLANNED and termin.date < today:
                months[first].open_termine += 1
            continue
        part.add(item)
        lessons = lesson_lists[first]
        lessons[termin.lessons] = lessons.get(termin.lessons, 0) + 1
        if not termin.minutes:
            months[first].untimed += 1
        if course.trainers == 0:
            months[first].no_trainer.add(termin.course_id)
    index = _Index(facts)
    for part in cells.values():
        part.persons = index.bits(part.members)
        part.members = []
    for (first, town, fmt, topics), part in cells.items():
        month = months[first]
        month.total.absorb(part)
        month.towns[town].absorb(part)
        month.formats[fmt].absorb(part)
        for topic in topics:
            month.topics[topic].absorb(part)
    for first, lessons in lesson_lists.items():
        counts = months[first].lesson_counts
        for names, times in lessons.items():
            for name in names:
                counts[name] += times
    for course_id, _person, day in facts.enrolments:
        if not facts.period.contains(day):
            continue
        month = months[day.replace(day=1)]
        month.total.enrolments += 1
        course = courses.get(course_id)
        if course is None:
            continue
        month.enrolments_known += 1
        month.towns[course.municipality].enrolments += 1
        month.formats[course.format if course.format in known_formats else "course"].enrolments += 1
    return months, index


def _round(value: float, places: int = 2) -> float:
    return round(value + 0.0, places)


class _Index:
    """Persons as bits of one whole number: a group's persons are one number, their union is ``|``,
    their count ``bit_count()``, the new ones ``persons & ~seen`` — quick for 40,000 persons."""

    def __init__(self, facts: ReportFacts) -> None:
        import numpy as np

        self.ids = np.unique(np.fromiter((person for _termin, person in facts.marks), dtype=np.int64,
                                         count=len(facts.marks)))

    def bits(self, persons: Iterable[int]) -> int:
        """The bits of those of *persons* that were present in the facts (others are never counted)."""
        import numpy as np

        wanted = np.fromiter(persons, dtype=np.int64)
        if not len(wanted) or not len(self.ids):
            return 0
        at = np.minimum(np.searchsorted(self.ids, wanted), len(self.ids) - 1)
        flags = np.zeros(len(self.ids), dtype=bool)
        flags[at[self.ids[at] == wanted]] = True
        return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


class _People:
    """Who is in which age band (at the end of a period's year), gender and device: one bit mask each."""

    def __init__(self, facts: ReportFacts, index: _Index) -> None:
        self.facts, self.index = facts, index
        self.genders = self._masks(GENDERS, {pid: gender_key(p.gender) for pid, p in facts.people.items()})
        self.devices = self._masks(DEVICES, {pid: device_label(p.device) for pid, p in facts.people.items()})
        self._bands: dict[int, dict[str, int]] = {}

    def _masks(self, order: Iterable[str], category: dict[int, str]) -> dict[str, int]:
        members: dict[str, list[int]] = {key: [] for key in order}
        for pid in self.index.ids.tolist():
            found = category.get(pid)
            if found in members:
                members[found].append(pid)
        return {key: self.index.bits(pids) for key, pids in members.items()}

    def bands(self, end: dt.date) -> dict[str, int]:
        # the band depends on the year of the day only (age reached in that year)
        if end.year not in self._bands:
            self._bands[end.year] = self._masks(AGE_BANDS, {pid: age_band_at(p.birth_year, p.age_band, end)
                                                            for pid, p in self.facts.people.items()})
        return self._bands[end.year]


def _counts(masks: dict[str, int], persons: int) -> dict[str, int]:
    return {key: (persons & mask).bit_count() for key, mask in masks.items()}


def _figures(key: str, label: str, part: _Part, enrolments: int | None, seen_before: int,
             people: _People | None, end: dt.date, month: dt.date | None = None) -> GroupFigures:
    persons = part.persons
    held = part.held
    reached = persons.bit_count()
    new = (persons & ~seen_before).bit_count()
    values: dict[str, int | float | None] = {
        "courses": len(part.offers),
        "termine_held": held,
        "termine_cancelled": part.cancelled,
        "teaching_units": _round(part.minutes / TEACHING_UNIT_MINUTES),
        "clock_hours": _round(part.minutes / 60),
        "attendances": part.attendances,
        "persons": reached,
        "new_persons": new,
        "returning_persons": reached - new,
        "enrolments": enrolments,
        "persons_per_termin": _round(part.visits / held) if held else None,
        "attendance_rate": _round(100 * part.rate_present / part.rate_expected, 1) if part.rate_expected else None,
        "drop_in_contacts": part.drop_in_contacts,
        "drop_in_anonymous": part.anonymous,
        "lessons_taught": part.lessons,
        "trainer_hours": _round(part.trainer_minutes / 60),
    }
    figures = GroupFigures(key=key, label=label, values=values, month=month, drop_in_topics=dict(part.topics))
    if people is not None:  # distributions: for the total, the villages and the formats
        figures.age_bands = _counts(people.bands(end), persons)
        figures.genders = _counts(people.genders, persons)
        figures.devices = _counts(people.devices, persons)
    return figures


def compute(facts: ReportFacts, created: dt.datetime | None = None, progress: Progress | None = None) -> ReportData:
    """Turn the facts into the figures of the report (nothing suppressed yet)."""
    return compute_periods(facts, [facts.period], created, progress=progress)[facts.period]


def compute_periods(facts: ReportFacts, periods: Sequence[Period], created: dt.datetime | None = None,
                    progress: Progress | None = None) -> dict[Period, ReportData]:
    """The report of each of *periods* from *facts* read for a longer period, as if each were read on its own.

    Every period other than ``facts.period`` must lie inside it and consist of whole months (the
    standard periods of a year). »Neu« counts against everyone present before a period's start.
    """
    for period in periods:
        if period != facts.period and not (facts.period.start <= period.start and period.end <= facts.period.end
                                           and period.start.day == 1
                                           and (period.end + dt.timedelta(days=1)).day == 1):
            raise ValueError("compute_periods: a period must be the facts' own or whole months inside it")
    months, index = _months(facts, FORMAT_ORDER)
    people = _People(facts, index)
    towns = sorted({c.municipality for c in facts.courses.values()}, key=str.casefold)
    if facts.municipality is None:
        towns = sorted(set(towns) | set(facts.municipalities), key=str.casefold)
    seen_months = {m: mo.total.persons for m, mo in months.items()}
    created = created or dt.datetime.now()
    result: dict[Period, ReportData] = {}
    for number, period in enumerate(periods, 1):
        inside = [months[m] for m in period.months() if m in months] if period != facts.period else \
            [months[m] for m in sorted(months)]
        seen_before = index.bits(facts.seen_before)
        if period != facts.period:  # present earlier in the facts' period: not new in this one
            for first, persons in seen_months.items():
                if first < period.start:
                    seen_before |= persons
        result[period] = _report(facts, period, inside, months, towns, people, seen_before, created)
        if progress is not None:
            progress(number, len(periods))
    return result


def _report(facts: ReportFacts, period: Period, inside: list[_Month], months: dict[dt.date, _Month],
            towns: list[str], people: _People, seen_before: int, created: dt.datetime) -> ReportData:
    """One period's report: each row the sum of its months."""
    end = period.end

    def row(key: str, label: str, parts: list[_Part], enrolments: int | None, distributions: bool,
            month: dt.date | None = None) -> GroupFigures:
        part = _Part.merged(parts) if parts else _Part()
        return _figures(key, label, part, enrolments, seen_before, people if distributions else None, end, month)

    def enrolled(parts: list[_Part]) -> int:
        return sum(part.enrolments for part in parts)

    total_parts = [month.total for month in inside]
    total = row("gesamt", "Gesamt", total_parts, enrolled(total_parts), True)
    by_town = []
    for town in towns:
        parts = [month.towns[town] for month in inside if town in month.towns]
        by_town.append(row(town, town, parts, enrolled(parts), True))
    by_format = []
    for fmt in FORMAT_ORDER:
        parts = [month.formats[fmt] for month in inside if fmt in month.formats]
        by_format.append(row(fmt, FORMAT_LABELS[fmt], parts, enrolled(parts), True))
    topic_names = {topic for month in inside for topic, part in month.topics.items() if part.termine}
    topic_names = sorted(topic_names, key=lambda t: (t in (NO_LESSON, UNKNOWN_TOPIC), t.casefold()))
    by_topic = [row(topic, topic, [month.topics[topic] for month in inside if topic in month.topics], None, False)
                for topic in topic_names]
    by_month = []
    for first in period.months():
        month = months.get(first)
        parts = [month.total] if month is not None else []
        by_month.append(row(first.isoformat()[:7], month_label(first), parts,
                            month.enrolments_known if month is not None else 0, False, month=first))

    drop_in_topics = [topic for topic, _count in sorted(total.drop_in_topics.items(),
                                                        key=lambda item: (-item[1], item[0].casefold()))]
    lesson_counts: Counter[str] = Counter()
    for month in inside:
        lesson_counts.update(month.lesson_counts)
    lessons = sorted(
        (LessonCount(lesson_id, facts.lesson_titles.get(lesson_id, lesson_id),
                     facts.lesson_topics.get(lesson_id) or UNKNOWN_TOPIC, count)
         for lesson_id, count in lesson_counts.items()),
        key=lambda item: (-item.count, item.title.casefold(), item.lesson_id),
    )
    return ReportData(
        period=period, municipality=facts.municipality, created=created,
        total=total, by_municipality=by_town, by_format=by_format, by_topic=by_topic, by_month=by_month,
        drop_in_topics=drop_in_topics, lessons=lessons, notes=_notes(inside, lessons),
    )


def _notes(inside: list[_Month], lessons: list[LessonCount]) -> list[str]:
    """Hints on the data quality the project office should know before handing the report on."""
    notes = []
    untimed = sum(month.untimed for month in inside)
    if untimed:
        notes.append(f"{untimed} stattgefundene Termine haben keine Anfangs- oder Endzeit; sie fehlen in "
                     "Unterrichtseinheiten, Zeitstunden und Stunden der Lotsinnen und Lotsen.")
    open_termine = sum(month.open_termine for month in inside)
    if open_termine:
        notes.append(f"{open_termine} vergangene Termine im Zeitraum stehen noch auf »geplant« (nicht "
                     "abgeschlossen); sie zählen weder als stattgefunden noch als ausgefallen.")
    no_trainer = set().union(*(month.no_trainer for month in inside))
    if no_trainer:
        notes.append(f"{len(no_trainer)} Angebote haben keine Lotsin und keinen Lotsen eingetragen; "
                     "ihre Termine fehlen in den Stunden der Lotsinnen und Lotsen.")
    missing = sorted({item.lesson_id for item in lessons if item.topic == UNKNOWN_TOPIC})
    if missing:
        notes.append("Lektionen ohne bekanntes Thema (auf diesem Rechner nicht vorhanden): " + ", ".join(missing) + ".")
    return notes
