"""``kurslotse sicherungen [--wiederherstellen DATEI]``: list the database backups or restore one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sicherungen", help="Sicherungen der Datenbank auflisten, anlegen oder wiederherstellen",
        description="Ohne Option: die Sicherungen auflisten (neueste zuerst). Beim Wiederherstellen wird der "
        "jetzige Stand vorher gesichert.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--jetzt", action="store_true", help="jetzt eine Sicherung anlegen")
    group.add_argument("--wiederherstellen", metavar="DATEI", help="diese Sicherung wiederherstellen")
    group.add_argument("--pruefen", action="store_true",
                       help="die Datenbank auf Schäden prüfen und die neueste unbeschädigte Sicherung nennen")
    parser.set_defaults(func=run)


def _backup_file(reference: str, known) -> Path:  # noqa: ANN001 - the listed BackupInfo items
    """A backup by path, or by the file name or date shown in the list (``sicherungen`` prints both)."""
    path = Path(reference).expanduser()
    if path.is_file():
        return path
    wanted = reference.strip()
    for info in known:
        if wanted in (info.path.name, info.path.stem, str(info.path), info.created_text):
            return info.path
    return path  # restore names the missing file in its German message


def _server_note(args: argparse.Namespace) -> int | None:
    """On a database server, backups are the server's job: say so instead of copying files."""
    from app import server_database

    if not server_database.uses_server():
        return None
    note = server_database.backups_note()
    if args.jetzt or args.wiederherstellen or args.pruefen:
        print(f"Kurslotse: {note}", file=sys.stderr)
        return 1
    print(note)
    return 0


def run(args: argparse.Namespace) -> int:
    server = _server_note(args)
    if server is not None:
        return server
    from app.services import context
    from app.storage import backups
    from app.storage.backups import BackupError
    from app.storage.database import DatabaseError

    try:
        if args.pruefen:
            path = context.database_path()
            problem = backups.start_problem(path)
            if problem is not None:
                print("\n".join(f"Kurslotse: {line}" for line in problem.lines()), file=sys.stderr)
                return 1
            print(f"Die Datenbank {path} ist in Ordnung (SQLite quick_check).")
        elif args.jetzt:
            info = context.backup_now()
            print("Die Kopie ist geprüft (SQLite quick_check: in Ordnung).")
            print(f"Sicherung angelegt: {info.path}")
        elif args.wiederherstellen:
            safety = context.restore(_backup_file(args.wiederherstellen, context.list_backups()))
            print(f"Wiederhergestellt aus {args.wiederherstellen}.")
            if safety is not None:
                print(f"Der vorherige Stand ist gesichert in {safety.path}")
        else:
            found = context.list_backups()
            for info in found:
                print(f"{info.created_text}  {info.reason_label:<26} {info.check_label:<10} "
                      f"{info.size_bytes // 1024:>6} KB  {info.path}")
            if not found:
                print("Noch keine Sicherung vorhanden.")
    except (DatabaseError, BackupError) as error:
        print(f"Kurslotse: {error}", file=sys.stderr)
        if isinstance(error, backups.DamagedDatabase):
            problem = backups.start_problem(context.database_path())
            if problem is not None:
                print("\n".join(f"Kurslotse: {line}" for line in problem.lines()[1:]), file=sys.stderr)
        return 1
    finally:
        context.close()
    return 0
