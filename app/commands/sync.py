"""``kurslotse abgleich ORDNER …``: exchange records with other laptops through shared folders or USB sticks.

A trainer syncs one folder; the project office syncs every Verbandsgemeinde's folder in one
scheduled run (``abgleich ORDNER1 ORDNER2 …``). Without a terminal nothing is asked: the
passphrase comes from ``--passwort-datei`` (owner-only on POSIX) or ``$KURSLOTSE_ABGLEICH_PASSWORT``.
Every folder ends with one line »Ergebnis …« (fertig / unvollständig / fehlgeschlagen); a folder
that fails does not stop the others.

Exit codes: 0 every folder written and read; 1 at least one folder could not be synced (folder
missing or pulled, wrong passphrase, database problem) or the sync could not start (unreadable
password file, database cannot be opened); 3 all folders ran, but in some files were refused or
held back (stamped in the future) or nothing could be written (see the messages); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    command_name,
    count,
    fail,
)

if TYPE_CHECKING:
    from app.storage.database import Database
    from app.sync.service import SyncReport

EXIT_INCOMPLETE = 3
ENV_PASSPHRASE = "KURSLOTSE_ABGLEICH_PASSWORT"

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "abgleich", help="Daten mit anderen Laptops über gemeinsame Ordner oder USB-Sticks abgleichen",
        description="Schreibt die neuen Änderungen dieses Geräts als neue Dateien nach ORDNER/<Geräte-Kennung>/ "
        "und übernimmt die Dateien aller anderen Geräte. Mehrere Ordner (z. B. einer je Verbandsgemeinde) werden "
        "nacheinander abgeglichen; ein Ordner mit Fehler hält die anderen nicht auf. Beschädigte oder fremde "
        "Dateien werden abgelehnt und ändern nichts. Das Passwort kommt aus --passwort-datei, sonst aus "
        f"${ENV_PASSPHRASE}, sonst wird im Terminal gefragt (leer lassen heißt: ohne Verschlüsselung); "
        "ohne Terminal (geplanter Auftrag) wird nie gefragt. "
        "Rückgabewerte: 0 alles abgeglichen, 1 mindestens ein Ordner ging nicht, 3 Dateien abgelehnt, 2 falscher Aufruf.",
    )
    parser.add_argument("ordner", nargs="*", metavar="ORDNER", help="gemeinsame Abgleich-Ordner (einer oder mehrere)")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--passwort-datei", metavar="DATEI",
                        help="Passwort der Ordner aus dieser Datei (erste Zeile; nur für den Eigentümer lesbar)")
    secret.add_argument("--ohne-passwort", action="store_true", help="ohne Verschlüsselung, nicht nachfragen")
    parser.add_argument("--geraetename", metavar="NAME", help="Namen dieses Geräts setzen, z. B. »Laptop Silvia«")
    parser.add_argument("--konflikte", action="store_true", help="offene Konflikte auflisten")
    parser.add_argument("--zukunft-annehmen", action="store_true",
                        help="Dateien mit Zeitstempel mehr als einen Tag in der Zukunft trotzdem übernehmen")
    parser.add_argument("--neue-kennung", action="store_true",
                        help="diese Datenbank ist eine Kopie: unter einer neuen Geräte-Kennung weiterschreiben, "
                        "wenn unter der eigenen Kennung fremde Dateien liegen")
    parser.set_defaults(func=run)


def _passphrase(args: argparse.Namespace) -> str | None:
    """The folders' passphrase: file, else environment, else (only in a terminal) asked; None: unencrypted."""
    from app.commands.common import read_secret_file
    from app.logsetup import add_secret

    if args.ohne_passwort:
        return None
    if args.passwort_datei:
        return read_secret_file(args.passwort_datei, "Passwort-Datei")
    from_env = os.environ.get(ENV_PASSPHRASE, "").strip()
    if from_env:
        add_secret(from_env)
        return from_env
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        typed = getpass.getpass("Passwort des Abgleich-Ordners (leer lassen: ohne Verschlüsselung): ") or None
        add_secret(typed)
        return typed
    return None


def _summary(folder: str, report: SyncReport) -> str:
    """The one line per folder a scheduled job's log keeps: what was written, read, refused."""
    state = "fertig" if report.complete else "unvollständig"
    parts = [f"{count(report.written_files, 'Datei', 'Dateien')} geschrieben",
             f"{count(report.read_files, 'Datei', 'Dateien')} gelesen"]
    if report.result.erased:
        parts.append(f"{count(report.result.erased, 'Löschung', 'Löschungen')} übernommen")
    if report.refused:
        parts.append(f"{len(report.refused)} abgelehnt")
    if report.held:
        parts.append(f"{len(report.held)} zurückgehalten")
    if report.export_note:
        parts.append("nichts geschrieben (siehe oben)")
    if report.open_conflicts:
        parts.append(f"{count(report.open_conflicts, 'offener Konflikt', 'offene Konflikte')}")
    return f"Ergebnis {folder}: {state} – {', '.join(parts)}"


def _sync_folders(db: Database, folders: list[str], passphrase: str | None, args: argparse.Namespace) -> int:
    """Sync each folder in turn; a failing folder is reported and the next one still runs."""
    from sqlalchemy.exc import SQLAlchemyError

    from app import paths
    from app.domain.attendance import InputError
    from app.storage.database import DatabaseError
    from app.sync.service import SyncError, synchronise

    worst = EXIT_OK
    conflicts_hint = False
    for folder in folders:
        if len(folders) > 1:
            print(f"— {folder}", flush=True)
        try:
            report = synchronise(db, Path(folder), passphrase, accept_future=args.zukunft_annehmen,
                                 renew_id=args.neue_kennung)
        except (SyncError, DatabaseError, InputError) as error:
            print(f"Kurslotse: {error}", file=sys.stderr, flush=True)
            print(f"Ergebnis {folder}: fehlgeschlagen – {error}", flush=True)
            worst = EXIT_FAILED
            continue
        except SQLAlchemyError as error:  # e.g. the database server went away during the import
            log.error("Abgleich mit %s: Datenbankfehler %s: %s", folder, type(error).__name__, error)
            message = (f"Die Datenbank meldet beim Abgleich mit {folder} einen Fehler (Server nicht mehr erreichbar?). "
                       "Jede Datei wird ganz oder gar nicht übernommen: Was bis dahin gelesen wurde, ist vollständig "
                       f"da, der Rest kommt beim nächsten Abgleich. Einzelheiten stehen in {paths.log_file()}")
            print(f"Kurslotse: {message}", file=sys.stderr, flush=True)
            print(f"Ergebnis {folder}: fehlgeschlagen – Datenbankfehler", flush=True)
            worst = EXIT_FAILED
            continue
        print("\n".join(report.lines()))
        conflicts_hint = conflicts_hint or bool(report.open_conflicts)
        print(_summary(folder, report), flush=True)
        if not report.complete and worst == EXIT_OK:
            worst = EXIT_INCOMPLETE
    if conflicts_hint:
        print(f"Konflikte ansehen: {command_name()} abgleich --konflikte (oder im Programm: Kurse → Abgleichen …)")
    return worst


def run(args: argparse.Namespace) -> int:
    from app.commands.common import SecretFileError
    from app.domain.attendance import InputError
    from app.services import context
    from app.storage import device
    from app.storage.database import DatabaseError
    from app.sync import conflicts
    from app.sync.service import SyncError

    folders = list(dict.fromkeys(args.ordner))  # the same folder twice is synced once
    try:
        passphrase = _passphrase(args) if folders else None
    except SecretFileError as error:
        return fail(str(error))
    code = EXIT_OK
    try:
        db = context.database()
        if args.geraetename is not None:
            if not args.geraetename.strip():
                return fail("Der Gerätename darf nicht leer sein.", EXIT_USAGE)
            with db.write_connection() as conn:
                name = device.set_device_name(conn, args.geraetename)
            print(f"Gerätename: »{name}«")
        if folders:
            code = _sync_folders(db, folders, passphrase, args)
        if args.konflikte:
            found = conflicts.list_conflicts(db)
            for item in found:
                print(f"– {item.text}")
            if not found:
                print("Keine offenen Konflikte.")
        if not (folders or args.konflikte or args.geraetename is not None):
            with db.engine.connect() as conn:
                print(f"Dieses Gerät: »{device.device_name(conn)}« (Kennung {device.device_id(conn)})")
                warning = device.clock_warning(conn)
            if warning:
                print(f"Achtung Uhr: {warning}")
            print(f"Abgleichen: {command_name()} abgleich ORDNER [ORDNER …]")
    except (SyncError, DatabaseError, InputError) as error:
        return fail(str(error))
    finally:
        context.close()
    return code
