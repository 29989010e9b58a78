"""Helpers for the sync tests: laptops as real SQLite files, snapshots of what they hold."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.domain.attendance import ConsentKind, CourseInput, ParticipantInput, TerminInput
from app.services import courses, people
from app.storage.changelog import TABLES
from app.storage.database import Database, open_database
from app.sync.service import SyncReport, synchronise

START = dt.date(2026, 1, 1)
END = dt.date(2026, 12, 31)


@dataclass
class Laptop:
    """One simulated laptop: its own database file."""

    name: str
    path: Path
    db: Database

    @classmethod
    def create(cls, folder: Path, name: str) -> Laptop:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.sqlite3"
        return cls(name, path, open_database(f"sqlite:///{path}"))

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
            return conn.exec_driver_sql(f"SELECT id FROM {table} WHERE uuid = ?", (record,)).scalar()

    def uuid_of(self, table: str, pk: int) -> str:
        with self.db.engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT uuid FROM {table} WHERE id = ?", (pk,)).scalar()

    def snapshot(self) -> dict[str, dict[str, dict[str, object]]]:
        return snapshot(self.path)

    def conflicts(self) -> set[tuple[str, str, str | None]]:
        conn = sqlite3.connect(self.path)
        try:
            return set(conn.execute(
                "SELECT c.record_uuid, c.field, c.value FROM sync_conflicts c JOIN sync_fields f "
                "ON f.record_uuid = c.record_uuid AND f.field = c.field WHERE c.value IS NOT f.value"
            ).fetchall())
        finally:
            conn.close()


def snapshot(path: Path) -> dict[str, dict[str, dict[str, object]]]:
    """Every synced record by UUID with every synced field (references as UUIDs) — what must converge."""
    conn = sqlite3.connect(path)
    try:
        data: dict[str, dict[str, dict[str, object]]] = {}
        for table, spec in TABLES.items():
            uuids = {}
            for target in set(spec.foreign.values()):
                uuids[target] = dict(conn.execute(f"SELECT id, uuid FROM {target}").fetchall())
            extra = ", erased" if table == "participants" else ""
            rows = conn.execute(f"SELECT uuid, {', '.join(spec.fields)}{extra} FROM {table}").fetchall()
            names = [*spec.fields, *(["erased"] if extra else [])]
            table_data = {}
            for row in rows:
                values = dict(zip(names, row[1:], strict=True))
                for name, target in spec.foreign.items():
                    values[name] = uuids[target].get(values[name]) if values[name] is not None else None
                table_data[row[0]] = values
            data[table] = table_data
        return data
    finally:
        conn.close()


def sync_state(path: Path) -> dict[str, object]:
    """The merge state besides the tables: winners, open conflicts, tombstones (must converge too)."""
    conn = sqlite3.connect(path)
    try:
        return {
            "fields": sorted(conn.execute("SELECT record_uuid, field, hlc, device, value FROM sync_fields").fetchall()),
            "conflicts": sorted(conn.execute(
                "SELECT record_uuid, field, hlc, device, value FROM sync_conflicts").fetchall()),
            "erased": sorted(conn.execute("SELECT record_uuid FROM sync_erased").fetchall()),
            "pending": sorted(conn.execute("SELECT record_uuid FROM sync_pending").fetchall()),
        }
    finally:
        conn.close()


def all_text(path: Path) -> str:
    """Every text value kept in the database's tables (to look for personal data that must be gone)."""
    conn = sqlite3.connect(path)
    try:
        parts = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in conn.execute(f"SELECT * FROM {table}"):
                parts.extend(str(v) for v in row if isinstance(v, str))
        return json.dumps(parts, ensure_ascii=False)
    finally:
        conn.close()


@pytest.fixture
def laptops(tmp_path):
    """``laptops("A")`` makes a laptop with its own SQLite file; all are closed after the test."""
    made: list[Laptop] = []

    def make(name: str) -> Laptop:
        laptop = Laptop.create(tmp_path / name, name)
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
