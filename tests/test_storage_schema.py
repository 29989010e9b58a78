"""The database file: pragmas, sync columns, version stamp, migrations with backups, refusal of newer files."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from app import paths
from app.domain.attendance import CourseInput
from app.services import context, courses
from app.storage import backups, migrations
from app.storage.database import DatabaseError, NewerSchemaError, open_database, sqlite_path
from app.storage.models import SCHEMA_VERSION, SYNCED_MODELS, Base
from tests.attendance_fixtures import db, db_any, no_leaked_listeners  # noqa: F401

SYNC_COLUMNS = {"uuid", "created_at", "updated_at", "deleted"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_database_lives_in_data_dir_with_wal_and_foreign_keys(db, data_dir):
    assert db.path == data_dir / "kurslotse.sqlite3"
    assert db.path.exists()
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert migrations.read_version(conn) == SCHEMA_VERSION


def test_foreign_keys_are_enforced(db):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO termine (uuid, created_at, updated_at, deleted, course_id, date, status, place, note) "
                "VALUES ('x', '2026-01-01', '2026-01-01', 0, 999, '2026-01-01', 'planned', '', '')"
            ))


def test_every_synced_table_has_uuid_timestamps_and_soft_delete(db):
    with db.engine.connect() as conn:
        for model in SYNCED_MODELS:
            columns = {row[1] for row in conn.execute(text(f"PRAGMA table_info({model.__tablename__})"))}
            assert SYNC_COLUMNS <= columns, model.__tablename__


def test_records_get_uuid_and_updated_timestamp_moves(db_any):
    db = db_any  # a laptop's SQLite file and the office's PostgreSQL database (tests/test_postgres_storage.py)
    course_id = courses.create_course(db, CourseInput(title="Kurs A"))
    with db.engine.connect() as conn:
        uuid, created, updated = conn.execute(
            text("SELECT uuid, created_at, updated_at FROM courses WHERE id = :i"), {"i": course_id}
        ).one()
    assert len(uuid) == 36 and uuid.count("-") == 4
    courses.update_course(db, course_id, CourseInput(title="Kurs B"))
    with db.engine.connect() as conn:
        created2, updated2 = conn.execute(
            text("SELECT created_at, updated_at FROM courses WHERE id = :i"), {"i": course_id}
        ).one()
    assert created2 == created
    assert updated2 > updated


def test_database_url_option_selects_another_file(tmp_path):
    other = tmp_path / "anderswo" / "kurse.db"
    paths.set_database_url(f"sqlite:///{other}")
    context.close()
    try:
        database = context.database()
        assert database.path == other.resolve()
        assert other.exists()
    finally:
        context.close()
        paths.set_database_url(None)


def test_sqlite_path_of_memory_and_other_urls():
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("sqlite:///:memory:") is None
    assert sqlite_path("postgresql://u@h/db") is None


def _set_version(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_info SET version = ?", (version,))
    conn.commit()
    conn.close()


def test_newer_schema_is_refused_and_file_left_untouched(db):
    path = db.path
    courses.create_course(db, CourseInput(title="Kurs aus der Zukunft"))
    context.close()
    _set_version(path, SCHEMA_VERSION + 3)
    before = _digest(path)
    listing_before = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(NewerSchemaError) as caught:
        open_database(f"sqlite:///{path}", start_backup=True)
    message = str(caught.value)
    assert "neueren Kurslotse-Version" in message
    assert f"Version {SCHEMA_VERSION + 3}" in message
    assert "nicht verändert" in message
    assert _digest(path) == before
    # no backup, no journal files: nothing was written next to it either
    assert sorted(p.name for p in path.parent.iterdir()) == listing_before


def test_foreign_file_is_refused_with_german_message(data_dir):
    path = data_dir / "kurslotse.sqlite3"
    path.write_text("Das ist keine Datenbank, sondern ein Einkaufszettel.", encoding="utf-8")
    before = _digest(path)
    with pytest.raises(DatabaseError, match="keine Kurslotse-Datenbank"):
        context.database()
    assert _digest(path) == before


def test_sqlite_file_of_another_program_is_refused(data_dir):
    path = data_dir / "kurslotse.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE rezepte (name TEXT)")
    conn.commit()
    conn.close()
    before = _digest(path)
    with pytest.raises(DatabaseError, match="Versionstabelle"):
        context.database()
    assert _digest(path) == before


def _add_step(monkeypatch: pytest.MonkeyPatch, step) -> None:  # noqa: ANN001
    import app.storage.database as database_module

    monkeypatch.setattr(migrations, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setattr(database_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(migrations.MIGRATIONS, SCHEMA_VERSION + 1, step)


def test_migration_takes_backup_first_and_keeps_data(db, monkeypatch):
    path = db.path
    course_id = courses.create_course(db, CourseInput(title="Alter Kurs"))
    context.close()

    def add_colour(conn) -> None:  # noqa: ANN001
        conn.execute(text("ALTER TABLE courses ADD COLUMN colour TEXT DEFAULT 'blau'"))

    _add_step(monkeypatch, add_colour)
    database = open_database(f"sqlite:///{path}")
    try:
        with database.engine.connect() as conn:
            assert migrations.read_version(conn) == SCHEMA_VERSION + 1
            assert conn.execute(text("SELECT title, colour FROM courses WHERE id = :i"), {"i": course_id}).one() \
                == ("Alter Kurs", "blau")
    finally:
        database.close()
    saved = [b for b in backups.list_backups(path) if b.reason == "migration"]
    assert len(saved) == 1
    copy = sqlite3.connect(saved[0].path)
    assert copy.execute("SELECT version FROM schema_info").fetchone()[0] == SCHEMA_VERSION
    assert copy.execute("SELECT title FROM courses").fetchall() == [("Alter Kurs",)]
    assert "colour" not in {row[1] for row in copy.execute("PRAGMA table_info(courses)")}
    copy.close()


def test_failing_migration_leaves_database_at_old_version(db, monkeypatch):
    path = db.path
    courses.create_course(db, CourseInput(title="Kurs bleibt"))
    context.close()

    def half_done(conn) -> None:  # noqa: ANN001
        conn.execute(text("ALTER TABLE courses ADD COLUMN colour TEXT"))
        conn.execute(text("UPDATE courses SET title = 'kaputt'"))
        raise RuntimeError("Stromausfall simuliert")

    _add_step(monkeypatch, half_done)
    with pytest.raises(DatabaseError, match=f"bleibt auf Version {SCHEMA_VERSION}"):
        open_database(f"sqlite:///{path}")
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version FROM schema_info").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("SELECT title FROM courses").fetchall() == [("Kurs bleibt",)]
    assert "colour" not in {row[1] for row in conn.execute("PRAGMA table_info(courses)")}
    conn.close()


def test_migration_ladder_covers_every_version():
    """Every version after 1 has a step; the ladder has no holes (checked once there is more than one)."""
    assert sorted(migrations.MIGRATIONS) == list(range(2, SCHEMA_VERSION + 1))


def test_fresh_schema_matches_models(db):
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = {row[1] for row in conn.execute(text(f"PRAGMA table_info({table.name})"))}
            assert columns == {c.name for c in table.columns}, table.name
