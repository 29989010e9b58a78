"""``kurslotse demo [--erzwingen]``: fill the data directory with realistic demo data to try everything."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="Demo-Daten anlegen (Kurse, Termine, Teilnehmende) zum Ausprobieren",
        description="Legt Demo-Daten an: 3 Ortsgemeinden, 8 Kurse über 2 Jahre, etwa 120 Teilnehmende, "
        "Sprechstunden. Eine Datenbank, die schon Daten enthält, bleibt unberührt – außer mit --erzwingen.",
    )
    parser.add_argument(
        "--erzwingen", action="store_true",
        help="vorhandene Daten ersetzen (vorher wird eine Sicherung angelegt)",
    )
    parser.add_argument("--jahre", type=int, default=2, metavar="N", help="Zeitraum in Jahren (1–10, Standard 2)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.domain.attendance import InputError
    from app.services import context, demo
    from app.storage import backups
    from app.storage.database import DatabaseError

    if not 1 <= args.jahre <= 10:
        print("Kurslotse: --jahre muss zwischen 1 und 10 liegen.", file=sys.stderr)
        return 2
    try:
        db = context.database()
        courses, people = demo.existing_data(db)
        if courses or people:
            if not args.erzwingen:
                print(
                    f"Kurslotse: Die Datenbank enthält bereits Daten ({courses} Kurse, {people} Teilnehmende) "
                    "und wurde nicht verändert.\n"
                    "Demo-Daten werden nur in eine leere Datenbank geschrieben. Wer die vorhandenen Daten "
                    "ersetzen will: kurslotse demo --erzwingen (vorher wird eine Sicherung angelegt).",
                    file=sys.stderr,
                )
                return 1
            if db.path is not None:
                saved = backups.create_backup(db.path, "demo")
                print(f"Sicherung der bisherigen Daten: {saved.path}")
        summary = demo.fill(db, years=args.jahre, replace=bool(courses or people))
    except (DatabaseError, backups.BackupError, InputError) as error:
        print(f"Kurslotse: {error}", file=sys.stderr)
        return 1
    finally:
        context.close()
    print(
        f"Demo-Daten angelegt in {db.path or db.url}:\n"
        f"  {summary.municipalities} Ortsgemeinden, {summary.courses} Kurse und Sprechstunden, "
        f"{summary.termine} Termine,\n"
        f"  {summary.participants} Teilnehmende, {summary.attendances} Anwesenheitseinträge."
    )
    return 0
