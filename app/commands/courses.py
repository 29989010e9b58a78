"""``kurslotse kurse``, ``anwesenheitsliste``, ``bescheinigungen``: courses and their PDFs from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser("kurse", help="Kurse (oder die Termine eines Kurses) mit Nummern auflisten")
    listing.add_argument("--kurs", type=int, metavar="NR", help="die Termine dieses Kurses zeigen")
    listing.set_defaults(func=run_list)
    sheet = subparsers.add_parser("anwesenheitsliste", help="Anwesenheitsliste eines Termins als PDF")
    sheet.add_argument("termin", type=int, metavar="TERMIN-NR", help="Nummer des Termins (siehe: kurse --kurs NR)")
    sheet.add_argument("-o", "--ausgabe", required=True, metavar="DATEI.pdf", help="wohin das PDF geschrieben wird")
    sheet.set_defaults(func=run_sheet)
    certificates = subparsers.add_parser("bescheinigungen", help="Teilnahmebescheinigungen eines Kurses als PDF")
    certificates.add_argument("kurs", type=int, metavar="KURS-NR", help="Nummer des Kurses (siehe: kurse)")
    certificates.add_argument("--person", type=int, action="append", metavar="NR",
                              help="nur für diese Person (mehrfach möglich); sonst für alle, die da waren")
    certificates.add_argument("-o", "--ausgabe", required=True, metavar="DATEI.pdf", help="wohin das PDF geschrieben wird")
    certificates.set_defaults(func=run_certificates)


def _fail(message: str) -> int:
    print(f"Kurslotse: {message}", file=sys.stderr)
    return 1


def run_list(args: argparse.Namespace) -> int:
    from app.commands.common import count
    from app.domain.attendance import InputError, format_date
    from app.services import context, courses, overview
    from app.storage.database import DatabaseError

    try:
        db = context.database()
        from app.commands.demo import warn_if_real_database_has_demo

        warn_if_real_database_has_demo(db)
        if args.kurs is None:
            listed = courses.list_courses(db)
            if not listed:
                from app.commands.common import command_name

                print("Noch keine Kurse in dieser Datenbank. Einen Kurs legen Sie im Programmfenster an "
                      f"(Seite »Kurse«); zum Ausprobieren gibt es Demo-Daten: {command_name()} demo")
            for course in listed:
                period = " – ".join(format_date(d) for d in (course.start_date, course.end_date) if d)
                print(f"{course.id:>4}  {course.title}  [{course.format.label}, {course.municipality or 'ohne Ort'}"
                      f"{', ' + period if period else ''}]  {count(course.termin_count, 'Termin', 'Termine')}, "
                      f"{count(course.participant_count, 'Teilnehmende Person', 'Teilnehmende')}")
            return 0
        data = overview.course_overview(db, args.kurs)
        print(f"{data.course.title}")
        for termin in data.termine:
            count = f"{termin.present_count} anwesend" + (f", {termin.head_count} ohne Namen" if termin.head_count else "")
            print(f"{termin.id:>5}  {format_date(termin.date)}  {termin.time_text:<17} {termin.status.label:<14} {count}")
        return 0
    except (DatabaseError, InputError) as error:
        return _fail(str(error))
    finally:
        context.close()


def _write(build, target: Path) -> int:  # noqa: ANN001
    from app.commands.common import count
    from app.render.output import OutputError, write_pdf

    from app.commands.common import gui_application

    gui_application()
    try:
        layout = write_pdf(build(), target)
    except OutputError as error:
        return _fail(str(error))
    for warning in layout.warnings:
        print(f"Hinweis: {warning}", file=sys.stderr)
    print(f"Geschrieben: {target} ({count(layout.page_count, 'Seite', 'Seiten')})")
    return 0


def run_sheet(args: argparse.Namespace) -> int:
    from app.commands.common import output_file_or_exit

    target = output_file_or_exit(args.ausgabe, (".pdf",))
    if isinstance(target, int):
        return target
    from app.domain.attendance import InputError
    from app.services import context, documents
    from app.storage.database import DatabaseError

    try:
        data = documents.signature_sheet(context.database(), args.termin)
    except (DatabaseError, InputError) as error:
        return _fail(str(error))
    finally:
        context.close()
    from app.render.attendance_sheets import build_signature_sheet

    return _write(lambda: build_signature_sheet(data), target)


def run_certificates(args: argparse.Namespace) -> int:
    from app.commands.common import output_file_or_exit

    target = output_file_or_exit(args.ausgabe, (".pdf",))
    if isinstance(target, int):
        return target
    from app.domain.attendance import InputError
    from app.services import context, documents
    from app.storage.database import DatabaseError

    try:
        items = documents.certificates(context.database(), args.kurs, args.person)
    except (DatabaseError, InputError) as error:
        return _fail(str(error))
    finally:
        context.close()
    from app.render.attendance_sheets import build_certificates

    return _write(lambda: build_certificates(items), target)
