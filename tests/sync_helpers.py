"""Helpers for the sync tests: laptops as real SQLite files (or the office's PostgreSQL database), snapshots.

A snapshot shows values as SQLite stores them (dates as ISO text, booleans as 0/1), so a laptop's
file and a server database that hold the same records compare equal.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, inspect
from sqlalchemy import text as sql

from app.domain.attendance import ConsentKind, CourseInput, ParticipantInput, TerminInput
from app.services import courses, people
from app.storage.changelog import TABLES
from app.storage.database import Database, open_database, sqlite_path
from app.storage.migrate_v2 import _stored
from app.sync.service import SyncReport, synchronise

START = dt.date(2026, 1, 1)
END = dt.date(2026, 12, 31)


_EMPTY: list[bytes] = []


def _empty_laptop_file() -> bytes:
    """A file as the program creates it (schema and version stamp) before any device id exists.

    Hundreds of simulated laptops start from a copy instead of building the schema each time; the
    first open_database() gives each copy its own device id, exactly as for a brand-new file.
    """
    if not _EMPTY:
        import tempfile

        from app.storage import migrations

        with tempfile.TemporaryDirectory(prefix="kurslotse-leer-") as folder:
            path = Path(folder) / "leer.sqlite3"
            # the step open_database() takes for a new file, without the device id it adds afterwards
            engine = create_engine(f"sqlite:///{path}")
            try:
                migrations.create_fresh(engine)
            finally:
                engine.dispose()
            _EMPTY.append(path.read_bytes())
    return _EMPTY[0]


@dataclass
class Laptop:
    """One simulated laptop: its own database file (or, given a server URL, the office's database)."""

    name: str
    path: Path | None
    db: Database

    @classmethod
    def create(cls, folder: Path, name: str, url: str | None = None) -> Laptop:
        folder.mkdir(parents=True, exist_ok=True)
        if url is None:
            path = folder / f"{name}.sqlite3"
            if not path.exists():
                path.write_bytes(_empty_laptop_file())
            url = f"sqlite:///{path}"
        return cls(name, sqlite_path(url), open_database(url))


    @property
    def source(self) -> Path | Database:
        """What the snapshot helpers read: the file, or the server database."""
        return self.path if self.path is not None else self.db

    def sync(self, shared: Path, passphrase: str | None = None, accept_future: bool = False) -> SyncReport:
        return synchronise(self.db, shared, passphrase, announce=False, accept_future=accept_future)

    def close(self) -> None:
        self.db.close()

    def add_course(self, title: str, **extra: object) -> int:
        return courses.create_course(self.db, CourseInput(title=title, start_date=START, end_date=END, **extra))  # type: ignore[arg-type]

    def add_termin(self, course_id: int, day: dt.date = dt.date(2026, 3, 3)) -> int:
        return courses.add_termin(self.db, course_id, TerminInput(date=day))

    def add_person(self, name: str, course_id: int | None = None, **extra: object) -> int:
        # Contact details need a consent to data storage (DSGVO); people here may get a phone later.
        consent = [(ConsentKind.DATA_STORAGE, START, "2024-1")]
        return people.create_participant(self.db, ParticipantInput(name=name, **extra), course_id=course_id,  # type: ignore[arg-type]
                                         new_consents=consent)

    def id_of(self, table: str, record: str) -> int | None:
        with self.db.engine.connect() as conn:
            return conn.execute(sql(f"SELECT id FROM {table} WHERE uuid = :u"), {"u": record}).scalar()

    def uuid_of(self, table: str, pk: int) -> str:
        with self.db.engine.connect() as conn:
            return conn.execute(sql(f"SELECT uuid FROM {table} WHERE id = :i"), {"i": pk}).scalar()

    def snapshot(self) -> dict[str, dict[str, dict[str, object]]]:
        return snapshot(self.source)

    def conflicts(self) -> set[tuple[str, str, str | None]]:
        with _reading(self.source) as conn:
            # IS DISTINCT FROM: SQLite 3.39+ and PostgreSQL
            return {tuple(row) for row in _rows(conn,
                "SELECT c.record_uuid, c.field, c.value FROM sync_conflicts c JOIN sync_fields f "
                "ON f.record_uuid = c.record_uuid AND f.field = c.field WHERE c.value IS DISTINCT FROM f.value"
            )}


@contextmanager
def _reading(source: Path | Database) -> Iterator[Connection | sqlite3.Connection]:
    """A plain connection to a laptop's file (sqlite3, not through open_database) or to a server database.

    The file is read with the standard library's driver itself: a new SQLAlchemy engine per snapshot
    compiled every statement again (the stateful sync test takes hundreds of snapshots), and the rows
    are the same: SQLite's own values, which is what ``_stored`` makes of a server's."""
    if isinstance(source, Database):
        with source.engine.connect() as conn:
            yield conn
        return
    conn = sqlite3.connect(source)
    try:
        yield conn
    finally:
        conn.close()


def _rows(conn: Connection | sqlite3.Connection, statement: str) -> list[tuple[object, ...]]:
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(statement).fetchall()
    return [tuple(_stored(value) for value in row) for row in conn.execute(sql(statement))]


def snapshot(source: Path | Database) -> dict[str, dict[str, dict[str, object]]]:
    """Every synced record by UUID with every synced field (references as UUIDs) — what must converge."""
    with _reading(source) as conn:
        data: dict[str, dict[str, dict[str, object]]] = {}
        for table, spec in TABLES.items():
            uuids = {}
            for target in set(spec.foreign.values()):
                uuids[target] = dict(_rows(conn, f"SELECT id, uuid FROM {target}"))
            extra = ", erased" if table == "participants" else ""
            rows = _rows(conn, f"SELECT uuid, {', '.join(spec.fields)}{extra} FROM {table}")
            names = [*spec.fields, *(["erased"] if extra else [])]
            table_data = {}
            for row in rows:
                values = dict(zip(names, row[1:], strict=True))
                for name, target in spec.foreign.items():
                    values[name] = uuids[target].get(values[name]) if values[name] is not None else None
                table_data[row[0]] = values
            data[table] = table_data
        return data


def sync_state(source: Path | Database) -> dict[str, object]:
    """The merge state besides the tables: winners, open conflicts, tombstones (must converge too)."""
    with _reading(source) as conn:
        return {
            "fields": sorted(_rows(conn, "SELECT record_uuid, field, hlc, device, value FROM sync_fields")),
            "conflicts": sorted(_rows(conn, "SELECT record_uuid, field, hlc, device, value FROM sync_conflicts")),
            "erased": sorted(_rows(conn, "SELECT record_uuid FROM sync_erased")),
            "pending": sorted(_rows(conn, "SELECT record_uuid FROM sync_pending")),
        }


def all_text(source: Path | Database) -> str:
    """Every text value kept in the database's tables (to look for personal data that must be gone)."""
    with _reading(source) as conn:
        parts = []
        names = inspect(conn).get_table_names() if not isinstance(conn, sqlite3.Connection) else [
            name for (name,) in conn.execute(  # what SQLAlchemy's inspector lists for SQLite
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite~_%' ESCAPE '~' "
                "ORDER BY name")]
        for table in names:
            for row in _rows(conn, f"SELECT * FROM {table}"):
                parts.extend(str(v) for v in row if isinstance(v, str))
        return json.dumps(parts, ensure_ascii=False)


@pytest.fixture
def laptops(tmp_path):
    """``laptops("A")`` makes a laptop with its own SQLite file; ``laptops("buero", url)`` uses that database.

    All are closed after the test.
    """
    made: list[Laptop] = []

    def make(name: str, url: str | None = None) -> Laptop:
        laptop = Laptop.create(tmp_path / name, name, url)
        made.append(laptop)
        return laptop

    yield make
    for laptop in made:
        laptop.close()


@pytest.fixture
def shared(tmp_path):
    """The shared folder (a USB stick) the laptops sync through."""
    folder = tmp_path / "stick"
    folder.mkdir()
    return folder
