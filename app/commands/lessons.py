"""``kurslotse lektionen pruefen|liste|vorlagen|exportieren|importieren``: check lesson files, list the
library, pass lessons on as a package and take a package in (see :mod:`app.lessons.package`)."""

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
    export = sub.add_parser("exportieren", help="Lektionen als Paket (.kurslotse) zum Weitergeben speichern")
    export.add_argument("ids", nargs="+", metavar="ID", help="id der Lektion (siehe »lektionen liste«)")
    export.add_argument("-o", "--ausgabe", required=True, metavar="DATEI", help="Paketdatei, z. B. paket.kurslotse")
    export.set_defaults(func=run_export)
    intake = sub.add_parser("importieren", help="Lektionspaket prüfen und in den eigenen Lektionsordner einlesen")
    intake.add_argument("paket", metavar="DATEI", help="Paketdatei (.kurslotse)")
    intake.add_argument("--nur-zeigen", action="store_true", help="nur prüfen und zeigen, was hinzukäme; nichts schreiben")
    intake.add_argument("--ersetzen", action="store_true", help="auch ältere oder andere Fassungen eigener Lektionen ersetzen")
    intake.set_defaults(func=run_import)


def _library(paths_given: list[str], check_pictures: bool = True):
    from app import paths
    from app.lessons.library import load_library
    from app.settings import Settings

    if paths_given:
        # ``…/lektion.md`` means its folder: that is what a trainer has open in the editor.
        return load_library([Path(p).parent if Path(p).name.lower() == "lektion.md" else Path(p)
                             for p in paths_given], check_pictures=check_pictures)
    return load_library([paths.shipped_lessons_dir()], Settings.load().user_lesson_dirs(), check_pictures=check_pictures)


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


def run_export(args: argparse.Namespace) -> int:
    from app.commands.common import command_name, count, fail, output_file_or_exit
    from app.lessons.package import SUFFIX, PackageError, export_package

    target = output_file_or_exit(args.ausgabe, (SUFFIX,))
    if isinstance(target, int):
        return target
    library = _library([], check_pictures=False)
    chosen = []
    for lesson_id in args.ids:
        lesson = library.by_id(lesson_id)
        if lesson is None:
            return fail(f"Die Lektion »{lesson_id}« gibt es nicht (siehe »{command_name()} lektionen liste«).")
        chosen.append(lesson)
    try:
        packaged = export_package(chosen, target)
    except PackageError as error:
        return fail(f"Das Paket wurde nicht geschrieben: {error}")
    print(f"Paket geschrieben: {target} ({count(len(packaged), 'Lektion', 'Lektionen')}: "
          f"{', '.join(item.id for item in packaged)})")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from app import paths
    from app.commands.common import count, fail
    from app.lessons.package import PackageError, install, own_lesson_folder, plan_import, read_package
    from app.settings import Settings

    settings = Settings.load()
    try:
        package = read_package(Path(args.paket))
    except PackageError as error:
        return fail(f"Das Paket »{args.paket}« wird nicht eingelesen: {error}")
    with package:
        # Read only for a package that passed every check (parsing all lessons takes a moment).
        library = _library([], check_pictures=False)  # only ids, versions and folders are compared
        plan = plan_import(package, library.lessons)
        print(f"Paket »{args.paket}«: {count(len(plan), 'Lektion', 'Lektionen')}")
        for item in plan:
            print(f"  {item.describe()}")
        if args.nur_zeigen:
            return 0
        if not any(item.will_install(args.ersetzen) for item in plan):
            print("Nichts eingelesen: die Lektionen des Pakets sind schon vorhanden, älter oder mitgeliefert "
                  "(»--ersetzen« ersetzt ältere oder andere Fassungen eigener Lektionen).")
            return 0
        target = own_lesson_folder(settings)
        try:
            installed = install(package, plan, target, paths.shipped_lessons_dir(), replace_different=args.ersetzen)
        except PackageError as error:
            return fail(f"Das Paket »{args.paket}« wurde nicht eingelesen: {error}")
    print(f"Eingelesen nach {target}: {', '.join(installed)}")
    return 0
