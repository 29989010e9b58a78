"""Use cases for courses and their Termine: create, change, list, and the course page overview."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.domain.attendance import (
    CourseDetail,
    CourseFormat,
    CourseInput,
    CourseSummary,
    InputError,
    TerminInput,
    TerminStatus,
    TerminView,
    format_date,
    validate_course,
    validate_termin,
)
from app.services import events
from app.services.organisation import municipality_for, trainer_for
from app.storage.database import Database
from app.storage.models import (
    Attendance,
    Course,
    CourseLesson,
    CourseTrainer,
    Enrolment,
    Municipality,
    Termin,
    TerminLesson,
)

MAX_SERIES = 60


def live_course(session: Session, course_id: int) -> Course:
    """The course *course_id*, or a German InputError if it is gone."""
    course = session.get(Course, course_id)
    if course is None or course.deleted:
        raise InputError([f"Den Kurs Nr. {course_id} gibt es nicht (mehr)."])
    return course


def live_termin(session: Session, termin_id: int) -> Termin:
    termin = session.get(Termin, termin_id)
    if termin is None or termin.deleted:
        raise InputError([f"Den Termin Nr. {termin_id} gibt es nicht (mehr)."])
    return termin


# --------------------------------------------------------------------------- courses

def list_courses(db: Database, today: dt.date | None = None) -> list[CourseSummary]:
    """All courses, the ones with the next Termin first, then by title."""
    today = today or dt.date.today()
    with db.sessions() as session:
        termin_counts = dict(session.execute(
            select(Termin.course_id, func.count()).where(Termin.deleted.is_(False)).group_by(Termin.course_id)
        ).all())
        people_counts = dict(session.execute(
            select(Enrolment.course_id, func.count()).where(Enrolment.deleted.is_(False))
            .group_by(Enrolment.course_id)
        ).all())
        next_dates = dict(session.execute(
            select(Termin.course_id, func.min(Termin.date))
            .where(Termin.deleted.is_(False), Termin.date >= today, Termin.status != TerminStatus.CANCELLED.value)
            .group_by(Termin.course_id)
        ).all())
        rows = session.execute(
            select(Course, Municipality.name)
            .outerjoin(Municipality, Course.municipality_id == Municipality.id)
            .where(Course.deleted.is_(False))
        ).all()
        summaries = [
            CourseSummary(
                id=course.id, title=course.title, format=CourseFormat(course.format),
                municipality=town or "", place=course.place, start_date=course.start_date,
                end_date=course.end_date, termin_count=termin_counts.get(course.id, 0),
                participant_count=people_counts.get(course.id, 0), next_termin=next_dates.get(course.id),
            )
            for course, town in rows
        ]
    far = dt.date.max
    return sorted(summaries, key=lambda c: (c.next_termin or far, c.title.casefold()))


def get_course(db: Database, course_id: int) -> CourseDetail:
    with db.sessions() as session:
        return course_detail(session, live_course(session, course_id))


def course_detail(session: Session, course: Course) -> CourseDetail:
    trainers = tuple(link.trainer.name for link in course.trainer_links if not link.deleted)
    lessons = tuple(link.lesson_id for link in course.lesson_links if not link.deleted)
    return CourseDetail(
        id=course.id, title=course.title, format=CourseFormat(course.format),
        municipality=course.municipality.name if course.municipality else "", place=course.place,
        start_date=course.start_date, end_date=course.end_date, trainers=trainers,
        planned_lessons=lessons, note=course.note,
    )


def create_course(db: Database, data: CourseInput) -> int:
    """Store a new course; raises InputError (nothing saved) for bad input."""
    _check_course(data)
    with db.transaction() as session:
        course = Course(title=data.title.strip(), format=data.format.value)
        session.add(course)
        _apply_course(session, course, data)
        session.flush()
        course_id = course.id
    events.notify(events.COURSES, course_id=course_id)
    return course_id


def update_course(db: Database, course_id: int, data: CourseInput) -> None:
    """Change a course; its existing Termine must still fall into the new period."""
    _check_course(data)
    with db.transaction() as session:
        course = live_course(session, course_id)
        outside = [
            t.date for t in session.scalars(
                select(Termin).where(Termin.course_id == course_id, Termin.deleted.is_(False))
            )
            if (data.start_date and t.date < data.start_date) or (data.end_date and t.date > data.end_date)
        ]
        if outside:
            dates = ", ".join(format_date(d) for d in sorted(outside)[:5])
            raise InputError([f"Zeitraum: Die Termine am {dates} lägen außerhalb des neuen Zeitraums."])
        course.title = data.title.strip()
        course.format = data.format.value
        _apply_course(session, course, data)
    events.notify(events.COURSES, course_id=course_id)


def delete_course(db: Database, course_id: int) -> None:
    """Soft-delete a course (it disappears from lists; sync will carry the deletion)."""
    with db.transaction() as session:
        live_course(session, course_id).deleted = True
    events.notify(events.COURSES, course_id=course_id)


def _check_course(data: CourseInput) -> None:
    errors = validate_course(data)
    if errors:
        raise InputError(errors)


def _apply_course(session: Session, course: Course, data: CourseInput) -> None:
    course.municipality = municipality_for(session, data.municipality)
    course.place = data.place.strip()
    course.start_date = data.start_date
    course.end_date = data.end_date
    course.note = data.note.strip()
    wanted = [" ".join(name.split()) for name in data.trainers if name.strip()]
    links = {link.trainer.name: link for link in course.trainer_links}
    for name, link in links.items():
        link.deleted = name not in wanted
    for name in dict.fromkeys(wanted):
        if name not in links:
            course.trainer_links.append(CourseTrainer(trainer=trainer_for(session, name)))
    _replace_lessons(course.lesson_links, data.planned_lessons, CourseLesson)


def _replace_lessons(links: list, lesson_ids: list[str], model: type) -> None:  # type: ignore[type-arg]
    """Make *links* hold exactly *lesson_ids* in order, reusing rows so sync sees updates, not churn."""
    live = [link for link in links if not link.deleted]
    wanted = [lesson_id.strip() for lesson_id in lesson_ids if lesson_id.strip()]
    for position, lesson_id in enumerate(wanted):
        if position < len(live):
            link = live[position]
            if link.lesson_id != lesson_id or link.position != position:
                link.lesson_id, link.position = lesson_id, position
        else:
            links.append(model(lesson_id=lesson_id, position=position))
    for link in live[len(wanted):]:
        link.deleted = True


# --------------------------------------------------------------------------- Termine

def termin_view(termin: Termin, present_count: int) -> TerminView:
    return TerminView(
        id=termin.id, course_id=termin.course_id, date=termin.date, start=termin.start_time,
        end=termin.end_time, place=termin.place, status=TerminStatus(termin.status),
        lessons=tuple(link.lesson_id for link in termin.lesson_links if not link.deleted),
        note=termin.note, head_count=termin.head_count, present_count=present_count,
    )


def get_termin(db: Database, termin_id: int) -> TerminView:
    with db.sessions() as session:
        termin = live_termin(session, termin_id)
        present = session.scalar(
            select(func.count()).select_from(Attendance).where(
                Attendance.termin_id == termin_id, Attendance.deleted.is_(False), Attendance.status == "present"
            )
        )
        return termin_view(termin, present or 0)


def add_termin(db: Database, course_id: int, data: TerminInput) -> int:
    """Add a Termin; end before start or a date outside the course period is refused."""
    with db.transaction() as session:
        course = live_course(session, course_id)
        _check_termin(data, course)
        termin = Termin(course_id=course_id)
        _apply_termin(termin, data, course)
        session.add(termin)
        session.flush()
        termin_id = termin.id
    events.notify(events.TERMINE, course_id=course_id, termin_id=termin_id)
    return termin_id


def add_weekly_termine(
    db: Database, course_id: int, first: TerminInput, count: int, every_days: int = 7,
    lesson_groups: list[list[str]] | None = None,
) -> list[int]:
    """Add *count* Termine, one every *every_days* days (all or none).

    Lessons: *lesson_groups* (e.g. from a Kursvorlage) gives each Termin its own; otherwise the
    course plan's lessons go one per Termin.
    """
    if not 1 <= count <= MAX_SERIES:
        raise InputError([f"Anzahl: Bitte zwischen 1 und {MAX_SERIES} Terminen wählen."])
    with db.transaction() as session:
        course = live_course(session, course_id)
        plan = [link.lesson_id for link in course.lesson_links if not link.deleted]
        groups = lesson_groups if lesson_groups is not None else [[lesson] for lesson in plan]
        inputs = []
        for index in range(count):
            item = TerminInput(
                date=first.date + dt.timedelta(days=index * every_days), start=first.start, end=first.end,
                place=first.place, status=first.status, note=first.note,
                lessons=first.lessons or (list(groups[index]) if index < len(groups) else []),
            )
            _check_termin(item, course)
            inputs.append(item)
        termine = []
        for item in inputs:
            termin = Termin(course_id=course_id)
            _apply_termin(termin, item, course)
            session.add(termin)
            termine.append(termin)
        session.flush()
        ids = [t.id for t in termine]
    events.notify(events.TERMINE, course_id=course_id)
    return ids


def update_termin(db: Database, termin_id: int, data: TerminInput) -> None:
    with db.transaction() as session:
        termin = live_termin(session, termin_id)
        course = live_course(session, termin.course_id)
        _check_termin(data, course)
        _apply_termin(termin, data, course)
        course_id = course.id
    events.notify(events.TERMINE, course_id=course_id, termin_id=termin_id)


def set_termin_status(db: Database, termin_id: int, status: TerminStatus) -> None:
    with db.transaction() as session:
        termin = live_termin(session, termin_id)
        termin.status = status.value
        course_id = termin.course_id
    events.notify(events.TERMINE, course_id=course_id, termin_id=termin_id)


def delete_termin(db: Database, termin_id: int) -> None:
    with db.transaction() as session:
        termin = live_termin(session, termin_id)
        termin.deleted = True
        course_id = termin.course_id
    events.notify(events.TERMINE, course_id=course_id, termin_id=termin_id)


def _check_termin(data: TerminInput, course: Course) -> None:
    errors = validate_termin(data, course.start_date, course.end_date)
    if errors:
        raise InputError(errors)


def _apply_termin(termin: Termin, data: TerminInput, course: Course) -> None:
    termin.date = data.date
    termin.start_time = data.start
    termin.end_time = data.end
    termin.place = data.place.strip() or course.place
    termin.status = data.status.value
    termin.note = data.note.strip()
    _replace_lessons(termin.lesson_links, data.lessons, TerminLesson)


def todays_termine(db: Database, today: dt.date | None = None) -> list[tuple[str, TerminView]]:
    """Today's Termine of all courses with their course title (for "Heute" on the course list)."""
    today = today or dt.date.today()
    with db.sessions() as session:
        rows = session.execute(
            select(Termin, Course.title).join(Course, Course.id == Termin.course_id)
            .where(Termin.date == today, Termin.deleted.is_(False), Course.deleted.is_(False))
            .options(selectinload(Termin.lesson_links))
            .order_by(Termin.start_time.nulls_first(), Termin.id)
        ).all()
        return [(title, termin_view(termin, 0)) for termin, title in rows]
