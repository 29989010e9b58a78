"""The database this process works on: opened once on first use, closed and reopened for a restore."""

from __future__ import annotations

import logging
from pathlib import Path

from app import paths
from app.services import events
from app.storage import backups
from app.storage.database import Database, DatabaseError, open_database

log = logging.getLogger(__name__)

_current: Database | None = None


def database(*, start_backup: bool = False) -> Database:
    """The open database of this process (``paths.database_url()``), opened on first call."""
    global _current
    if _current is None:
        _current = open_database(paths.database_url(), start_backup=start_backup)
        log.info("Datenbank geöffnet: %s", _current.url)
    return _current


def close() -> None:
    """Close the database (tests, restore, shutdown)."""
    global _current
    if _current is not None:
        _current.close()
        _current = None


def list_backups() -> list[backups.BackupInfo]:
    """Backups of the current SQLite database, newest first (none for other databases)."""
    path = database().path
    return backups.list_backups(path) if path else []


def backup_now() -> backups.BackupInfo:
    """A backup taken by hand from the backup dialog."""
    path = database().path
    if path is None:
        raise DatabaseError("Sicherungen gibt es nur für eine SQLite-Datenbankdatei.")
    return backups.create_backup(path, "manual")


def restore(backup: Path) -> backups.BackupInfo | None:
    """Replace the database by *backup* (the current state is backed up first), then reopen it."""
    db = database()
    if db.path is None:
        raise DatabaseError("Sicherungen gibt es nur für eine SQLite-Datenbankdatei.")
    problem = backups.check_backup(backup)
    if problem:
        raise backups.BackupError(problem)
    path = db.path
    close()
    try:
        safety = backups.restore_backup(backup, path)
    finally:
        database()
    events.notify(*events.EVERYTHING)
    return safety
