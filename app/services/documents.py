"""Data for the printed documents: the Anwesenheitsliste of a Termin and Teilnahmebescheinigungen."""

from __future__ import annotations

import datetime as dt

from app.domain.attendance import (
    AttendanceStatus,
    CertificateData,
    InputError,
    Letterhead,
    SignatureSheetData,
    TerminStatus,
)
from app.services import lesson_titles, organisation
from app.services.courses import get_termin
from app.services.overview import course_overview
from app.storage.database import Database

MIN_EMPTY_ROWS = 4


def letterhead(db: Database) -> Letterhead:
    settings = organisation.get_settings(db)
    return Letterhead(settings.name or "Kurslotse", settings.funding_line, settings.contact, settings.logo_png)


def signature_sheet(db: Database, termin_id: int) -> SignatureSheetData:
    """The enrolled people of the Termin's course (walk-ins of earlier Termine included) plus empty rows."""
    termin = get_termin(db, termin_id)
    data = course_overview(db, termin.course_id)
    course = data.course
    names = tuple(person.name for person in data.participants
                  if person.enrolled or (person.id, termin_id) in data.grid)
    return SignatureSheetData(
        letterhead=letterhead(db), course_title=course.title, course_format=course.format, date=termin.date,
        time_text=termin.time_text, place=termin.place or course.place, municipality=course.municipality,
        trainers=course.trainers, lesson_titles=tuple(lesson_titles.title(i) for i in termin.lessons),
        names=names, empty_rows=max(MIN_EMPTY_ROWS, len(names) // 4),
    )


def certificates(
    db: Database, course_id: int, person_ids: list[int] | None = None, issued_on: dt.date | None = None
) -> list[CertificateData]:
    """Certificates for the chosen people (``None``: everyone who attended at least once)."""
    data = course_overview(db, course_id)
    course = data.course
    held = [t for t in data.termine if t.status is TerminStatus.HELD]
    head = letterhead(db)
    wanted = set(person_ids) if person_ids is not None else None
    result = []
    for person in data.participants:
        if wanted is not None and person.id not in wanted:
            continue
        attended = [t for t in held if data.grid.get((person.id, t.id)) is AttendanceStatus.PRESENT]
        if not attended:
            if wanted is not None:
                raise InputError([f"{person.name} war bei keinem stattgefundenen Termin anwesend – "
                                  "dafür gibt es keine Teilnahmebescheinigung."])
            continue
        topics = list(dict.fromkeys(lesson_titles.title(lesson) for t in attended for lesson in t.lessons))
        if not topics:
            topics = list(dict.fromkeys(lesson_titles.title(lesson) for lesson in course.planned_lessons))
        result.append(CertificateData(
            letterhead=head, person_name=person.name, course_title=course.title, course_format=course.format,
            municipality=course.municipality, place=course.place, dates_attended=tuple(t.date for t in attended),
            termine_held=len(held), topics=tuple(topics), trainers=course.trainers,
            issued_on=issued_on or dt.date.today(),
        ))
    if not result:
        raise InputError(["In diesem Kurs war noch niemand bei einem stattgefundenen Termin anwesend."])
    return result

