"""``kurslotse lektionen pruefen|liste``: check lesson files, list the library."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("lektionen", help="Lektionen prüfen oder auflisten")
    sub = parser.add_subparsers(dest="lektionen_befehl", metavar="BEFEHL", required=True)
    check = sub.add_parser("pruefen", help="Lektionsdateien prüfen (Meldungen als datei:zeile: Meldung)")
    check.add_argument("pfade", nargs="*", metavar="PFAD", help="Lektionsordner oder Ordner mit Lektionen (Standard: alle geladenen)")
    check.add_argument("--streng", action="store_true", help="auch Warnungen zählen als Fehler")
    check.set_defaults(func=run_check)
    listing = sub.add_parser("liste", help="geladene Lektionen auflisten")
    listing.add_argument("--json", action="store_true", help="als JSON ausgeben")
    listing.set_defaults(func=run_list)
    templates = sub.add_parser("vorlagen", help="Kursvorlagen auflisten (Termine mit ihren Lektionen)")
    templates.add_argument("--json", action="store_true", help="als JSON ausgeben")
    templates.set_defaults(func=run_templates)


def _library(paths_given: list[str]):
    from app import paths
    from app.lessons.library import load_library
    from app.settings import Settings

    if paths_given:
        # ``…/lektion.md`` means its folder: that is what a trainer has open in the editor.
        return load_library([Path(p).parent if Path(p).name.lower() == "lektion.md" else Path(p)
                             for p in paths_given])
    return load_library([paths.shipped_lessons_dir()], Settings.load().user_lesson_dirs())


def run_check(args: argparse.Namespace) -> int:
    from app.commands.common import count
    from app.domain.lesson import Severity

    library = _library(args.pfade)
    problems = library.all_problems()
    for problem in problems:
        print(problem.format())
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    print(
        f"Geprüft: {count(len(library.lessons), 'Lektion', 'Lektionen')}, {errors} Fehler, "
        f"{count(warnings, 'Warnung', 'Warnungen')}.",
        file=sys.stderr,
    )
    if errors or (args.streng and warnings):
        return 1
    if not library.lessons and not problems:
        print("Keine Lektionen gefunden (ein Lektionsordner enthält eine Datei lektion.md).", file=sys.stderr)
        return 1
    return 0


def run_list(args: argparse.Namespace) -> int:
    library = _library([])
    if args.json:
        json.dump([lesson.summary() for lesson in library.lessons], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for lesson in library.lessons:
        mark = "  [FEHLER]" if lesson.is_broken else ""
        print(f"{lesson.id:<32} {lesson.title} ({len(lesson.steps)} Schritte, {lesson.duration_minutes} min){mark}")
    return 0


def run_templates(args: argparse.Namespace) -> int:
    library = _library([])
    if args.json:
        json.dump([t.summary() for t in library.templates], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    for template in library.templates:
        print(f"{template.id}: {template.title} ({len(template.sessions)} Termine)")
        for number, session in enumerate(template.sessions, 1):
            print(f"  {number}. {session.title}: {', '.join(session.lesson_ids)}")
    return 0
