"""Shared data for the report tests: deterministic demo data and an independent counter over raw rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from app import paths
from app.domain.indicators import Period
from app.reports.model import ReportFacts
from app.services import context
from app.storage.database import Database
from app.storage.migrate_v2 import _stored
from tests.attendance_fixtures import fill_demo

TODAY = dt.date(2026, 3, 10)
LESSONS = {
    "smartphone-kennenlernen": ("Das Smartphone kennenlernen", "Grundlagen"),
    "whatsapp-nachrichten": ("Nachrichten mit WhatsApp", "Kommunikation"),
    "videoanrufe": ("Videoanrufe mit der Familie", "Kommunikation"),
    "kamera-und-fotos": ("Fotos machen, finden und teilen", "Fotos"),
    "im-internet-suchen": ("Im Internet suchen", "Internet"),
    "handy-sicher-machen": ("Das Smartphone sicher machen", "Sicherheit"),
}
DEMO_LESSONS = [*LESSONS, "nicht-installiert"]  # one lesson this computer does not know


@pytest.fixture
def demo_db(db: Database) -> Database:  # noqa: ANN001 - db comes from tests.attendance_fixtures
    fill_demo(db, years=2, seed=4711, today=TODAY, lesson_ids=list(DEMO_LESSONS))
    return db


@pytest.fixture
def demo_db_any(database_url: str) -> Iterator[Database]:
    """The same demo data in a laptop's SQLite file and in the office's PostgreSQL database."""
    context.close()
    paths.set_database_url(database_url)
    database = context.database()
    fill_demo(database, years=2, seed=4711, today=TODAY, lesson_ids=list(DEMO_LESSONS))
    yield database
    context.close()
    paths.set_database_url(None)


class _Rows:
    """Plain SQL rows from a SQLite file or a server database, values as SQLite stores them."""

    def __init__(self, source: Path | Database) -> None:
        self.engine = source.engine if isinstance(source, Database) else create_engine(f"sqlite:///{source}")
        self.own = not isinstance(source, Database)
        self.conn = self.engine.connect()

    def execute(self, statement: str, params: tuple[str, ...] = ()) -> list[tuple]:
        # ``?`` placeholders become named ones; both databases take ISO dates as text for a date column
        names = {}
        while "?" in statement:
            key = f"p{len(names)}"
            names[key] = params[len(names)]
            statement = statement.replace("?", f":{key}", 1)
        return [tuple(_stored(v) for v in row) for row in self.conn.execute(sql(statement), names)]

    def close(self) -> None:
        self.conn.close()
        if self.own:
            self.engine.dispose()


@dataclass
class Counted:
    """Indicators counted the plain way, straight from the raw rows (no report code involved)."""

    offers: int = 0
    held: int = 0
    cancelled: int = 0
    minutes: int = 0
    attendances: int = 0
    persons: set[int] = field(default_factory=set)
    new: int = 0
    enrolments: int = 0
    visits: int = 0
    rate_present: int = 0
    rate_expected: int = 0
    drop_in_contacts: int = 0
    drop_in_anonymous: int = 0
    lessons: int = 0
    trainer_minutes: int = 0
    ages: Counter = field(default_factory=Counter)
    genders: Counter = field(default_factory=Counter)
    devices: Counter = field(default_factory=Counter)
    topics: Counter = field(default_factory=Counter)


def _minutes(start: str | None, end: str | None) -> int:
    if not start or not end:
        return 0
    return (int(end[:2]) * 60 + int(end[3:5])) - (int(start[:2]) * 60 + int(start[3:5]))


def _band(birth_year: int | None, stored: str, year: int) -> str:
    if birth_year is None:
        return {"80–89": "80+", "90+": "80+"}.get(stored, stored) or "keine Angabe"
    age = year - birth_year
    return "unter 60" if age < 60 else "60–69" if age < 70 else "70–79" if age < 80 else "80+"


def count(path: Path | Database, start: dt.date, end: dt.date, town: str | None = None,
          fmt: str | None = None) -> Counted:
    """Count every indicator for [start, end] (optionally one Ortsgemeinde or format) with plain SQL rows."""
    conn = _Rows(path)
    try:
        termine = conn.execute(
            "SELECT t.id, t.course_id, t.date, t.start_time, t.end_time, t.status, t.head_count, c.format, m.name "
            "FROM termine t JOIN courses c ON c.id = t.course_id LEFT JOIN municipalities m ON m.id = c.municipality_id "
            "WHERE t.deleted = FALSE AND c.deleted = FALSE AND t.date BETWEEN ? AND ?", (start.isoformat(), end.isoformat()),
        )
        termine = [t for t in termine if (town is None or t[8] == town) and (fmt is None or t[7] == fmt)]
        marks = conn.execute(
            "SELECT a.termin_id, a.participant_id, a.status FROM attendances a "
            "JOIN participants p ON p.id = a.participant_id WHERE a.deleted = FALSE AND p.deleted = FALSE")
        before = {pid for pid, in conn.execute(
            "SELECT a.participant_id FROM attendances a JOIN termine t ON t.id = a.termin_id "
            "JOIN courses c ON c.id = t.course_id WHERE a.deleted = FALSE AND a.status = 'present' AND t.deleted = FALSE "
            "AND c.deleted = FALSE AND t.status = 'held' AND t.date < ?", (start.isoformat(),))}
        enrolments = conn.execute(
            "SELECT e.course_id, e.participant_id, e.enrolled_on, c.format, m.name FROM enrolments e "
            "JOIN courses c ON c.id = e.course_id JOIN participants p ON p.id = e.participant_id "
            "LEFT JOIN municipalities m ON m.id = c.municipality_id "
            "WHERE e.deleted = FALSE AND p.deleted = FALSE AND c.deleted = FALSE")
        trainers = Counter(course for course, in conn.execute(
            "SELECT course_id FROM course_trainers WHERE deleted = FALSE"))
        lessons = Counter(termin for termin, in conn.execute("SELECT termin_id FROM termin_lessons WHERE deleted = FALSE"))
        tallies = conn.execute("SELECT termin_id, topic, count FROM topic_tallies WHERE deleted = FALSE")
        people = {row[0]: row[1:] for row in conn.execute(
            "SELECT id, birth_year, age_band, gender, device FROM participants")}
    finally:
        conn.close()
    result = Counted()
    held = {t[0]: t for t in termine if t[5] == "held"}
    result.held = len(held)
    result.cancelled = sum(1 for t in termine if t[5] == "cancelled")
    result.offers = len({t[1] for t in held.values()})
    present: dict[int, list[int]] = {}
    for termin_id, person_id, status in marks:
        if termin_id in held and status == "present":
            present.setdefault(termin_id, []).append(person_id)
    for termin_id, (_, course_id, day, begin, finish, _status, head, course_format, _town) in held.items():
        came = present.get(termin_id, [])
        minutes = _minutes(begin, finish)
        result.minutes += minutes
        result.trainer_minutes += minutes * trainers[course_id]
        result.attendances += len(came)
        result.persons.update(came)
        result.visits += len(came) + (head or 0)
        result.lessons += lessons[termin_id]
        if course_format == "drop_in":
            result.drop_in_anonymous += head or 0
            result.drop_in_contacts += (head or 0) + len(came)
        else:
            enrolled = {pid: on for cid, pid, on, _f, _t in enrolments if cid == course_id and on <= day}
            result.rate_expected += len(enrolled)
            result.rate_present += sum(1 for pid in came if pid in enrolled)
    for termin_id, topic, number in tallies:
        if termin_id in held and held[termin_id][7] == "drop_in":
            result.topics[topic] += number
    result.new = len(result.persons - before)
    result.enrolments = sum(
        1 for _cid, _pid, on, course_format, course_town in enrolments
        if course_format != "drop_in" and start.isoformat() <= on <= end.isoformat()
        and (town is None or course_town == town) and (fmt is None or course_format == fmt)
    )
    for pid in result.persons:
        birth_year, stored, gender, device = people[pid]
        result.ages[_band(birth_year, stored or "", end.year)] += 1
        result.genders[{"f": "w", "m": "m", "d": "d"}.get(gender or "", "keine Angabe")] += 1
        result.devices[{"android": "Android", "iphone": "iPhone", "tablet": "Tablet", "none": "kein Gerät"}
                       .get(device or "", "keine Angabe")] += 1
    return result


def restrict(facts: ReportFacts, period: Period, municipality: str | None) -> ReportFacts:
    """The facts of *period* (inside the period of *facts*) and optionally one Ortsgemeinde (its stored name):
    the oracle for reports computed from a longer period's facts."""
    if not (facts.period.start <= period.start and period.end <= facts.period.end):
        raise ValueError("restrict: the period lies outside the facts read")
    courses = facts.courses if municipality is None else {
        cid: course for cid, course in facts.courses.items() if course.municipality == municipality}
    termine = [t for t in facts.termine if period.start <= t.date <= period.end and t.course_id in courses]
    ids = {t.id for t in termine}
    earlier = {t.id for t in facts.termine if t.date < period.start and t.status == "held"}
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
