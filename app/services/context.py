"""The database this process works on: opened once on first use, closed and reopened for a restore."""

from __future__ import annotations

import logging
from pathlib import Path

from app import paths
from app.services import events
from app.storage import backups, device
from app.storage.database import Database, DatabaseError, open_database

log = logging.getLogger(__name__)

_current: Database | None = None


def database(*, start_backup: bool = False) -> Database:
    """The open database of this process (``paths.database_url()``), opened on first call."""
    global _current
    if _current is None:
        _current = open_database(paths.database_url(), start_backup=start_backup)
        log.info("Datenbank geöffnet: %s", paths.masked_url(_current.url))
        _finish_erasures(_current)
    return _current


def _finish_erasures(db: Database) -> None:
    """Clean file and backups of erasures not cleaned yet (the file was busy, or they came by sync)."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.services.erasure import purge_if_needed

    try:
        purge_if_needed(db)
    except SQLAlchemyError as error:  # never keep the program from starting; it is tried again next time
        log.warning("Aufräumen nach dem Löschen nicht möglich: %s", error)


def close() -> None:
    """Close the database (tests, restore, shutdown)."""
    global _current
    if _current is not None:
        _current.close()
        _current = None


def database_path() -> Path | None:
    """The SQLite file this process uses, known even when it cannot be opened (for a restore)."""
    if _current is not None:
        return _current.path
    from app.storage.start_backup import database_file

    return database_file()


def _no_file_backups() -> str:
    """Why there are no backup files: on a database server backups are the server's job."""
    from app import server_database

    if server_database.uses_server():
        return server_database.backups_note()
    return "Sicherungen gibt es nur für eine SQLite-Datenbankdatei."


def list_backups() -> list[backups.BackupInfo]:
    """Backups of the SQLite database, newest first (works even if the database is damaged)."""
    path = database_path()
    return backups.list_backups(path) if path else []


def backup_now() -> backups.BackupInfo:
    """A backup taken by hand from the backup dialog."""
    path = database().path
    if path is None:
        raise DatabaseError(_no_file_backups())
    return backups.create_backup(path, "manual")


def restore(backup: Path) -> backups.BackupInfo | None:
    """Replace the database by *backup* (the current state is backed up first), then open it.

    An open Database object stays the same (views keep their reference); it gets a fresh engine.
    This also works when the current file cannot be opened at all (damaged, foreign, newer).
    """
    global _current
    path = database_path()
    if path is None:
        raise DatabaseError(_no_file_backups())
    problem = backups.check_backup(backup)
    if problem:
        raise backups.BackupError(problem)
    if _current is not None:
        _current.engine.dispose()
    safety = backups.restore_backup(backup, path)
    fresh = open_database(_current.url if _current is not None else paths.database_url())
    with fresh.write_connection() as conn:
        # An older state must never write under the id whose later files are already shared.
        device.renew(conn, "Sicherung wiederhergestellt")
    if _current is None:
        _current = fresh
    else:
        _current.engine, _current.sessions = fresh.engine, fresh.sessions
    log.info("Sicherung %s wiederhergestellt", backup)
    events.notify(*events.EVERYTHING)
    return safety
