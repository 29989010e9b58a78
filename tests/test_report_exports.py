"""Exports read back for real: XLSX with openpyxl, CSV with the csv module, PDF with pypdf and pypdfium2."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
import sys

import pytest
from openpyxl import load_workbook

from app.domain.attendance import CourseFormat, CourseInput, TerminInput
from app.domain.indicators import year_period
from app.reports import ExportError, build_report, export, export_raw
from app.reports.cells import neutralise
from app.reports.csvfile import csv_bytes
from app.reports.tables import Sheet
from app.reports.xlsx import workbook_bytes
from app.services import courses
from app.services.checkin import CheckInDesk
from tests.attendance_fixtures import TODAY, db, make_course, no_leaked_listeners  # noqa: F401
from tests.report_fixtures import LESSONS, demo_db  # noqa: F401

PERIOD = year_period(2025)


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, or Excel shows Umlaute wrongly"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def _section(rows: list[list[str]], title: str) -> list[list[str]]:
    start = next(i for i, row in enumerate(rows) if row and row[0] == title)
    end = next(i for i in range(start + 1, len(rows)) if not rows[i])
    return rows[start + 1:end]


def _number(text: str) -> float:
    assert re.fullmatch(r"-?\d+(,\d+)?", text), f"{text!r} is no German number"
    return float(text.replace(",", "."))


def test_xlsx_has_real_numbers_dates_and_german_sheets(demo_db, tmp_path):
    report = build_report(demo_db, PERIOD, lessons=LESSONS)
    target = export(report, tmp_path / "bericht.xlsx")
    book = load_workbook(target)
    assert book.sheetnames == ["Zeitraum und Definitionen", "Übersicht", "Ortsgemeinden", "Formate", "Themen", "Monate",
                               "Altersgruppen", "Geschlecht", "Geräteart", "Sprechstunden-Themen", "Lektionen"]
    info = {row[0].value: row[1] for row in book["Zeitraum und Definitionen"].iter_rows(min_row=2) if row[0].value}
    assert info["von"].value == dt.datetime(2025, 1, 1) and info["von"].number_format == "DD.MM.YYYY"
    assert info["bis"].value == dt.datetime(2025, 12, 31)
    assert info["Schwelle für kleine Zahlen"].value == 3
    assert "geteilt durch die Zahl der stattgefundenen Termine" in info["Personen je Termin (Durchschnitt)"].value

    overview = {row[0].value: row[1].value for row in book["Übersicht"].iter_rows(min_row=2)}
    values = report.data.total.values
    assert overview["Termine stattgefunden"] == values["termine_held"] and isinstance(overview["Termine stattgefunden"], int)
    hours = book["Übersicht"].cell(6, 2)  # XLSX knows only numbers; the format says »two decimals«
    assert hours.value == pytest.approx(values["clock_hours"]) and hours.data_type == "n"
    assert hours.number_format == "0.00"
    assert overview["Erreichte Personen"] == values["persons"]

    towns = book["Ortsgemeinden"]
    assert [c.value for c in towns[1]][:3] == ["Ortsgemeinde", "Angebote", "Termine stattgefunden"]
    assert towns.cell(2, 3).font.b is False and towns.cell(1, 1).font.b is True
    months = book["Monate"]
    assert months.cell(2, 1).value == dt.datetime(2025, 1, 1) and months.cell(2, 1).number_format == "MM.YYYY"
    assert months.max_row >= 13


def test_csv_opens_in_german_excel_and_parses_back(demo_db, tmp_path):
    report = build_report(demo_db, PERIOD, lessons=LESSONS)
    target = export(report, tmp_path / "bericht.csv")
    rows = _csv_rows(target.read_bytes())
    assert b"\r\n" in target.read_bytes()
    info = {row[0]: row[1] for row in _section(rows, "Zeitraum und Definitionen") if len(row) > 1}
    assert info["von"] == "01.01.2025" and info["bis"] == "31.12.2025"
    overview = {row[0]: row[1] for row in _section(rows, f"Übersicht {PERIOD.label}")}
    values = report.data.total.values
    assert _number(overview["Termine stattgefunden"]) == values["termine_held"]
    assert "," in overview["Unterrichtseinheiten (45 min)"]
    assert _number(overview["Unterrichtseinheiten (45 min)"]) == pytest.approx(values["teaching_units"])
    assert _number(overview["Anwesenheitsquote in %"]) == pytest.approx(values["attendance_rate"])
    towns = _section(rows, "Nach Ortsgemeinde")
    assert towns[0][:2] == ["Ortsgemeinde", "Angebote"]
    assert {row[0] for row in towns[1:]} == {"Glan-Münchweiler", "Nanzdietschweiler", "Schönenberg-Kübelberg"}
    assert any(cell == "." for row in rows for cell in row)
    assert not any(cell in ("<3", "–") for row in rows for cell in row)  # one sign for every withheld cell


def _tiny_course(db, title: str = "Smartphone-Grundkurs", town: str = "Nanzdietschweiler"):  # noqa: ANN001, ANN202
    course_id = courses.create_course(db, CourseInput(
        title=title, format=CourseFormat.COURSE, municipality=town, start_date=TODAY - dt.timedelta(days=7),
        end_date=TODAY + dt.timedelta(days=60), trainers=["Erika Lang"]))
    termin_id = courses.add_termin(db, course_id, TerminInput(date=TODAY, start=dt.time(14), end=dt.time(16)))
    return course_id, termin_id


def test_small_counts_are_withheld_everywhere(db, tmp_path):
    setup = make_course(db, names=("Anna Müller", "Bernd Schmidt"))
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    desk.set_status(setup.person_ids[0], None)
    desk.toggle(setup.person_ids[0])
    desk.toggle(setup.person_ids[1])
    period = year_period(2026)
    report = build_report(db, period, lessons=LESSONS)
    assert report.data.total.values["persons"] == 2
    overview = {row[0]: row[1] for row in report.sheet("Übersicht").rows}
    assert str(overview["Erreichte Personen"]) == "." and str(overview["Anwesenheiten"]) == "."
    assert str(overview["Anwesenheitsquote in %"]) == "."  # a rate of two people would tell who came
    assert overview["Termine stattgefunden"] == 1  # things are never hidden

    book = load_workbook(export(report, tmp_path / "klein.xlsx"))
    cells = {row[0].value: row[1].value for row in book["Übersicht"].iter_rows(min_row=2)}
    assert cells["Erreichte Personen"] == "."
    csv_overview = {row[0]: row[1] for row in _section(_csv_rows(export(report, tmp_path / "klein.csv").read_bytes()),
                                                       f"Übersicht {period.label}")}
    assert csv_overview["Erreichte Personen"] == "."
    stricter = build_report(db, period, lessons=LESSONS, threshold=5)
    assert str(dict((r[0], r[1]) for r in stricter.sheet("Übersicht").rows)["Erreichte Personen"]) == "."
    assert "1 bis 4 Personen" in stricter.privacy_note


@pytest.mark.parametrize("text", ["=1+1", "+49 6381", "-2+3", "@SUMME(A1)", "\tTab", "\rZeile"])
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text
    sheet = Sheet("Probe", "Probe", ["Text", "Zahl"], [[text, -5]])
    rows = _csv_rows(csv_bytes([sheet], sections=False))
    assert rows[1][0] == "'" + text and rows[1][1] == "-5"  # negative numbers stay numbers
    book = load_workbook(io.BytesIO(workbook_bytes([sheet], "Probe")))
    cell = book["Probe"].cell(2, 1)
    # XML reads a carriage return back as a line feed; what matters is the apostrophe in front.
    assert cell.data_type == "s" and cell.value in ("'" + text, "'" + text.replace("\r", "\n"))
    assert book["Probe"].cell(2, 2).value == -5


def test_names_from_the_data_that_look_like_formulas_are_neutralised(db, tmp_path):
    course_id, termin_id = _tiny_course(db, title="=HYPERLINK(\"http://example.org\")", town="+Dorf")
    desk = CheckInDesk(db, termin_id, today=TODAY)
    for name in ("Anna Müller", "Bernd Schmidt", "Clara Weber"):
        desk.add_walk_in(name)
    drop_in = courses.create_course(db, CourseInput(title="Sprechstunde", format=CourseFormat.DROP_IN,
                                                    municipality="-Weiler"))
    visit = CheckInDesk(db, courses.add_termin(db, drop_in, TerminInput(date=TODAY)), today=TODAY)
    visit.change_head_count(4)
    for _ in range(3):
        visit.count_topic("@Online-Banking")
    report = build_report(db, year_period(2026), lessons=LESSONS)
    csv_text = export(report, tmp_path / "b.csv").read_bytes().decode("utf-8-sig")
    assert "'+Dorf" in csv_text and "'-Weiler" in csv_text and "'@Online-Banking" in csv_text
    assert not re.search(r"(^|;)[=+\-@]", csv_text, re.MULTILINE)
    book = load_workbook(export(report, tmp_path / "b.xlsx"))
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'+Dorf" in texts and "'@Online-Banking" in texts
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@", "\t", "\r")]
    raw = export_raw(db, year_period(2026), tmp_path / "roh.csv")
    assert raw == 3
    assert "'=HYPERLINK" in (tmp_path / "roh.csv").read_text(encoding="utf-8-sig")


def test_raw_export_is_pseudonymised(demo_db, tmp_path):
    conn = sqlite3.connect(demo_db.path)
    names = [name for name, in conn.execute("SELECT name FROM participants")]
    phones = [phone for phone, in conn.execute("SELECT phone FROM participants WHERE phone != ''")]
    expected = conn.execute(
        "SELECT count(*), count(DISTINCT a.participant_id) FROM attendances a JOIN termine t ON t.id = a.termin_id "
        "JOIN courses c ON c.id = t.course_id WHERE a.deleted = 0 AND t.deleted = 0 AND c.deleted = 0 "
        "AND t.status = 'held' AND t.date BETWEEN '2025-01-01' AND '2025-12-31'").fetchone()
    conn.close()
    assert export_raw(demo_db, PERIOD, tmp_path / "roh.csv") == expected[0]
    text = (tmp_path / "roh.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Datum", "Ortsgemeinde", "Format", "Angebot", "Termin-Nr.", "Status", "Person (Schlüssel)",
                       "Altersgruppe", "Geschlecht", "Geräteart"]
    assert len(rows) - 1 == expected[0]
    keys = {row[6] for row in rows[1:]}
    assert len(keys) == expected[1] and all(re.fullmatch(r"P-[0-9A-F]{8}", key) for key in keys)
    assert all(re.fullmatch(r"\d\d\.\d\d\.2025", row[0]) for row in rows[1:])
    for secret in names + phones:
        assert secret not in text
    export_raw(demo_db, PERIOD, tmp_path / "roh2.csv")
    again = {row[6] for row in csv.reader(io.StringIO((tmp_path / "roh2.csv").read_text(encoding="utf-8-sig")),
                                          delimiter=";")}
    assert not keys & again, "keys are new for every export, so two exports cannot be linked"

    assert export_raw(demo_db, PERIOD, tmp_path / "roh.xlsx") == expected[0]
    book = load_workbook(tmp_path / "roh.xlsx")
    assert book.sheetnames == ["Rohdaten", "Erläuterung"]
    sheet = book["Rohdaten"]
    assert isinstance(sheet.cell(2, 1).value, dt.datetime) and sheet.cell(2, 1).number_format == "DD.MM.YYYY"
    assert isinstance(sheet.cell(2, 5).value, int)
    strings = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert not strings & set(names)


def test_bad_targets_are_refused_in_german(demo_db, tmp_path):
    report = build_report(demo_db, PERIOD, lessons=LESSONS)
    with pytest.raises(ExportError, match="Dateiendung"):
        export(report, tmp_path / "bericht.txt")
    with pytest.raises(ExportError, match="Rohdaten gibt es als .xlsx, .csv"):
        export_raw(demo_db, PERIOD, tmp_path / "roh.pdf")
    with pytest.raises(ExportError, match="existiert nicht"):
        export(report, tmp_path / "fehlt" / "bericht.xlsx")
    old = tmp_path / "alt.csv"
    old.write_text("alt")
    (tmp_path / "alt.csv").chmod(0o444)
    if sys.platform == "win32":  # Windows replaces no read-only file: the trainer is told so in German
        with pytest.raises((PermissionError, ExportError), match="schreibgeschützt"):
            export(report, old)
        return
    export(report, old)  # replaced by rename, never half-written
    assert old.read_bytes().startswith(b"\xef\xbb\xbf")
    assert not list(tmp_path.glob(".*.tmp"))
