"""Numbered schema migrations: a ladder of steps, each in its own transaction, a backup before each."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, select, update

from app import __version__
from app.storage import backups, migrate_v2, migrate_v3
from app.storage.models import SCHEMA_VERSION, TABLE_SCHEMA_INFO, Base, SchemaInfo, utc_now

log = logging.getLogger(__name__)

MigrationStep = Callable[[Connection], None]

# Target version -> step that lifts a database from version-1 to version.
# Version 1 is created from the models; each later step must be written out by hand
# (never from the current models), because it has to work on the old schema.
MIGRATIONS: dict[int, MigrationStep] = {2: migrate_v2.step, 3: migrate_v3.step}


class MigrationError(Exception):
    """A migration step failed; the database is left at the last completed version."""


def read_version(conn: Connection) -> int | None:
    """The schema version stored in the database, or ``None`` for an empty database."""
    if not inspect(conn).has_table(TABLE_SCHEMA_INFO):
        return None
    value = conn.execute(select(SchemaInfo.version).where(SchemaInfo.id == 1)).scalar()
    return int(value) if value is not None else None


def _write_version(conn: Connection, version: int) -> None:
    conn.execute(update(SchemaInfo).where(SchemaInfo.id == 1).values(
        version=version, app_version=__version__, migrated_at=utc_now()))


def create_fresh(engine: Engine) -> None:
    """Create the current schema in an empty database and stamp its version (one transaction)."""
    with engine.begin() as conn:
        create_in(conn)


def create_in(conn: Connection) -> None:
    """Create the current schema and stamp its version inside the caller's (immediate) transaction."""
    Base.metadata.create_all(conn)
    conn.execute(SchemaInfo.__table__.insert().values(
        id=1, version=SCHEMA_VERSION, app_version=__version__, migrated_at=utc_now()))


def upgrade(engine: Engine, db_path: Path | None, current: int, target: int | None = None) -> list[int]:
    """Run every step from *current* + 1 to *target* (default: newest); copy the file before each."""
    target = SCHEMA_VERSION if target is None else target
    applied = []
    for version in range(current + 1, target + 1):
        step = MIGRATIONS.get(version)
        if step is None:
            raise MigrationError(f"Für die Datenbank-Version {version} fehlt ein Umstellungsschritt.")
        if db_path is not None:
            backups.create_backup(db_path, "migration")
        try:
            with engine.begin() as conn:
                step(conn)
                _write_version(conn, version)
        except Exception as error:
            log.exception("Migration auf Version %s fehlgeschlagen", version)
            raise MigrationError(
                f"Die Datenbank konnte nicht auf Version {version} umgestellt werden ({error}). "
                f"Sie bleibt auf Version {version - 1}; eine Sicherung liegt im Ordner "
                f"»{backups.BACKUP_DIR_NAME}«."
            ) from error
        log.info("Datenbank auf Version %s umgestellt", version)
        applied.append(version)
    return applied
