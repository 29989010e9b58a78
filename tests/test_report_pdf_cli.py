"""The PDF report (text read back, chart page rendered), the ``bericht`` command, layering, the benchmark data."""

from __future__ import annotations

import re
import subprocess
import sys

import pypdfium2
import pytest
from pypdf import PdfReader

from app import cli
from app.domain.indicators import Hidden, year_period
from app.reports import build_report, export
from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS, db, no_leaked_listeners  # noqa: F401
from tests.report_fixtures import LESSONS, demo_db  # noqa: F401

BAR_BLUE = (0x0B, 0x4F, 0x8A)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", ""))


def test_pdf_report_text_and_charts(qapp, demo_db, tmp_path):
    report = build_report(demo_db, year_period(2025), lessons=LESSONS)
    target = export(report, tmp_path / "bericht.pdf")
    reader = PdfReader(str(target))
    assert len(reader.pages) >= 4
    text = _flat("\n".join(page.extract_text() for page in reader.pages))
    values = report.data.total.values
    for expected in ("Smart-City-Kennzahlen", "Jahr 2025 (01.01.2025 bis 31.12.2025)", "Übersicht",
                     f"Termine stattgefunden {values['termine_held']}", "Termine und erreichte Personen je Monat",
                     "Erreichte Personen nach Altersgruppe", "Nach Ortsgemeinde", "Definitionen",
                     "Anwesenheitsquote in %:", "zusätzlich gesperrt", "Digitallotsen Kreis Kusel (Demo)", "Seite 1 von"):
        assert expected in text, expected
    for name in _participant_names(demo_db):
        assert name not in text

    chart_page = next(i for i, page in enumerate(reader.pages) if "Diagramme" in page.extract_text())
    pdf = pypdfium2.PdfDocument(str(target))
    image = pdf[chart_page].render(scale=1).to_pil().convert("RGB")
    pdf.close()
    colours = image.getcolors(1 << 24)
    total = image.width * image.height
    dark = sum(n for n, p in colours if sum(p) < 600)
    blue = sum(n for n, p in colours if all(abs(a - b) < 30 for a, b in zip(p, BAR_BLUE, strict=True)))
    assert dark > total * 0.03, "the chart page is blank"
    assert blue > 500, "no bars painted"


def test_an_internal_pdf_says_so_on_every_page(qapp, demo_db, tmp_path):
    """A village's report (like a month) is for internal use: the first page and every footer say it."""
    from app.domain.indicators import quarter_period

    village = export(build_report(demo_db, quarter_period(2025, 2), "Nanzdietschweiler", lessons=LESSONS),
                     tmp_path / "dorf.pdf")
    pages = [_flat(page.extract_text()) for page in PdfReader(str(village)).pages]
    assert "2. Quartal 2025 (01.04.2025 bis 30.06.2025) – nur intern, nicht zur Weitergabe" in pages[0]
    assert all("Smart-City-Kennzahlen · 2. Quartal 2025 (nur intern)" in page for page in pages), len(pages)
    published = export(build_report(demo_db, quarter_period(2025, 2), lessons=LESSONS), tmp_path / "alle.pdf")
    assert not any("nur intern" in _flat(page.extract_text()).replace("»nur intern«", "")
                   for page in PdfReader(str(published)).pages)


def test_chart_never_draws_a_hidden_value(qapp):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    from app.render.charts import ChartData, paint_chart
    from app.render.units import mm

    def blue_pixels(values) -> int:  # noqa: ANN001
        image = QImage(600, 400, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.scale(600 / mm(170), 600 / mm(170))
        paint_chart(painter, QRectF(0, 0, mm(170), mm(110)), ChartData("Probe", ["A", "B"], [("Personen", values)]))
        painter.end()
        return sum(1 for y in range(0, 400, 2) for x in range(0, 600, 2)
                   if QColor(image.pixel(x, y)).getRgb()[:3] == BAR_BLUE)

    assert blue_pixels([Hidden("<3"), Hidden("<3")]) == 0
    assert blue_pixels([5, Hidden("<3")]) > 100


def _participant_names(database) -> list[str]:  # noqa: ANN001
    import sqlite3

    conn = sqlite3.connect(database.path)
    try:
        return [name for name, in conn.execute("SELECT name FROM participants")]
    finally:
        conn.close()


# --------------------------------------------------------------------------- CLI

@pytest.fixture
def with_report_command(monkeypatch):  # noqa: ANN001, ANN201
    """``bericht`` as the lead will register it in app/cli.py."""
    if "app.commands.report" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "app.commands.report"))


def test_cli_writes_every_format(with_report_command, demo_db, data_dir, tmp_path, capsys):
    for name in ("q.xlsx", "q.csv", "q.pdf"):
        code = cli.main(["--daten", str(data_dir), "bericht", "--von", "2025-07-01", "--bis", "2025-09-30",
                         "-o", str(tmp_path / name)])
        out = capsys.readouterr()
        assert code == 0, out.err
        assert (tmp_path / name).stat().st_size > 1000
        assert "Geschrieben:" in out.out and "Termine stattgefunden" in out.out
    code = cli.main(["--daten", str(data_dir), "bericht", "--von", "01.01.2025", "--bis", "31.12.2025",
                     "--gemeinde", "nanzdietschweiler", "--rohdaten", "-o", str(tmp_path / "roh.csv")])
    out = capsys.readouterr()
    assert code == 0 and "pseudonymisiert" in out.out
    assert "Nanzdietschweiler" in (tmp_path / "roh.csv").read_text(encoding="utf-8-sig")
    assert "Glan-Münchweiler" not in (tmp_path / "roh.csv").read_text(encoding="utf-8-sig")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--von", "2025-13-01", "--bis", "2025-12-31", "-o", "x.xlsx"], 2, "kein gültiges Datum"),
    (["--von", "2025-02-01", "--bis", "2025-01-31", "-o", "x.xlsx"], 2, "liegt vor dem Beginn"),
    (["--von", "2025-01-01", "--bis", "2025-12-31", "-o", "x.docx"], 2, "hat die Endung ».docx«"),
    (["--von", "2025-01-01", "--bis", "2025-12-31", "--rohdaten", "-o", "x.pdf"], 2, "möglich sind .xlsx, .csv."),
    (["--von", "2025-01-01", "--bis", "2025-12-31", "--schwelle", "1", "-o", "x.csv"], 2, "Schwelle"),
    (["--von", "2025-01-01", "--bis", "2025-12-31", "--gemeinde", "Kusel", "-o", "x.csv"], 1, "nicht bekannt"),
    (["--von", "2025-01-01", "--bis", "2025-12-31", "-o", "fehlt/x.csv"], 2, "gibt es nicht"),
])
def test_cli_errors_are_german_and_change_nothing(with_report_command, demo_db, data_dir, tmp_path, capsys,
                                                  monkeypatch, args, code, message):
    monkeypatch.chdir(tmp_path)
    try:
        result = cli.main(["--daten", str(data_dir), "bericht", *args])
    except SystemExit as exit_info:  # a date in the wrong form is refused by the argument parser
        result = exit_info.code
    assert result == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not [p for p in tmp_path.iterdir() if p.name != "daten"]


# --------------------------------------------------------------------------- layering and the benchmark data

def _loaded_after(imports: str) -> set[str]:
    code = f"import sys; {imports}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=str(PROJECT_ROOT_FOR_SUBPROCESS))
    return set(result.stdout.split())


def test_reports_import_no_qt_and_the_page_no_sqlalchemy():
    core = _loaded_after("import app.domain.indicators, app.reports, app.reports.query, app.reports.compute, "
                         "app.reports.tables, app.reports.xlsx, app.reports.csvfile, app.commands.report")
    assert not {name for name in core if name.startswith("PySide6")}
    page = _loaded_after("import app.ui.reports.page")
    assert "sqlalchemy" not in page and "openpyxl" not in page


def test_benchmark_data_generator_makes_what_it_says(tmp_path):
    from app.bench.report import make_large_database
    from app.domain.indicators import custom_period
    from app.storage.database import open_database

    counts = make_large_database(tmp_path / "gross.sqlite3", attendances=4000)
    assert counts["attendances"] == 4000 and counts["termine"] == 400 + 20
    database = open_database(f"sqlite:///{tmp_path / 'gross.sqlite3'}")
    try:
        import datetime as dt

        report = build_report(database, custom_period(dt.date(2024, 1, 1), dt.date(2026, 12, 31)), lessons=LESSONS)
        values = report.data.total.values
        assert values["termine_held"] == 400 and values["termine_cancelled"] == 20
        assert values["attendances"] + _not_present(tmp_path / "gross.sqlite3") == 4000
        assert values["drop_in_anonymous"] > 0 and values["attendance_rate"] is not None
    finally:
        database.close()


def _not_present(path) -> int:  # noqa: ANN001
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM attendances WHERE status != 'present'").fetchone()[0]
    finally:
        conn.close()
