"""The Auskunft (DSGVO Art. 15) as a renderer document: the person's fields, consents, enrolments, attendances.

Built from :class:`app.services.auskunft.Auskunft` (plain data); PDF, printer and preview paint it
through :mod:`app.render.output` like every other sheet. Values are never parsed as Markdown.
"""

from __future__ import annotations

from app.domain.attendance import format_date
from app.render.attendance_sheets import _facts, _furniture, _plain
from app.render.blocks import Table
from app.render.document import Block, Document, Section
from app.render.keep import Group
from app.render.text import BODY, heading
from app.render.units import mm
from app.services.auskunft import NOTES, Auskunft, date_text, fact_lines

SMALL = BODY  # one text size throughout (tables included): 14 pt, like every handout


def build_auskunft(data: Auskunft) -> Document:
    """One document with everything stored about the person, in the order a person asks about it."""
    warnings: list[str] = []
    created = data.created_at.strftime("%d.%m.%Y")
    furniture = _furniture(data.letterhead, f"Auskunft Person Nr. {data.person_id} · {created}", warnings)
    document = Document(furniture.page_style(), title=f"Auskunft über gespeicherte Daten – Person Nr. {data.person_id}")
    document.author = data.letterhead.organisation
    document.warnings.extend(warnings)
    document.add(
        Section("Auskunft (Art. 15 DSGVO)"),
        heading("Auskunft über gespeicherte Daten", 1),
        _facts([
            ("Person", data.name),
            ("Nummer", str(data.person_id)),
            ("Verantwortlich", data.letterhead.organisation),
            ("Kontakt", data.letterhead.contact),
            ("Erstellt am", created),
        ]),
        heading("Angaben zur Person", 2),
        Table(["Feld", "Gespeicherter Wert"], [[name, value or "–"] for name, value in fact_lines(data)],
              widths=[0.35, 0.65]),
        heading(f"Einwilligungen ({len(data.consents)})", 2),
    )
    if data.consents:
        document.add(Table(
            ["Einwilligung", "erteilt am", "Fassung", "widerrufen am"],
            [[c["einwilligung_text"] + (" (gelöscht)" if c["deleted"] else ""), date_text(c["given_on"]),
              c["wording_version"], date_text(c["withdrawn_on"]) or "–"] for c in data.consents],
            widths=[0.34, 0.22, 0.2, 0.24], style=SMALL,
        ))
    else:
        document.add(_plain("Keine Einwilligungen gespeichert.", space_after=mm(2)))
    document.add(heading(f"Anmeldungen zu Kursen ({len(data.enrolments)})", 2))
    if data.enrolments:
        document.add(Table(
            ["Kurs", "Art", "Ortsgemeinde", "angemeldet am"],
            [[e["kurs"] + (" (abgemeldet)" if e["deleted"] else ""), e["kursart"], e["ortsgemeinde"] or "–",
              date_text(e["enrolled_on"]) + (" (ohne Anmeldung)" if e["walk_in"] else "")] for e in data.enrolments],
            widths=[0.38, 0.17, 0.2, 0.25], style=SMALL,
        ))
    else:
        document.add(_plain("Keine Anmeldungen gespeichert.", space_after=mm(2)))
    document.add(heading(f"Anwesenheiten ({len(data.attendances)})", 2))
    if data.attendances:
        document.add(Table(
            ["Datum", "Zeit", "Kurs", "Status"],
            [[date_text(a["termin_datum"]), a["termin_zeit"] or "–", a["kurs"],
              a["status_text"] + (" (zurückgenommen)" if a["deleted"] else "")] for a in data.attendances],
            widths=[0.18, 0.12, 0.45, 0.25], style=SMALL,
        ))
    else:
        document.add(_plain("Keine Anwesenheiten gespeichert.", space_after=mm(2)))
    if data.earlier_values:
        document.add(
            heading(f"Frühere Werte, noch für den Abgleich gespeichert ({len(data.earlier_values)})", 2),
            Table(["Feld", "Früherer Wert", "Wo"],
                  [[v["bezeichnung"], str(v["wert"]), v["quelle"]] for v in data.earlier_values],
                  widths=[0.25, 0.4, 0.35], style=SMALL),
        )
    # the closing part stays together: no page that holds only its last lines
    closing: list[Block] = [heading("Hinweise", 2), _plain("\n".join(NOTES), space_after=mm(2))]
    if data.letterhead.funding_line:
        closing.append(_plain(data.letterhead.funding_line, BODY.with_(italic=True), space_before=mm(2)))
    closing.append(_plain(f"Stand: {format_date(data.created_at.date())}", BODY, space_before=mm(4)))
    document.add(Group(closing))
    return document
