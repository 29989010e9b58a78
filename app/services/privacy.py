"""Erasure of a person (DSGVO Art. 17) that travels through sync as a tombstone without personal data.

The person's row stays as an anonymous placeholder (»Gelöschte Person«), so attendance counts and
statistics stay right; name, name key, phone, e-mail, birth year and note are blanked here, in the
change log and in the conflict list. Age band, gender and device type stay (coarse values the
funder's indicators count). Every other laptop blanks the same fields when the tombstone arrives,
whatever edits of that person it receives later.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from app.domain.attendance import InputError, age_band_for
from app.services import events
from app.storage import device as device_state
from app.storage.changelog import ERASE_FIELD, Op, erase_record, store_local_ops
from app.storage.database import Database
from app.storage.models import Consent, Course, Enrolment, Participant, Termin, utc_now

# What the placeholder keeps (for the privacy view to explain): the coarse statistics fields.
KEPT_FOR_STATISTICS = ("age_band", "gender", "device")


def erase_person(db: Database, person_uuid: str) -> bool:
    """Erase the person with *person_uuid*; ``False`` if they were erased already.

    In one transaction: the age band is derived from the birth year (if not set), the person's
    consents are soft-deleted, the tombstone operation is recorded (it travels with the next
    sync), and the personal fields are blanked everywhere this database keeps them.
    """
    with db.transaction() as session:
        person = session.scalars(select(Participant).where(Participant.uuid == person_uuid)).first()
        if person is None:
            raise InputError(["Diese Person gibt es hier nicht (vielleicht noch nicht abgeglichen)."])
        if person.erased:
            return False
        if not person.age_band and person.birth_year:
            person.age_band = age_band_for(person.birth_year, utc_now().date())
        for consent in session.scalars(select(Consent).where(Consent.participant_id == person.id)):
            consent.deleted = True
        end_current_enrolments(session, person.id, utc_now().date())
        session.flush()  # the hook records these as ordinary operations
        conn = session.connection()
        stamp = device_state.tick(conn)
        me = device_state.device_id(conn)
        store_local_ops(conn, [Op(stamp, me, "participants", person_uuid, ERASE_FIELD, None)])
        erase_record(conn, "participants", person_uuid, (stamp, me))
        session.expire(person)
    events.notify(events.PARTICIPANTS, events.ATTENDANCE)
    return True


def end_current_enrolments(session: Session, participant_id: int, today: dt.date) -> int:
    """End the person's enrolments in running and future courses; returns how many.

    An erased person is no longer on any list still in use (no check-in tile, not counted in
    "x von y da"); enrolments of finished courses stay, so past counts keep the placeholder.
    A course runs while its end date or one of its Termine is today or later (or it has neither).
    """
    upcoming = select(Termin.course_id).where(Termin.date >= today, Termin.deleted.is_(False))
    rows = session.scalars(
        select(Enrolment).join(Course, Course.id == Enrolment.course_id).where(
            Enrolment.participant_id == participant_id, Enrolment.deleted.is_(False),
            or_(Course.end_date >= today, Course.id.in_(upcoming),
                and_(Course.end_date.is_(None), ~exists().where(Termin.course_id == Course.id))),
        )
    ).all()
    for enrolment in rows:
        enrolment.deleted = True
    return len(rows)


def person_uuid(db: Database, participant_id: int) -> str:
    """The UUID of participant *participant_id* (views know the local id)."""
    with db.sessions() as session:
        value = session.scalar(select(Participant.uuid).where(Participant.id == participant_id))
    if value is None:
        raise InputError([f"Die Person Nr. {participant_id} gibt es nicht."])
    return value


def is_erased(db: Database, participant_id: int) -> bool:
    with db.sessions() as session:
        return bool(session.scalar(select(Participant.erased).where(Participant.id == participant_id)))
