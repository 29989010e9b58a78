"""``synchronise``: write this device's new operations into the shared folder, then import everyone else's.

Each imported file is its own transaction (with its entry in ``sync_files``): a sync that is
killed leaves every file either completely applied or not at all. What this device wrote into
a folder is worked out from the files present there, so a second folder (another USB stick) or
a wiped stick simply gets everything again.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from app.storage import device as device_state
from app.storage.changelog import PERSONAL_FIELDS, Op
from app.storage.database import Database
from app.storage.models import utc_now
from app.sync import fileformat, folder as folder_io
from app.sync.fileformat import RefusedFile
from app.sync.merge import ImportResult, apply_ops

log = logging.getLogger(__name__)

EXPORT_CHUNK = 20_000
KEY_SALT = "sync_salt"
DEMO_META_KEY = "demo_data"  # app.services.demo marks a database of demo data with it

Progress = Callable[[int, int, str], None]

TABLE_LABELS = {
    "organisation": ("Organisation", "Organisationen"), "trainers": ("Trainer/in", "Trainer/innen"),
    "municipalities": ("Ortsgemeinde", "Ortsgemeinden"), "courses": ("Kurs", "Kurse"),
    "course_trainers": ("Kursleitung", "Kursleitungen"), "course_lessons": ("geplante Lektion", "geplante Lektionen"),
    "termine": ("Termin", "Termine"), "termin_lessons": ("Termin-Lektion", "Termin-Lektionen"),
    "participants": ("Teilnehmende/r", "Teilnehmende"), "consents": ("Einwilligung", "Einwilligungen"),
    "enrolments": ("Anmeldung", "Anmeldungen"), "attendances": ("Anwesenheit", "Anwesenheiten"),
    "topic_tallies": ("Themenzählung", "Themenzählungen"),
}


class SyncError(Exception):
    """The sync could not run at all (German message); nothing was changed."""


@dataclass(frozen=True)
class Refusal:
    """A file that was not imported, and why."""

    label: str
    reason: str
    message: str


@dataclass
class SyncReport:
    """What a sync did: files written and read, new records, conflicts, refused files."""

    folder: Path
    device_id: str
    device_name: str
    written_files: int = 0
    written_ops: int = 0
    read_files: int = 0
    read_ops: int = 0
    duplicates: int = 0
    devices: set[str] = field(default_factory=set)
    result: ImportResult = field(default_factory=ImportResult)
    refused: list[Refusal] = field(default_factory=list)
    export_note: str = ""
    renewed: bool = False
    open_conflicts: int = 0
    scrubbed: int = 0  # own older files rewritten without the personal data of erased people

    @property
    def complete(self) -> bool:
        """Everything was written and every file could be read."""
        return not self.refused and not self.export_note

    @property
    def changed_anything(self) -> bool:
        return bool(self.read_files or self.result.erased)

    def lines(self) -> list[str]:
        """The German summary shown after a sync."""
        out = [f"Abgleich mit {self.folder} (dieses Gerät: »{self.device_name}«)"]
        if self.renewed:
            out.append("  Hinweis: Diese Datenbank wurde kopiert oder zurückgespielt; sie schreibt ab jetzt "
                       "unter einer neuen Geräte-Kennung.")
        if self.export_note:
            out.append(f"  Nicht geschrieben: {self.export_note}")
        elif self.written_files:
            out.append(f"  Geschrieben: {self.written_files} neue Datei{'en' if self.written_files != 1 else ''} "
                       f"mit {self.written_ops} Änderung{'en' if self.written_ops != 1 else ''}")
        else:
            out.append("  Geschrieben: nichts (keine neuen Änderungen auf diesem Gerät)")
        if self.read_files:
            out.append(f"  Gelesen: {self.read_files} neue Datei{'en' if self.read_files != 1 else ''} von "
                       f"{len(self.devices)} Gerät{'en' if len(self.devices) != 1 else ''} "
                       f"({self.read_ops} Änderungen)")
        else:
            out.append("  Gelesen: nichts Neues")
        if self.result.new_records:
            parts = [f"{count} {TABLE_LABELS.get(table, (table, table))[count != 1]}"
                     for table, count in sorted(self.result.new_records.items(), key=lambda item: -item[1])]
            out.append(f"  Neue Einträge: {', '.join(parts)}")
        if self.result.changed_records:
            out.append(f"  Geänderte Einträge: {self.result.changed_records}")
        if self.result.erased:
            out.append(f"  Gelöschte Personen (Datenschutz): {self.result.erased}")
        if self.scrubbed:
            out.append(f"  Ältere eigene Dateien ohne Daten gelöschter Personen neu geschrieben: {self.scrubbed}")
        if self.duplicates:
            out.append(f"  Doppelte Dateien übersprungen: {self.duplicates}")
        if self.result.pending:
            out.append(f"  Warten auf fehlende Daten anderer Geräte: {self.result.pending} Einträge")
        out.append(f"  Neue Konflikte: {self.result.conflicts} (offen insgesamt: {self.open_conflicts})")
        if self.refused:
            out.append(f"  Abgelehnte Dateien: {len(self.refused)}")
            out.extend(f"    – {refusal.message}" for refusal in self.refused)
        else:
            out.append("  Abgelehnte Dateien: keine")
        return out


def _salt(conn: Connection) -> bytes:
    stored = device_state.get_meta(conn, KEY_SALT)
    if stored:
        return base64.b64decode(stored)
    salt = fileformat.new_salt()
    device_state.set_meta(conn, KEY_SALT, base64.b64encode(salt).decode("ascii"))
    return salt


def synchronise(
    db: Database, root: Path | str, passphrase: str | None = None, progress: Progress | None = None,
    announce: bool = True,
) -> SyncReport:
    """Export this device's new operations into *root*, then import every other device's new files."""
    root = Path(root).expanduser()
    if not root.is_dir():
        raise SyncError(f"Den Abgleich-Ordner {root} gibt es nicht (ist der USB-Stick eingesteckt?).")
    if db.engine.dialect.name != "sqlite":
        raise SyncError("Der Abgleich braucht die SQLite-Datenbank von Kurslotse.")
    try:
        files = folder_io.scan(root)
    except OSError as error:
        raise SyncError(f"Der Abgleich-Ordner {root} kann nicht gelesen werden: {error}") from error
    with db.write_connection() as conn:
        if device_state.get_meta(conn, DEMO_META_KEY):
            raise SyncError("Diese Datenbank enthält Demo-Daten. Damit sie nicht in echte Daten geraten, "
                            "ist der Abgleich gesperrt. Bitte mit einem leeren Datenordner beginnen.")
        me = device_state.device_id(conn)
        own_known = {row[0] for row in conn.exec_driver_sql("SELECT seq FROM sync_files WHERE device = ?", (me,))}
        strangers = [f for f in files if f.device == me and not f.copy and f.seq not in own_known]
        renewed = False
        if strangers:
            # Files under our id that we never wrote: this database is a copy (or an old backup).
            me = device_state.renew(conn, f"fremde Dateien unter der eigenen Kennung in {root}", give_away=True)
            renewed = True
        report = SyncReport(root, me, device_state.device_name(conn), renewed=renewed)
    plan_total = 1 + len(files)
    if progress:
        progress(0, plan_total, "Eigene Änderungen schreiben …")
    _export(db, root, files, passphrase, report)
    files = folder_io.scan(root)
    to_read = _files_to_read(db, files, report.device_id)
    total = 1 + len(to_read)
    for number, item in enumerate(to_read, start=1):
        if progress:
            progress(number, total, f"Lese {item.label(root)}")
        _import_one(db, root, item, passphrase, report)
    if not report.export_note:
        _scrub(db, root, folder_io.scan(root), passphrase, report)
    # An erasure that arrived blanks the fields at once; the old values also leave the file's free
    # pages, the WAL and the backups (cheap when no new erasure came).
    from app.services.erasure import purge_if_needed

    purge_if_needed(db)
    with db.engine.connect() as conn:
        report.open_conflicts = count_open_conflicts(conn)
    if progress:
        progress(total, total, "Fertig")
    if announce and report.changed_anything:
        from app.services import events

        events.notify(*events.EVERYTHING)
    return report


# --------------------------------------------------------------------------- export

def _covered_ranges(conn: Connection, files: list[folder_io.FolderFile]) -> list[tuple[int, int]]:
    present = {(f.device, f.seq) for f in files if not f.copy}
    rows = conn.exec_driver_sql("SELECT device, seq, first_op, last_op FROM sync_files WHERE own = 1").all()
    return sorted((first, last) for dev, seq, first, last in rows if (dev, seq) in present and last >= first > 0)


def _gaps(ranges: list[tuple[int, int]], highest: int) -> list[tuple[int, int]]:
    """Op-id ranges up to *highest* that no file in the folder holds yet."""
    gaps, start = [], 1
    for first, last in ranges:
        if first > start:
            gaps.append((start, first - 1))
        start = max(start, last + 1)
    if start <= highest:
        gaps.append((start, highest))
    return gaps


def _folder_is_encrypted(files: list[folder_io.FolderFile]) -> bool:
    newest: dict[str, folder_io.FolderFile] = {}
    for item in files:
        if not item.copy:
            newest[item.device] = item
    return any(fileformat.peek_encrypted(item.path) for item in newest.values())


def _export(db: Database, root: Path, files: list[folder_io.FolderFile], passphrase: str | None,
            report: SyncReport) -> None:
    if not passphrase and _folder_is_encrypted(files):
        report.export_note = ("Der Abgleich-Ordner ist verschlüsselt. Bitte das Passwort angeben, "
                              "sonst werden die eigenen Änderungen nicht hineingeschrieben.")
        return
    try:
        folder_io.remove_stale_temp_files(root, report.device_id)
    except OSError:
        pass
    while True:
        with db.write_connection() as conn:
            highest = conn.exec_driver_sql("SELECT max(id) FROM sync_ops").scalar() or 0
            gaps = _gaps(_covered_ranges(conn, files), highest)
            if not gaps:
                return
            rows = []
            for first, last in gaps:
                rows = conn.exec_driver_sql(
                    "SELECT id, hlc, device, table_name, record_uuid, field, value, prev FROM sync_ops "
                    "WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?", (first, last, EXPORT_CHUNK),
                ).all()
                if rows:
                    break
            if not rows:
                return
            ops = [Op(hlc, dev, table, record, name, value, _prev(prev)) for _id, hlc, dev, table, record, name, value, prev in rows]
            seq = max(
                conn.exec_driver_sql("SELECT max(seq) FROM sync_files WHERE device = ?", (report.device_id,)).scalar() or 0,
                folder_io.highest_seq(root, report.device_id),
            ) + 1
            data = fileformat.encode_file(
                report.device_id, report.device_name, seq, ops, passphrase, _salt(conn) if passphrase else None,
            )
            try:
                path = folder_io.write_new_file(root, report.device_id, seq, data)
            except OSError as error:
                # A full or write-protected stick: the other devices' files are still read.
                report.export_note = f"In den Abgleich-Ordner {root} kann nicht geschrieben werden ({error})."
                return
            stat = path.stat()
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO sync_files (device, seq, checksum, size, mtime_ns, ops, encrypted, own, "
                "first_op, last_op, erasures, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, "
                "(SELECT count(*) FROM sync_erased), ?)",
                (report.device_id, seq, data[-32:].hex(), stat.st_size, stat.st_mtime_ns, len(ops),
                 bool(passphrase), rows[0][0], rows[-1][0], utc_now()),
            )
            files = files + [folder_io.FolderFile(path, report.device_id, seq, stat.st_size, stat.st_mtime_ns)]
            report.written_files += 1
            report.written_ops += len(ops)


def _scrub(db: Database, root: Path, files: list[folder_io.FolderFile], passphrase: str | None,
           report: SyncReport) -> None:
    """Rewrite own files that still hold personal data of people erased since they were written.

    The only time a file is replaced: by the device that wrote it, atomically, with the same
    operations (personal values of erased people now blank). An own file that was swapped for an
    older version (an old copy of the stick put back) is rewritten the same way. Other devices
    re-read it, because its checksum changed.
    """
    present = {(f.device, f.seq): f for f in files if not f.copy}
    personal = tuple(PERSONAL_FIELDS["participants"])
    marks = ",".join("?" * len(personal))
    with db.engine.connect() as conn:
        erasures = conn.exec_driver_sql("SELECT count(*) FROM sync_erased").scalar() or 0
        not_ours = set(device_state.given_away(conn))
        own = conn.exec_driver_sql(
            "SELECT device, seq, first_op, last_op, encrypted, erasures, size, mtime_ns, checksum FROM sync_files "
            "WHERE own = 1 AND ops > 0"
        ).all()
    for dev, seq, first, last, encrypted, done, size, mtime, checksum in own:
        item = present.get((dev, seq))
        if item is None or dev in not_ours or (encrypted and not passphrase):
            continue  # not in this folder, another copy's file, or it needs the password: next time
        swapped = (item.size, item.mtime_ns) != (size, mtime) and _tail_checksum(item.path) != checksum
        if done >= erasures and not swapped:
            continue
        with db.write_connection() as conn:
            holds = swapped or conn.exec_driver_sql(
                "SELECT 1 FROM sync_ops o JOIN sync_erased e ON e.record_uuid = o.record_uuid "
                f"WHERE o.id BETWEEN ? AND ? AND o.field IN ({marks}) LIMIT 1",  # noqa: S608
                (first, last, *personal),
            ).first() is not None
            if not holds:
                conn.exec_driver_sql("UPDATE sync_files SET erasures = ? WHERE device = ? AND seq = ?",
                                     (erasures, dev, seq))
                continue
            rows = conn.exec_driver_sql(
                "SELECT hlc, device, table_name, record_uuid, field, value, prev FROM sync_ops "
                "WHERE id BETWEEN ? AND ? ORDER BY id", (first, last),
            ).all()
            ops = [Op(h, d, t, r, f, v, _prev(p)) for h, d, t, r, f, v, p in rows]
            data = fileformat.encode_file(dev, report.device_name, seq, ops, passphrase if encrypted else None,
                                          _salt(conn) if encrypted else None)
            try:
                path = folder_io.replace_file(root, dev, seq, data)
            except OSError:
                continue  # a write-protected stick: next time
            stat = path.stat()
            conn.exec_driver_sql(
                "UPDATE sync_files SET checksum = ?, size = ?, mtime_ns = ?, erasures = ? WHERE device = ? AND seq = ?",
                (data[-32:].hex(), stat.st_size, stat.st_mtime_ns, erasures, dev, seq),
            )
            report.scrubbed += 1


def _tail_checksum(path: Path) -> str:
    """The checksum stored in a file's last 32 bytes ('' if unreadable)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(-32, os.SEEK_END)
            return handle.read(32).hex()
    except OSError:
        return ""


def _prev(text: str) -> tuple[tuple[int, str], ...]:
    if not text:
        return ()
    import json

    return tuple((int(h), str(d)) for h, d in json.loads(text))


# --------------------------------------------------------------------------- import

def _files_to_read(db: Database, files: list[folder_io.FolderFile], me: str) -> list[folder_io.FolderFile]:
    with db.engine.connect() as conn:
        known = {(dev, seq): (size, mtime) for dev, seq, size, mtime in
                 conn.exec_driver_sql("SELECT device, seq, size, mtime_ns FROM sync_files")}
    wanted = []
    for item in files:
        if item.device == me and not item.copy:
            continue
        if not item.copy and known.get((item.device, item.seq)) == (item.size, item.mtime_ns):
            continue
        wanted.append(item)
    return wanted


def _import_one(db: Database, root: Path, item: folder_io.FolderFile, passphrase: str | None,
                report: SyncReport) -> None:
    label = item.label(root)
    try:
        data = item.path.read_bytes()
    except OSError as error:
        report.refused.append(Refusal(label, "unlesbar", f"{label}: Die Datei kann nicht gelesen werden ({error})."))
        return
    checksum = data[-32:].hex() if len(data) >= 32 else ""
    with db.engine.connect() as conn:
        known = conn.exec_driver_sql(
            "SELECT checksum FROM sync_files WHERE device = ? AND seq = ?", (item.device, item.seq)
        ).scalar()
    if known is not None and known == checksum:
        if item.copy:
            report.duplicates += 1
        else:
            with db.write_connection() as conn:
                conn.exec_driver_sql("UPDATE sync_files SET size = ?, mtime_ns = ? WHERE device = ? AND seq = ?",
                                     (item.size, item.mtime_ns, item.device, item.seq))
        return
    try:
        content = fileformat.decode_file(data, label, passphrase, item.device, item.seq)
    except RefusedFile as refused:
        report.refused.append(Refusal(label, refused.reason, refused.message))
        log.warning("Abgleich-Datei abgelehnt: %s", refused.message)
        return
    with db.write_connection() as conn:
        if item.copy and _stale_own_copy(conn, item.device, content.ops):
            result = None
        else:
            result = apply_ops(conn, content.ops)
        if result is not None and not item.copy:
            conn.exec_driver_sql(
                "INSERT OR REPLACE INTO sync_files (device, seq, checksum, size, mtime_ns, ops, encrypted, own, "
                "first_op, last_op, erasures, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?)",
                (item.device, item.seq, content.checksum, item.size, item.mtime_ns, len(content.ops),
                 content.encrypted, utc_now()),
            )
        conn.exec_driver_sql(
            "INSERT INTO sync_devices (device, name, last_seen) VALUES (?, ?, ?) "
            "ON CONFLICT(device) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen",
            (content.device, content.device_name[:120], utc_now()),
        )
    if result is None:
        # A sync tool's copy of an older version of our own file (maybe still holding data of an erased
        # person): only this device writes its folder, so it removes the copy.
        try:
            item.path.unlink()
        except OSError:
            pass
        report.duplicates += 1
        return
    if item.copy and not result.changed:
        report.duplicates += 1
        return
    report.read_files += 1
    report.read_ops += len(content.ops)
    report.devices.add(content.device)
    report.result.add(result)


def _stale_own_copy(conn: Connection, device: str, ops: list[Op]) -> bool:
    """A conflict copy in a folder this database writes, holding only operations it made itself."""
    if conn.exec_driver_sql("SELECT 1 FROM sync_files WHERE device = ? AND own = 1 LIMIT 1", (device,)).first() is None:
        return False
    return all(conn.exec_driver_sql(
        "SELECT 1 FROM sync_ops WHERE record_uuid = ? AND field = ? AND hlc = ? AND device = ?",
        (op.record, op.field, op.hlc, op.device),
    ).first() is not None for op in ops)


def count_open_conflicts(conn: Connection) -> int:
    """Conflicts whose losing value still differs from the value the field holds."""
    return int(conn.exec_driver_sql(
        "SELECT count(*) FROM sync_conflicts c JOIN sync_fields f "
        "ON f.record_uuid = c.record_uuid AND f.field = c.field WHERE c.value IS NOT f.value"
    ).scalar() or 0)


# --------------------------------------------------------------------------- small helpers for the views

KEY_LAST_FOLDER = "sync_last_folder"


def device_info(db: Database) -> tuple[str, str]:
    """(device id, device name) of this installation."""
    with db.write_connection() as conn:
        return device_state.device_id(conn), device_state.device_name(conn)


def set_device_name(db: Database, name: str) -> str:
    """Name this device (»Laptop Silvia«); the name travels in every file it writes."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise SyncError("Bitte einen Namen für dieses Gerät eingeben, z. B. »Laptop Silvia«.")
    with db.write_connection() as conn:
        return device_state.set_device_name(conn, cleaned)


def last_folder(db: Database) -> str:
    """The folder of the last sync on this device ('' if none)."""
    with db.engine.connect() as conn:
        return device_state.get_meta(conn, KEY_LAST_FOLDER) or ""


def remember_folder(db: Database, folder: Path | str) -> None:
    with db.write_connection() as conn:
        device_state.set_meta(conn, KEY_LAST_FOLDER, str(folder))


def open_conflicts(db: Database) -> int:
    with db.engine.connect() as conn:
        return count_open_conflicts(conn)
