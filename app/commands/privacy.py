"""``kurslotse personen``, ``auskunft``, ``loeschen``, ``aufbewahrung``: the participants' rights (DSGVO)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from app import server_database


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser("personen", help="Teilnehmende mit Nummern auflisten (für auskunft/loeschen)")
    listing.add_argument("suche", nargs="?", default="", metavar="TEXT", help="nur Namen, die TEXT enthalten")
    listing.set_defaults(func=run_people)
    auskunft = subparsers.add_parser(
        "auskunft", help="alles, was über eine Person gespeichert ist, als PDF oder JSON (Art. 15 DSGVO)",
        description="Schreibt eine Auskunft über alle gespeicherten Daten einer Person: Angaben, Einwilligungen, "
        "Anmeldungen, Anwesenheiten. Beispiel: auskunft 12 -o auskunft-12.pdf",
    )
    auskunft.add_argument("person", type=int, metavar="PERSON-NR", help="Nummer der Person (siehe: personen)")
    auskunft.add_argument("-o", "--ausgabe", required=True, metavar="DATEI.pdf|.json", help="Zieldatei")
    auskunft.set_defaults(func=run_auskunft)
    erase = subparsers.add_parser(
        "loeschen", help="eine Person löschen (Art. 17 DSGVO); für die Statistik bleibt ein anonymer Platzhalter",
        description="Entfernt Name, Kontakt, Geburtsjahr und Notiz der Person aus der Datenbank, der Datei und den "
        "Sicherungen. Anwesenheiten zählen anonym weiter. Beim nächsten Abgleich löschen die anderen Laptops mit.",
    )
    erase.add_argument("person", type=int, metavar="PERSON-NR", help="Nummer der Person (siehe: personen)")
    erase.add_argument("--ja", action="store_true", help="ohne Rückfrage löschen")
    erase.set_defaults(func=run_erase)
    retention = subparsers.add_parser(
        "aufbewahrung", help="Personen ohne Aktivität seit N Monaten auflisten (und mit --loeschen löschen)",
        description="Listet Personen, die seit der Aufbewahrungsfrist (Standard 24 Monate, einstellbar im Dialog "
        "Organisation) an nichts teilgenommen haben. Mit --loeschen werden sie gelöscht (anonymisiert).",
    )
    retention.add_argument("--monate", type=int, metavar="N", help="Frist in Monaten (sonst die Einstellung)")
    retention.add_argument("--loeschen", action="store_true", help="die aufgelisteten Personen löschen")
    retention.add_argument("--ja", action="store_true", help="ohne Rückfrage löschen")
    retention.set_defaults(func=run_retention)


def _fail(message: str, code: int = 1) -> int:
    print(f"Kurslotse: {message}", file=sys.stderr)
    return code


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(f"{question} [j/N] ")
    except EOFError:
        return False
    return answer.strip().casefold() in ("j", "ja", "y", "yes")


def run_people(args: argparse.Namespace) -> int:
    from app.services import context, people
    from app.storage.database import DatabaseError

    try:
        db = context.database()
        found = people.search_participants(db, args.suche, limit=10_000) if args.suche.strip() \
            else people.known_people(db)
    except DatabaseError as error:
        return _fail(str(error))
    finally:
        context.close()
    for person in found:
        extra = f"  (Jahrgang {person.birth_year})" if person.birth_year else ""
        print(f"{person.id:>5}  {person.name}{extra}")
    if not found:
        print("Keine Personen gefunden.")
    return 0


def run_auskunft(args: argparse.Namespace) -> int:
    from app.domain.attendance import InputError
    from app.services import auskunft, context
    from app.storage.database import DatabaseError

    from app.commands.common import output_file_or_exit

    target = output_file_or_exit(args.ausgabe, (".pdf", ".json"))
    if isinstance(target, int):
        return target
    kind = target.suffix.lower().lstrip(".")
    try:
        data = auskunft.collect(context.database(), args.person)
    except (DatabaseError, InputError) as error:
        return _fail(str(error))
    finally:
        context.close()
    try:
        if kind == "json":
            auskunft.write_json(data, target)
            print(f"Geschrieben: {target}")
            return 0
        from app.commands.common import gui_application

        gui_application()
        from app.render.auskunft import build_auskunft
        from app.render.output import OutputError, write_pdf

        layout = write_pdf(build_auskunft(data), target)
    except (auskunft.AuskunftError, OutputError) as error:
        return _fail(str(error))
    from app.commands.common import count

    print(f"Geschrieben: {target} ({count(layout.page_count, 'Seite', 'Seiten')})")
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from app.domain.attendance import InputError
    from app.services import context, erasure, people, privacy
    from app.storage.database import DatabaseError

    try:
        db = context.database()
        erasure.check_person(db, args.person)
        if privacy.is_erased(db, args.person):
            print(f"Die Person Nr. {args.person} wurde schon gelöscht.")
            return 0
        name = people.get_participant(db, args.person).name
        if not args.ja and not _confirm(f"Person Nr. {args.person} »{name}« wirklich löschen? "
                                        "Das lässt sich nicht rückgängig machen."):
            return _fail("Nichts gelöscht. Zum Löschen ohne Rückfrage: --ja", 1)
        report = erasure.erase_one(db, args.person)
    except (DatabaseError, InputError) as error:
        return _fail(str(error))
    finally:
        context.close()
    for line in server_database.erasure_lines(report, server_database.uses_server()):
        print(line)
    return 0


def run_retention(args: argparse.Namespace) -> int:
    from app.commands.common import count
    from app.domain.attendance import InputError, format_date
    from app.services import context, erasure, retention
    from app.storage.database import DatabaseError

    try:
        db = context.database()
        months = args.monate if args.monate is not None else retention.retention_months(db)
        due = retention.inactive_people(db, months)
        print(f"Aufbewahrungsfrist: {months} Monate. Ohne Aktivität seit dem "
              f"{format_date(retention.months_before(dt.date.today(), months))}: {count(len(due), 'Person', 'Personen')}.")
        for person in due:
            last = format_date(person.last_activity) if person.last_activity else "unbekannt"
            print(f"{person.id:>5}  {person.name}  (zuletzt aktiv: {last})")
        if not args.loeschen or not due:
            return 0
        if not args.ja and not _confirm(f"Diese {len(due)} Personen jetzt löschen (anonymisieren)?"):
            return _fail("Nichts gelöscht. Zum Löschen ohne Rückfrage: --loeschen --ja", 1)
        report = erasure.erase_people(db, [p.id for p in due])
    except (DatabaseError, InputError) as error:
        return _fail(str(error))
    finally:
        context.close()
    for line in server_database.erasure_lines(report, server_database.uses_server()):
        print(line)
    return 0
