"""Auskunft (DSGVO Art. 15): everything stored about one participant, as plain data, JSON and text lines.

What is listed follows :mod:`app.services.personal_data`: every column of the participant row and of
the records that belong to the person (consents, enrolments, attendances), with the course and the
Termin they refer to. Nothing is left out, including records marked as deleted, because they are
still stored.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import __app_name__, __version__
from app.domain.attendance import (
    AttendanceStatus,
    ConsentKind,
    CourseFormat,
    DeviceType,
    Gender,
    InputError,
    Letterhead,
    TerminStatus,
    format_date,
)
from app.services import documents
from app.services.personal_data import REGISTRY, Kind, label
from app.storage.changelog import loads
from app.storage.database import Database
from app.storage.models import (
    Attendance,
    Consent,
    Course,
    Enrolment,
    Municipality,
    Participant,
    SyncConflict,
    SyncOp,
    Termin,
    utc_now,
)


class AuskunftError(ValueError):
    """The Auskunft cannot be written (unknown file type, disk problem); the message is German."""


@dataclass(frozen=True)
class Auskunft:
    """Everything stored about one person, each record as column → value (JSON-ready)."""

    person_id: int
    person: dict[str, Any]
    consents: list[dict[str, Any]]
    enrolments: list[dict[str, Any]]
    attendances: list[dict[str, Any]]
    letterhead: Letterhead
    earlier_values: list[dict[str, Any]] = field(default_factory=list)
    created_at: dt.datetime = field(default_factory=utc_now)

    @property
    def name(self) -> str:
        return str(self.person.get("name") or "")

    @property
    def erased(self) -> bool:
        return bool(self.person.get("erased"))

    def as_json(self) -> dict[str, Any]:
        return {
            "art": "Auskunft nach Art. 15 DSGVO",
            "erstellt_am": self.created_at.replace(microsecond=0).isoformat() + "Z",
            "programm": f"{__app_name__} {__version__}",
            "verantwortlich": {"name": self.letterhead.organisation, "kontakt": self.letterhead.contact},
            "person": self.person,
            "einwilligungen": self.consents,
            "anmeldungen": self.enrolments,
            "anwesenheiten": self.attendances,
            "fruehere_werte": self.earlier_values,
            "bedeutung_der_felder": {
                table: {name: col.label for name, col in REGISTRY[table].items() if col.label}
                for table in ("participants", "consents", "enrolments", "attendances")
            },
            "hinweise": NOTES,
        }


NOTES = [
    "Gespeichert wird nur, was für die Kurse nötig ist: Name, freiwillige Angaben, Einwilligungen, "
    "Anmeldungen und Anwesenheiten.",
    "Die Daten liegen auf den Laptops der Kursleitung und im gemeinsamen Abgleich-Ordner; sie werden "
    "nicht ins Internet übertragen.",
    "Berichte für den Fördergeber enthalten nur Zahlen ohne Namen.",
    "Sie können Einwilligungen jederzeit widerrufen und die Löschung Ihrer Daten verlangen.",
]


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} Bytes>"
    return value


def _row(obj: Any, table: str) -> dict[str, Any]:
    """Every column of *obj* (in registry order) — the schema test checks that none is missing."""
    columns = [c.name for c in obj.__table__.columns]
    ordered = [name for name in REGISTRY.get(table, {}) if name in columns]
    ordered += [name for name in columns if name not in ordered]
    return {name: _value(getattr(obj, name)) for name in ordered}


def collect(db: Database, participant_id: int) -> Auskunft:
    """The Auskunft for participant *participant_id* (also for an erased placeholder: then it shows that)."""
    with db.sessions() as session:
        person = session.get(Participant, participant_id)
        if person is None:
            raise InputError([f"Die Person Nr. {participant_id} gibt es nicht."])
        data = _row(person, "participants")
        data["geschlecht_text"] = Gender(person.gender).label if person.gender else ""
        data["geraet_text"] = DeviceType(person.device).label if person.device else ""
        return Auskunft(
            person_id=participant_id, person=data,
            consents=_consents(session, participant_id), enrolments=_enrolments(session, participant_id),
            attendances=_attendances(session, participant_id), letterhead=documents.letterhead(db),
            earlier_values=_earlier_values(session, person.uuid, data),
        )


def _consents(session: Session, participant_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Consent).where(Consent.participant_id == participant_id).order_by(Consent.given_on, Consent.id)
    ).all()
    out = []
    for row in rows:
        item = _row(row, "consents")
        item["einwilligung_text"] = ConsentKind(row.kind).label if row.kind in set(ConsentKind) else row.kind
        out.append(item)
    return out


def _enrolments(session: Session, participant_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Enrolment, Course, Municipality.name)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(Municipality, Municipality.id == Course.municipality_id)
        .where(Enrolment.participant_id == participant_id).order_by(Enrolment.enrolled_on, Enrolment.id)
    ).all()
    out = []
    for enrolment, course, town in rows:
        item = _row(enrolment, "enrolments")
        item.update(kurs=course.title, kursart=_label(CourseFormat, course.format), ortsgemeinde=town or "")
        out.append(item)
    return out


def _attendances(session: Session, participant_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Attendance, Termin, Course)
        .join(Termin, Termin.id == Attendance.termin_id)
        .join(Course, Course.id == Termin.course_id)
        .where(Attendance.participant_id == participant_id).order_by(Termin.date, Termin.start_time.nulls_first(), Attendance.id)
    ).all()
    out = []
    for attendance, termin, course in rows:
        item = _row(attendance, "attendances")
        item.update(
            kurs=course.title, termin_datum=termin.date.isoformat(),
            termin_zeit=termin.start_time.strftime("%H:%M") if termin.start_time else "",
            termin_status=_label(TerminStatus, termin.status), status_text=_label(AttendanceStatus, attendance.status),
        )
        out.append(item)
    return out


def _earlier_values(session: Session, record: str, current: dict[str, Any]) -> list[dict[str, Any]]:
    """Older values of the person's fields still kept for sync (change log, conflict list), without duplicates."""
    personal = [name for name, col in REGISTRY["participants"].items() if col.kind in (Kind.PERSON, Kind.STATISTIC)]
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for source, model in (("Änderungsprotokoll für den Abgleich", SyncOp),
                          ("Konfliktliste des Abgleichs", SyncConflict)):
        rows = session.execute(
            select(model.field, model.value).where(model.record_uuid == record, model.field.in_(personal))
            .order_by(model.hlc, SyncOp.id if model is SyncOp else SyncConflict.device)
        ).all()
        for name, text in rows:
            value = loads(text)
            if value in (None, "") or value == current.get(name) or (name, str(value)) in seen:
                continue
            seen.add((name, str(value)))
            found.append({"feld": name, "bezeichnung": label("participants", name), "wert": value, "quelle": source})
    return found


def _label(enum: type, value: str) -> str:
    try:
        return enum(value).label
    except ValueError:
        return value


# --------------------------------------------------------------------------- text and files

def fact_lines(auskunft: Auskunft) -> list[tuple[str, str]]:
    """(label, value) of the person's own fields, as a person reads them (PDF, dialog)."""
    p = auskunft.person
    shown = {
        "gender": p.get("geschlecht_text", ""), "device": p.get("geraet_text", ""),
        "erased": "ja – nur ein anonymer Platzhalter für die Statistik ist übrig" if p.get("erased") else "nein",
        "deleted": "ja" if p.get("deleted") else "nein",
        "created_at": _datetime_text(p.get("created_at")), "updated_at": _datetime_text(p.get("updated_at")),
    }
    lines = []
    for name in REGISTRY["participants"]:
        if name not in p:
            continue
        value = shown.get(name, p[name])
        lines.append((label("participants", name), "" if value is None else str(value)))
    return lines


def _datetime_text(value: Any) -> str:
    if not value:
        return ""
    when = dt.datetime.fromisoformat(str(value))
    return when.strftime("%d.%m.%Y %H:%M") + " (UTC)"


def date_text(value: Any) -> str:
    return format_date(dt.date.fromisoformat(value)) if value else ""


def write_json(auskunft: Auskunft, target: Path) -> None:
    """Write the Auskunft as UTF-8 JSON (temp file + rename, so a half-written file never stays)."""
    from app.atomic_write import write_bytes_atomically

    text = json.dumps(auskunft.as_json(), ensure_ascii=False, indent=2)
    try:
        write_bytes_atomically(target, (text + "\n").encode("utf-8"), 0o600)
    except OSError as error:
        raise AuskunftError(f"Die Datei {target} kann nicht geschrieben werden "
                            f"({error.strerror or 'Fehler des Systems'}).") from error


def check_target(target: Path) -> str:
    """The file type of *target* (``pdf`` or ``json``), or AuskunftError with a German message."""
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in ("pdf", "json"):
        raise AuskunftError(f"Die Auskunft kann als .pdf oder .json geschrieben werden, nicht als »{target.name}«.")
    return suffix
