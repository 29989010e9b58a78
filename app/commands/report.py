"""``kurslotse bericht --von … --bis … [--gemeinde NAME] [--rohdaten] -o DATEI``: Smart-City report as XLSX, CSV or PDF."""

from __future__ import annotations

import argparse
import sys

from app.commands.common import DATE_HELP, parse_date

EXAMPLE = "bericht --von 2026-01-01 --bis 2026-03-31 -o bericht-q1.xlsx"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bericht",
        help="Kennzahlen für den Fördergeber als XLSX, CSV oder PDF (ohne Namen)",
        description="Schreibt die Smart-City-Kennzahlen eines Zeitraums (Termine, Stunden, erreichte Personen, "
        "Altersgruppen, Themen …) als XLSX, CSV oder PDF mit Diagrammen. Felder mit 1 oder 2 Personen und Felder, aus "
        "denen sie sich zurückrechnen ließen, erscheinen als ».«; zur Weitergabe gedacht sind Quartal, Halbjahr und "
        "Jahr für alle Ortsgemeinden (ein Monat, ein freier Zeitraum oder --gemeinde ist »nur intern«). Mit --rohdaten: eine pseudonymisierte Zeile je Anwesenheit (nur XLSX oder CSV). "
        f"Beispiel: {EXAMPLE}",
    )
    parser.add_argument("--von", required=True, type=parse_date, metavar="DATUM",
                        help=f"erster Tag des Zeitraums ({DATE_HELP})")
    parser.add_argument("--bis", required=True, type=parse_date, metavar="DATUM",
                        help=f"letzter Tag des Zeitraums, eingeschlossen ({DATE_HELP})")
    parser.add_argument("--gemeinde", metavar="NAME", help="nur Angebote dieser Ortsgemeinde")
    parser.add_argument("--rohdaten", action="store_true",
                        help="pseudonymisierte Rohdaten statt Kennzahlen (eine Zeile je Anwesenheit)")
    parser.add_argument("--schwelle", type=int, default=None, metavar="N",
                        help="Felder mit weniger als N Personen verbergen (Standard 3)")
    parser.add_argument("-o", "--ausgabe", required=True, metavar="DATEI", help="Zieldatei: .xlsx, .csv oder .pdf")
    parser.set_defaults(func=run)


def _fail(message: str, code: int = 1) -> int:
    print(f"Kurslotse: {message}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    from app.commands.common import output_file_or_exit
    from app.domain.attendance import InputError
    from app.domain.indicators import (
        DEFAULT_THRESHOLD,
        PeriodError,
        check_threshold,
        period_between,
    )
    from app.reports import RAW_SUFFIXES, SUFFIXES, ExportError, check_suffix

    target = output_file_or_exit(args.ausgabe, RAW_SUFFIXES if args.rohdaten else SUFFIXES)
    if isinstance(target, int):
        return target
    try:
        period = period_between(args.von, args.bis)
        threshold = check_threshold(DEFAULT_THRESHOLD if args.schwelle is None else args.schwelle)
        suffix = check_suffix(target, raw=args.rohdaten)
    except (InputError, PeriodError, ExportError) as error:
        return _fail(str(error), 2)

    from app.reports import build_report, export, export_raw
    from app.reports.query import ReportInputError
    from app.services import context
    from app.storage.database import DatabaseError

    try:
        db = context.database()
        if args.rohdaten:
            count = export_raw(db, period, target, args.gemeinde)
            print(f"Geschrieben: {target} ({count} Zeilen, pseudonymisiert – nur für die eigene Auswertung, "
                  "nicht zur Weitergabe)")
            return 0
        report = build_report(db, period, args.gemeinde, threshold)
        if suffix == ".pdf":
            from app.commands.common import gui_application

            gui_application()
        export(report, target)
    except (DatabaseError, ReportInputError, ExportError) as error:
        return _fail(str(error))
    finally:
        context.close()
    from app.reports.cells import display_text

    total = report.data.total.values
    where = f" in {report.data.municipality}" if report.data.municipality else ""
    persons = report.persons_reached()
    print(f"Geschrieben: {target}\n  {period.label}{where}: {total['termine_held']} Termine stattgefunden, "
          f"{display_text(persons)} Personen erreicht, "
          f"{display_text(float(total['clock_hours'] or 0))} Zeitstunden.")
    if report.data.audit:
        print(f"  Datenschutz: {report.data.audit.note(threshold)}")
    if report.data.internal:
        print("  Hinweis: Monat, frei gewählter Zeitraum oder eine einzelne Ortsgemeinde – nur intern, nicht zur "
              "Weitergabe (die Zahlen je Ortsgemeinde stehen im Bericht für alle).")
    for note in report.data.notes:
        print(f"Hinweis: {note}", file=sys.stderr)
    return 0
