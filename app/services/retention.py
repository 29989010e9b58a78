"""Aufbewahrungsfrist: people with no activity for N months are listed for Löschen (anonymisation).

The period is a setting of this laptop (``local_meta``, default 24 months). »Activity« is the latest
of: a Termin of a course the person is enrolled in (also a planned one: who is enrolled in a running
course is active), a Termin the person attended, the date of an enrolment, a consent given or
withdrawn, and the day the person was recorded. Erased placeholders are never listed again.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from app.domain.attendance import InputError
from app.services import events
from app.storage import device as local_settings
from app.storage.database import Database
from app.storage.models import Attendance, Consent, Enrolment, Participant, Termin

DEFAULT_MONTHS = 24
KEY_MONTHS = "retention_months"
MIN_MONTHS, MAX_MONTHS = 1, 240


@dataclass(frozen=True)
class InactivePerson:
    """One person past the retention period."""

    id: int
    name: str
    last_activity: dt.date | None


def retention_months(db: Database) -> int:
    with db.engine.connect() as conn:
        stored = local_settings.get_meta(conn, KEY_MONTHS)
    try:
        return int(stored) if stored else DEFAULT_MONTHS
    except ValueError:
        return DEFAULT_MONTHS


def check_months(months: int) -> None:
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise InputError([f"Aufbewahrungsfrist: bitte zwischen {MIN_MONTHS} und {MAX_MONTHS} Monaten angeben "
                          f"(nicht {months})."])


def set_retention_months(db: Database, months: int) -> None:
    check_months(months)
    with db.write_connection() as conn:
        local_settings.set_meta(conn, KEY_MONTHS, str(months))
    events.notify(events.SETTINGS)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day *months* months earlier (the 31st becomes the last day of a shorter month)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _as_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def last_activity(db: Database) -> dict[int, dt.date | None]:
    """The latest activity of every live, not erased person (``None``: nothing dated at all)."""
    with db.sessions() as session:
        people = {
            pid: _as_date(created)
            for pid, created in session.execute(
                select(Participant.id, Participant.created_at)
                .where(Participant.deleted.is_(False), Participant.erased.is_(False))
            )
        }
        queries = [
            select(Attendance.participant_id, func.max(Termin.date))
            .join(Termin, Termin.id == Attendance.termin_id)
            .where(Attendance.deleted.is_(False), Termin.deleted.is_(False)).group_by(Attendance.participant_id),
            select(Enrolment.participant_id, func.max(Termin.date))
            .join(Termin, Termin.course_id == Enrolment.course_id)
            .where(Enrolment.deleted.is_(False), Termin.deleted.is_(False)).group_by(Enrolment.participant_id),
            select(Enrolment.participant_id, func.max(Enrolment.enrolled_on)).group_by(Enrolment.participant_id),
            select(Consent.participant_id, func.max(Consent.given_on)).group_by(Consent.participant_id),
            select(Consent.participant_id, func.max(Consent.withdrawn_on)).group_by(Consent.participant_id),
        ]
        for query in queries:
            for pid, day in session.execute(query):
                if pid not in people:
                    continue
                day = _as_date(day)
                if day is not None and (people[pid] is None or day > people[pid]):
                    people[pid] = day
    return people


def inactive_people(db: Database, months: int | None = None, today: dt.date | None = None) -> list[InactivePerson]:
    """People whose last activity lies more than *months* months (the setting) before *today*, oldest first."""
    months = retention_months(db) if months is None else months
    check_months(months)
    cutoff = months_before(today or dt.date.today(), months)
    latest = last_activity(db)
    due = [pid for pid, day in latest.items() if day is None or day < cutoff]
    if not due:
        return []
    with db.sessions() as session:
        names = dict(session.execute(select(Participant.id, Participant.name).where(Participant.id.in_(due))).all())
    found = [InactivePerson(pid, names.get(pid, ""), latest[pid]) for pid in due]
    return sorted(found, key=lambda p: (p.last_activity or dt.date.min, p.name.casefold()))
