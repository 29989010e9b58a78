"""Use cases for Teilnehmende: record, enrol, duplicates, consents (Einwilligungen)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.attendance import (
    ConsentKind,
    DeviceType,
    Gender,
    InputError,
    ParticipantInput,
    ParticipantView,
    format_date,
    normalise_name,
    validate_participant,
)
from app.services import events
from app.services.courses import live_course
from app.storage.database import Database
from app.storage.models import Consent, Enrolment, Participant


@dataclass(frozen=True)
class ConsentView:
    """One Einwilligung as listed in the person dialog."""

    id: int
    kind: ConsentKind
    given_on: dt.date
    wording_version: str
    withdrawn_on: dt.date | None

    @property
    def text(self) -> str:
        text = f"{self.kind.label}: erteilt am {format_date(self.given_on)} (Fassung {self.wording_version})"
        if self.withdrawn_on:
            text += f", widerrufen am {format_date(self.withdrawn_on)}"
        return text


def participant_view(person: Participant, walk_in: bool = False, enrolled: bool = True) -> ParticipantView:
    return ParticipantView(
        id=person.id, name=person.name, phone=person.phone, email=person.email,
        birth_year=person.birth_year, age_band=person.age_band,
        gender=Gender(person.gender) if person.gender else None,
        device=DeviceType(person.device) if person.device else None, note=person.note, walk_in=walk_in,
        enrolled=enrolled,
    )


def live_participant(session: Session, participant_id: int) -> Participant:
    person = session.get(Participant, participant_id)
    if person is None or person.deleted:
        raise InputError([f"Die Person Nr. {participant_id} gibt es nicht (mehr)."])
    return person


def check_participant(data: ParticipantInput, today: dt.date | None = None) -> None:
    errors = validate_participant(data, today or dt.date.today())
    if errors:
        raise InputError(errors)


def likely_duplicates(db: Database, data: ParticipantInput, ignore_id: int | None = None) -> list[ParticipantView]:
    """People with the same name and (if both known) the same birth year — to point out, not to refuse."""
    key = normalise_name(data.name)
    if not key:
        return []
    with db.sessions() as session:
        found = session.scalars(
            select(Participant).where(Participant.name_key == key, Participant.deleted.is_(False))
        ).all()
        return [
            participant_view(p) for p in found
            if p.id != ignore_id
            and (data.birth_year is None or p.birth_year is None or p.birth_year == data.birth_year)
        ]


def _apply(person: Participant, data: ParticipantInput) -> None:
    person.name = " ".join(data.name.split())
    person.name_key = normalise_name(data.name)
    person.phone = data.phone.strip()
    person.email = data.email.strip()
    person.birth_year = data.birth_year
    person.age_band = data.age_band
    person.gender = data.gender.value if data.gender else None
    person.device = data.device.value if data.device else None
    person.note = data.note.strip()


NewConsent = tuple[ConsentKind, dt.date, str]  # kind, date given, wording version


STORAGE_CONSENT_NEEDED = (
    "Telefon und E-Mail dürfen nur mit Einwilligung zur Datenspeicherung gespeichert werden. Bitte "
    "»Datenspeicherung« ankreuzen (mit der Fassung des unterschriebenen Textes) oder Telefon und E-Mail leer lassen. "
    "Es wurde nichts gespeichert."
)


def _check_storage_consent(
    session: Session | None, data: ParticipantInput, participant_id: int | None, new_consents: list[NewConsent]
) -> None:
    """Contact details (phone, e-mail) need a consent to data storage that is not withdrawn (DSGVO)."""
    if not (data.phone.strip() or data.email.strip()):
        return
    if any(kind is ConsentKind.DATA_STORAGE for kind, _given, _wording in new_consents):
        return
    if session is not None and participant_id is not None and has_storage_consent(session, participant_id):
        return
    raise InputError([STORAGE_CONSENT_NEEDED])


def has_storage_consent(session: Session, participant_id: int) -> bool:
    return session.scalar(
        select(Consent.id).where(
            Consent.participant_id == participant_id, Consent.kind == ConsentKind.DATA_STORAGE.value,
            Consent.withdrawn_on.is_(None), Consent.deleted.is_(False),
        ).limit(1)
    ) is not None


def create_participant(
    db: Database, data: ParticipantInput, course_id: int | None = None, today: dt.date | None = None,
    new_consents: list[NewConsent] | None = None,
) -> int:
    """Record a person (enrolled in *course_id*, with consents); bad input raises InputError, nothing saved.

    Phone or e-mail are only stored with a consent to data storage (given now in *new_consents*).
    """
    check_participant(data, today)
    _check_consents(new_consents or [])
    _check_storage_consent(None, data, None, new_consents or [])
    with db.transaction() as session:
        person = Participant()
        _apply(person, data)
        session.add(person)
        session.flush()
        if course_id is not None:
            live_course(session, course_id)
            session.add(Enrolment(course_id=course_id, participant_id=person.id, enrolled_on=today or dt.date.today()))
        _add_consents(session, person.id, new_consents or [])
        person_id = person.id
    events.notify(events.PARTICIPANTS, course_id=course_id)
    return person_id


def update_participant(
    db: Database, participant_id: int, data: ParticipantInput, new_consents: list[NewConsent] | None = None
) -> None:
    check_participant(data)
    _check_consents(new_consents or [])
    with db.transaction() as session:
        person = live_participant(session, participant_id)
        if person.erased:
            raise InputError(["Diese Person wurde gelöscht (Datenschutz); ihre Angaben lassen sich nicht mehr ändern."])
        _check_storage_consent(session, data, participant_id, new_consents or [])
        _apply(person, data)
        _add_consents(session, participant_id, new_consents or [])
    events.notify(events.PARTICIPANTS, events.ATTENDANCE)


def get_participant(db: Database, participant_id: int) -> ParticipantView:
    with db.sessions() as session:
        return participant_view(live_participant(session, participant_id))


def enrol(db: Database, course_id: int, participant_id: int, today: dt.date | None = None) -> None:
    """Enrol a person in a course (reviving an earlier, cancelled enrolment)."""
    with db.transaction() as session:
        live_course(session, course_id)
        live_participant(session, participant_id)
        enrolment_for(session, course_id, participant_id, today or dt.date.today(), walk_in=False)
    events.notify(events.PARTICIPANTS, course_id=course_id)


def enrolment_for(
    session: Session, course_id: int, participant_id: int, today: dt.date, walk_in: bool
) -> Enrolment:
    """The enrolment of the person in the course, created or revived."""
    row = session.scalars(
        select(Enrolment).where(Enrolment.course_id == course_id, Enrolment.participant_id == participant_id)
    ).first()
    if row is None:
        row = Enrolment(course_id=course_id, participant_id=participant_id, enrolled_on=today, walk_in=walk_in)
        session.add(row)
    elif row.deleted:
        row.deleted = False
        row.enrolled_on = today
        row.walk_in = walk_in
    return row


def unenrol(db: Database, course_id: int, participant_id: int) -> None:
    """Take a person off a course list; their past attendance stays recorded."""
    with db.transaction() as session:
        row = session.scalars(
            select(Enrolment).where(
                Enrolment.course_id == course_id, Enrolment.participant_id == participant_id,
                Enrolment.deleted.is_(False),
            )
        ).first()
        if row is None:
            raise InputError(["Diese Person ist in dem Kurs nicht angemeldet."])
        row.deleted = True
    events.notify(events.PARTICIPANTS, course_id=course_id)


def search_participants(db: Database, text: str, limit: int = 20) -> list[ParticipantView]:
    """People whose name contains *text* (for enrolling someone who is already recorded)."""
    needle = " ".join(text.split()).casefold()
    if not needle:
        return []
    with db.sessions() as session:
        people = session.scalars(
            select(Participant).where(Participant.deleted.is_(False), Participant.erased.is_(False))
            .order_by(Participant.name)
        ).all()
        people = sorted(people, key=_by_name)  # code-point order on SQLite and on any server collation
        return [participant_view(p) for p in people if needle in p.name.casefold()][:limit]


def _by_name(person: Participant) -> tuple[str, int]:
    return (person.name, person.id)


def known_people(db: Database, not_in_course: int | None = None) -> list[ParticipantView]:
    """Everyone recorded (for the walk-in suggestions), without those already on *not_in_course*."""
    with db.sessions() as session:
        query = select(Participant).where(Participant.deleted.is_(False), Participant.erased.is_(False)) \
            .order_by(Participant.name)
        if not_in_course is not None:
            enrolled = select(Enrolment.participant_id).where(
                Enrolment.course_id == not_in_course, Enrolment.deleted.is_(False)
            )
            query = query.where(Participant.id.not_in(enrolled))
        return [participant_view(p) for p in sorted(session.scalars(query), key=_by_name)]


# --------------------------------------------------------------------------- consents

def consents(db: Database, participant_id: int) -> list[ConsentView]:
    with db.sessions() as session:
        rows = session.scalars(
            select(Consent).where(Consent.participant_id == participant_id, Consent.deleted.is_(False))
            .order_by(Consent.given_on, Consent.id)
        ).all()
        return [
            ConsentView(c.id, ConsentKind(c.kind), c.given_on, c.wording_version, c.withdrawn_on) for c in rows
        ]


def give_consent(
    db: Database, participant_id: int, kind: ConsentKind, given_on: dt.date, wording_version: str
) -> int:
    """Record an Einwilligung with the date and the version of the wording that was signed."""
    _check_consents([(kind, given_on, wording_version)])
    with db.transaction() as session:
        live_participant(session, participant_id)
        [consent_id] = _add_consents(session, participant_id, [(kind, given_on, wording_version)])
    events.notify(events.PARTICIPANTS)
    return consent_id


def _check_consents(items: list[NewConsent]) -> None:
    errors = []
    for kind, given_on, wording_version in items:
        if not wording_version.strip():
            errors.append(
                f"Einwilligung {kind.label}: Bitte angeben, welche Fassung des Einwilligungstextes "
                "unterschrieben wurde."
            )
        if given_on > dt.date.today():
            errors.append(f"Einwilligung {kind.label}: Der {format_date(given_on)} liegt in der Zukunft.")
    if errors:
        raise InputError(errors)


def _add_consents(session: Session, participant_id: int, items: list[NewConsent]) -> list[int]:
    rows = [
        Consent(participant_id=participant_id, kind=kind.value, given_on=given_on,
                wording_version=wording_version.strip())
        for kind, given_on, wording_version in items
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def withdraw_consent(db: Database, consent_id: int, withdrawn_on: dt.date) -> bool:
    """Record the withdrawal of an Einwilligung (the record itself stays as proof).

    Withdrawing the consent to data storage also removes phone and e-mail (they may only be kept with
    it); returns ``True`` when contact details were removed.
    """
    with db.transaction() as session:
        row = session.get(Consent, consent_id)
        if row is None or row.deleted:
            raise InputError(["Diese Einwilligung gibt es nicht mehr."])
        if row.withdrawn_on is not None:
            raise InputError([f"Diese Einwilligung wurde schon am {format_date(row.withdrawn_on)} widerrufen."])
        if withdrawn_on < row.given_on:
            raise InputError([
                f"Datum: Der Widerruf ({format_date(withdrawn_on)}) liegt vor der Einwilligung "
                f"({format_date(row.given_on)})."
            ])
        row.withdrawn_on = withdrawn_on
        removed = False
        if row.kind == ConsentKind.DATA_STORAGE.value:
            session.flush()
            person = session.get(Participant, row.participant_id)
            if person is not None and (person.phone or person.email) and not has_storage_consent(session, person.id):
                person.phone = ""
                person.email = ""
                removed = True
    events.notify(events.PARTICIPANTS)
    return removed
