"""The conflict list: values that lost against a concurrent edit, shown in words, and taken back on request.

Both decisions travel as operations that name the winner and the loser as replaced, so every
laptop closes the conflict the same way once it has the files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from app.domain.attendance import (
    AttendanceStatus,
    ConsentKind,
    CourseFormat,
    DeviceType,
    Gender,
    InputError,
    TerminStatus,
    format_date,
    normalise_name,
)
from app.storage import device as device_state
from app.storage.changelog import TABLES, Op, dumps, loads, store_local_ops
from app.storage.database import Database
from app.storage.models import SyncConflict, SyncDevice, SyncField
from app.sync.merge import materialize
from app.sync.service import TABLE_LABELS

FIELD_LABELS = {
    "title": "Titel", "format": "Art", "municipality_id": "Ortsgemeinde", "place": "Ort", "start_date": "Beginn",
    "end_date": "Ende", "note": "Notiz", "date": "Datum", "start_time": "Beginn", "end_time": "Ende",
    "status": "Status", "head_count": "Besucherzahl", "name": "Name", "name_key": "Suchname", "phone": "Telefon",
    "email": "E-Mail", "birth_year": "Geburtsjahr", "age_band": "Altersgruppe", "gender": "Geschlecht",
    "device": "Gerät", "kind": "Art", "given_on": "erteilt am", "wording_version": "Fassung",
    "withdrawn_on": "widerrufen am", "enrolled_on": "angemeldet am", "walk_in": "spontan dazugekommen",
    "topic": "Thema", "count": "Anzahl", "lesson_id": "Lektion", "position": "Reihenfolge", "deleted": "gelöscht",
    "funding_line": "Förderhinweis", "contact": "Kontakt", "logo_png": "Logo", "created_at": "angelegt am",
    "course_id": "Kurs", "termin_id": "Termin", "participant_id": "Person", "trainer_id": "Trainer/in",
}
_ENUM_LABELS: dict[str, Any] = {
    "format": CourseFormat, "status": None, "gender": Gender, "device": DeviceType, "kind": ConsentKind,
}


@dataclass(frozen=True)
class ConflictView:
    """One open conflict as the trainer sees it."""

    record: str
    field: str
    hlc: int
    device: str
    table: str
    what: str
    field_label: str
    current: str
    other: str
    other_device: str
    other_time: dt.datetime

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.record, self.field, self.hlc, self.device)

    @property
    def id(self) -> tuple[str, str, int, str]:  # for the table models' id role
        return self.key

    @property
    def text(self) -> str:
        return (f"{self.what}, {self.field_label}: jetzt »{self.current}«, abweichend »{self.other}« "
                f"({self.other_device}, {self.other_time:%d.%m.%Y %H:%M})")


def _value(conn: Connection, record: str, name: str) -> Any:
    text = conn.execute(select(SyncField.value).where(SyncField.record_uuid == record, SyncField.field == name)).scalar()
    return loads(text) if text is not None else None


def describe(conn: Connection, table: str, record: str) -> str:
    """A short German description of a record (»Kurs »Smartphone-Grundkurs««)."""
    label = TABLE_LABELS.get(table, (table, table))[0]

    def named(target_table: str, target: str | None, name: str = "name") -> str:
        return str(_value(conn, target, name) or "?") if target else "?"

    if table == "courses":
        return f"Kurs »{_value(conn, record, 'title') or '?'}«"
    if table == "termine":
        day = _value(conn, record, "date")
        return f"Termin am {_date(day)} (Kurs »{named('courses', _value(conn, record, 'course_id'), 'title')}«)"
    if table in ("participants", "trainers", "municipalities"):
        return f"{label} »{_value(conn, record, 'name') or '?'}«"
    if table in ("attendances", "topic_tallies", "termin_lessons"):
        termin = _value(conn, record, "termin_id")
        day = _date(_value(conn, termin, "date")) if termin else "?"
        if table == "attendances":
            return f"Anwesenheit von »{named('participants', _value(conn, record, 'participant_id'))}« am {day}"
        if table == "topic_tallies":
            return f"Thema »{_value(conn, record, 'topic')}« am {day}"
        return f"Lektion am {day}"
    if table in ("enrolments", "consents"):
        person = named("participants", _value(conn, record, "participant_id"))
        return f"{label} von »{person}«"
    if table in ("course_lessons", "course_trainers"):
        return f"{label} im Kurs »{named('courses', _value(conn, record, 'course_id'), 'title')}«"
    return label


def _date(value: Any) -> str:
    try:
        return format_date(dt.date.fromisoformat(value)) if value else "?"
    except (TypeError, ValueError):
        return str(value)


def show_value(conn: Connection, table: str, name: str, text: str | None) -> str:
    """A stored value in words (dates German, references by name, yes/no)."""
    value = loads(text) if text is not None else None
    if value is None or value == "":
        return "(leer)"
    spec = TABLES[table]
    kind = spec.kinds.get(name)
    if kind == "fk":
        target = spec.foreign[name]
        return describe(conn, target, value)
    if kind == "bool":
        return "ja" if value else "nein"
    if kind == "date":
        return _date(value)
    if kind == "datetime":
        return str(value)[:16]
    if kind == "time":
        return str(value)[:5]
    if kind == "bytes":
        return "(Bild)"
    if name == "status":
        enum = AttendanceStatus if table == "attendances" else TerminStatus
        try:
            return enum(value).label
        except ValueError:
            return str(value)
    enum = _ENUM_LABELS.get(name)
    if enum is not None:
        try:
            return enum(value).label
        except ValueError:
            return str(value)
    return str(value)


def list_conflicts(db: Database) -> list[ConflictView]:
    """Open conflicts (losing value still differs from the current one), newest first."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(SyncConflict.record_uuid, SyncConflict.field, SyncConflict.hlc, SyncConflict.device,
                   SyncConflict.table_name, SyncConflict.value, SyncField.value, SyncDevice.name)
            .join(SyncField, (SyncField.record_uuid == SyncConflict.record_uuid)
                  & (SyncField.field == SyncConflict.field))
            .outerjoin(SyncDevice, SyncDevice.device == SyncConflict.device)
            .where(SyncConflict.value.is_distinct_from(SyncField.value))
            .order_by(SyncConflict.hlc.desc(), SyncConflict.device)
        ).all()
        me, my_name = device_state.device_id(conn), device_state.device_name(conn)
        views = []
        for record, name, hlc, dev, table, other, current, dev_name in rows:
            when = dt.datetime.fromtimestamp(device_state.hlc_time(hlc))
            views.append(ConflictView(
                record=record, field=name, hlc=hlc, device=dev, table=table, what=describe(conn, table, record),
                field_label=FIELD_LABELS.get(name, name), current=show_value(conn, table, name, current),
                other=show_value(conn, table, name, other),
                other_device=my_name if dev == me else (dev_name or f"Gerät {dev[:8]}"), other_time=when,
            ))
        return views


def _resolve(db: Database, key: tuple[str, str, int, str], take_other: bool) -> None:
    record, name, hlc, dev = key
    with db.write_connection() as conn:
        row = conn.execute(
            select(SyncConflict.table_name, SyncConflict.value, SyncField.value, SyncField.hlc, SyncField.device)
            .join(SyncField, (SyncField.record_uuid == SyncConflict.record_uuid)
                  & (SyncField.field == SyncConflict.field))
            .where(SyncConflict.record_uuid == record, SyncConflict.field == name, SyncConflict.hlc == hlc,
                   SyncConflict.device == dev)
        ).first()
        if row is None:
            raise InputError(["Diesen Konflikt gibt es nicht mehr (vielleicht schon erledigt)."])
        table, other, current, win_hlc, win_dev = row
        stamp = device_state.tick(conn)
        me = device_state.device_id(conn)
        value = other if take_other else current
        ops = [Op(stamp, me, table, record, name, value, ((win_hlc, win_dev), (hlc, dev)))]
        if table == "participants" and name == "name" and take_other:
            # the search key follows the name it is made from
            held = conn.execute(select(SyncField.hlc, SyncField.device).where(
                SyncField.record_uuid == record, SyncField.field == "name_key")).first()
            ops.append(Op(stamp, me, table, record, "name_key", dumps(normalise_name(loads(value) or "")),
                          ((held[0], held[1]),) if held else ()))
        store_local_ops(conn, ops)
        materialize(conn, {record: table}, {record: {op.field for op in ops}})
    from app.services import events

    events.notify(*events.EVERYTHING)


def take_other(db: Database, key: tuple[str, str, int, str]) -> None:
    """Reverse a conflict: the value that lost becomes the value (on every laptop after the next sync)."""
    _resolve(db, key, take_other=True)


def keep_current(db: Database, key: tuple[str, str, int, str]) -> None:
    """Close a conflict keeping the current value (every laptop closes it after the next sync)."""
    _resolve(db, key, take_other=False)
