"""The course page in one read: course, Termine, Teilnehmende, attendance grid and statistics."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.domain.attendance import AttendanceStatus, CourseOverview, ParticipantView, compute_stats
from app.services.courses import course_detail, live_course, termin_view
from app.services.people import participant_view
from app.storage.database import Database
from app.storage.models import Attendance, Course, CourseTrainer, Enrolment, Participant, Termin, TopicTally


def course_overview(db: Database, course_id: int) -> CourseOverview:
    """Everything the course page shows; one short read transaction."""
    with db.sessions() as session, session.begin():
        session.execute(
            select(Course).where(Course.id == course_id).options(
                selectinload(Course.trainer_links).selectinload(CourseTrainer.trainer),
                selectinload(Course.lesson_links), selectinload(Course.municipality),
            )
        ).first()
        course = live_course(session, course_id)
        termine = session.scalars(
            select(Termin).where(Termin.course_id == course_id, Termin.deleted.is_(False))
            .options(selectinload(Termin.lesson_links)).order_by(Termin.date, Termin.start_time.nulls_first(), Termin.id)
        ).all()
        termin_ids = [t.id for t in termine]
        marks = session.execute(
            select(Attendance.participant_id, Attendance.termin_id, Attendance.status)
            .join(Termin, Termin.id == Attendance.termin_id)
            .where(Termin.course_id == course_id, Termin.deleted.is_(False), Attendance.deleted.is_(False))
        ).all()
        grid = {(pid, tid): AttendanceStatus(status) for pid, tid, status in marks}
        present: dict[int, int] = {}
        for (_, tid), status in grid.items():
            if status is AttendanceStatus.PRESENT:
                present[tid] = present.get(tid, 0) + 1
        enrolled = dict(session.execute(
            select(Enrolment.participant_id, Enrolment.walk_in)
            .where(Enrolment.course_id == course_id, Enrolment.deleted.is_(False))
        ).all())
        person_ids = set(enrolled) | {pid for pid, _ in grid}
        people = session.scalars(
            select(Participant).where(Participant.id.in_(person_ids), Participant.deleted.is_(False))
        ).all() if person_ids else []
        participants = tuple(sorted(
            (participant_view(p, enrolled.get(p.id, False), p.id in enrolled) for p in people), key=_name_order
        ))
        live_ids = {p.id for p in participants}
        grid = {key: status for key, status in grid.items() if key[0] in live_ids}
        topics = dict(session.execute(
            select(TopicTally.topic, func.sum(TopicTally.count))
            .where(TopicTally.termin_id.in_(termin_ids), TopicTally.deleted.is_(False))
            .group_by(TopicTally.topic)
        ).all()) if termin_ids else {}
        views = tuple(termin_view(t, present.get(t.id, 0)) for t in termine)
        return CourseOverview(
            course=course_detail(session, course), termine=views, participants=participants, grid=grid,
            stats=compute_stats(views, participants, grid, {k: int(v) for k, v in topics.items()}),
        )


def _name_order(person: ParticipantView) -> str:
    return person.name.casefold()
