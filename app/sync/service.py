"""``synchronise``: write this device's new operations into the shared folder, then import everyone else's.

Each imported file is its own transaction (with its entry in ``sync_files``): a sync that is
killed leaves every file either completely applied or not at all. What this device wrote into
a folder is worked out from the files present there, so a second folder (another USB stick) or
a wiped stick simply gets everything again.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    func,
    literal_column,
    select,
    update,
)

from app.storage import device as device_state
from app.storage.changelog import PERSONAL_FIELDS, Op, erased_records, upsert
from app.storage.database import Database
from app.storage.models import (
    LocalMeta,
    SyncConflict,
    SyncDevice,
    SyncErased,
    SyncField,
    SyncFile,
    SyncOp,
    utc_now,
)
from app.storage.sqlcompat import is_server
from app.sync import fileformat, keycheck
from app.sync import folder as folder_io
from app.sync.fileformat import RefusedFile
from app.sync.merge import ImportResult, apply_ops

log = logging.getLogger(__name__)

EXPORT_CHUNK = 20_000
KEY_SALT = "sync_salt"
DEMO_META_KEY = "demo_data"  # app.services.demo marks a database of demo data with it

Progress = Callable[[int, int, str], None]

# The statements every sync runs, built once: building ``select(...).where(...)`` and its cache key
# anew each time cost more than running the small query itself (a sync with nothing to do runs
# about fifteen of them).
_META = select(LocalMeta.key, LocalMeta.value).where(LocalMeta.key.in_(bindparam("keys", expanding=True)))
_OWN_SEQS = select(SyncFile.seq).where(SyncFile.device == bindparam("device"))
_ALL_FILES = select(SyncFile.device, SyncFile.seq, SyncFile.size, SyncFile.mtime_ns)
_OWN_RANGES = select(SyncFile.device, SyncFile.seq, SyncFile.first_op, SyncFile.last_op).where(SyncFile.own.is_(True))
_OWN_WRITTEN = (select(SyncFile.device, SyncFile.seq, SyncFile.first_op, SyncFile.last_op, SyncFile.encrypted,
                       SyncFile.erasures, SyncFile.size, SyncFile.mtime_ns, SyncFile.checksum)
                .where(SyncFile.own.is_(True), SyncFile.ops > 0))
_HIGHEST_OP = select(func.max(SyncOp.id))
_HIGHEST_SEQ = select(func.max(SyncFile.seq)).where(SyncFile.device == bindparam("device"))
_CHECKSUM = select(SyncFile.checksum).where(SyncFile.device == bindparam("device"), SyncFile.seq == bindparam("seq"))
_SET_SIZE = (update(SyncFile).where(SyncFile.device == bindparam("b_device"), SyncFile.seq == bindparam("b_seq"))
             .values(size=bindparam("b_size"), mtime_ns=bindparam("b_mtime")))
_OWN_DEVICE = select(SyncFile.seq).where(SyncFile.device == bindparam("device"), SyncFile.own.is_(True)).limit(1)
_OP_KNOWN = select(SyncOp.id).where(
    SyncOp.record_uuid == bindparam("record"), SyncOp.field == bindparam("field"), SyncOp.hlc == bindparam("hlc"),
    SyncOp.device == bindparam("device"),
).limit(1)
_ERASED_COUNT = select(func.count()).select_from(SyncErased)
_ERASED_ROWID = select(func.coalesce(func.max(literal_column("rowid")), 0)).select_from(SyncErased)
_OPEN_CONFLICTS = (
    select(func.count()).select_from(SyncConflict)
    .join(SyncField, (SyncField.record_uuid == SyncConflict.record_uuid) & (SyncField.field == SyncConflict.field))
    .where(SyncConflict.value.is_distinct_from(SyncField.value))
)

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


VANISHED = ("Der Ordner {root} ist nicht mehr erreichbar (USB-Stick abgezogen?). Was bis dahin gelesen wurde, "
            "ist vollständig übernommen; bitte den Stick wieder einstecken und den Abgleich wiederholen.")
KEY_REKEYED = "sync_rekeyed_for"  # verifier fingerprints this database's own files were checked against


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
    held: list[Refusal] = field(default_factory=list)  # files stamped too far in the future, read again later
    export_note: str = ""
    renewed: bool = False
    open_conflicts: int = 0
    scrubbed: int = 0  # own older files rewritten without the personal data of erased people
    rekeyed: int = 0  # own files written again under the folder's passphrase
    clock_note: str = ""
    version_folders: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Everything was written and every file could be read and applied."""
        return not self.refused and not self.export_note and not self.held

    @property
    def changed_anything(self) -> bool:
        return bool(self.read_files or self.result.erased)

    def lines(self) -> list[str]:
        """The German summary shown after a sync."""
        out = [f"Abgleich mit {self.folder} (dieses Gerät: »{self.device_name}«)"]
        if self.clock_note:
            out.append(f"  Achtung Uhr: {self.clock_note}")
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
        if self.rekeyed:
            out.append(f"  Eigene Dateien mit dem Passwort des Ordners neu verschlüsselt: {self.rekeyed}")
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
        if self.version_folders and (self.scrubbed or self.result.erased):
            out.append("  Achtung Datenschutz: Ein Abgleich-Programm hebt alte Fassungen auf in "
                       f"{', '.join(self.version_folders)}; dort stehen gelöschte Personen noch drin. "
                       "Bitte diese Fassungen dort löschen (siehe Handbuch, Abschnitt Abgleich).")
        if self.duplicates:
            out.append(f"  Doppelte Dateien übersprungen: {self.duplicates}")
        if self.result.pending:
            out.append(f"  Warten auf fehlende Daten anderer Geräte: {self.result.pending} Einträge")
        out.append(f"  Neue Konflikte: {self.result.conflicts} (offen insgesamt: {self.open_conflicts})")
        if self.held:
            out.append(f"  Zurückgehalten (Zeitstempel in der Zukunft): {len(self.held)}")
            out.extend(f"    – {held.message}" for held in self.held)
        if self.refused:
            out.append(f"  Abgelehnte Dateien: {len(self.refused)}")
            out.extend(f"    – {refusal.message}" for refusal in self.refused)
        else:
            out.append("  Abgelehnte Dateien: keine")
        return out


@dataclass(frozen=True)
class FolderKey:
    """Whether the folder is encrypted, and its verified passphrase check (see app.sync.keycheck)."""

    encrypted: bool
    verifier: keycheck.Verifier | None
    create_verifier: bool


def _salt(conn: Connection) -> bytes:
    stored = device_state.get_meta(conn, KEY_SALT)
    if stored:
        return base64.b64decode(stored)
    salt = fileformat.new_salt()
    device_state.set_meta(conn, KEY_SALT, base64.b64encode(salt).decode("ascii"))
    return salt


def synchronise(
    db: Database, root: Path | str, passphrase: str | None = None, progress: Progress | None = None,
    announce: bool = True, accept_future: bool = False, renew_id: bool = False,
) -> SyncReport:
    """Export this device's new operations into *root*, then import every other device's new files.

    *accept_future*: apply files stamped more than a day ahead of this laptop's clock (normally they
    are held back until the time is reached). *renew_id*: the trainer confirmed that this database
    is a copy; it takes a new device id when files under its own id turn up that it never wrote.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise SyncError(f"Den Abgleich-Ordner {root} gibt es nicht (ist der USB-Stick eingesteckt?).")
    try:
        return _synchronise(db, root, passphrase, progress, announce, accept_future, renew_id)
    except OSError as error:
        if not root.is_dir():
            raise SyncError(VANISHED.format(root=root)) from error
        log.warning("Abgleich mit %s abgebrochen: %s", root, error)
        raise SyncError(f"Der Abgleich-Ordner {root} kann nicht gelesen werden ({error}). Was bis dahin gelesen "
                        "wurde, ist vollständig übernommen.") from error


def _synchronise(
    db: Database, root: Path, passphrase: str | None, progress: Progress | None, announce: bool,
    accept_future: bool, renew_id: bool,
) -> SyncReport:
    problems: list[folder_io.Unreadable] = []
    files = folder_io.scan(root, problems)
    key = _check_passphrase(root, files, passphrase)  # before anything is written anywhere
    with db.write_connection() as conn:
        # the small facts in one query; device_state creates the id if there is none yet
        meta = dict(conn.execute(_META, {"keys": [DEMO_META_KEY, device_state.KEY_DEVICE, device_state.KEY_NAME]})
                    .all())
        if meta.get(DEMO_META_KEY):
            raise SyncError("Diese Datenbank enthält Demo-Daten. Damit sie nicht in echte Daten geraten, "
                            "ist der Abgleich gesperrt. Bitte mit einem leeren Datenordner beginnen.")
        me = meta.get(device_state.KEY_DEVICE) or device_state.device_id(conn)
        own_known = set(conn.execute(_OWN_SEQS, {"device": me}).scalars())
        strangers = [f for f in files if f.device == me and not f.copy and f.seq not in own_known]
        renewed = False
        if strangers and (renew_id or (key.encrypted and passphrase)):
            # Files under our id that we never wrote: this database is a copy (or an old backup). In an
            # encrypted folder nobody without the passphrase can have written them, so the id changes
            # at once (and the report says so); in an open folder only when the trainer confirms.
            me = device_state.renew(conn, f"fremde Dateien unter der eigenen Kennung in {root}", give_away=True)
            renewed = True
        name = meta.get(device_state.KEY_NAME) or device_state.device_name(conn)
        report = SyncReport(root, me, name, renewed=renewed)
        report.clock_note = device_state.clock_warning(conn) or ""
    report.refused.extend(Refusal(p.label, "unlesbar", p.message) for p in problems)
    if strangers and not renewed:
        report.export_note = (
            "Unter der Geräte-Kennung dieses Laptops liegen Dateien, die er nicht geschrieben hat "
            f"({', '.join(f.label(root) for f in strangers[:3])}{' …' if len(strangers) > 3 else ''}). Entweder ist "
            "diese Datenbank eine Kopie (dann bitte einmal mit neuer Geräte-Kennung abgleichen, auf der "
            "Kommandozeile: kurslotse abgleich ORDNER --neue-kennung) oder jemand hat die Dateien untergeschoben "
            "(dann bitte löschen). Bis dahin schreibt dieser Laptop nichts in den Ordner."
        )
        report.refused.extend(
            Refusal(f.label(root), "fremd-eigene-kennung",
                    f"{f.label(root)}: Liegt unter der Kennung dieses Laptops, stammt aber nicht von ihm. "
                    "Nicht übernommen.") for f in strangers)
    plan_total = 1 + len(files)
    if progress:
        progress(0, plan_total, "Eigene Änderungen schreiben …")
    if not report.export_note:
        _export(db, root, files, passphrase, key, report)
    if passphrase and key.encrypted and not report.export_note:
        _rekey_own(db, root, folder_io.scan(root), passphrase, key, report)
    files = folder_io.scan(root)
    to_read = _files_to_read(db, files, report.device_id)
    total = 1 + len(to_read)
    for number, item in enumerate(to_read, start=1):
        if progress:
            progress(number, total, f"Lese {item.label(root)}")
        _import_one(db, root, item, passphrase, key, report, accept_future)
    if not report.export_note:
        # the listing from before the import: reading others' files changes none of this device's own
        # (the import removes at most a file-sync tool's copy, and _scrub ignores copies)
        _scrub(db, root, files, passphrase, report)
    report.version_folders = [str(path) for path in version_folders(root)]
    # An erasure that arrived blanks the fields at once; the old values also leave the file's free
    # pages, the WAL and the backups (cheap when no new erasure came).
    from app.services.erasure import purge_if_needed, scrub_log

    if report.result.erased_values:
        scrub_log(report.result.erased_values)
    purge_if_needed(db)
    with db.engine.connect() as conn:
        report.open_conflicts = count_open_conflicts(conn)
    if progress:
        progress(total, total, "Fertig")
    if announce and report.changed_anything:
        from app.services import events

        events.notify(*events.EVERYTHING)
    return report


# --------------------------------------------------------------------------- passphrase

def _check_passphrase(root: Path, files: list[folder_io.FolderFile], passphrase: str | None) -> FolderKey:
    """Refuse a passphrase that does not fit the folder (SyncError) before anything is written."""
    try:
        verifier = keycheck.read_verifier(root)
    except keycheck.KeyCheckError as error:
        raise SyncError(str(error)) from error
    if verifier is not None:
        if passphrase and not keycheck.opens(verifier, passphrase):
            raise SyncError(keycheck.WRONG_PASSPHRASE.format(root=root))
        return FolderKey(True, verifier, False)
    newest: dict[str, folder_io.FolderFile] = {}
    for item in files:
        if not item.copy:
            newest[item.device] = item
    states = {item.device: fileformat.peek_encrypted(item.path) for item in newest.values()}
    encrypted = [item for item in newest.values() if states[item.device]]
    if not passphrase:
        return FolderKey(bool(encrypted), None, False)
    if encrypted:
        # A folder of an older Kurslotse: the passphrase must open at least one file already there
        # (damaged files cannot tell; only a file that is intact and does not open counts against it).
        answers = [fileformat.opens_with(_read_bounded(item.path), passphrase)
                   for item in encrypted if item.size <= fileformat.MAX_FILE]
        if False in answers and True not in answers:
            raise SyncError(keycheck.WRONG_PASSPHRASE.format(root=root))
        return FolderKey(True, None, True)
    if any(state is False for state in states.values()):
        raise SyncError(f"Der Abgleich-Ordner {root} wird ohne Passwort benutzt (er enthält unverschlüsselte "
                        "Dateien). Es wurde nichts geschrieben. Bitte ohne Passwort abgleichen, oder für einen "
                        "verschlüsselten Abgleich einen neuen, leeren Ordner nehmen.")
    return FolderKey(True, None, True)


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, at most one byte more than a sync file may have (never a huge file whole)."""
    with open(path, "rb") as handle:
        return handle.read(fileformat.MAX_FILE + 1)


def _rekey_own(db: Database, root: Path, files: list[folder_io.FolderFile], passphrase: str, key: FolderKey,
               report: SyncReport) -> None:
    """Write own files again that do not open with the folder's passphrase (once per verifier)."""
    if key.verifier is None:
        return
    present = {(f.device, f.seq): f for f in files if not f.copy}
    with db.engine.connect() as conn:
        done = set(json.loads(device_state.get_meta(conn, KEY_REKEYED) or "[]"))
        if key.verifier.fingerprint in done:
            return
        not_ours = set(device_state.given_away(conn))
        own = conn.execute(select(SyncFile.device, SyncFile.seq, SyncFile.first_op, SyncFile.last_op)
                           .where(SyncFile.own.is_(True), SyncFile.ops > 0)).all()
    for dev, seq, first, last in own:
        item = present.get((dev, seq))
        if item is None or dev in not_ours:
            continue
        try:
            if item.size > fileformat.MAX_FILE or fileformat.opens_with(_read_bounded(item.path), passphrase):
                continue
        except OSError:
            continue
        with db.write_connection() as conn:
            if _rewrite_own(conn, root, dev, seq, first, last, passphrase, report.device_name):
                report.rekeyed += 1
    with db.write_connection() as conn:
        device_state.set_meta(conn, KEY_REKEYED, json.dumps(sorted(done | {key.verifier.fingerprint})[-20:]))


def _rewrite_own(conn: Connection, root: Path, dev: str, seq: int, first: int, last: int,
                 passphrase: str | None, device_name: str) -> bool:
    """Replace own file *seq* by a new encoding of the same operations; ``False`` if it cannot be written."""
    rows = conn.execute(
        select(SyncOp.hlc, SyncOp.device, SyncOp.table_name, SyncOp.record_uuid, SyncOp.field, SyncOp.value,
               SyncOp.prev).where(SyncOp.id.between(first, last)).order_by(SyncOp.id)
    ).all()
    ops = [Op(h, d, t, r, f, v, _prev(p)) for h, d, t, r, f, v, p in rows]
    data = fileformat.encode_file(dev, device_name, seq, ops, passphrase, _salt(conn) if passphrase else None)
    try:
        path = folder_io.replace_file(root, dev, seq, data)
    except OSError as error:
        if not root.is_dir():
            raise
        log.warning("Eigene Abgleich-Datei %s/%s nicht neu geschrieben: %s", dev, seq, error)
        return False  # a write-protected stick: next time
    stat = path.stat()
    conn.execute(update(SyncFile).where(SyncFile.device == dev, SyncFile.seq == seq).values(
        checksum=data[-32:].hex(), size=stat.st_size, mtime_ns=stat.st_mtime_ns, encrypted=bool(passphrase),
        erasures=erasure_mark(conn)))
    return True


def erasure_mark(conn: Connection) -> int:
    """How far the erasures known here go, to compare with ``sync_files.erasures``.

    SQLite numbers the tombstones in order of arrival (rowid): the newest one's number. A server
    has no such number; there it is how many tombstones there are (they are never removed), and
    when the number grew the file itself is read to see whether it still holds an erased
    person's values (see ``_file_holds_erased``), so clean files stay untouched there too.
    """
    return int(conn.execute(_ERASED_COUNT if is_server(conn) else _ERASED_ROWID).scalar() or 0)


def _file_holds_erased(conn: Connection, item: folder_io.FolderFile, passphrase: str | None) -> bool:
    """Whether the file in the folder still holds a personal value of a person erased here (unreadable: yes)."""
    try:
        content = fileformat.decode_file(_read_bounded(item.path), item.path.name, passphrase, item.device, item.seq)
    except (OSError, RefusedFile):
        return True
    personal = PERSONAL_FIELDS["participants"]
    candidates = {op.record for op in content.ops if op.table == "participants" and op.field in personal}
    erased = erased_records(conn, candidates)
    return any(op.record in erased and op.field in personal and op.value != personal[op.field]
               for op in content.ops)


def _holds_erased(conn: Connection, first: int, last: int, done: int) -> bool:
    """Whether own operations *first*..*last* hold personal values of a person erased after mark *done*."""
    query = (select(SyncOp.id).join(SyncErased, SyncErased.record_uuid == SyncOp.record_uuid)
             .where(SyncOp.id.between(first, last), SyncOp.field.in_(tuple(PERSONAL_FIELDS["participants"]))))
    if not is_server(conn):
        query = query.where(literal_column("sync_erased.rowid") > done)
    return conn.execute(query.limit(1)).first() is not None


# --------------------------------------------------------------------------- export

def _covered_ranges(conn: Connection, files: list[folder_io.FolderFile]) -> list[tuple[int, int]]:
    present = {(f.device, f.seq) for f in files if not f.copy}
    rows = conn.execute(_OWN_RANGES).all()
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


def _export(db: Database, root: Path, files: list[folder_io.FolderFile], passphrase: str | None,
            key: FolderKey, report: SyncReport) -> None:
    if not passphrase and key.encrypted:
        report.export_note = ("Der Abgleich-Ordner ist verschlüsselt. Bitte das Passwort angeben, "
                              "sonst werden die eigenen Änderungen nicht hineingeschrieben.")
        return
    try:
        folder_io.remove_stale_temp_files(root, report.device_id)
    except OSError:
        pass
    if passphrase and key.create_verifier:
        try:
            keycheck.write_verifier(root, passphrase)
        except OSError as error:
            if not root.is_dir():
                raise
            report.export_note = f"In den Abgleich-Ordner {root} kann nicht geschrieben werden ({error})."
            return
    chunk = EXPORT_CHUNK
    while True:
        with db.write_connection() as conn:
            highest = conn.execute(_HIGHEST_OP).scalar() or 0
            gaps = _gaps(_covered_ranges(conn, files), highest)
            if not gaps:
                return
            rows = []
            for first, last in gaps:
                rows = conn.execute(
                    select(SyncOp.id, SyncOp.hlc, SyncOp.device, SyncOp.table_name, SyncOp.record_uuid, SyncOp.field,
                           SyncOp.value, SyncOp.prev)
                    .where(SyncOp.id.between(first, last)).order_by(SyncOp.id).limit(chunk)
                ).all()
                if rows:
                    break
            if not rows:
                return
            ops = [Op(hlc, dev, table, record, name, value, _prev(prev)) for _id, hlc, dev, table, record, name, value, prev in rows]
            seq = max(
                conn.execute(_HIGHEST_SEQ, {"device": report.device_id}).scalar() or 0,
                folder_io.highest_seq(root, report.device_id),
            ) + 1
            data = fileformat.encode_file(
                report.device_id, report.device_name, seq, ops, passphrase, _salt(conn) if passphrase else None,
            )
            if len(data) > fileformat.MAX_FILE and chunk > 1:
                chunk = max(1, chunk // 4)  # big values (logos): fewer operations per file
                continue
            # The database learns of the file before it exists. A kill between the two leaves a row
            # without a file (its operations are written again, under the next number, next time);
            # the other order left a file under this laptop's id that it took for a stranger's.
            _store_file(conn, device=report.device_id, seq=seq, checksum=data[-32:].hex(), size=len(data),
                        mtime_ns=0, ops=len(ops), encrypted=bool(passphrase), own=True,
                        first_op=rows[0][0], last_op=rows[-1][0], erasures=erasure_mark(conn), imported_at=utc_now())
        try:
            path = folder_io.write_new_file(root, report.device_id, seq, data)
        except OSError as error:
            with db.write_connection() as conn:
                conn.execute(delete(SyncFile).where(SyncFile.device == report.device_id, SyncFile.seq == seq))
            if not root.is_dir():
                raise
            # A full or write-protected stick: the other devices' files are still read.
            report.export_note = f"In den Abgleich-Ordner {root} kann nicht geschrieben werden ({error})."
            return
        stat = path.stat()
        with db.write_connection() as conn:
            conn.execute(_SET_SIZE, {"b_device": report.device_id, "b_seq": seq, "b_size": stat.st_size,
                                     "b_mtime": stat.st_mtime_ns})
        files = files + [folder_io.FolderFile(path, report.device_id, seq, stat.st_size, stat.st_mtime_ns)]
        report.written_files += 1
        report.written_ops += len(ops)
        chunk = EXPORT_CHUNK


def _scrub(db: Database, root: Path, files: list[folder_io.FolderFile], passphrase: str | None,
           report: SyncReport) -> None:
    """Rewrite own files that still hold personal data of people erased since they were written.

    The only time a file is replaced: by the database that wrote it, atomically, with the same
    operations (personal values of erased people now blank). ``sync_files.erasures`` is the highest
    ``sync_erased`` rowid a file's content already reflects, so a file is rewritten only when an
    erasure newer than its last writing concerns a record it holds (clean files stay untouched, and
    sync tools do not keep yet another version). Files of this database's earlier device ids count
    too (it moved and got a new id): they are rewritten while they are still exactly what this
    database wrote (another copy of the database may have taken them over and cleaned them since).
    An own file that was swapped for an older version (an old copy of the stick put back) is
    rewritten as well. Other devices re-read a rewritten file, because its checksum changed.
    """
    present = {(f.device, f.seq): f for f in files if not f.copy}
    with db.engine.connect() as conn:
        newest_erasure = erasure_mark(conn)
        not_ours = set(device_state.given_away(conn))
        own = conn.execute(_OWN_WRITTEN).all()
    for dev, seq, first, last, encrypted, done, size, mtime, checksum in own:
        item = present.get((dev, seq))
        if item is None or (encrypted and not passphrase):
            continue  # not in this folder, or it needs the password: next time
        unchanged = (item.size, item.mtime_ns) == (size, mtime) or _tail_checksum(item.path) == checksum
        if dev in not_ours and not unchanged:
            continue  # a former id's file that another copy of this database has replaced since
        swapped = not unchanged and dev not in not_ours
        if done >= newest_erasure and not swapped:
            continue
        with db.write_connection() as conn:
            holds = swapped or _holds_erased(conn, first, last, done)
            if holds and not swapped and is_server(conn):
                holds = _file_holds_erased(conn, item, passphrase if encrypted else None)
            if not holds:
                conn.execute(update(SyncFile).where(SyncFile.device == dev, SyncFile.seq == seq)
                             .values(erasures=newest_erasure))
                continue
            if _rewrite_own(conn, root, dev, seq, first, last, passphrase if encrypted else None, report.device_name):
                report.scrubbed += 1


VERSION_FOLDERS = {
    ".stversions": "Syncthing", ".sync/Archive": "Resilio Sync", ".dropbox.cache": "Dropbox",
    "#recycle": "Synology", "@Recycle": "QNAP", ".Trash-1000": "Papierkorb",
}


def version_folders(root: Path) -> list[Path]:
    """Folders where a file-sync tool keeps old versions (or a recycle bin) holding Kurslotse files."""
    found = []
    for name in VERSION_FOLDERS:
        candidate = root / name
        try:
            if candidate.is_dir() and _holds_sync_files(candidate):
                found.append(candidate)
        except OSError:
            continue
    return found


def _holds_sync_files(folder: Path, limit: int = 20_000) -> bool:
    seen = 0
    for _dirpath, _dirs, names in os.walk(folder):
        for name in names:
            if fileformat.SUFFIX in name.lower():
                return True
            seen += 1
            if seen > limit:
                return False
    return False


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
    return tuple((int(h), str(d)) for h, d in json.loads(text))


# --------------------------------------------------------------------------- import

def _files_to_read(db: Database, files: list[folder_io.FolderFile], me: str) -> list[folder_io.FolderFile]:
    with db.engine.connect() as conn:
        known = {(dev, seq): (size, mtime) for dev, seq, size, mtime in
                 conn.execute(_ALL_FILES)}
    wanted = []
    for item in files:
        if item.device == me and not item.copy:
            continue
        if not item.copy and known.get((item.device, item.seq)) == (item.size, item.mtime_ns):
            continue
        wanted.append(item)
    return wanted


def _held_message(label: str, name: str, hlc: int) -> str:
    import datetime as dt

    when = dt.datetime.fromtimestamp(min(device_state.hlc_time(hlc), 253402214400), dt.UTC)
    here = dt.datetime.fromtimestamp(min(max(device_state.wall_ms(), 0) / 1000, 253402214400), dt.UTC)
    who = f"»{name}«" if name else "einem anderen Gerät"
    return (f"{label}: Enthält Änderungen von {who} mit Zeitstempel {when:%d.%m.%Y %H:%M} (UTC), mehr als einen Tag "
            f"nach der Uhr dieses Laptops ({here:%d.%m.%Y %H:%M}). Die Datei wird zurückgehalten und übernommen, "
            "sobald die Zeit erreicht ist, oder sofort, wenn die Änderungen sicher stimmen (Kommandozeile: "
            f"kurslotse abgleich ORDNER --zukunft-annehmen). Bitte die Uhren von {who} und von diesem Laptop prüfen.")


def _import_one(db: Database, root: Path, item: folder_io.FolderFile, passphrase: str | None, key: FolderKey,
                report: SyncReport, accept_future: bool = False) -> None:
    label = item.label(root)
    if item.size > fileformat.MAX_FILE:
        report.refused.append(Refusal(label, "zu-gross", f"{label}: Die Datei ist zu groß ({item.size // 2**20} MB; "
                                      f"eine Abgleichdatei hat höchstens {fileformat.MAX_FILE // 2**20} MB). "
                                      "Sie wurde nicht gelesen und nicht übernommen."))
        return
    try:
        data = _read_bounded(item.path)
    except OSError as error:
        if not root.is_dir():
            raise
        report.refused.append(Refusal(label, "unlesbar", f"{label}: Die Datei kann nicht gelesen werden ({error}). "
                                      "Nichts daraus wurde übernommen."))
        return
    if len(data) > fileformat.MAX_FILE:
        report.refused.append(Refusal(label, "zu-gross", f"{label}: Die Datei ist zu groß (über "
                                      f"{fileformat.MAX_FILE // 2**20} MB). Sie wurde nicht übernommen."))
        return
    checksum = data[-32:].hex() if len(data) >= 32 else ""
    with db.engine.connect() as conn:
        known = conn.execute(_CHECKSUM, {"device": item.device, "seq": item.seq}).scalar()
    if known is not None and known == checksum:
        if item.copy:
            report.duplicates += 1
        else:
            with db.write_connection() as conn:
                conn.execute(_SET_SIZE, {"b_device": item.device, "b_seq": item.seq, "b_size": item.size,
                                         "b_mtime": item.mtime_ns})
        return
    try:
        content = fileformat.decode_file(data, label, passphrase, item.device, item.seq)
    except RefusedFile as refused:
        report.refused.append(Refusal(label, refused.reason, refused.message))
        log.warning("Abgleich-Datei abgelehnt: %s", refused.message)
        return
    if key.encrypted and not content.encrypted:
        message = (f"{label}: Die Datei ist nicht verschlüsselt, der Abgleich-Ordner aber schon. Jeder, der in den "
                   "Ordner schreiben kann, hätte sie anlegen können; sie wurde nicht übernommen.")
        report.refused.append(Refusal(label, "unverschluesselt", message))
        log.warning("Abgleich-Datei abgelehnt: %s", message)
        return
    newest = max((op.hlc for op in content.ops), default=0)
    if not accept_future and newest > device_state.future_limit():
        message = _held_message(label, content.device_name, newest)
        report.held.append(Refusal(label, "zukunft", message))
        log.warning("Abgleich-Datei zurückgehalten: %s", message)
        return
    with db.write_connection() as conn:
        if item.copy and _stale_own_copy(conn, item.device, content.ops):
            result = None
        else:
            result = apply_ops(conn, content.ops)
        if result is not None and not item.copy:
            _store_file(conn, device=item.device, seq=item.seq, checksum=content.checksum, size=item.size,
                        mtime_ns=item.mtime_ns, ops=len(content.ops), encrypted=bool(content.encrypted), own=False,
                        first_op=0, last_op=0, erasures=0, imported_at=utc_now())
        upsert(conn, SyncDevice, [{"device": content.device, "name": content.device_name[:120],
                                   "last_seen": utc_now()}], ("device",), ("name", "last_seen"))
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


def _store_file(conn: Connection, **row: object) -> None:
    """Remember a file written or imported here (a second run skips it)."""
    columns = [name for name in row if name not in ("device", "seq")]
    upsert(conn, SyncFile, [row], ("device", "seq"), columns)


def _stale_own_copy(conn: Connection, device: str, ops: list[Op]) -> bool:
    """A conflict copy in a folder this database writes, holding only operations it made itself."""
    if conn.execute(_OWN_DEVICE, {"device": device}).first() is None:
        return False
    return all(conn.execute(_OP_KNOWN, {"record": op.record, "field": op.field, "hlc": op.hlc, "device": op.device})
               .first() is not None for op in ops)


def count_open_conflicts(conn: Connection) -> int:
    """Conflicts whose losing value still differs from the value the field holds."""
    return int(conn.execute(_OPEN_CONFLICTS).scalar() or 0)


# --------------------------------------------------------------------------- small helpers for the views

KEY_LAST_FOLDER = "sync_last_folder"


def device_info(db: Database) -> tuple[str, str]:
    """(device id, device name) of this installation."""
    with db.write_connection() as conn:
        return device_state.device_id(conn), device_state.device_name(conn)


def clock_warning(db: Database) -> str | None:
    """German warning when this laptop's clock is far ahead (for the main window at start); ``None``: fine."""
    with db.engine.connect() as conn:
        return device_state.clock_warning(conn)


def set_device_name(db: Database, name: str) -> str:
    """Name this device (»Laptop Silvia«); the name travels in every file it writes."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise SyncError("Bitte einen Namen für dieses Gerät eingeben, z. B. »Laptop Silvia«.")
    with db.write_connection() as conn:
        return device_state.set_device_name(conn, cleaned)


def last_folder(db: Database) -> str:
    """The folder of the last sync on this device ('' if none), found again under a new drive letter."""
    with db.engine.connect() as conn:
        remembered = device_state.get_meta(conn, KEY_LAST_FOLDER) or ""
        own = [device_state.get_meta(conn, device_state.KEY_DEVICE) or "", *device_state.previous_ids(conn)]
    return folder_io.find_again(remembered, own) if remembered else ""


def remember_folder(db: Database, folder: Path | str) -> None:
    with db.write_connection() as conn:
        device_state.set_meta(conn, KEY_LAST_FOLDER, str(folder))


def open_conflicts(db: Database) -> int:
    with db.engine.connect() as conn:
        return count_open_conflicts(conn)
