"""Schema step 1 → 2: the sync change log.

Written out by hand for the version-1 schema (never from the current models): it adds the
``sync_*`` tables and ``participants.erased``, gives records with a natural key (trainer,
Ortsgemeinde, a person's attendance …) the UUID every laptop computes for them, and records every
existing record as operations of this device, so the first sync sends everything there is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, text

from app.storage import device
from app.storage.changelog import dumps, natural_uuid

DDL = (
    "ALTER TABLE participants ADD COLUMN erased BOOLEAN NOT NULL DEFAULT 0",
    """CREATE TABLE sync_ops (
        id INTEGER NOT NULL, hlc INTEGER NOT NULL, device VARCHAR(36) NOT NULL,
        table_name VARCHAR(40) NOT NULL, record_uuid VARCHAR(36) NOT NULL, field VARCHAR(40) NOT NULL,
        value TEXT, prev TEXT NOT NULL, PRIMARY KEY (id))""",
    "CREATE INDEX ix_sync_ops_record_uuid ON sync_ops (record_uuid)",
    """CREATE TABLE sync_fields (
        record_uuid VARCHAR(36) NOT NULL, field VARCHAR(40) NOT NULL, table_name VARCHAR(40) NOT NULL,
        hlc INTEGER NOT NULL, device VARCHAR(36) NOT NULL, value TEXT,
        PRIMARY KEY (record_uuid, field)) WITHOUT ROWID""",
    """CREATE TABLE sync_superseded (
        record_uuid VARCHAR(36) NOT NULL, field VARCHAR(40) NOT NULL, hlc INTEGER NOT NULL,
        device VARCHAR(36) NOT NULL, PRIMARY KEY (record_uuid, field, hlc, device)) WITHOUT ROWID""",
    """CREATE TABLE sync_conflicts (
        record_uuid VARCHAR(36) NOT NULL, field VARCHAR(40) NOT NULL, hlc INTEGER NOT NULL,
        device VARCHAR(36) NOT NULL, table_name VARCHAR(40) NOT NULL, value TEXT, found_at DATETIME NOT NULL,
        PRIMARY KEY (record_uuid, field, hlc, device)) WITHOUT ROWID""",
    """CREATE TABLE sync_erased (
        record_uuid VARCHAR(36) NOT NULL, table_name VARCHAR(40) NOT NULL, hlc INTEGER NOT NULL,
        device VARCHAR(36) NOT NULL, PRIMARY KEY (record_uuid))""",
    """CREATE TABLE sync_pending (
        record_uuid VARCHAR(36) NOT NULL, table_name VARCHAR(40) NOT NULL, PRIMARY KEY (record_uuid))""",
    """CREATE TABLE sync_files (
        device VARCHAR(36) NOT NULL, seq INTEGER NOT NULL, checksum VARCHAR(64) NOT NULL, size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL, ops INTEGER NOT NULL, encrypted BOOLEAN NOT NULL, own BOOLEAN NOT NULL,
        first_op INTEGER NOT NULL, last_op INTEGER NOT NULL, erasures INTEGER NOT NULL,
        imported_at DATETIME NOT NULL, PRIMARY KEY (device, seq))""",
    """CREATE TABLE sync_devices (
        device VARCHAR(36) NOT NULL, name VARCHAR(120) NOT NULL, last_seen DATETIME NOT NULL,
        PRIMARY KEY (device))""",
)

# The same tables on PostgreSQL: its own words for the types SQLite does not check.
_SERVER_WORDS = (
    (" WITHOUT ROWID", ""), ("DATETIME", "TIMESTAMP WITHOUT TIME ZONE"), ("DEFAULT 0", "DEFAULT FALSE"),
    ("id INTEGER NOT NULL,", "id SERIAL NOT NULL,"), ("hlc INTEGER", "hlc BIGINT"), ("size INTEGER", "size BIGINT"),
    ("mtime_ns INTEGER", "mtime_ns BIGINT"), ("field VARCHAR(40)", "field VARCHAR(80)"),
)


def ddl_for(dialect: str) -> tuple[str, ...]:
    """The schema-2 statements in the words of *dialect* (``sqlite`` or ``postgresql``)."""
    if dialect == "sqlite":
        return DDL
    statements = []
    for statement in DDL:
        for old, new in _SERVER_WORDS:
            statement = statement.replace(old, new)
        statements.append(statement)
    return tuple(statements)


def _stored(value: Any) -> Any:
    """A value as SQLite stores it (what the change log keeps): a server returns dates and booleans as such."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, memoryview):
        return bytes(value)
    return value


# The synced tables of schema 1 in parent-first order: fields (all but id, uuid, updated_at), foreign keys.
V1_TABLES: tuple[tuple[str, tuple[str, ...], dict[str, str]], ...] = (
    ("organisation", ("name", "funding_line", "logo_png", "contact", "created_at", "deleted"), {}),
    ("trainers", ("name", "contact", "created_at", "deleted"), {}),
    ("municipalities", ("name", "created_at", "deleted"), {}),
    ("courses", ("title", "format", "municipality_id", "place", "start_date", "end_date", "note", "created_at",
                 "deleted"), {"municipality_id": "municipalities"}),
    ("course_trainers", ("course_id", "trainer_id", "created_at", "deleted"),
     {"course_id": "courses", "trainer_id": "trainers"}),
    ("course_lessons", ("course_id", "lesson_id", "position", "created_at", "deleted"), {"course_id": "courses"}),
    ("termine", ("course_id", "date", "start_time", "end_time", "place", "status", "note", "head_count",
                 "created_at", "deleted"), {"course_id": "courses"}),
    ("termin_lessons", ("termin_id", "lesson_id", "position", "created_at", "deleted"), {"termin_id": "termine"}),
    ("participants", ("name", "name_key", "phone", "email", "birth_year", "age_band", "gender", "device", "note",
                      "created_at", "deleted"), {}),
    ("consents", ("participant_id", "kind", "given_on", "wording_version", "withdrawn_on", "created_at",
                  "deleted"), {"participant_id": "participants"}),
    ("enrolments", ("course_id", "participant_id", "enrolled_on", "walk_in", "created_at", "deleted"),
     {"course_id": "courses", "participant_id": "participants"}),
    ("attendances", ("termin_id", "participant_id", "status", "created_at", "deleted"),
     {"termin_id": "termine", "participant_id": "participants"}),
    ("topic_tallies", ("termin_id", "topic", "count", "created_at", "deleted"), {"termin_id": "termine"}),
)
# Natural keys as of schema 2 (see app.storage.changelog.NATURAL_KEYS).
V2_NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "trainers": ("name",),
    "municipalities": ("name",),
    "course_trainers": ("course_id", "trainer_id"),
    "enrolments": ("course_id", "participant_id"),
    "attendances": ("termin_id", "participant_id"),
    "topic_tallies": ("termin_id", "topic"),
}


def _uuids(conn: Connection, table: str) -> dict[int, str]:
    return dict(conn.execute(text(f"SELECT id, uuid FROM {table}")).all())  # noqa: S608 - fixed names


def _natural_uuids(conn: Connection) -> None:
    """Rewrite UUIDs of records with a natural key (these records have never been synced)."""
    first = conn.execute(text("SELECT id FROM organisation ORDER BY deleted, id LIMIT 1")).scalar()
    if first is not None:
        conn.execute(text("UPDATE organisation SET uuid = :uuid WHERE id = :id"),
                     {"uuid": natural_uuid("organisation", []), "id": first})
    foreign = {name: keys for name, _fields, keys in V1_TABLES}
    for table, key in V2_NATURAL_KEYS.items():
        targets = {name: _uuids(conn, foreign[table][name]) for name in key if name in foreign[table]}
        used: set[str] = set()
        rows = conn.execute(text(
            f"SELECT id, {', '.join(key)} FROM {table} ORDER BY deleted, id"  # noqa: S608
        )).all()
        for row in rows:
            parts = [targets[name][value] if name in targets else str(value) for name, value in zip(key, row[1:], strict=True)]
            candidate = natural_uuid(table, parts)
            if candidate in used:
                continue  # a second record with the same name keeps its random UUID
            used.add(candidate)
            conn.execute(text(f"UPDATE {table} SET uuid = :uuid WHERE id = :id"),  # noqa: S608
                         {"uuid": candidate, "id": row[0]})


def _record_existing(conn: Connection) -> None:
    """Every field of every record becomes an operation of this device (one clock value)."""
    me = device.device_id(conn)
    hlc = device.tick(conn)
    for table, fields, foreign in V1_TABLES:
        targets = {name: _uuids(conn, target) for name, target in foreign.items()}
        rows = conn.execute(text(f"SELECT uuid, {', '.join(fields)} FROM {table}")).all()  # noqa: S608
        values = []
        for row in rows:
            for name, raw in zip(fields, row[1:], strict=True):
                if name in targets:
                    raw = targets[name].get(raw)
                values.append({"record": row[0], "field": name, "table": table, "hlc": hlc, "device": me,
                               "value": dumps(_stored(raw))})
        if values:
            record_fields(conn, values)


def step(conn: Connection) -> None:
    """Lift a version-1 database to version 2 (inside the migration's transaction)."""
    for statement in ddl_for(conn.dialect.name):
        conn.execute(text(statement))
    _natural_uuids(conn)
    _record_existing(conn)


def record_fields(conn: Connection, values: list[dict[str, object]]) -> None:
    """Stamp fields that existed before sync knew them: their sync state and one operation each
    (``values``: record, field, table, hlc, device, value)."""
    conn.execute(text(
        "INSERT INTO sync_fields (record_uuid, field, table_name, hlc, device, value) "
        "VALUES (:record, :field, :table, :hlc, :device, :value)"), values)
    conn.execute(text(
        "INSERT INTO sync_ops (hlc, device, table_name, record_uuid, field, value, prev) "
        "VALUES (:hlc, :device, :table, :record, :field, :value, '')"), values)
