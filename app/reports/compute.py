"""Compute every indicator from the facts: the same code for the total and for each breakdown row.

A row of a breakdown is a group of Termine (all of one Ortsgemeinde, one format, one topic, one
month). Persons are collected per Termin once and then united per group, so a person who came
to five Termine of a group counts once there — and 1,000,000 marks stay a few hundred
milliseconds of work.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app.domain.indicators import (
    AGE_BANDS,
    DEVICES,
    GENDERS,
    TEACHING_UNIT_MINUTES,
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
    TerminFact,
)

HELD, CANCELLED, PLANNED = "held", "cancelled", "planned"
DROP_IN = "drop_in"
Progress = Callable[[int, int], None]


@dataclass
class _Group:
    """Accumulates one row while the Termine are walked once."""

    key: str
    label: str
    month: dt.date | None = None
    termine: list[TerminFact] = field(default_factory=list)
    enrolments: int | None = 0


def _round(value: float, places: int = 2) -> float:
    return round(value + 0.0, places)


# What one held Termin adds to every group it belongs to, computed once and summed per group:
# (course id, present person ids, head count, minutes, trainer minutes, lessons, is drop-in,
#  present enrolled persons, enrolled persons). A plain tuple: 100,000 of them are made.
_TerminSums = tuple[int, list[int], int, int, int, int, bool, int, int]


class _Calculator:
    def __init__(self, facts: ReportFacts) -> None:
        self.facts = facts
        present_by_termin: dict[int, list[int]] = defaultdict(list)
        for termin_id, person_id in facts.marks:
            present_by_termin[termin_id].append(person_id)
        self.tallies_by_termin: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for termin_id, topic, count in facts.tallies:
            self.tallies_by_termin[termin_id].append((topic, int(count)))
        # Enrolment dates per course (sorted) and per course and person, for the attendance rate.
        enrolled_on: dict[int, dict[int, dt.date]] = defaultdict(dict)
        for course_id, person_id, day in facts.enrolments:
            enrolled_on[course_id][person_id] = day
        enrolment_dates = {course_id: sorted(days.values()) for course_id, days in enrolled_on.items()}
        latest = {course_id: days[-1] for course_id, days in enrolment_dates.items()}
        self.sums: dict[int, _TerminSums] = {}
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
            self.sums[termin.id] = (termin.course_id, present, termin.head_count, minutes, minutes * course.trainers,
                                    len(termin.lessons), drop_in, rate_present, rate_expected)
        end = facts.period.end
        self.person_bands = {pid: age_band_at(p.birth_year, p.age_band, end) for pid, p in facts.people.items()}
        self.person_genders = {pid: gender_key(p.gender) for pid, p in facts.people.items()}
        self.person_devices = {pid: device_label(p.device) for pid, p in facts.people.items()}

    def figures(self, group: _Group, distributions: bool = True) -> GroupFigures:
        persons: set[int] = set()
        held = attendances = visits = anonymous = drop_in_contacts = lessons = 0
        minutes = trainer_minutes = rate_present = rate_expected = 0
        offers: set[int] = set()
        topics: Counter[str] = Counter()
        cancelled = 0
        sums = self.sums
        for termin in group.termine:
            item = sums.get(termin.id)
            if item is None:
                cancelled += termin.status == CANCELLED
                continue
            course_id, present, head_count, termin_minutes, termin_trainer_minutes, termin_lessons, drop_in, \
                part, whole = item
            held += 1
            persons.update(present)
            count = len(present)
            attendances += count
            visits += count + head_count
            offers.add(course_id)
            lessons += termin_lessons
            minutes += termin_minutes
            trainer_minutes += termin_trainer_minutes
            if drop_in:
                anonymous += head_count
                drop_in_contacts += head_count + count
                for topic, tally in self.tallies_by_termin.get(termin.id, ()):
                    topics[topic] += tally
            else:
                rate_present += part
                rate_expected += whole
        new = len(persons - self.facts.seen_before)
        values: dict[str, int | float | None] = {
            "courses": len(offers),
            "termine_held": held,
            "termine_cancelled": cancelled,
            "teaching_units": _round(minutes / TEACHING_UNIT_MINUTES),
            "clock_hours": _round(minutes / 60),
            "attendances": attendances,
            "persons": len(persons),
            "new_persons": new,
            "returning_persons": len(persons) - new,
            "enrolments": group.enrolments,
            "persons_per_termin": _round(visits / held) if held else None,
            "attendance_rate": _round(100 * rate_present / rate_expected, 1) if rate_expected else None,
            "drop_in_contacts": drop_in_contacts,
            "drop_in_anonymous": anonymous,
            "lessons_taught": lessons,
            "trainer_hours": _round(trainer_minutes / 60),
        }
        figures = GroupFigures(key=group.key, label=group.label, values=values, month=group.month,
                               drop_in_topics=dict(topics))
        if distributions:
            figures.age_bands = _distribution(AGE_BANDS, map(self.person_bands.get, persons))
            figures.genders = _distribution(GENDERS, map(self.person_genders.get, persons))
            figures.devices = _distribution(DEVICES, map(self.person_devices.get, persons))
        return figures


def _distribution(order: Iterable[str], values: Iterable[str]) -> dict[str, int]:
    counts = Counter(values)
    return {key: counts.get(key, 0) for key in order}


def compute(facts: ReportFacts, created: dt.datetime | None = None, progress: Progress | None = None) -> ReportData:
    """Turn the facts into the figures of the report (nothing suppressed yet)."""
    calc = _Calculator(facts)
    courses = facts.courses
    period = facts.period
    enrolments_in_period = [
        (course_id, day) for course_id, _person, day in facts.enrolments if period.contains(day)
    ]

    total = _Group("gesamt", "Gesamt", enrolments=len(enrolments_in_period))
    by_town: dict[str, _Group] = {}
    towns = sorted({c.municipality for c in courses.values()}, key=str.casefold)
    if facts.municipality is None:
        towns = sorted(set(towns) | set(facts.municipalities), key=str.casefold)
    for town in towns:
        by_town[town] = _Group(town, town)
    by_format = {fmt: _Group(fmt, FORMAT_LABELS[fmt]) for fmt in FORMAT_ORDER}
    by_month = {first: _Group(first.isoformat()[:7], month_label(first), month=first) for first in period.months()}
    by_topic: dict[str, _Group] = {}
    lesson_counts: Counter[str] = Counter()

    topics_of: dict[tuple[str, ...], set[str]] = {}
    month_of: dict[dt.date, _Group] = {}
    for termin in facts.termine:
        course = courses[termin.course_id]
        total.termine.append(termin)
        by_town.setdefault(course.municipality, _Group(course.municipality, course.municipality)).termine.append(termin)
        by_format[course.format if course.format in by_format else "course"].termine.append(termin)
        month = month_of.get(termin.date)
        if month is None:
            month = month_of[termin.date] = by_month[termin.date.replace(day=1)]
        month.termine.append(termin)
        topics = topics_of.get(termin.lessons)
        if topics is None:
            topics = {facts.lesson_topics.get(lesson) or UNKNOWN_TOPIC for lesson in termin.lessons} or {NO_LESSON}
            topics_of[termin.lessons] = topics
        for topic in topics:
            by_topic.setdefault(topic, _Group(topic, topic, enrolments=None)).termine.append(termin)
        if termin.status == HELD:
            lesson_counts.update(termin.lessons)

    for course_id, day in enrolments_in_period:
        course = courses.get(course_id)
        if course is None:
            continue
        by_town[course.municipality].enrolments = (by_town[course.municipality].enrolments or 0) + 1
        fmt = course.format if course.format in by_format else "course"
        by_format[fmt].enrolments = (by_format[fmt].enrolments or 0) + 1
        by_month[day.replace(day=1)].enrolments = (by_month[day.replace(day=1)].enrolments or 0) + 1

    # Distributions (age, gender, device) are published for the total, the villages and the formats.
    with_people = {id(group) for group in (total, *by_town.values(), *by_format.values())}
    groups = [total, *by_town.values(), *by_format.values(), *by_month.values(), *by_topic.values()]
    results: dict[int, GroupFigures] = {}
    for number, group in enumerate(groups, 1):
        results[id(group)] = calc.figures(group, id(group) in with_people)
        if progress is not None:
            progress(number, len(groups))

    def ordered(items: Iterable[_Group]) -> list[GroupFigures]:
        return [results[id(group)] for group in items]

    topic_rows = sorted(by_topic.values(), key=lambda g: (g.key in (NO_LESSON, UNKNOWN_TOPIC), g.key.casefold()))
    total_figures = results[id(total)]
    drop_in_topics = [topic for topic, _count in sorted(total_figures.drop_in_topics.items(),
                                                        key=lambda item: (-item[1], item[0].casefold()))]
    lessons = sorted(
        (LessonCount(lesson_id, facts.lesson_titles.get(lesson_id, lesson_id),
                     facts.lesson_topics.get(lesson_id) or UNKNOWN_TOPIC, count)
         for lesson_id, count in lesson_counts.items()),
        key=lambda item: (-item.count, item.title.casefold()),
    )
    return ReportData(
        period=period, municipality=facts.municipality, created=created or dt.datetime.now(),
        total=total_figures, by_municipality=ordered(by_town.values()), by_format=ordered(by_format.values()),
        by_topic=ordered(topic_rows), by_month=ordered(by_month.values()), drop_in_topics=drop_in_topics,
        lessons=lessons, notes=_notes(facts, lessons),
    )


def _notes(facts: ReportFacts, lessons: list[LessonCount]) -> list[str]:
    """Hints on the data quality the project office should know before handing the report on."""
    notes = []
    held = [t for t in facts.termine if t.status == HELD]
    untimed = sum(1 for t in held if not t.minutes)
    if untimed:
        notes.append(f"{untimed} stattgefundene Termine haben keine Anfangs- oder Endzeit; sie fehlen in "
                     "Unterrichtseinheiten, Zeitstunden und Stunden der Lotsinnen und Lotsen.")
    today = dt.date.today()
    open_termine = sum(1 for t in facts.termine if t.status == PLANNED and t.date < today)
    if open_termine:
        notes.append(f"{open_termine} vergangene Termine im Zeitraum stehen noch auf »geplant« (nicht "
                     "abgeschlossen); sie zählen weder als stattgefunden noch als ausgefallen.")
    no_trainer = {t.course_id for t in held if facts.courses[t.course_id].trainers == 0}
    if no_trainer:
        notes.append(f"{len(no_trainer)} Angebote haben keine Lotsin und keinen Lotsen eingetragen; "
                     "ihre Termine fehlen in den Stunden der Lotsinnen und Lotsen.")
    missing = sorted({item.lesson_id for item in lessons if item.topic == UNKNOWN_TOPIC})
    if missing:
        notes.append("Lektionen ohne bekanntes Thema (auf diesem Rechner nicht vorhanden): " + ", ".join(missing) + ".")
    return notes
