"""Which column of the database holds personal data (DSGVO): one entry for every column of every table.

The registry is the single answer to »what do we store about a participant, and what happens to it
on Auskunft and Löschen«. A test (``tests/test_privacy_schema.py``) walks the SQLAlchemy models and
fails for any column that is not classified here, so a new column holding personal data cannot be
added without deciding whether the Auskunft shows it and the Löschen blanks it.

Kinds:

* ``PERSON`` – identifies a participant (name, contact, birth year, note): in the Auskunft and
  blanked on Löschen (``app.storage.changelog.PERSONAL_FIELDS`` holds the anonymous values).
* ``STATISTIC`` – a coarse attribute of a participant (age band, gender, device type): in the
  Auskunft; kept on the anonymous placeholder so past counts stay right.
* ``RECORD`` – a fact of a record that belongs to one participant (consent, enrolment, attendance):
  in the Auskunft; after Löschen it hangs on the anonymous placeholder only.
* ``COPY`` – sync bookkeeping that may hold copies of the values above (change log, conflicts):
  blanked together with the person by the erasure.
* ``TRAINER`` – data of volunteers and of the organisation (not participants; not in their Auskunft).
* ``NONE`` – no personal data (ids, timestamps, courses, Termine, lessons, counts).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    PERSON = "person"
    STATISTIC = "statistic"
    RECORD = "record"
    COPY = "copy"
    TRAINER = "trainer"
    NONE = "none"


@dataclass(frozen=True)
class Column:
    """How one column is treated: its kind and (for what a participant sees) a German label."""

    kind: Kind
    label: str = ""


# Columns every synced record has (SyncedRecord); bookkeeping, not personal by themselves.
_RECORD_BOOKKEEPING = {
    "id": Column(Kind.NONE, "Nummer"),
    "uuid": Column(Kind.NONE, "Kennung"),
    "created_at": Column(Kind.NONE, "angelegt am"),
    "updated_at": Column(Kind.NONE, "zuletzt geändert am"),
    "deleted": Column(Kind.NONE, "gelöscht"),
}


def _synced(**columns: Column) -> dict[str, Column]:
    return {**_RECORD_BOOKKEEPING, **columns}


_N = Column(Kind.NONE)
_COPY = Column(Kind.COPY)

REGISTRY: dict[str, dict[str, Column]] = {
    "schema_info": {"id": _N, "version": _N, "app_version": _N, "migrated_at": _N},
    "local_meta": {"key": _N, "value": _N},  # device id and name, settings; never a participant's data
    "organisation": _synced(
        name=Column(Kind.TRAINER), funding_line=_N, logo_png=_N, contact=Column(Kind.TRAINER),
    ),
    "trainers": _synced(name=Column(Kind.TRAINER), contact=Column(Kind.TRAINER)),
    "municipalities": _synced(name=_N),
    # Free-text notes of courses and Termine are about the offer; the dialogs ask for no names there.
    "courses": _synced(title=_N, format=_N, municipality_id=_N, place=_N, start_date=_N, end_date=_N, note=_N),
    "course_trainers": _synced(course_id=_N, trainer_id=_N),
    "course_lessons": _synced(course_id=_N, lesson_id=_N, position=_N),
    "termine": _synced(course_id=_N, date=_N, start_time=_N, end_time=_N, place=_N, status=_N, note=_N,
                       head_count=_N),
    "termin_lessons": _synced(termin_id=_N, lesson_id=_N, position=_N),
    "participants": _synced(
        name=Column(Kind.PERSON, "Name"),
        name_key=Column(Kind.PERSON, "Suchschlüssel des Namens"),
        phone=Column(Kind.PERSON, "Telefon"),
        email=Column(Kind.PERSON, "E-Mail"),
        birth_year=Column(Kind.PERSON, "Geburtsjahr"),
        age_band=Column(Kind.STATISTIC, "Altersgruppe"),
        gender=Column(Kind.STATISTIC, "Geschlecht"),
        device=Column(Kind.STATISTIC, "Gerät"),
        note=Column(Kind.PERSON, "Notiz"),
        erased=Column(Kind.NONE, "gelöscht (Datenschutz)"),
    ),
    "consents": _synced(
        participant_id=Column(Kind.RECORD, "Person"),
        kind=Column(Kind.RECORD, "Einwilligung"),
        given_on=Column(Kind.RECORD, "erteilt am"),
        wording_version=Column(Kind.RECORD, "Fassung des Textes"),
        withdrawn_on=Column(Kind.RECORD, "widerrufen am"),
    ),
    "enrolments": _synced(
        course_id=Column(Kind.RECORD, "Kurs"),
        participant_id=Column(Kind.RECORD, "Person"),
        enrolled_on=Column(Kind.RECORD, "angemeldet am"),
        walk_in=Column(Kind.RECORD, "ohne Anmeldung gekommen"),
    ),
    "attendances": _synced(
        termin_id=Column(Kind.RECORD, "Termin"),
        participant_id=Column(Kind.RECORD, "Person"),
        status=Column(Kind.RECORD, "Status"),
    ),
    "topic_tallies": _synced(termin_id=_N, topic=_N, count=_N),  # counts without names
    "sync_ops": {"id": _N, "hlc": _N, "device": _N, "table_name": _N, "record_uuid": _N, "field": _N,
                 "value": _COPY, "prev": _N},
    "sync_fields": {"record_uuid": _N, "field": _N, "table_name": _N, "hlc": _N, "device": _N, "value": _COPY},
    "sync_superseded": {"record_uuid": _N, "field": _N, "hlc": _N, "device": _N},
    "sync_conflicts": {"record_uuid": _N, "field": _N, "hlc": _N, "device": _N, "table_name": _N,
                       "value": _COPY, "found_at": _N},
    "sync_erased": {"record_uuid": _N, "table_name": _N, "hlc": _N, "device": _N},  # the tombstone: no data
    "sync_pending": {"record_uuid": _N, "table_name": _N},
    "sync_files": {"device": _N, "seq": _N, "checksum": _N, "size": _N, "mtime_ns": _N, "ops": _N,
                   "encrypted": _N, "own": _N, "first_op": _N, "last_op": _N, "erasures": _N, "imported_at": _N},
    "sync_devices": {"device": _N, "name": Column(Kind.TRAINER), "last_seen": _N},
}

# Tables whose rows belong to exactly one participant (the Auskunft lists them, by this column).
PERSON_TABLES = {"participants": "id", "consents": "participant_id", "enrolments": "participant_id",
                 "attendances": "participant_id"}


def classification(table: str, column: str) -> Column | None:
    return REGISTRY.get(table, {}).get(column)


def columns_of(kind: Kind) -> list[tuple[str, str]]:
    """(table, column) of every column of *kind*."""
    return [(table, name) for table, cols in REGISTRY.items() for name, col in cols.items() if col.kind is kind]


def label(table: str, column: str) -> str:
    found = classification(table, column)
    return found.label if found and found.label else column
