"""Löschen (DSGVO Art. 17) so that the data is really gone: database, database file, WAL and backups.

:func:`app.services.privacy.erase_person` blanks the person's personal fields in one transaction
and records the tombstone that travels through sync. Blanked values still sit in free pages of
the SQLite file and in the write-ahead log, and the rolling backups in ``sicherungen/`` hold the
old rows. :func:`purge_traces` therefore

1. applies every tombstone this database knows to every backup file (so restoring an old backup
   does not bring the person back) and rebuilds those files with VACUUM; the same for a damaged
   database set aside by a restore (``kurslotse.sqlite3.defekt-*``) — one that cannot be cleaned
   is deleted; temp files of interrupted backups are deleted;
2. runs VACUUM on the database (rewrites the file without free pages) and a TRUNCATE checkpoint
   (the WAL is copied into the file and cut to zero bytes).

:func:`erase_people` also removes every log line that holds one of the person's texts (older
versions could log them; now nothing personal is logged, see ``app.logsetup``). Own sync files,
also those of earlier device ids of this database, are rewritten by the next sync
(``app.sync.service``); old versions a sync tool keeps (Syncthing's ``.stversions``) are named.

What stays on the disk outside Kurslotse's reach (copies a person made by hand, sectors the file
system has not overwritten yet) is explained in the README.

On a database server (a project office's PostgreSQL) there is no file here: the rows and the
change log are cleared in the same transaction; what only the server's administrators can remove
(its backups, its WAL archive) is explained by ``app.server_database.erasure_lines``.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.exc import SQLAlchemyError

from app.domain.attendance import InputError
from app.platform import sqlite_url
from app.services import privacy
from app.storage import backups
from app.storage import device as local_settings
from app.storage.changelog import PERSONAL_FIELDS, erase_record, loads
from app.storage.database import Database
from app.storage.models import Participant, SyncErased

log = logging.getLogger(__name__)
KEY_PURGED = "erasures_purged"  # local_meta: how many tombstones the file and backups were last cleaned for


@dataclass
class ErasureReport:
    """What an erasure did, for the message shown afterwards."""

    erased: list[int] = field(default_factory=list)
    already_erased: list[int] = field(default_factory=list)
    backups_cleaned: int = 0
    problems: list[str] = field(default_factory=list)
    version_folders: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.erased:
            out.append(
                f"{len(self.erased)} Person{'en' if len(self.erased) != 1 else ''} gelöscht: Name, Kontakt, "
                "Geburtsjahr und Notiz sind entfernt; für die Statistik bleibt ein anonymer Platzhalter."
            )
        if self.already_erased:
            out.append(f"Schon früher gelöscht: Nr. {', '.join(str(n) for n in self.already_erased)}.")
        if self.backups_cleaned:
            out.append(f"Auch in {self.backups_cleaned} Sicherung{'en' if self.backups_cleaned != 1 else ''} entfernt.")
        if self.erased:
            out.append("Beim nächsten Abgleich wird die Löschung an die anderen Laptops weitergegeben.")
        if self.erased and self.version_folders:
            out.append("Achtung: Ein Abgleich-Programm hebt alte Fassungen der Abgleich-Dateien auf in "
                       f"{', '.join(self.version_folders)}. Dort steht die Person noch drin; bitte diese "
                       "Fassungen dort von Hand löschen.")
        out.extend(self.problems)
        return out


def erase_people(db: Database, participant_ids: list[int]) -> ErasureReport:
    """Erase each person (placeholder stays for counts), then remove the traces from file, WAL and backups."""
    report = ErasureReport()
    records = [(pid, privacy.person_uuid(db, pid)) for pid in participant_ids]  # unknown numbers: nothing erased
    texts = _personal_texts(db, [record for _pid, record in records])
    for participant_id, record in records:
        if privacy.erase_person(db, record):
            report.erased.append(participant_id)
        else:
            report.already_erased.append(participant_id)
    report.backups_cleaned, report.problems = purge_traces(db)
    scrub_log(texts)
    report.version_folders = _version_folders_of_last_sync(db)
    return report


def _personal_texts(db: Database, records: list[str]) -> set[str]:
    """The texts of these people that must not survive anywhere (read before they are blanked)."""
    names = [name for name in PERSONAL_FIELDS["participants"] if name != "name_key"]
    columns = [Participant.__table__.c[name] for name in names]
    found: set[str] = set()
    with db.engine.connect() as conn:
        for record in records:
            row = conn.execute(select(*columns).where(Participant.uuid == record, Participant.erased.is_(False))).first()
            if row:
                found |= {value for value in row if isinstance(value, str)}
    return {text for text in found if len(text.strip()) >= 3}


def scrub_log(texts: set[str] | list[str]) -> int:
    """Remove every line of the log files that contains one of *texts*; returns how many lines went.

    The file is rewritten in place (not replaced), so the open log handler keeps appending to it.
    """
    wanted = [text.casefold() for text in texts if text and len(text.strip()) >= 3]
    if not wanted:
        return 0
    from app import paths

    for handler in logging.getLogger().handlers:
        with contextlib.suppress(Exception):
            handler.flush()
    base = paths.log_file()
    removed = 0
    for candidate in [base, *sorted(base.parent.glob(base.name + ".*"))]:
        try:
            with open(candidate, "r+", encoding="utf-8", errors="surrogateescape", newline="") as handle:
                lines = handle.readlines()
                kept = [line for line in lines if not any(text in line.casefold() for text in wanted)]
                if len(kept) == len(lines):
                    continue
                handle.seek(0)
                handle.writelines(kept)
                handle.truncate()
                removed += len(lines) - len(kept)
        except OSError:
            continue
    return removed


def _version_folders_of_last_sync(db: Database) -> list[str]:
    from app.sync.service import last_folder, version_folders

    try:
        folder = last_folder(db)
        return [str(path) for path in version_folders(Path(folder))] if folder else []
    except (OSError, SQLAlchemyError):
        return []


def erase_one(db: Database, participant_id: int) -> ErasureReport:
    return erase_people(db, [participant_id])


def purge_traces(db: Database) -> tuple[int, list[str]]:
    """Apply all tombstones to the backups, VACUUM and checkpoint the database; (backups changed, problems)."""
    if db.path is None or db.is_server:
        return 0, []  # a server's files, WAL and backups are the server's (app.server_database)
    with db.engine.connect() as conn:
        tombstones = conn.execute(select(SyncErased.record_uuid, SyncErased.table_name, SyncErased.hlc,
                                         SyncErased.device)).all()
    cleaned, problems = 0, []
    stones = [tuple(row) for row in tombstones]
    for info in backups.list_backups(db.path):
        try:
            if _scrub_backup(info.path, stones):
                cleaned += 1
        except (sqlite3.Error, OSError, SQLAlchemyError) as error:  # one bad backup must not stop the rest
            log.warning("Sicherung %s konnte nicht bereinigt werden: %s", info.path, error)
            problems.append(
                f"Die Sicherung {info.path.name} konnte nicht bereinigt werden ({error}). "
                "Bitte im Sicherungsordner von Hand löschen."
            )
    if stones:
        for leftover in backups.leftover_temp_files(db.path):
            with contextlib.suppress(OSError):
                leftover.unlink()
                log.info("Reste einer abgebrochenen Sicherung gelöscht: %s", leftover.name)
        for kept in backups.set_aside_files(db.path):
            done, problem = _clean_set_aside(kept, stones)
            cleaned += done
            if problem:
                problems.append(problem)
    with db.write_connection() as conn:  # before the VACUUM, so the file ends with an empty WAL
        previous = local_settings.get_meta(conn, KEY_PURGED) or "0"
        local_settings.set_meta(conn, KEY_PURGED, str(len(tombstones)))
    problem = compact(db)
    if problem:
        problems.append(problem)
        try:
            with db.write_connection() as conn:  # try again next time (purge_if_needed)
                local_settings.set_meta(conn, KEY_PURGED, previous if previous != str(len(tombstones)) else "-1")
        except SQLAlchemyError:
            log.warning("Merker für das Aufräumen nach dem Löschen nicht gespeichert")
    return cleaned, problems


def purge_if_needed(db: Database) -> tuple[int, list[str]] | None:
    """:func:`purge_traces` only if erasures arrived (e.g. by sync) since the last cleaning; ``None``: nothing to do.

    Call it after a sync import and at program start: an erasure that came from another laptop
    blanks the fields at once, but the old values stay in free pages until the file is rebuilt.
    """
    if db.path is None or db.is_server:
        return None
    with db.engine.connect() as conn:
        known = len(conn.execute(select(SyncErased.record_uuid)).all())
        done = local_settings.get_meta(conn, KEY_PURGED)
    if known == int(done or 0):
        return None
    return purge_traces(db)


def compact(db: Database) -> str | None:
    """VACUUM (no free pages keep old values) and a TRUNCATE checkpoint (the WAL file ends empty).

    Returns a German problem text if the file could not be rebuilt now (another writer held it).
    """
    if db.path is None or db.is_server:
        return None
    try:
        with db.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("VACUUM")
            for _attempt in range(50):  # a reader on another thread may hold the WAL for a moment
                busy, _log_pages, _done = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                if not busy:
                    return None
                time.sleep(0.05)
    except sqlite3.Error as error:
        log.warning("VACUUM nach dem Löschen fehlgeschlagen: %s", error)
        return ("Die Datenbankdatei konnte gerade nicht aufgeräumt werden (sie war in Benutzung). "
                "Die Daten sind gelöscht; alte Reste in der Datei werden beim nächsten Programmstart entfernt.")
    log.warning("Die WAL-Datei konnte nicht geleert werden (die Datenbank war die ganze Zeit in Benutzung).")
    return ("Die Datenbankdatei konnte gerade nicht ganz aufgeräumt werden (sie war in Benutzung). "
            "Die Daten sind gelöscht; alte Reste in der Datei werden beim nächsten Programmstart entfernt.")


def _clean_set_aside(path: Path, tombstones: list[tuple[str, str, int, str]]) -> tuple[int, str | None]:
    """Clean a damaged database set aside by a restore; delete it when it cannot be cleaned."""
    try:
        with open(path, "rb") as handle:
            sqlite = handle.read(16) == b"SQLite format 3\x00"
        if sqlite:
            changed = _scrub_backup(path, tombstones)
            conn = backups.connect_read_only(path)
            try:
                sound = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            finally:
                conn.close()
            if sound:
                return int(changed), None
    except (sqlite3.Error, OSError, SQLAlchemyError) as error:
        log.warning("Beiseitegelegte Datenbank %s nicht bereinigt: %s", path.name, error)
    try:
        path.unlink()
        for suffix in ("-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    except OSError as error:
        return 0, (f"Die beiseitegelegte beschädigte Datenbank {path} lässt sich nicht bereinigen und nicht löschen "
                   f"({error}). Bitte von Hand löschen.")
    log.info("Beiseitegelegte beschädigte Datenbank %s gelöscht (nicht zu bereinigen)", path.name)
    return 1, (f"Die beiseitegelegte beschädigte Datenbank {path.name} konnte nicht bereinigt werden; "
               "sie wurde deshalb gelöscht.")


def _personal_blank_condition(table: str) -> tuple[str, list[object]]:
    """SQL that is true while a row still holds any personal value of *table*."""
    parts, params = [], []
    for name, blank in PERSONAL_FIELDS[table].items():
        value = loads(blank)
        if value is None:
            parts.append(f"{name} IS NOT NULL")
        else:
            parts.append(f"{name} IS NOT ?")
            params.append(value)
    return " OR ".join(parts), params


def _scrub_backup(path: Path, tombstones: list[tuple[str, str, int, str]]) -> bool:
    """Apply the tombstones to one backup file; ``True`` if it held data of an erased person."""
    if not tombstones:
        return False
    conn = sqlite3.connect(path)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        needed = []
        for record, table, hlc, device in tombstones:
            if table not in tables or table not in PERSONAL_FIELDS:
                continue
            condition, params = _personal_blank_condition(table)
            found = conn.execute(
                f"SELECT 1 FROM {table} WHERE uuid = ? AND ({condition})", (record, *params)  # noqa: S608
            ).fetchone()
            # A backup of the current schema also keeps copies in the change log: no tombstone yet, so clean it.
            copies = "sync_erased" in tables and conn.execute(
                "SELECT 1 FROM sync_erased WHERE record_uuid = ?", (record,)
            ).fetchone() is None
            present = conn.execute(f"SELECT 1 FROM {table} WHERE uuid = ?", (record,)).fetchone()  # noqa: S608
            if present and (found or copies):
                needed.append((record, table, hlc, device))
    finally:
        conn.close()
    if not needed:
        return False
    if "sync_erased" in tables:
        # A backup of the current schema: the same erasure as in the live database (rows, change log, conflicts).
        engine = create_engine(sqlite_url(path))  # a data folder named "100 %" or with "?" stays itself
        try:
            with engine.begin() as sa_conn:
                for record, table, hlc, device in needed:
                    erase_record(sa_conn, table, record, (hlc, device))
        finally:
            engine.dispose()
    else:
        # An older backup (before schema 2: no change log): blank the personal columns of the row.
        conn = sqlite3.connect(path)
        try:
            with conn:
                for record, table, _hlc, _device in needed:
                    fields = PERSONAL_FIELDS[table]
                    conn.execute(
                        f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in fields)} WHERE uuid = ?",  # noqa: S608
                        (*[loads(v) for v in fields.values()], record),
                    )
        finally:
            conn.close()
    conn = sqlite3.connect(path)
    try:
        conn.execute("VACUUM")
        with contextlib.suppress(sqlite3.Error):
            conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    log.info("Sicherung %s von gelöschten Personen bereinigt", path.name)
    return True


def check_person(db: Database, participant_id: int) -> None:
    """InputError if *participant_id* does not exist (before asking for confirmation)."""
    privacy.person_uuid(db, participant_id)


__all__ = ["ErasureReport", "InputError", "check_person", "compact", "erase_one", "erase_people", "purge_if_needed",
           "purge_traces"]
