"""Check-in in the hall: one tap per person, walk-ins, head count and topics, undo of the last change.

Every change is its own committed transaction (synchronous=FULL): when a method returns, the
change is on disk, so nothing is lost if the laptop dies a second later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.attendance import (
    AttendanceStatus,
    CourseFormat,
    InputError,
    ParticipantInput,
    ParticipantView,
    TerminStatus,
    TerminView,
    normalise_name,
)
from app.services import events
from app.services.courses import live_course, live_termin, termin_view
from app.services.people import check_participant, enrolment_for, live_participant, participant_view
from app.storage.database import Database
from app.storage.models import Attendance, Enrolment, Participant, Termin, TopicTally

UNDO_DEPTH = 50
MAX_HEAD_COUNT = 999


@dataclass(frozen=True)
class CheckInRow:
    """One person on the check-in screen and their current mark (``None``: not yet marked)."""

    person: ParticipantView
    status: AttendanceStatus | None


@dataclass(frozen=True)
class CheckInState:
    """What the check-in screen shows for one Termin."""

    termin: TerminView
    course_title: str
    course_format: CourseFormat
    rows: tuple[CheckInRow, ...]
    head_count: int
    topics: dict[str, int]

    @property
    def present(self) -> int:
        return sum(1 for row in self.rows if row.status is AttendanceStatus.PRESENT)


@dataclass(frozen=True)
class _UndoEntry:
    description: str
    revert: Callable[[Session], None]


class CheckInDesk:
    """Check-in for one Termin with an undo stack; every method commits before it returns."""

    def __init__(self, db: Database, termin_id: int, today: dt.date | None = None) -> None:
        self.db = db
        self.termin_id = termin_id
        self.today = today or dt.date.today()
        self._undo: list[_UndoEntry] = []
        with db.sessions() as session:
            termin = live_termin(session, termin_id)
            self.course_id = termin.course_id

    # ------------------------------------------------------------------ reading

    def state(self) -> CheckInState:
        """The people of the course with their marks, head count and topics."""
        with self.db.sessions() as session, session.begin():
            termin = live_termin(session, self.termin_id)
            course = live_course(session, termin.course_id)
            enrolled = dict(session.execute(
                select(Enrolment.participant_id, Enrolment.walk_in)
                .where(Enrolment.course_id == course.id, Enrolment.deleted.is_(False))
            ).all())
            marks = dict(session.execute(
                select(Attendance.participant_id, Attendance.status)
                .where(Attendance.termin_id == self.termin_id, Attendance.deleted.is_(False))
            ).all())
            ids = set(enrolled) | set(marks)
            people = session.scalars(
                select(Participant).where(Participant.id.in_(ids), Participant.deleted.is_(False))
            ).all() if ids else []
            rows = tuple(sorted(
                (
                    CheckInRow(participant_view(p, enrolled.get(p.id, False)),
                               AttendanceStatus(marks[p.id]) if p.id in marks else None)
                    for p in people
                ),
                key=lambda row: row.person.name.casefold(),
            ))
            topics = {
                t.topic: t.count for t in session.scalars(
                    select(TopicTally).where(TopicTally.termin_id == self.termin_id, TopicTally.deleted.is_(False))
                ) if t.count > 0
            }
            present = sum(1 for row in rows if row.status is AttendanceStatus.PRESENT)
            return CheckInState(
                termin=termin_view(termin, present), course_title=course.title,
                course_format=CourseFormat(course.format), rows=rows, head_count=termin.head_count or 0,
                topics=topics,
            )

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def undo_text(self) -> str:
        return self._undo[-1].description if self._undo else ""

    # ------------------------------------------------------------------ changes

    def toggle(self, participant_id: int) -> AttendanceStatus | None:
        """The one tap: not present → anwesend, anwesend → not marked. Returns the new mark."""
        return self._change(
            participant_id,
            lambda current: None if current is AttendanceStatus.PRESENT else AttendanceStatus.PRESENT,
        )

    def set_status(self, participant_id: int, status: AttendanceStatus | None) -> None:
        """Mark a person anwesend / entschuldigt / unentschuldigt, or clear the mark (``None``)."""
        self._change(participant_id, lambda _current: status)

    def _change(
        self, participant_id: int, decide: Callable[[AttendanceStatus | None], AttendanceStatus | None]
    ) -> AttendanceStatus | None:
        with self.db.transaction() as session:
            person = live_participant(session, participant_id)
            termin = live_termin(session, self.termin_id)
            row = self._attendance(session, participant_id)
            status = decide(None if row is None or row.deleted else AttendanceStatus(row.status))
            previous = self._write_status(session, participant_id, status, row)
            old_termin_status = self._mark_held(termin) if status else None
            name = person.name

        def revert(session: Session) -> None:
            self._write_status(session, participant_id, previous)
            if old_termin_status is not None:
                live_termin(session, self.termin_id).status = old_termin_status

        self._push(f"{name}: {status.label if status else 'nicht markiert'}", revert)
        events.notify(events.ATTENDANCE, course_id=self.course_id, termin_id=self.termin_id)
        return status

    def add_walk_in(self, name: str, existing_id: int | None = None) -> int:
        """Add a person who came without enrolment and mark them anwesend (one transaction).

        *existing_id* picks someone already recorded (e.g. from another course); a name equal to
        someone on this course's list marks that person instead of creating a twin.
        """
        with self.db.transaction() as session:
            termin = live_termin(session, self.termin_id)
            person_created = False
            if existing_id is not None:
                person = live_participant(session, existing_id)
            else:
                check_participant(ParticipantInput(name=name), self.today)
                found = self._same_name_in_course(session, name)
                if found is None:
                    found = Participant(name=" ".join(name.split()), name_key=normalise_name(name))
                    session.add(found)
                    session.flush()
                    person_created = True
                person = found
            enrolment = self._live_enrolment(session, person.id)
            enrolment_created = enrolment is None
            if enrolment is None:
                enrolment = enrolment_for(session, self.course_id, person.id, self.today, walk_in=True)
            previous = self._write_status(session, person.id, AttendanceStatus.PRESENT)
            old_termin_status = self._mark_held(termin)
            session.flush()
            person_id, enrolment_id, person_name = person.id, enrolment.id, person.name

        def revert(session: Session) -> None:
            self._write_status(session, person_id, previous)
            if enrolment_created:
                session.get_one(Enrolment, enrolment_id).deleted = True
            if person_created:
                session.get_one(Participant, person_id).deleted = True
            if old_termin_status is not None:
                live_termin(session, self.termin_id).status = old_termin_status

        self._push(f"{person_name} hinzugefügt", revert)
        events.notify(events.ATTENDANCE, events.PARTICIPANTS, course_id=self.course_id, termin_id=self.termin_id)
        return person_id

    def change_head_count(self, delta: int) -> int:
        """Sprechstunde: count anonymous visitors up or down; returns the new count."""
        with self.db.transaction() as session:
            termin = live_termin(session, self.termin_id)
            old = termin.head_count or 0
            new = max(0, min(MAX_HEAD_COUNT, old + delta))
            termin.head_count = new
            old_termin_status = self._mark_held(termin) if new > 0 else None

        def revert(session: Session) -> None:
            termin = live_termin(session, self.termin_id)
            termin.head_count = old
            if old_termin_status is not None:
                termin.status = old_termin_status

        if new != old:
            self._push(f"Besucherzahl {old} → {new}", revert)
            events.notify(events.ATTENDANCE, course_id=self.course_id, termin_id=self.termin_id)
        return new

    def count_topic(self, topic: str, delta: int = 1) -> int:
        """Sprechstunde: one more (or fewer) question on *topic*; returns the new tally."""
        topic = " ".join(topic.split())
        if not topic:
            raise InputError(["Thema: Bitte ein Thema eingeben."])
        if len(topic) > 80:
            raise InputError(["Thema: höchstens 80 Zeichen."])
        with self.db.transaction() as session:
            live_termin(session, self.termin_id)
            tally = session.scalars(
                select(TopicTally).where(TopicTally.termin_id == self.termin_id, TopicTally.topic == topic)
            ).first()
            if tally is None:
                tally = TopicTally(termin_id=self.termin_id, topic=topic, count=0)
                session.add(tally)
            old = 0 if tally.deleted else tally.count
            tally.deleted = False
            tally.count = max(0, old + delta)
            new = tally.count

        def revert(session: Session) -> None:
            row = session.scalars(
                select(TopicTally).where(TopicTally.termin_id == self.termin_id, TopicTally.topic == topic)
            ).one()
            row.count = old

        if new != old:
            self._push(f"Thema {topic}: {old} → {new}", revert)
            events.notify(events.ATTENDANCE, course_id=self.course_id, termin_id=self.termin_id)
        return new

    def finish(self) -> int:
        """Close the Termin: status stattgefunden, everyone still unmarked becomes unentschuldigt.

        A Sprechstunde has no list of expected people, so there nobody is marked missing.
        """
        state = self.state()
        unmarked = [] if state.course_format is CourseFormat.DROP_IN else [
            row.person.id for row in state.rows if row.status is None and not row.person.walk_in
        ]
        with self.db.transaction() as session:
            termin = live_termin(session, self.termin_id)
            old_status = termin.status
            termin.status = TerminStatus.HELD.value
            for person_id in unmarked:
                self._write_status(session, person_id, AttendanceStatus.ABSENT)

        def revert(session: Session) -> None:
            live_termin(session, self.termin_id).status = old_status
            for person_id in unmarked:
                self._write_status(session, person_id, None)

        self._push("Termin abgeschlossen", revert)
        events.notify(events.ATTENDANCE, events.TERMINE, course_id=self.course_id, termin_id=self.termin_id)
        return len(unmarked)

    def undo(self) -> str | None:
        """Take back the last change (Strg+Z); returns what was undone, ``None`` if nothing was left."""
        if not self._undo:
            return None
        entry = self._undo[-1]
        with self.db.transaction() as session:
            entry.revert(session)
        self._undo.pop()
        events.notify(
            events.ATTENDANCE, events.PARTICIPANTS, events.TERMINE,
            course_id=self.course_id, termin_id=self.termin_id,
        )
        return entry.description

    # ------------------------------------------------------------------ helpers

    def _push(self, description: str, revert: Callable[[Session], None]) -> None:
        self._undo.append(_UndoEntry(description, revert))
        del self._undo[:-UNDO_DEPTH]

    def _attendance(self, session: Session, participant_id: int) -> Attendance | None:
        return session.scalars(
            select(Attendance).where(
                Attendance.termin_id == self.termin_id, Attendance.participant_id == participant_id
            )
        ).first()

    def _live_enrolment(self, session: Session, person_id: int) -> Enrolment | None:
        return session.scalars(
            select(Enrolment).where(
                Enrolment.course_id == self.course_id, Enrolment.participant_id == person_id,
                Enrolment.deleted.is_(False),
            )
        ).first()

    def _write_status(
        self, session: Session, participant_id: int, status: AttendanceStatus | None,
        row: Attendance | None = None,
    ) -> AttendanceStatus | None:
        """Set the mark (reusing the one row per person and Termin); return the mark before."""
        if row is None:
            row = self._attendance(session, participant_id)
        previous = None if row is None or row.deleted else AttendanceStatus(row.status)
        if status is None:
            if row is not None:
                row.deleted = True
        elif row is None:
            session.add(Attendance(termin_id=self.termin_id, participant_id=participant_id, status=status.value))
        else:
            row.deleted = False
            row.status = status.value
        return previous

    @staticmethod
    def _mark_held(termin: Termin) -> str | None:
        """A check-in at a planned Termin means it takes place; returns the old status if changed."""
        if termin.status == TerminStatus.PLANNED.value:
            termin.status = TerminStatus.HELD.value
            return TerminStatus.PLANNED.value
        return None

    def _same_name_in_course(self, session: Session, name: str) -> Participant | None:
        """Someone of this very course with the same name is the same person, not a new one."""
        key = normalise_name(name)
        return session.scalars(
            select(Participant).join(Enrolment, Enrolment.participant_id == Participant.id).where(
                Enrolment.course_id == self.course_id, Enrolment.deleted.is_(False),
                Participant.name_key == key, Participant.deleted.is_(False),
            )
        ).first()
