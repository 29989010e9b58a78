"""Copies of the SQLite file through the backup API: rolling start backups, pre-migration copies, restore.

Only the standard library is imported at module level: the start backup runs before SQLAlchemy loads.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

BACKUP_DIR_NAME = "sicherungen"
KEEP_START_BACKUPS = 10
REASON_LABELS = {
    "start": "Programmstart",
    "migration": "vor Datenbank-Umstellung",
    "restore": "vor Wiederherstellung",
    "demo": "vor Demo-Daten",
    "manual": "von Hand",
}
_NAME_RE = re.compile(r"^kurslotse-(\d{8}-\d{6}-\d{6})-([a-z]+)\.sqlite3$")


class BackupError(Exception):
    """A backup could not be made or restored; the message is German and meant for the user."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file in the backup folder."""

    path: Path
    created: dt.datetime
    reason: str
    size_bytes: int

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def created_text(self) -> str:
        return self.created.strftime("%d.%m.%Y %H:%M:%S")


def connect_read_only(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """A read-only connection (a URI, so odd characters in Windows paths are escaped properly)."""
    uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True)


def backup_dir_for(db_path: Path) -> Path:
    """Backups live next to the database file, in ``sicherungen/``."""
    return db_path.parent / BACKUP_DIR_NAME


def copy_database(source: Path, dest: Path) -> None:
    """Copy a (possibly live) SQLite file through the backup API into a self-contained file *dest*.

    The copy is written under a temporary name and renamed at the end, so a half-written
    backup is never listed or restored.
    """
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    src = connect_read_only(source)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            # The copy inherits WAL mode from the header; a backup should be one plain file.
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.commit()
        finally:
            dst.close()
    finally:
        src.close()
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, dest)


def create_backup(db_path: Path, reason: str, now: dt.datetime | None = None) -> BackupInfo:
    """Copy *db_path* into its backup folder, named by time and *reason*."""
    folder = backup_dir_for(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    when = now or dt.datetime.now()
    # Microseconds in the name keep the order of several backups within one second.
    newest = max((info.created for info in list_backups(db_path)), default=None)
    if newest is not None and when <= newest:
        when = newest + dt.timedelta(microseconds=1)
    dest = folder / f"kurslotse-{when.strftime('%Y%m%d-%H%M%S-%f')}-{reason}.sqlite3"
    try:
        copy_database(db_path, dest)
    except (sqlite3.Error, OSError) as error:
        raise BackupError(f"Die Sicherung nach {dest} ist fehlgeschlagen: {error}") from error
    log.info("Sicherung angelegt: %s", dest)
    return _info(dest)  # type: ignore[return-value]


def list_backups(db_path: Path) -> list[BackupInfo]:
    """All backups of *db_path*, newest first."""
    folder = backup_dir_for(db_path)
    if not folder.is_dir():
        return []
    infos = [info for path in folder.iterdir() if (info := _info(path)) is not None]
    return sorted(infos, key=lambda info: info.created, reverse=True)


def prune_backups(db_path: Path, reason: str = "start", keep: int = KEEP_START_BACKUPS) -> list[Path]:
    """Delete all but the newest *keep* backups made for *reason*; return what was deleted."""
    same_reason = [info for info in list_backups(db_path) if info.reason == reason]
    removed = []
    for info in same_reason[keep:]:
        info.path.unlink(missing_ok=True)
        removed.append(info.path)
    return removed


def rolling_start_backup(db_path: Path) -> BackupInfo | None:
    """The automatic backup at program start (keeps the last ten); nothing for an empty database."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    info = create_backup(db_path, "start")
    prune_backups(db_path, "start")
    return info


def check_backup(path: Path) -> str | None:
    """A German reason why *path* cannot be restored, or ``None`` if it is a sound database."""
    if not path.is_file():
        return f"Die Sicherung {path} gibt es nicht (oder sie ist keine Datei)."
    try:
        with open(path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                return f"{path.name} ist keine Kurslotse-Sicherung (keine SQLite-Datenbank)."
        conn = connect_read_only(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                return f"{path.name} ist beschädigt ({result})."
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "schema_info" not in tables:
                return f"{path.name} ist keine Kurslotse-Sicherung (es fehlt die Versionstabelle)."
            from app.storage.models import SCHEMA_VERSION  # here, so a start backup needs no SQLAlchemy

            version = conn.execute("SELECT version FROM schema_info WHERE id = 1").fetchone()
            if version and version[0] > SCHEMA_VERSION:
                return (
                    f"{path.name} stammt aus einer neueren Kurslotse-Version "
                    f"(Datenbank-Version {version[0]}); bitte Kurslotse aktualisieren."
                )
        finally:
            conn.close()
    except (sqlite3.Error, OSError) as error:
        return f"{path.name} kann nicht gelesen werden: {error}"
    return None


def restore_backup(backup: Path, db_path: Path) -> BackupInfo | None:
    """Replace the content of *db_path* by *backup*; the current state is backed up first.

    The caller must have closed every connection to *db_path*. Returns the safety backup. A
    damaged database file (not SQLite at all) cannot be copied; it is kept beside, renamed.
    """
    problem = check_backup(backup)
    if problem:
        raise BackupError(problem)
    safety = None
    if db_path.exists() and not _is_sqlite(db_path):
        kept = db_path.with_name(f"{db_path.name}.defekt-{dt.datetime.now():%Y%m%d-%H%M%S}")
        os.replace(db_path, kept)
        for suffix in ("-wal", "-shm"):
            db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
        log.warning("Beschädigte Datenbank beiseitegelegt: %s", kept)
    elif db_path.exists():
        safety = create_backup(db_path, "restore")
    try:
        src = connect_read_only(backup)
        try:
            dst = sqlite3.connect(db_path)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as error:
        raise BackupError(f"Die Wiederherstellung aus {backup.name} ist fehlgeschlagen: {error}") from error
    log.info("Datenbank aus %s wiederhergestellt (vorher gesichert: %s)", backup, safety and safety.path)
    return safety


def _is_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _info(path: Path) -> BackupInfo | None:
    match = _NAME_RE.match(path.name)
    if not match or not path.is_file():
        return None
    created = dt.datetime.strptime(match.group(1), "%Y%m%d-%H%M%S-%f")
    return BackupInfo(path=path, created=created, reason=match.group(2), size_bytes=path.stat().st_size)
