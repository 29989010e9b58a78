"""``kurslotse abgleich ORDNER``: exchange records with other laptops through a shared folder or USB stick.

Exit codes: 0 everything written and read; 1 the sync could not run (folder missing or pulled,
wrong passphrase, database problem, unreadable password file); 3 it ran, but some files were
refused or held back (stamped in the future) or nothing could be written (see the messages);
2 wrong usage.
"""

from __future__ import annotations

from app.commands.common import command_name

import argparse
import sys
from pathlib import Path

EXIT_INCOMPLETE = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "abgleich", help="Daten mit anderen Laptops über einen gemeinsamen Ordner oder USB-Stick abgleichen",
        description="Schreibt die neuen Änderungen dieses Geräts als neue Dateien nach ORDNER/<Geräte-Kennung>/ "
        "und übernimmt die Dateien aller anderen Geräte. Beschädigte oder fremde Dateien werden abgelehnt "
        "und ändern nichts. Ohne --passwort-datei wird (im Terminal) nach dem Passwort gefragt; "
        "leer lassen heißt: ohne Verschlüsselung.",
    )
    parser.add_argument("ordner", nargs="?", metavar="ORDNER", help="der gemeinsame Abgleich-Ordner")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--passwort-datei", metavar="DATEI", help="Passwort des Ordners aus dieser Datei (erste Zeile)")
    secret.add_argument("--ohne-passwort", action="store_true", help="ohne Verschlüsselung, nicht nachfragen")
    parser.add_argument("--geraetename", metavar="NAME", help="Namen dieses Geräts setzen, z. B. »Laptop Silvia«")
    parser.add_argument("--konflikte", action="store_true", help="offene Konflikte auflisten")
    parser.add_argument("--zukunft-annehmen", action="store_true",
                        help="Dateien mit Zeitstempel mehr als einen Tag in der Zukunft trotzdem übernehmen")
    parser.add_argument("--neue-kennung", action="store_true",
                        help="diese Datenbank ist eine Kopie: unter einer neuen Geräte-Kennung weiterschreiben, "
                        "wenn unter der eigenen Kennung fremde Dateien liegen")
    parser.set_defaults(func=run)


def _fail(message: str, code: int = 1) -> int:
    print(f"Kurslotse: {message}", file=sys.stderr)
    return code


def _passphrase(args: argparse.Namespace) -> str | None:
    if args.ohne_passwort:
        return None
    if args.passwort_datei:
        path = Path(args.passwort_datei).expanduser()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise ValueError(f"Die Passwort-Datei {path} kann nicht gelesen werden: {error}") from error
        lines = text.splitlines()
        secret = lines[0].strip() if lines else ""
        if not secret:
            raise ValueError(f"Die Passwort-Datei {path} ist leer.")
        return secret
    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass("Passwort des Abgleich-Ordners (leer lassen: ohne Verschlüsselung): ") or None
    return None


def run(args: argparse.Namespace) -> int:
    from app.domain.attendance import InputError
    from app.services import context
    from app.storage import device
    from app.storage.database import DatabaseError
    from app.sync import conflicts
    from app.sync.service import SyncError, synchronise

    try:
        passphrase = _passphrase(args) if args.ordner else None
    except ValueError as error:
        return _fail(str(error))
    try:
        db = context.database()
        if args.geraetename is not None:
            if not args.geraetename.strip():
                return _fail("Der Gerätename darf nicht leer sein.", 2)
            with db.write_connection() as conn:
                name = device.set_device_name(conn, args.geraetename)
            print(f"Gerätename: »{name}«")
        if args.ordner:
            report = synchronise(db, Path(args.ordner), passphrase, accept_future=args.zukunft_annehmen,
                                 renew_id=args.neue_kennung)
            print("\n".join(report.lines()))
            if report.open_conflicts:
                print(f"  Konflikte ansehen: {command_name()} abgleich --konflikte (oder im Programm: Kurse → Abgleichen …)")
            if not report.complete:
                return EXIT_INCOMPLETE
        if args.konflikte:
            found = conflicts.list_conflicts(db)
            for item in found:
                print(f"– {item.text}")
            if not found:
                print("Keine offenen Konflikte.")
        if not (args.ordner or args.konflikte or args.geraetename is not None):
            with db.engine.connect() as conn:
                print(f"Dieses Gerät: »{device.device_name(conn)}« (Kennung {device.device_id(conn)})")
                warning = device.clock_warning(conn)
            if warning:
                print(f"Achtung Uhr: {warning}")
            print(f"Abgleichen: {command_name()} abgleich ORDNER")
    except (SyncError, DatabaseError, InputError) as error:
        return _fail(str(error))
    finally:
        context.close()
    return 0
