"""Lists, certificates, the Auskunft and the report on a black-and-white printer (issue 14)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_print_handouts import vanishing_blocks
from test_render_support import page_texts, placed_blocks, render_pages, text_runs

from app.domain.attendance import CertificateData, CourseFormat, Letterhead, SignatureSheetData
from app.render.attendance_sheets import Certificate, build_certificates, build_signature_sheet, place_phrase
from app.render.auskunft import build_auskunft
from app.render.blocks import Table
from app.render.hyphen import SOFT_HYPHEN, hyphenate
from app.render.output import write_pdf
from app.render.units import to_mm
from app.services.auskunft import Auskunft
from app.services.demo import demo_logo_png

HEAD = Letterhead("Digitallotsen Kusel", "Gefördert im Rahmen von »Land L(i)eben« (Kreis Kusel)",
                  "Projektbüro Kusel, Tel. 06381 0000", demo_logo_png())
TOPICS = ("Das Smartphone kennenlernen", "WhatsApp-Nachrichten", "Kamera und Fotos", "Betrug erkennen",
          "Im Internet suchen", "QR-Codes scannen")


def certificate(name: str = "Anna-Katharina Müller-Lüdenscheidt", place: str = "Dorfgemeinschaftshaus",
                topics: tuple[str, ...] = TOPICS) -> CertificateData:
    return CertificateData(HEAD, name, "Smartphone-Grundkurs", CourseFormat.COURSE, "Nanzdietschweiler", place,
                           tuple(dt.date(2026, 3, day) for day in (3, 10, 17, 24, 31)), 6, topics,
                           ("Maria Schneider", "Peter Klein"), dt.date(2026, 6, 1))


def sheet(count: int, empty: int = 5) -> SignatureSheetData:
    return SignatureSheetData(HEAD, "Smartphone-Grundkurs", CourseFormat.COURSE, dt.date(2026, 3, 10),
                              "14:00–16:00 Uhr", "Dorfgemeinschaftshaus", "Nanzdietschweiler", ("Maria Schneider",),
                              ("Das Smartphone kennenlernen",), tuple(f"Person {n}" for n in range(1, count + 1)), empty)


@pytest.mark.parametrize(("place", "municipality", "expected"), [
    ("Dorfgemeinschaftshaus", "Nanzdietschweiler", "im Dorfgemeinschaftshaus in Nanzdietschweiler"),
    ("Bücherei", "Kusel", "in der Bücherei in Kusel"),
    ("Gemeindehalle", "", "in der Gemeindehalle"),
    ("", "Nanzdietschweiler", "in Nanzdietschweiler"),
    ("Nanzdietschweiler", "Nanzdietschweiler", "in Nanzdietschweiler"),
    ("das Bürgerhaus", "", "im Bürgerhaus"),
    ("im Pfarrheim", "Kusel", "im Pfarrheim in Kusel"),
])
def test_place_phrase_is_correct_german(place: str, municipality: str, expected: str) -> None:
    assert place_phrase(place, municipality) == expected


def test_certificate_is_one_framed_page_without_handout_header(qapp, tmp_path: Path) -> None:
    target = tmp_path / "urkunde.pdf"
    layout = write_pdf(build_certificates([certificate(), certificate("Bernd Schmidt", topics=TOPICS[:2])]), target)
    assert layout.page_count == 2
    texts = [" ".join(text.split()) for text in page_texts(target)]
    first = texts[0]
    assert "im Dorfgemeinschaftshaus in Nanzdietschweiler" in first and "in Dorfgemeinschaftshaus" not in first
    for expected in ("Teilnahmebescheinigung", "Digitallotsen Kusel", "Smartphone-Grundkurs", "Besuchte Termine (5 von 6)",
                     "Behandelte Themen", "Kamera und Fotos", "Unterschrift der Kursleitung", "Ort, Datum",
                     "Nanzdietschweiler, den 01.06.2026", "Projektbüro Kusel"):
        assert expected in first, expected
    assert first.count("Teilnahmebescheinigung") == 1  # no running header repeating the title
    assert "Seite" not in first
    runs = text_runs(target)
    name_sizes = [run.size for run in runs if run.page == 1 and "Lüdenscheidt" in run.text]
    body_sizes = [run.size for run in runs if run.page == 1 and "Hiermit" in run.text]
    assert name_sizes and body_sizes and min(name_sizes) >= 28 and min(name_sizes) >= 1.8 * max(body_sizes)
    for number, block, _y in placed_blocks(layout):
        if isinstance(block, Certificate):
            assert not block.overflows(), f"Seite {number}: Themen laufen in die Unterschriften"
    assert vanishing_blocks(layout, target) == []


def test_twenty_people_sign_on_one_a4_sheet_with_rows_of_10_mm(qapp, tmp_path: Path) -> None:
    target = tmp_path / "liste.pdf"
    layout = write_pdf(build_signature_sheet(sheet(20)), target)
    assert layout.page_count == 1
    tables = [block for _page, block, _y in placed_blocks(layout) if isinstance(block, Table)]
    rows = tables[0].heights
    assert len(rows) >= 20 and min(to_mm(height) for height in rows) >= 10.0 - 0.01
    text = " ".join(page_texts(target)[0].split())
    assert "Person 20" in text and "Unterschrift" in text
    assert vanishing_blocks(layout, target) == []


def test_a_long_list_continues_with_the_header_repeated(qapp, tmp_path: Path) -> None:
    target = tmp_path / "lang.pdf"
    layout = write_pdf(build_signature_sheet(sheet(40, empty=0)), target)
    assert layout.page_count == 2
    assert all("Unterschrift" in text for text in page_texts(target))
    assert "Person 40" in page_texts(target)[1]


def _auskunft(attendances: int) -> Auskunft:
    person = {"name": "Anna Müller", "geschlecht_text": "weiblich", "geraet_text": "Android"}
    rows = [{"termin_datum": (dt.date(2026, 1, 1) + dt.timedelta(days=7 * n)).isoformat(), "termin_zeit": "14:00",
             "kurs": "Smartphone-Grundkurs", "status_text": "anwesend", "deleted": False} for n in range(attendances)]
    return Auskunft(7, person, [], [], rows, HEAD, created_at=dt.datetime(2026, 6, 1, 10, 0))


@pytest.mark.parametrize("attendances", [3, 16, 22, 30])
def test_auskunft_has_one_text_size_and_no_widow(qapp, tmp_path: Path, attendances: int) -> None:
    target = tmp_path / "auskunft.pdf"
    layout = write_pdf(build_auskunft(_auskunft(attendances)), target)
    headings = {"Auskunft über gespeicherte Daten"}
    sizes = {round(run.size, 1) for run in text_runs(target) if run.text.strip() and not any(
        run.text.strip() in h for h in headings) and run.size < 18}
    assert sizes == {14.0}, sizes
    last = page_texts(target)[-1]
    assert "Hinweise" in last and "Stand: 01.06.2026" in last  # the closing part stays together
    assert vanishing_blocks(layout, target) == []


def test_hyphenation_breaks_long_header_words_between_syllables() -> None:
    assert hyphenate("Einzelveranstaltung").replace(SOFT_HYPHEN, "·") == "Ein·zel·veran·stal·tung"
    assert hyphenate("Altersgruppe").replace(SOFT_HYPHEN, "·") == "Alters·gruppe"
    assert hyphenate("Sprechstunde").replace(SOFT_HYPHEN, "·") == "Sprech·stunde"
    assert hyphenate("Personen") == "Personen"  # short words stay whole


def test_narrow_header_cell_breaks_with_a_hyphen(qapp, tmp_path: Path) -> None:
    from app.render.document import Document

    target = tmp_path / "kopf.pdf"
    table = Table([hyphenate("Einzelveranstaltung"), "B", "C", "D", "E", "F"], [["1", "2", "3", "4", "5", "6"]])
    write_pdf(Document().add(table), target)
    text = PdfReader(str(target)).pages[0].extract_text()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert any(line.endswith("-") for line in lines), lines  # a visible hyphen where the word breaks
    assert not any(line.startswith("g ") or line == "g" for line in lines)


def test_chart_series_keep_their_look_and_survive_one_bit(qapp) -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from app.render.charts import ChartData, paint_chart, series_style
    from app.render.units import mm

    assert series_style("Erreichte Personen", 0) == series_style("Erreichte Personen", 1)
    assert series_style("Termine stattgefunden", 1) != series_style("Erreichte Personen", 0)
    image = QImage(500, 330, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.scale(500 / mm(170), 500 / mm(170))
    paint_chart(painter, QRectF(0, 0, mm(170), mm(110)), ChartData("Probe", ["A", "B"], [
        ("Termine stattgefunden", [0, 0]), ("Erreichte Personen", [9, 9])]))
    painter.end()
    # the hatched »Erreichte Personen« bars alone: their ink must survive a 50 % threshold
    dark = sum(1 for y in range(0, 330) for x in range(0, 500) if QColor(image.pixel(x, y)).lightness() < 128)
    assert dark > 1500


def test_report_pdf_one_bit_empty_cells_and_no_nearly_empty_page(qapp, demo_db, tmp_path: Path) -> None:
    from app.domain.indicators import year_period
    from app.render.report import EMPTY_CELL, build_report_document
    from app.reports import build_report
    from tests.report_fixtures import LESSONS

    report = build_report(demo_db, year_period(2025), lessons=LESSONS)
    document = build_report_document(report)
    target = tmp_path / "bericht.pdf"
    layout = write_pdf(document, target)
    assert vanishing_blocks(layout, target) == []
    last = layout.pages[-1]
    used = max(placed.y + placed.block.height for placed in last.placed)
    assert used >= 0.35 * layout.body.height()  # no nearly empty last page
    cells = {"".join(run.text for paragraph in cell.paragraphs for run in paragraph.runs).strip()
             for _page, block, _y in placed_blocks(layout) if isinstance(block, Table)
             for row in block.cells for cell in row}
    assert cells and not cells & {"", "-", "—", "None"}
    assert EMPTY_CELL == "–"
    assert render_pages(target, 30)


from tests.attendance_fixtures import db, no_leaked_listeners  # noqa: E402,F401
from tests.report_fixtures import demo_db  # noqa: E402,F401
