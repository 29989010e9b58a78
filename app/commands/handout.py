"""``kurslotse handout LEKTION... -o DATEI.pdf``: large-print handout; several lessons make a booklet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.commands.common import DATE_HELP, parse_date

DEVICE_CHOICES = ("android", "iphone", "beide")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "handout",
        help="Handout als PDF erstellen (mehrere Lektionen ergeben ein Kursheft)",
        description="Erstellt ein großgedrucktes Handout mit QR-Codes als PDF. "
        "Mehrere Lektionen ergeben ein Kursheft mit Deckblatt und Inhaltsverzeichnis.",
    )
    parser.add_argument("lektionen", nargs="+", metavar="LEKTION", help="ID oder Ordner der Lektion")
    parser.add_argument("-o", "--ausgabe", required=True, metavar="DATEI.pdf", help="wohin das PDF geschrieben wird")
    parser.add_argument("--geraet", choices=DEVICE_CHOICES, default="beide",
                        help="Android-, iPhone-Fassung oder beide (Standard: beide)")
    parser.add_argument("--notizen", action="store_true", help="Notizen für die Kursleitung mitdrucken")
    parser.add_argument("--beidseitig", action="store_true",
                        help="für beidseitigen Druck: jede Lektion des Kurshefts beginnt auf einer rechten Seite")
    parser.add_argument("--kurs", default="", metavar="NAME", help="Name des Kurses für Kopf- und Fußzeile")
    parser.add_argument("--kursleitung", default="", metavar="NAME", help="Name der Kursleitung")
    parser.add_argument("--organisation", default="", metavar="NAME", help="Name der Organisation (Standard: Kurslotse)")
    parser.add_argument("--logo", default=None, metavar="BILD", help="Logo der Organisation (PNG, JPEG oder SVG)")
    parser.add_argument("--datum", type=parse_date, default=None, metavar="DATUM",
                        help=f"Datum ({DATE_HELP}; Standard: heute)")
    parser.set_defaults(func=run)


def find_lesson(reference: str):
    """Lesson by folder or id; returns (lesson, None) or (None, German error message)."""
    from app import paths
    from app.lessons.parser import LESSON_FILE, parse_lesson
    from app.settings import Settings

    folder = Path(reference).expanduser()
    # A handout prints errors as warnings and ignores the author's writing advice (advice=False).
    if folder.is_dir():
        if not (folder / LESSON_FILE).is_file():
            return None, f"Im Ordner »{folder}« gibt es keine Datei {LESSON_FILE}; das ist kein Lektionsordner."
        return parse_lesson(folder, check_pictures=False, advice=False), None
    roots = [paths.shipped_lessons_dir(), *Settings.load().user_lesson_dirs()]
    # Fast path: the folder name is the id (as the format asks); otherwise search the whole library.
    for root in roots:
        candidate = root / reference
        if "/" not in reference and "\\" not in reference and (candidate / LESSON_FILE).is_file():
            lesson = parse_lesson(candidate, check_pictures=False, advice=False)
            if lesson.id == reference:
                return lesson, None
    from app.lessons.library import load_library

    library = load_library([r for r in roots if r.is_dir()], check_pictures=False)
    lesson = library.by_id(reference)
    if lesson is not None:
        return lesson, None
    wanted = reference.strip().casefold()
    by_title = [item for item in library.lessons if item.title.strip().casefold() == wanted]
    if len(by_title) == 1:
        return by_title[0], None
    known = "\n".join(f"  {item.id:<28} {item.title}" for item in sorted(library.lessons, key=lambda x: x.id))
    return None, (f"Die Lektion »{reference}« gibt es nicht (weder als ID noch als Titel oder Ordner). "
                  f"Vorhandene Lektionen:\n{known or '  keine'}")


def run(args: argparse.Namespace) -> int:
    from app.commands.common import count, output_file_or_exit

    target = output_file_or_exit(args.ausgabe, (".pdf",))
    if isinstance(target, int):
        return target
    lessons = []
    for reference in args.lektionen:
        lesson, problem = find_lesson(reference)
        if problem:
            print(f"Kurslotse: {problem}", file=sys.stderr)
            return 1
        if not lesson.steps:
            print(f"Kurslotse: Die Lektion »{reference}« hat keine druckbaren Schritte:", file=sys.stderr)
            for item in lesson.errors:
                print(f"  {item.format()}", file=sys.stderr)
            return 1
        for item in lesson.errors:
            print(f"Warnung: {item.format()} (das Handout wird trotzdem erstellt)", file=sys.stderr)
        lessons.append(lesson)

    from app.render import qr_prefetch
    from app.render.qr_encode import allow_lazy_pillow

    allow_lazy_pillow()  # a one-shot command without other threads: Pillow only if something draws with it
    # The QR codes are encoded in a helper process while Qt starts and the text is set (Linux).
    qr_prefetch.start(link.url for lesson in lessons for link in lesson.links
                      if link.url.lower().startswith("https://"))
    from app.qt_import import import_shiboken

    import_shiboken()  # PySide's own support code compiled once, not on every start
    from app.render.output import OutputError, check_target

    try:
        check_target(target)
    except OutputError as error:
        print(f"Kurslotse: {error}", file=sys.stderr)
        return 1

    from app.commands.common import gui_application

    gui_application()
    from app.render.pictures import end_read_ahead, read_ahead

    # The pictures after the first are decoded in a helper thread while this one builds the text.
    read_ahead([picture.path for lesson in lessons for step in lesson.steps
                for picture in (step.picture, *(v.picture for v in step.variants.values())) if picture])
    from app.render.booklet import build_booklet
    from app.render.handout import HandoutOptions, build_handout
    from app.render.output import write_pdf

    organisation, logo = args.organisation, Path(args.logo).expanduser() if args.logo else None
    if not organisation or logo is None:  # fill what was not given from the organisation settings
        from app.services.print_settings import organisation_for_print

        stored_name, stored_logo = organisation_for_print()
        organisation = organisation or stored_name
        logo = logo or stored_logo
    options = HandoutOptions.for_choice(
        args.geraet, notes=args.notizen, organisation=organisation, course=args.kurs,
        trainer=args.kursleitung, date=args.datum, logo_path=logo, duplex=args.beidseitig,
    )
    try:
        document = build_booklet(lessons, options) if len(lessons) > 1 else build_handout(lessons[0], options)
        layout = write_pdf(document, target)
    except OutputError as error:
        print(f"Kurslotse: {error}", file=sys.stderr)
        return 1
    finally:
        qr_prefetch.stop()
        end_read_ahead()
    for warning in layout.warnings:
        print(f"Warnung: {warning}", file=sys.stderr)
    kind = "Kursheft" if len(lessons) > 1 else "Handout"
    print(f"{kind} gespeichert: {target} ({count(layout.page_count, 'Seite', 'Seiten')})")
    return 0
