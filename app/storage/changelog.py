"""The change log: every change to synced records becomes per-field operations stamped (hlc, device).

ORM session hooks turn each flush into operations (``install``); the same primitives serve the
merge in ``app.sync``, the erasure of a person and the resolution of conflicts. A value is kept as
JSON of what the database stores (dates as ISO text, booleans as 0/1, a foreign key as the UUID
of the record it points to), so every laptop writes exactly the same bytes into its tables.

Counters (a Sprechstunde's head count, topic tallies) are not last-writer-wins: two laptops that
count 3 and 2 visitors at the same time must end with 5. Each device writes only its own part,
the field ``<name>@<device id>`` (its own contributions, which may be negative); the plain field
is the base (the value from before counters, or 0 for a new record). The column holds
base + all parts (never below 0). Every part has one writer, so the sum is the same on every
laptop whatever order the files arrive in (a counter CRDT).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, delete, event, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.util import identity_key

from app.domain.attendance import AttendanceStatus, ConsentKind, CourseFormat, DeviceType, Gender, TerminStatus
from app.storage import device as device_state
from app.storage import sqlcompat
from app.storage.models import (
    SYNCED_MODELS,
    Base,
    SyncConflict,
    SyncedRecord,
    SyncErased,
    SyncField,
    SyncOp,
    SyncSuperseded,
)

ERASE_FIELD = "!erase"  # the operation that erases a person; carries no value
COUNTER_FIELDS: dict[str, tuple[str, ...]] = {"termine": ("head_count",), "topic_tallies": ("count",)}
PART_MARK = "@"  # "head_count@<device>": one device's part of a counter
ANONYMOUS_NAME = "Gelöschte Person"
NOT_SYNCED = frozenset({"id", "uuid", "updated_at", "erased"})
# Bookkeeping and derived fields: when they lose, nothing the trainer typed is lost (no conflict entry).
QUIET_FIELDS = frozenset({"created_at", "name_key"})
Stamp = tuple[int, str]  # (hlc, device)

# Personal columns of an erased person and the anonymous values they get (JSON, as stored).
PERSONAL_FIELDS: dict[str, dict[str, str]] = {
    "participants": {
        "name": json.dumps(ANONYMOUS_NAME, ensure_ascii=False), "name_key": '""', "phone": '""',
        "email": '""', "birth_year": "null", "note": '""',
    },
}

# Records identified by what they are (a trainer's name, a person at a Termin) get the same UUID on
# every laptop, so two laptops that both record »Erika Lang« or Anna's attendance meet in one record.
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "organisation": (),
    "trainers": ("name",),
    "municipalities": ("name",),
    "course_trainers": ("course_id", "trainer_id"),
    "enrolments": ("course_id", "participant_id"),
    "attendances": ("termin_id", "participant_id"),
    "topic_tallies": ("termin_id", "topic"),
}
_NATURAL_NAMESPACE = uuid.UUID("5b0c7a52-3f5e-4a8e-9a3c-6d1f0e2b7c41")
_NAME_KEYED = frozenset({"organisation", "trainers", "municipalities"})  # no unique constraint guards them

ENUM_VALUES: dict[tuple[str, str], frozenset[str]] = {
    ("courses", "format"): frozenset(CourseFormat),
    ("termine", "status"): frozenset(TerminStatus),
    ("attendances", "status"): frozenset(AttendanceStatus),
    ("participants", "gender"): frozenset(Gender),
    ("participants", "device"): frozenset(DeviceType),
    ("consents", "kind"): frozenset(ConsentKind),
}
_DIALECT = sqlite.dialect()
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$")
_TIME_RE = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")
_DEVICE_RE = re.compile(r"^[0-9a-f]{32}$")
_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_TEXT = 100_000
MAX_BYTES = 3_000_000
INT_LIMIT = 2**31  # whole-number fields are 32-bit on a server: the same bound on every laptop


def natural_uuid(table: str, parts: Sequence[str]) -> str:
    """The UUID a record with this natural key has on every laptop."""
    return str(uuid.uuid5(_NATURAL_NAMESPACE, "\x1f".join((table, *parts))))


def dumps(value: Any) -> str:
    """JSON text of a stored value; bytes (a logo) travel as base64."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        value = {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> Any:
    """The stored (database) value of a JSON text made by ``dumps``."""
    if text is None or text == "null":
        return None
    # Fast paths for what nearly every value is (the import decodes hundreds of thousands).
    if text[0] == '"' and text[-1] == '"' and "\\" not in text and len(text) > 1:
        return text[1:-1]
    if text.isdigit():
        return int(text)
    value = json.loads(text)
    if isinstance(value, dict):
        return base64.b64decode(value["b64"])
    return value


@dataclass(frozen=True)
class SyncedTable:
    """What the merge needs to know about one synced table."""

    name: str
    model: type[SyncedRecord]
    fields: tuple[str, ...]
    foreign: dict[str, str]  # field -> table it points to
    kinds: dict[str, str]  # field -> str | text | int | bool | date | datetime | time | bytes | fk
    lengths: dict[str, int]
    nullable: frozenset[str]
    defaults: dict[str, str]  # field -> JSON of the default used when an old file lacks the field
    binders: dict[str, Any] = field(repr=False, default_factory=dict)

    def encode(self, name: str, value: Any) -> str:
        """JSON of the database representation of a Python value (not for foreign keys)."""
        binder = self.binders.get(name)
        return dumps(binder(value) if binder is not None and value is not None else value)

    def to_python(self, name: str, value: Any) -> Any:
        """A value in the change log's form (as SQLite stores it) as the Python value its column takes."""
        if value is None:
            return None
        kind = self.kinds.get(name)
        if kind == "bool":
            return bool(value)
        if not isinstance(value, str):
            return value
        if kind == "date":
            return dt.date.fromisoformat(value)
        if kind == "datetime":
            return dt.datetime.fromisoformat(value)
        if kind == "time":
            return dt.time.fromisoformat(value)
        return value


def _describe(model: type[SyncedRecord]) -> SyncedTable:
    table = model.__table__
    fields, foreign, kinds, lengths, nullable, defaults, binders = [], {}, {}, {}, set(), {}, {}
    for column in table.columns:
        if column.name in NOT_SYNCED:
            continue
        fields.append(column.name)
        impl = column.type.dialect_impl(_DIALECT)
        binders[column.name] = impl.bind_processor(_DIALECT)
        python_type = getattr(column.type, "python_type", str)
        if column.foreign_keys:
            foreign[column.name] = next(iter(column.foreign_keys)).column.table.name
            kinds[column.name] = "fk"
        elif python_type is bool:
            kinds[column.name] = "bool"
        elif python_type is int:
            kinds[column.name] = "int"
        elif python_type is dt.datetime:
            kinds[column.name] = "datetime"
        elif python_type is dt.date:
            kinds[column.name] = "date"
        elif python_type is dt.time:
            kinds[column.name] = "time"
        elif python_type is bytes:
            kinds[column.name] = "bytes"
        else:
            kinds[column.name] = "str"
            length = getattr(column.type, "length", None)
            lengths[column.name] = length or MAX_TEXT
        if column.nullable:
            nullable.add(column.name)
        default = column.default
        if default is not None and default.is_scalar:
            binder = binders[column.name]
            defaults[column.name] = dumps(binder(default.arg) if binder else default.arg)
        elif column.nullable:
            defaults[column.name] = "null"
    return SyncedTable(
        name=table.name, model=model, fields=tuple(fields), foreign=foreign, kinds=kinds, lengths=lengths,
        nullable=frozenset(nullable), defaults=defaults, binders=binders,
    )


TABLES: dict[str, SyncedTable] = {model.__tablename__: _describe(model) for model in SYNCED_MODELS}
TABLE_ORDER: tuple[str, ...] = tuple(TABLES)  # parents before the records that point to them
_MODEL_BY_TABLE = {name: spec.model for name, spec in TABLES.items()}


def part_field(name: str, device: str) -> str:
    """The field holding *device*'s part of counter *name*."""
    return f"{name}{PART_MARK}{device}"


def counter_of(table: str, name: str) -> str | None:
    """The counter a part field belongs to (``None``: *name* is no part field)."""
    base, mark, device = name.partition(PART_MARK)
    if mark and base in COUNTER_FIELDS.get(table, ()) and _DEVICE_RE.match(device):
        return base
    return None


def counter_total(table: str, name: str, held: dict[str, str | None]) -> int | None:
    """Base plus every device's part (never below 0); ``None`` when the base is empty and no part exists."""
    base_text = held.get(name)
    base = loads(base_text) if base_text is not None else None
    prefix = name + PART_MARK
    parts = [loads(value) for field_name, value in held.items()
             if field_name.startswith(prefix) and value is not None and counter_of(table, field_name)]
    if base is None and not parts:
        return None
    return min(max(0, int(base or 0) + sum(int(part or 0) for part in parts)), INT_LIMIT - 1)


def fold_counters(table: str, held: dict[str, str | None]) -> dict[str, str | None]:
    """*held* (field -> JSON) with each counter's base replaced by the summed value, parts removed."""
    names = COUNTER_FIELDS.get(table)
    if not names:
        return held
    folded = {name: value for name, value in held.items() if counter_of(table, name) is None}
    for name in names:
        if name in held or any(counter_of(table, n) == name for n in held):
            folded[name] = dumps(counter_total(table, name, held))
    return folded


def check_value(table: str, name: str, text: str | None) -> str | None:
    """Why a received JSON value cannot be stored in *table*.*name* (``None``: it can)."""
    spec = TABLES.get(table)
    if spec is None:
        return f"unbekannte Tabelle »{table}«"
    if counter_of(table, name) is not None:
        try:
            value = loads(text)
        except (ValueError, TypeError, KeyError, AttributeError):
            return f"unlesbarer Wert in »{table}.{name}«"
        ok = isinstance(value, int) and not isinstance(value, bool) and -(2**40) < value < 2**40
        return None if ok else f"ungültiger Zählerwert in »{table}.{name}«"
    if name == ERASE_FIELD:
        return None if table in PERSONAL_FIELDS else f"Löschung in »{table}« ist nicht vorgesehen"
    kind = spec.kinds.get(name)
    if kind is None:
        return f"unbekanntes Feld »{table}.{name}«"
    try:
        value = loads(text)
    except (ValueError, TypeError, KeyError, AttributeError):
        return f"unlesbarer Wert in »{table}.{name}«"
    if value is None:
        return None if name in spec.nullable else f"leerer Wert in Pflichtfeld »{table}.{name}«"
    ok = {
        "fk": lambda v: isinstance(v, str) and bool(_UUID_RE.match(v)),
        "bool": lambda v: v in (0, 1) and not isinstance(v, float),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool) and -INT_LIMIT < v < INT_LIMIT,
        "date": lambda v: isinstance(v, str) and bool(_DATE_RE.match(v)) and _parses(v, "%Y-%m-%d"),
        "datetime": lambda v: isinstance(v, str) and bool(_DATETIME_RE.match(v)),
        "time": lambda v: isinstance(v, str) and bool(_TIME_RE.match(v)),
        "bytes": lambda v: isinstance(v, bytes) and len(v) <= MAX_BYTES,
        "str": lambda v: isinstance(v, str) and len(v) <= spec.lengths.get(name, MAX_TEXT),
    }[kind](value)
    if not ok:
        return f"ungültiger Wert in »{table}.{name}«"
    allowed = ENUM_VALUES.get((table, name))
    if allowed is not None and value not in allowed:
        return f"unbekannter Wert »{value}« in »{table}.{name}«"
    return None


def _parses(text: str, pattern: str) -> bool:
    try:
        dt.datetime.strptime(text, pattern)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- operations

@dataclass(frozen=True)
class Op:
    """One change of one field of one record (or the erasure of a person)."""

    hlc: int
    device: str
    table: str
    record: str
    field: str
    value: str | None  # JSON
    prev: tuple[Stamp, ...] = ()

    @property
    def stamp(self) -> Stamp:
        return (self.hlc, self.device)


def winners(conn: Connection, record: str) -> dict[str, tuple[int, str, str | None]]:
    """Field -> (hlc, device, value) of the values this record holds now."""
    return winners_of(conn, [record]).get(record, {})


def winners_of(conn: Connection, records: Iterable[str]) -> dict[str, dict[str, tuple[int, str, str | None]]]:
    """``winners`` of many records with one query per 500 (a record holding nothing is left out)."""
    found: dict[str, dict[str, tuple[int, str, str | None]]] = {}
    wanted = list(dict.fromkeys(records))
    for start in range(0, len(wanted), 500):
        rows = conn.execute(select(SyncField.record_uuid, SyncField.field, SyncField.hlc, SyncField.device,
                                   SyncField.value)
                            .where(SyncField.record_uuid.in_(wanted[start:start + 500]))).all()
        for row in rows:
            found.setdefault(row[0], {})[row[1]] = (row[2], row[3], row[4])
    return found


def store_local_ops(conn: Connection, ops: Sequence[Op]) -> None:
    """Write this device's operations: change log (outbox), current values, what they replaced."""
    if not ops:
        return
    conn.execute(SyncOp.__table__.insert(), [
        {"hlc": op.hlc, "device": op.device, "table_name": op.table, "record_uuid": op.record, "field": op.field,
         "value": op.value, "prev": json.dumps([list(p) for p in op.prev]) if op.prev else ""} for op in ops])
    store_fields(conn, [(op.record, op.field, op.table, op.hlc, op.device, op.value)
                        for op in ops if op.field != ERASE_FIELD])
    forget_replaced(conn, [(op.record, op.field, hlc, dev) for op in ops for hlc, dev in op.prev])


FIELD_KEY = ("record_uuid", "field")
STAMP_KEY = ("record_uuid", "field", "hlc", "device")


def store_fields(conn: Connection, values: Sequence[tuple[str, str, str, int, str, str | None]]) -> None:
    """Set the held (table, hlc, device, value) of each (record, field)."""
    sqlcompat.upsert_values(conn, SyncField.__table__, values, FIELD_KEY,  # type: ignore[arg-type]
                            ("table_name", "hlc", "device", "value"))


def forget_replaced(conn: Connection, replaced: Sequence[tuple[str, str, int, str]]) -> None:
    """Stamps some device knowingly overwrote: remembered as superseded, never a conflict again."""
    if not replaced:
        return
    sqlcompat.upsert_values(conn, SyncSuperseded.__table__, replaced, STAMP_KEY)  # type: ignore[arg-type]
    rows = [dict(zip(STAMP_KEY, row, strict=True)) for row in replaced]
    conn.execute(text("DELETE FROM sync_conflicts WHERE record_uuid = :record_uuid AND field = :field "
                      "AND hlc = :hlc AND device = :device"), rows)


def upsert(conn: Connection, model: type[Base], rows: Sequence[dict[str, Any]], keys: Sequence[str],
           update_columns: Sequence[str] | None = None) -> int:
    return sqlcompat.upsert(conn, model.__table__, rows, keys, update_columns)  # type: ignore[arg-type]


def erase_record(conn: Connection, table: str, record: str, stamp: Stamp) -> bool:
    """Apply an erasure: personal fields blank everywhere they are kept here; ``False`` if already erased."""
    personal = PERSONAL_FIELDS[table]
    new = upsert(conn, SyncErased, [{"record_uuid": record, "table_name": table, "hlc": stamp[0],
                                      "device": stamp[1]}], ("record_uuid",)) > 0
    for name, blank in personal.items():
        conn.execute(update(SyncField).where(SyncField.record_uuid == record, SyncField.field == name)
                     .values(value=blank))
        conn.execute(update(SyncOp).where(SyncOp.record_uuid == record, SyncOp.field == name).values(value=blank))
        conn.execute(delete(SyncConflict).where(SyncConflict.record_uuid == record, SyncConflict.field == name))
    target = Base.metadata.tables[table]
    conn.execute(update(target).where(target.c.uuid == record).values(
        {**{name: loads(blank) for name, blank in personal.items()}, "erased": True}))
    return new


def erased_records(conn: Connection, records: Iterable[str] | None = None) -> set[str]:
    if records is None:
        return set(conn.execute(select(SyncErased.record_uuid)).scalars())
    found: set[str] = set()
    chunk: list[str] = []
    for record in records:
        chunk.append(record)
        if len(chunk) == 500:
            found |= _erased_chunk(conn, chunk)
            chunk = []
    if chunk:
        found |= _erased_chunk(conn, chunk)
    return found


# built once (every imported file asks): building the statement each time cost more than the query
_ERASED_AMONG = select(SyncErased.record_uuid).where(SyncErased.record_uuid.in_(bindparam("records", expanding=True)))


def _erased_chunk(conn: Connection, chunk: list[str]) -> set[str]:
    return set(conn.execute(_ERASED_AMONG, {"records": chunk}).scalars())


# --------------------------------------------------------------------------- ORM hooks

def _known_ids(session: Session) -> dict[tuple[str, int], str]:
    return session.info.setdefault("sync_ids", {})


def uuid_of(session: Session | None, conn: Connection, table: str, pk: int | None) -> str | None:
    """The UUID of record *pk* of *table*: from this flush, the identity map, or the database."""
    if pk is None:
        return None
    if session is not None:
        known = _known_ids(session).get((table, pk))
        if known:
            return known
        obj = session.identity_map.get(identity_key(_MODEL_BY_TABLE[table], pk))
        if obj is not None and obj.uuid:
            return obj.uuid
    target = Base.metadata.tables[table]
    return conn.execute(select(target.c.uuid).where(target.c.id == pk)).scalar()


def _natural_parts(session: Session | None, conn: Connection, target: SyncedRecord) -> list[str] | None:
    spec = TABLES[target.__tablename__]
    parts = []
    for name in NATURAL_KEYS[spec.name]:
        value = getattr(target, name)
        if name in spec.foreign:
            value = uuid_of(session, conn, spec.foreign[name], value)
        if value is None:
            return None
        parts.append(str(value))
    return parts


def _assign_uuid(_mapper: Any, connection: Connection, target: Any) -> None:
    """Give a new record its UUID; records with a natural key get the one every laptop computes."""
    if not isinstance(target, SyncedRecord) or target.uuid:
        return
    table = target.__tablename__
    session = Session.object_session(target)
    if table in NATURAL_KEYS:
        parts = _natural_parts(session, connection, target)
        if parts is not None:
            candidate = natural_uuid(table, parts)
            found = Base.metadata.tables[table]
            taken = table in _NAME_KEYED and connection.execute(
                select(found.c.id).where(found.c.uuid == candidate)).first() is not None
            if not taken:
                target.uuid = candidate
                return
    target.uuid = str(uuid.uuid4())


def _remember_id(_mapper: Any, _connection: Connection, target: Any) -> None:
    if isinstance(target, SyncedRecord):
        session = Session.object_session(target)
        if session is not None:
            _known_ids(session)[(target.__tablename__, target.id)] = target.uuid


event.listen(Base, "before_insert", _assign_uuid, propagate=True)
event.listen(Base, "after_insert", _remember_id, propagate=True)


def _current_values(session: Session, conn: Connection, obj: SyncedRecord, names: Iterable[str]) -> dict[str, str]:
    spec = TABLES[obj.__tablename__]
    values = {}
    erased = spec.name in PERSONAL_FIELDS and bool(getattr(obj, "erased", False))
    for name in names:
        if erased and name in PERSONAL_FIELDS[spec.name]:
            values[name] = PERSONAL_FIELDS[spec.name][name]
        elif name in spec.foreign:
            values[name] = dumps(uuid_of(session, conn, spec.foreign[name], getattr(obj, name)))
        else:
            values[name] = spec.encode(name, getattr(obj, name))
    return values


def _changed_fields(obj: SyncedRecord) -> set[str]:
    """Fields whose attribute (or the relationship behind a foreign key) changed in this flush."""
    from sqlalchemy import inspect

    state = inspect(obj)
    spec = TABLES[obj.__tablename__]
    changed = {name for name in spec.fields if state.attrs[name].history.has_changes()}
    for rel in state.mapper.relationships:
        if rel.direction.name == "MANYTOONE" and state.attrs[rel.key].history.has_changes():
            changed |= {column.name for column in rel.local_columns if column.name in spec.foreign}
    return changed


def _after_flush(session: Session, _context: Any) -> None:
    """Record every change of this flush as operations with one new clock value."""
    new = [obj for obj in session.new if isinstance(obj, SyncedRecord)]
    dirty = [obj for obj in session.dirty if isinstance(obj, SyncedRecord) and obj not in session.deleted]
    try:
        if not new and not dirty:
            return
        conn = session.connection()
        changes: list[tuple[SyncedRecord, dict[str, str]]] = []
        for obj in new:
            changes.append((obj, _current_values(session, conn, obj, TABLES[obj.__tablename__].fields)))
        for obj in dirty:
            names = _changed_fields(obj)
            if names:
                changes.append((obj, _current_values(session, conn, obj, names)))
        if not changes:
            return
        hlc = device_state.tick(conn)
        me = device_state.device_id(conn)
        ops = []
        new_ids = {id(obj) for obj in new}
        # A new record can only hold values already when its UUID is natural (another laptop made it too).
        holding = winners_of(conn, [obj.uuid for obj, _ in changes
                                    if id(obj) not in new_ids or obj.__tablename__ in NATURAL_KEYS])
        for obj, values in changes:
            table = obj.__tablename__
            current = holding.get(obj.uuid, {})
            values = _counter_parts(table, values, current, me, id(obj) in new_ids)
            for name, value in values.items():
                held = current.get(name)
                if held is not None and held[2] == value:
                    continue
                prev = ((held[0], held[1]),) if held is not None else ()
                ops.append(Op(hlc, me, table, obj.uuid, name, value, prev))
        store_local_ops(conn, ops)
    finally:
        session.info.pop("sync_ids", None)


def _counter_parts(table: str, values: dict[str, str], current: dict[str, tuple[int, str, str | None]],
                   me: str, is_new: bool) -> dict[str, str]:
    """Turn a counter's new total into this device's part, so concurrent counting adds up.

    The part changes by exactly what makes base + all parts equal the total the trainer now sees.
    A new record gets base 0 (or empty) and the whole count as its part.
    """
    names = COUNTER_FIELDS.get(table)
    if not names:
        return values
    out = dict(values)
    held = {name: entry[2] for name, entry in current.items()}
    for name in names:
        if name not in values:
            continue
        total = loads(values[name])
        own = part_field(name, me)
        if is_new and name not in held:
            out[name] = "null" if total is None else "0"
            if total:
                out[own] = dumps(int(total))
            continue
        del out[name]
        if total is None:
            continue
        raw = int(loads(held.get(name)) or 0) + sum(
            int(loads(value) or 0) for field_name, value in held.items()
            if value is not None and counter_of(table, field_name) == name)
        mine = int(loads(held.get(own)) or 0)
        if total != raw:
            out[own] = dumps(mine + int(total) - raw)
    return out


def install(sessions: sessionmaker[Session]) -> None:
    """Record operations for every flush of sessions made by *sessions*."""
    event.listen(sessions, "after_flush", _after_flush)
