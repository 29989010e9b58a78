"""Read the facts of a report from the database: read-only, one snapshot, no names or contacts.

Everything is read in one read transaction, so a check-in saved meanwhile on another thread
never makes the figures of one report disagree with each other. Only the columns the statistics
need are selected; a participant's name, phone, e-mail and note are never read here.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.indicators import Period, age_band_at, device_label, gender_key
from app.reports.model import (
    FORMAT_LABELS,
    NO_MUNICIPALITY,
    STATUS_LABELS,
    CourseFact,
    PersonFact,
    RawRow,
    ReportFacts,
    TerminFact,
)
from app.storage.database import Database
from app.storage.models import (
    Attendance,
    Course,
    CourseTrainer,
    Enrolment,
    Municipality,
    Participant,
    Termin,
    TerminLesson,
    TopicTally,
    Trainer,
)

HELD = "held"
PRESENT = "present"
DROP_IN = "drop_in"


class ReportInputError(ValueError):
    """A report cannot be made as asked (unknown Ortsgemeinde, …); the message is German."""


def municipality_names(db: Database) -> list[str]:
    """The Ortsgemeinden that have a live offer, sorted (for the filter)."""
    with db.sessions() as session:
        return _municipality_names(session)


def _municipality_names(session: Session) -> list[str]:
    names = session.scalars(
        select(Municipality.name).distinct().join(Course, Course.municipality_id == Municipality.id)
        .where(Municipality.deleted.is_(False), Course.deleted.is_(False))
    ).all()
    return sorted(names, key=str.casefold)


def _municipality_ids(session: Session, name: str) -> tuple[list[int], str]:
    """The ids of the Ortsgemeinde called *name* (case and spaces ignored) and its stored spelling."""
    wanted = " ".join(name.split()).casefold()
    rows = session.execute(select(Municipality.id, Municipality.name).where(Municipality.deleted.is_(False))).all()
    found = [(row_id, row_name) for row_id, row_name in rows if " ".join(row_name.split()).casefold() == wanted]
    if not found:
        known = _municipality_names(session)
        hint = ", ".join(known) if known else "es ist noch keine eingetragen"
        raise ReportInputError(f"Ortsgemeinde »{name.strip()}« ist nicht bekannt. Bekannt sind: {hint}.")
    return [row_id for row_id, _ in found], found[0][1]


def _raw(session: Session, statement) -> list[tuple]:  # noqa: ANN001 - a Core select
    """Plain tuples straight from the driver, without per-row processing: the big reads stay fast.

    Dates and times may come back as text (SQLite); :func:`_as_date` and :func:`_clock` read both.
    """
    result = session.connection().execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


@functools.lru_cache(maxsize=8192)
def _as_date(value: dt.date | str) -> dt.date:
    # Cached: 100,000 Termine share a few hundred distinct days.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _clock(value: dt.time | str | None) -> int | None:
    """Minutes since midnight of a stored time (``14:30:00.000000`` or a time object)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    text = str(value)
    return int(text[:2]) * 60 + int(text[3:5])


@functools.lru_cache(maxsize=4096)
def _minutes(start: dt.time | str | None, end: dt.time | str | None) -> int | None:
    begin, finish = _clock(start), _clock(end)
    if begin is None or finish is None:
        return None
    minutes = finish - begin
    return minutes if minutes > 0 else None


def read_facts(db: Database, period: Period, municipality: str | None = None,
               lessons: Mapping[str, tuple[str, str]] | None = None) -> ReportFacts:
    """All facts for *period* (optionally only one Ortsgemeinde, matched by name).

    *lessons* maps lesson id → (title, topic); by default the installed lesson library is used.
    """
    if lessons is None:
        from app.services.lesson_titles import catalogue

        lessons = {key: (info.title, info.topic) for key, info in catalogue().items()}
    with db.sessions() as session, session.begin():
        names = _municipality_names(session)
        course_filter = [Course.deleted.is_(False)]
        if municipality:
            town_ids, municipality = _municipality_ids(session, municipality)
            course_filter.append(Course.municipality_id.in_(town_ids))
        in_period = [Termin.deleted.is_(False), Termin.date >= period.start, Termin.date <= period.end]

        trainer_counts = dict(session.execute(
            select(CourseTrainer.course_id, func.count())
            .join(Trainer, Trainer.id == CourseTrainer.trainer_id)
            .where(CourseTrainer.deleted.is_(False), Trainer.deleted.is_(False))
            .group_by(CourseTrainer.course_id)
        ).all())
        courses = {}
        for course_id, title, fmt, town_id, town, town_deleted in session.execute(
            select(Course.id, Course.title, Course.format, Course.municipality_id, Municipality.name,
                   Municipality.deleted)
            .outerjoin(Municipality, Municipality.id == Course.municipality_id).where(*course_filter)
        ):
            live_town = town if town and not town_deleted else None
            courses[course_id] = CourseFact(course_id, title, fmt, town_id if live_town else None,
                                            live_town or NO_MUNICIPALITY, int(trainer_counts.get(course_id, 0)))

        lesson_links: dict[int, list[str]] = {}
        for termin_id, lesson_id in _raw(session,
            select(TerminLesson.termin_id, TerminLesson.lesson_id)
            .join(Termin, Termin.id == TerminLesson.termin_id).join(Course, Course.id == Termin.course_id)
            .where(TerminLesson.deleted.is_(False), *in_period, *course_filter)
            .order_by(TerminLesson.termin_id, TerminLesson.position)
        ):
            lesson_links.setdefault(termin_id, []).append(lesson_id)
        termine = [
            TerminFact(termin_id, course_id, _as_date(day), status, _minutes(start, end), int(head or 0),
                       tuple(lesson_links.get(termin_id, ())))
            for termin_id, course_id, day, start, end, status, head in _raw(session,
                select(Termin.id, Termin.course_id, Termin.date, Termin.start_time, Termin.end_time, Termin.status,
                       Termin.head_count)
                .join(Course, Course.id == Termin.course_id).where(*in_period, *course_filter)
                .order_by(Termin.date, Termin.id)
            )
        ]

        held_in_scope = [Termin.status == HELD, *in_period, *course_filter]
        # Only »anwesend« marks are counted; excused and absent ones never enter a figure.
        gone = select(Participant.id).where(Participant.deleted.is_(True))
        marks = _raw(session,
            select(Attendance.termin_id, Attendance.participant_id)
            .join(Termin, Termin.id == Attendance.termin_id).join(Course, Course.id == Termin.course_id)
            .where(Attendance.deleted.is_(False), Attendance.status == PRESENT,
                   Attendance.participant_id.not_in(gone), *held_in_scope)
        )

        # »New« is meant for the whole programme, so earlier visits in any village count.
        seen_before = {row[0] for row in _raw(session,
            select(Attendance.participant_id).distinct()
            .join(Termin, Termin.id == Attendance.termin_id).join(Course, Course.id == Termin.course_id)
            .where(Attendance.deleted.is_(False), Attendance.status == PRESENT, Termin.deleted.is_(False),
                   Termin.status == HELD, Termin.date < period.start, Course.deleted.is_(False))
        )}

        reached = {person_id for _termin, person_id in marks}
        people = {
            person_id: PersonFact(birth_year, age_band or "", gender, device)
            for person_id, birth_year, age_band, gender, device in _raw(session,
                select(Participant.id, Participant.birth_year, Participant.age_band, Participant.gender,
                       Participant.device).where(Participant.deleted.is_(False))
            )
            if person_id in reached
        }

        enrolments = [
            (course_id, person_id, _as_date(day)) for course_id, person_id, day in _raw(session,
                select(Enrolment.course_id, Enrolment.participant_id, Enrolment.enrolled_on)
                .join(Course, Course.id == Enrolment.course_id)
                .join(Participant, Participant.id == Enrolment.participant_id)
                .where(Enrolment.deleted.is_(False), Participant.deleted.is_(False), Course.format != DROP_IN,
                       Enrolment.enrolled_on <= period.end, *course_filter)
            )
        ]

        tallies = [tuple(row) for row in session.execute(
            select(TopicTally.termin_id, TopicTally.topic, TopicTally.count)
            .join(Termin, Termin.id == TopicTally.termin_id).join(Course, Course.id == Termin.course_id)
            .where(TopicTally.deleted.is_(False), TopicTally.count > 0, *held_in_scope)
        ).all()]

    return ReportFacts(
        period=period, municipality=municipality or None, courses=courses,
        termine=termine, marks=marks, people=people, seen_before=seen_before, enrolments=enrolments,
        tallies=tallies, lesson_titles={key: value[0] for key, value in lessons.items()},
        lesson_topics={key: value[1] for key, value in lessons.items()}, municipalities=names,
    )


def read_raw(db: Database, period: Period, municipality: str | None = None) -> tuple[list[RawRow], str | None]:
    """One row per live mark at a held Termin in *period*; persons get random keys, new for every call.

    Returns the rows (by date, offer and Termin; within a Termin in random key order, so the order
    says nothing about when a person was recorded) and the Ortsgemeinde's stored spelling.
    """
    with db.sessions() as session, session.begin():
        course_filter = [Course.deleted.is_(False)]
        if municipality:
            town_ids, municipality = _municipality_ids(session, municipality)
            course_filter.append(Course.municipality_id.in_(town_ids))
        found = session.execute(
            select(Termin.date, Municipality.name, Municipality.deleted, Course.format, Course.title, Termin.id,
                   Attendance.status, Attendance.participant_id, Participant.birth_year, Participant.age_band,
                   Participant.gender, Participant.device)
            .join(Termin, Termin.id == Attendance.termin_id).join(Course, Course.id == Termin.course_id)
            .outerjoin(Municipality, Municipality.id == Course.municipality_id)
            .join(Participant, Participant.id == Attendance.participant_id)
            .where(Attendance.deleted.is_(False), Participant.deleted.is_(False), Termin.deleted.is_(False),
                   Termin.status == HELD, Termin.date >= period.start, Termin.date <= period.end, *course_filter)
        ).all()
    keys = _random_keys({row[7] for row in found})
    rows = [
        RawRow(
            date=day, municipality=town if town and not town_deleted else NO_MUNICIPALITY,
            format=FORMAT_LABELS.get(fmt, fmt), course=title, termin=termin_id,
            status=STATUS_LABELS.get(status, status), person=keys[person_id],
            age_band=age_band_at(birth_year, age_band, period.end), gender=gender_key(gender),
            device=device_label(device),
        )
        for (day, town, town_deleted, fmt, title, termin_id, status, person_id, birth_year, age_band, gender,
             device) in found
    ]
    rows.sort(key=lambda row: (row.date, row.course.casefold(), row.termin, row.person))
    return rows, municipality or None


def _random_keys(person_ids: set[int]) -> dict[int, str]:
    """A fresh random key per person: 8 hex digits from the system's secure random source."""
    keys: dict[int, str] = {}
    used: set[str] = set()
    for person_id in person_ids:
        key = f"P-{secrets.token_hex(4).upper()}"
        while key in used:
            key = f"P-{secrets.token_hex(4).upper()}"
        used.add(key)
        keys[person_id] = key
    return keys
