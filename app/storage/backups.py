"""Copies of the SQLite file through the backup API: rolling start backups, pre-migration copies, restore.

Every copy is checked (``PRAGMA quick_check``) before it is kept and is labelled ``-geprueft`` in its
name; a damaged database is never copied over the good backups (no copy, no rotation), and the
newest verified backup is never pruned. :func:`start_problem` tells at start whether the database
is damaged and which backup is the newest good one. Temp files get unpredictable names and are
created exclusively (a planted symlink is never followed).

Only the standard library is imported at module level: the start backup runs before SQLAlchemy loads.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.platform import remove_file, replace_file, sqlite_uri

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
_NAME_RE = re.compile(r"^kurslotse-(\d{8}-\d{6}-\d{6})-([a-z]+)(-geprueft)?\.sqlite3$")
VERIFIED_MARK = "-geprueft"


class BackupError(Exception):
    """A backup could not be made or restored; the message is German and meant for the user."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file in the backup folder."""

    path: Path
    created: dt.datetime
    reason: str
    size_bytes: int
    verified: bool = False  # checked with quick_check when it was made

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)

    @property
    def check_label(self) -> str:
        return "geprüft" if self.verified else "ungeprüft (ältere Version)"

    @property
    def created_text(self) -> str:
        return self.created.strftime("%d.%m.%Y %H:%M:%S")


def connect_read_only(path: Path, immutable: bool = False) -> sqlite3.Connection:
    """A read-only connection (a URI, so odd characters in Windows paths are escaped properly)."""
    uri = sqlite_uri(path.resolve()) + "?mode=ro" + ("&immutable=1" if immutable else "")
    return sqlite3.connect(uri, uri=True)


def backup_dir_for(db_path: Path) -> Path:
    """Backups live next to the database file, in ``sicherungen/``."""
    return db_path.parent / BACKUP_DIR_NAME


class DamagedDatabase(BackupError):
    """The database to be copied is damaged; no copy was kept (the good backups stay as they are)."""


def copy_database(source: Path, dest: Path) -> None:
    """Copy a (possibly live) SQLite file through the backup API into a self-contained file *dest*.

    The copy is written under an unpredictable temporary name (created exclusively) and renamed at
    the end, so a half-written backup is never listed or restored. It is checked with
    ``PRAGMA quick_check`` first: a damaged database raises DamagedDatabase and leaves nothing behind.
    """
    if source.exists() and source.stat().st_size > 0 and not _is_sqlite(source):
        # SQLite reads a file shorter than its header as an empty database: a copy of it would pass
        # quick_check, be labelled verified and push good backups out of the rotation.
        raise DamagedDatabase(
            f"Die Datenbank {source} ist keine SQLite-Datei mehr (der Dateikopf ist beschädigt). Es wurde "
            "keine Sicherung angelegt, damit die vorhandenen guten Sicherungen erhalten bleiben."
        )
    fd, tmp_name = tempfile.mkstemp(prefix=".kurslotse-", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = connect_read_only(source)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                # The copy inherits WAL mode from the header; a backup should be one plain file.
                dst.execute("PRAGMA journal_mode=DELETE")
                dst.commit()
                problem = _quick_check(dst)
            finally:
                dst.close()
        finally:
            src.close()
        if problem is not None:
            raise DamagedDatabase(
                f"Die Datenbank {source} ist beschädigt ({problem}). Es wurde keine Sicherung angelegt, "
                "damit die vorhandenen guten Sicherungen erhalten bleiben."
            )
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        replace_file(tmp, dest)  # waits out a virus scanner or indexer that holds the new file
        tmp = None
    except sqlite3.DatabaseError as error:
        if "malformed" in str(error) or "not a database" in str(error):
            raise DamagedDatabase(
                f"Die Datenbank {source} ist beschädigt ({error}). Es wurde keine Sicherung angelegt, "
                "damit die vorhandenen guten Sicherungen erhalten bleiben."
            ) from error
        raise
    finally:
        if tmp is not None:
            for path in (tmp, tmp.with_name(tmp.name + "-journal")):
                try:
                    remove_file(path)
                except OSError:
                    log.warning("Temporäre Sicherungsdatei %s konnte nicht gelöscht werden", path)


def _quick_check(conn: sqlite3.Connection) -> str | None:
    """``None`` if SQLite's quick_check finds the file sound, else its first complaint."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    first = rows[0][0] if rows else "keine Antwort"
    return None if first == "ok" else str(first)[:200]


def database_problem(db_path: Path) -> str | None:
    """Why the database file is damaged (German), ``None`` if quick_check finds it sound or it is missing."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    if not _is_sqlite(db_path):
        return f"Die Datenbank {db_path} ist keine SQLite-Datei mehr (der Dateikopf ist beschädigt)."
    try:
        conn = connect_read_only(db_path)
        try:
            problem = _quick_check(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        problem = str(error)
    return None if problem is None else f"Die Datenbank {db_path} ist beschädigt ({problem})."


def newest_good_backup(db_path: Path) -> BackupInfo | None:
    """The newest backup that passes :func:`check_backup` (full integrity check)."""
    for info in list_backups(db_path):
        if check_backup(info.path) is None:
            return info
    return None


@dataclass(frozen=True)
class StartProblem:
    """A damaged database found at start, and the backup to offer."""

    message: str
    backup: BackupInfo | None

    def lines(self) -> list[str]:
        out = [self.message]
        if self.backup is not None:
            out.append(f"Die neueste unbeschädigte Sicherung ist vom {self.backup.created_text} "
                       f"({self.backup.reason_label}): {self.backup.path}")
            out.append("Wiederherstellen mit: kurslotse sicherungen --wiederherstellen "
                       f"\"{self.backup.path}\" (der jetzige Stand wird vorher beiseitegelegt).")
        else:
            out.append("Es gibt keine unbeschädigte Sicherung. Bitte die Datei nicht löschen und Hilfe holen.")
        return out


DAMAGE_FOUND: dict[Path, StartProblem] = {}  # database path -> damage found by a start backup (this process)


def start_problem(db_path: Path | None) -> StartProblem | None:
    """At start: ``None`` if the database is sound; else what is wrong and the newest good backup."""
    if db_path is None:
        return None
    problem = database_problem(db_path)
    if problem is None:
        return None
    return StartProblem(problem, newest_good_backup(db_path))


def leftover_temp_files(db_path: Path) -> list[Path]:
    """Temp files of interrupted backups (this and older versions' names) in the backup folder."""
    folder = backup_dir_for(db_path)
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir()
            if path.name.endswith(".tmp") and path.name.lstrip(".").startswith("kurslotse-")]


def set_aside_files(db_path: Path) -> list[Path]:
    """Damaged database files a restore put aside (``kurslotse.sqlite3.defekt-…``)."""
    return sorted(path for path in db_path.parent.glob(db_path.name + ".defekt-*")
                  if not path.name.endswith(("-wal", "-shm", "-journal")))


def create_backup(db_path: Path, reason: str, now: dt.datetime | None = None) -> BackupInfo:
    """Copy *db_path* into its backup folder, named by time and *reason*."""
    folder = backup_dir_for(db_path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # e.g. a data folder on a stick that was pulled out
        raise BackupError(f"Der Sicherungsordner {folder} lässt sich nicht anlegen: {error.strerror or error}") from error
    when = now or dt.datetime.now()
    # Microseconds in the name keep the order of several backups within one second.
    newest = max((info.created for info in list_backups(db_path)), default=None)
    if newest is not None and when <= newest:
        when = newest + dt.timedelta(microseconds=1)
    dest = folder / f"kurslotse-{when.strftime('%Y%m%d-%H%M%S-%f')}-{reason}{VERIFIED_MARK}.sqlite3"
    try:
        copy_database(db_path, dest)
    except DamagedDatabase:
        log.warning("Keine Sicherung: die Datenbank %s ist beschädigt", db_path)
        raise
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
    everything = list_backups(db_path)
    newest_verified = next((info.path for info in everything if info.verified), None)
    same_reason = [info for info in everything if info.reason == reason]
    removed = []
    for info in same_reason[keep:]:
        if info.path == newest_verified:
            continue  # the last verified backup is always kept
        try:
            remove_file(info.path)
        except OSError as error:  # held by another program: next start tries again
            log.warning("Alte Sicherung %s nicht gelöscht: %s", info.path.name, error)
            continue
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
    damaged database file (not SQLite at all, or failing quick_check) is not copied into the backups;
    it is kept beside, renamed ``….defekt-<Zeit>`` (erasure cleans or deletes such files).
    """
    problem = check_backup(backup)
    if problem:
        raise BackupError(problem)
    safety = None
    if db_path.exists() and database_problem(db_path) is not None:
        kept = db_path.with_name(f"{db_path.name}.defekt-{dt.datetime.now():%Y%m%d-%H%M%S}")
        try:
            replace_file(db_path, kept)
            for suffix in ("-wal", "-shm"):
                remove_file(db_path.with_name(db_path.name + suffix))
        except OSError as error:
            raise BackupError(f"Die beschädigte Datenbank ließ sich nicht beiseitelegen: {error}") from error
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
    except (sqlite3.Error, OSError) as error:
        raise BackupError(f"Die Wiederherstellung aus {backup.name} ist fehlgeschlagen: {error}") from error
    DAMAGE_FOUND.pop(db_path, None)
    DAMAGE_FOUND.pop(db_path.resolve(), None)
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
    return BackupInfo(path=path, created=created, reason=match.group(2), size_bytes=path.stat().st_size,
                      verified=bool(match.group(3)))
