"""``kurslotse demo``: realistic demo data in the demo's own data folder; never in the real records.

``kurslotse --demo …`` then works with that folder (window or any command). ``demo --entfernen``
removes demo records that older versions wrote into a real database.
"""

from __future__ import annotations

import argparse
import shutil
import sys

DEMO_FILES = ("kurslotse.sqlite3", "kurslotse.sqlite3-wal", "kurslotse.sqlite3-shm", "kurslotse.sqlite3-journal")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="Demo-Daten zum Ausprobieren anlegen (eigener Datenordner, echte Daten bleiben unberührt)",
        description="Legt Demo-Daten in einem eigenen Datenordner »demo« an: 3 Ortsgemeinden, 8 Kurse über "
        "2 Jahre, etwa 120 Teilnehmende, Sprechstunden. Die echte Datenbank wird nie angefasst. "
        "Eine vorhandene Demo wird neu angelegt. Danach: »kurslotse --demo« öffnet das Programmfenster "
        "mit den Demo-Daten, »kurslotse --demo kurse« zeigt die Demo-Kurse.",
    )
    parser.add_argument("--jahre", type=int, default=2, metavar="N", help="Zeitraum in Jahren (1–10, Standard 2)")
    parser.add_argument(
        "--entfernen", action="store_true",
        help="Demo-Daten aus der echten Datenbank entfernen, die ältere Versionen dort angelegt haben "
        "(vorher wird eine Sicherung angelegt)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.commands.common import EXIT_USAGE, command_name, count, fail

    if args.entfernen:
        return _remove_from_real_database()
    if not 1 <= args.jahre <= 10:
        return fail("--jahre muss zwischen 1 und 10 liegen.", EXIT_USAGE)
    from app import paths
    from app.domain.attendance import InputError
    from app.storage.database import DatabaseError

    if paths.configured_database_url() and not paths.in_demo():
        return fail("Die Demo hat ihren eigenen Datenordner; --datenbank wird dafür nicht verwendet.", EXIT_USAGE)
    try:
        folder, summary = create_demo(args.jahre)
    except (DatabaseError, InputError, OSError) as error:
        return fail(str(error))
    name = command_name()
    print(
        f"Demo-Daten angelegt im eigenen Ordner {folder}\n"
        f"  {count(summary.municipalities, 'Ortsgemeinde', 'Ortsgemeinden')}, "
        f"{count(summary.courses, 'Kurs oder Sprechstunde', 'Kurse und Sprechstunden')}, "
        f"{count(summary.termine, 'Termin', 'Termine')},\n"
        f"  {count(summary.participants, 'Teilnehmende Person', 'Teilnehmende')}, "
        f"{count(summary.attendances, 'Anwesenheitseintrag', 'Anwesenheitseinträge')}.\n"
        "Ihre echten Daten wurden nicht verändert.\n"
        f"Ausprobieren:  {name} --demo   (Programmfenster)   oder   {name} --demo kurse"
    )
    return 0


def create_demo(years: int = 2):  # noqa: ANN201 - (folder, DemoSummary)
    """Switch this process to the demo folder and fill it anew; the real database is never opened."""
    from app import paths
    from app.services import context, demo

    real_settings = paths.data_dir() / "einstellungen.json"
    folder = paths.enter_demo()
    context.close()
    for name in DEMO_FILES:
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / "sicherungen", ignore_errors=True)
    if real_settings.is_file() and real_settings.parent != folder:
        shutil.copyfile(real_settings, folder / real_settings.name)  # own lesson folder, colours …
    try:
        summary = demo.fill(context.database(), years=years)
    finally:
        context.close()
    (folder / paths.DEMO_MARKER).write_text(
        "Dieser Ordner enthält nur Demo-Daten von Kurslotse (erfundene Personen und Kurse).\n"
        "Er kann jederzeit gelöscht werden; die echten Daten liegen im Ordner darüber.\n",
        encoding="utf-8",
    )
    return folder, summary


def _remove_from_real_database() -> int:
    from app import paths
    from app.commands.common import count, fail
    from app.services import context, demo
    from app.storage import backups
    from app.storage.database import DatabaseError

    if paths.in_demo():
        return fail("--entfernen gilt der echten Datenbank; bitte ohne --demo aufrufen.", 2)
    try:
        db = context.database()
        if not demo.has_demo_rows(db):
            print("Die Datenbank enthält keine Demo-Daten. Nichts zu tun.")
            return 0
        if db.path is not None:
            saved = backups.create_backup(db.path, "demo")
            print(f"Sicherung vor dem Entfernen: {saved.path}")
        removed = demo.remove_demo_rows(db)
    except (DatabaseError, backups.BackupError) as error:
        return fail(str(error))
    finally:
        context.close()
    print(f"Demo-Daten entfernt: {count(removed.courses, 'Kurs', 'Kurse')}, "
          f"{count(removed.participants, 'Person', 'Personen')}. Ihre eigenen Einträge sind geblieben.")
    return 0


def warn_if_real_database_has_demo(db) -> None:  # noqa: ANN001 - a Database; keeps this module import-light
    """One line on stderr when a real database still holds demo records from an older version."""
    from app import paths
    from app.commands.common import command_name
    from app.services import demo

    if not paths.in_demo() and demo.has_demo_rows(db):
        print(f"Hinweis: Diese Datenbank enthält Demo-Daten aus einer älteren Version von Kurslotse. "
              f"Entfernen: {command_name()} demo --entfernen", file=sys.stderr)
