"""The »Berichte« page driven like a person would: period, Ortsgemeinde, preview, charts, exports, keys."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.domain.indicators import Hidden, PeriodKind, quarter_period, year_period
from app.services import context
from app.ui.reports.models import SheetTableModel
from app.ui.reports.page import ReportsPage
from tests.attendance_fixtures import db, fill_demo, no_leaked_listeners  # noqa: F401
from tests.report_fixtures import DEMO_LESSONS, TODAY

WAIT_MS = 20000


@pytest.fixture
def page(qtbot, db):  # noqa: ANN001, ANN201
    fill_demo(db, years=2, seed=4711, today=TODAY, lesson_ids=list(DEMO_LESSONS))
    widget = ReportsPage()
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    with qtbot.waitSignal(widget.report_ready, timeout=WAIT_MS):
        widget.show()
    yield widget
    widget.wait_for_job()
    widget.close()
    context.close()


def _show(qtbot, page, period, town: str = "") -> None:  # noqa: ANN001
    with qtbot.waitSignal(page.report_ready, timeout=WAIT_MS):
        page.set_period(period, town)


def test_page_opens_lazily_and_previews_the_last_quarter(page):
    assert page.db is not None
    assert page.kind() is PeriodKind.QUARTER
    # the last complete quarter before today, whatever day the test runs
    today = dt.date.today()
    expected = quarter_period(today.year - 1, 4) if today.month <= 3 else quarter_period(today.year, (today.month - 1) // 3)
    period = page.period()
    assert period == expected
    assert period.start.day == 1 and period.start.month in (1, 4, 7, 10) and period.end < today
    assert (period.end + dt.timedelta(days=1)).month in (1, 4, 7, 10) and today - period.end <= dt.timedelta(days=92)
    assert page.town_box.count() == 4  # »alle« and the three demo villages
    assert page.sheet_box.currentData() == "Übersicht"
    assert page.model.rowCount() == 16 and page.model.columnCount() == 2


def test_period_and_village_change_the_preview(qtbot, page):
    _show(qtbot, page, year_period(2025))
    overview = {row[0]: row[1] for row in page.model.rows}
    held_all = overview["Termine stattgefunden"]
    assert held_all == page.report.data.total.values["termine_held"] > 10
    assert "Jahr 2025" in page.period_text.text() and "nur intern" not in page.period_text.text()
    _show(qtbot, page, year_period(2025), "Nanzdietschweiler")
    assert page.period_text.text() == "Jahr 2025: 01.01.2025 bis 31.12.2025 – nur intern"  # one village
    overview = {row[0]: row[1] for row in page.model.rows}
    assert 0 < overview["Termine stattgefunden"] < held_all
    assert page.report.data.municipality == "Nanzdietschweiler"

    page.sheet_box.setCurrentIndex(page.sheet_box.findData("Ortsgemeinden"))
    assert page.model.headers == ["Kennzahl", "Nanzdietschweiler"]  # indicators down, villages across
    page.sheet_box.setCurrentIndex(page.sheet_box.findData("Geräteart"))
    texts = [page.model.data(page.model.index(r, c)) for r in range(page.model.rowCount())
             for c in range(page.model.columnCount())]
    assert "Android" in texts


def test_choosing_a_month_by_hand_refreshes(qtbot, page):
    with qtbot.waitSignal(page.report_ready, timeout=WAIT_MS):
        page.kind_box.setCurrentIndex(page.kind_box.findData(PeriodKind.MONTH.value))
        page.year_box.setValue(2025)
        page.month_box.setCurrentIndex(2)
    assert page.month_box.isVisible() and not page.quarter_box.isVisible() and not page.from_edit.isVisible()
    assert page.report.data.period.start == dt.date(2025, 3, 1)
    assert "März 2025" in page.period_text.text()


def test_charts_are_painted(qtbot, page):
    _show(qtbot, page, year_period(2025))
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.charts.isVisible())
    assert len(page.charts.charts) == 3
    assert "Erreichte Personen" in page.charts.accessibleDescription()
    image = page.charts.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    # both series in their dark print tones (the second one hatched, so it survives a black-and-white printer)
    assert "#0b4f8a" in colours and "#8a4500" in colours


def test_exports_from_the_buttons_and_ctrl_s(qtbot, page, tmp_path, monkeypatch):
    _show(qtbot, page, year_period(2025))
    targets = {"xlsx": tmp_path / "b.xlsx", "csv": tmp_path / "b.csv", "pdf": tmp_path / "b.pdf",
               "raw": tmp_path / "roh.csv"}
    monkeypatch.setattr(page, "ask_target", lambda kind: targets[kind])
    for kind, button in (("csv", page.csv_button), ("pdf", page.pdf_button), ("raw", page.raw_button)):
        with qtbot.waitSignal(page.export_done, timeout=WAIT_MS) as blocker:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert blocker.args == ["ok"], page.message.text()
        assert targets[kind].stat().st_size > 500
    assert "Pseudonymisiert" in page.message.text()
    page.table.setFocus()
    with qtbot.waitSignal(page.export_done, timeout=WAIT_MS):
        qtbot.keyClick(page.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    book = load_workbook(targets["xlsx"])
    assert "Übersicht" in book.sheetnames
    assert "Gespeichert" in page.message.text()


def test_export_error_is_shown_not_raised(qtbot, page, tmp_path, monkeypatch):
    monkeypatch.setattr(page, "ask_target", lambda kind: tmp_path / "fehlt" / "b.xlsx")
    with qtbot.waitSignal(page.export_done, timeout=WAIT_MS) as blocker:
        page.export_to("xlsx")
    assert blocker.args == ["fehler"]
    assert "existiert nicht" in page.message.text()
    assert page.xlsx_button.isEnabled()


def test_everything_has_an_accessible_name_and_the_fonts_are_large(page):
    for button in page.findChildren(QPushButton):
        assert button.accessibleName(), button.text()
        assert button.minimumHeight() >= 44
    for widget in (page.kind_box, page.year_box, page.town_box, page.table, page.charts, page.sheet_box):
        assert widget.accessibleName()
    assert page.xlsx_button.text().startswith("&")  # Alt+X


def test_sheet_model_passes_the_model_tester(qtmodeltester):
    model = SheetTableModel()
    model.set_rows([["Angebote", 3], ["Erreichte Personen", Hidden("<3")], ["Zeitstunden", 12.5]],
                   ["Kennzahl", "Wert"])
    qtmodeltester.check(model)
    assert model.data(model.index(1, 1)) == "<3"
    assert "Datenschutz" in model.data(model.index(1, 1), Qt.ItemDataRole.ToolTipRole)
    assert model.data(model.index(2, 1)) == "12,50"


def test_protection_runs_off_the_gui_thread_and_moves_the_progress_bar(qtbot, page):
    from PySide6.QtCore import QTimer

    from app.reports import protection

    protection._DONE.clear()  # a real audit of the year's reports, not the result of an earlier test
    during: list[bool] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: during.append(page.job is not None and page.progress.isVisible()))
    timer.start()
    shown: list[int] = []
    with qtbot.waitSignal(page.report_ready, timeout=WAIT_MS):
        page.set_period(quarter_period(2025, 2))
        assert page.job is not None and not page.xlsx_button.isEnabled()
        page.job.progressed.connect(lambda done, total: shown.append(1000 * done // total))
    timer.stop()
    # the window kept handling events while the protection was computed
    assert sum(during) >= 5
    # the bar moved during the protection (the last third), not only at its start and end
    assert len({value for value in shown if 667 < value < 1000}) >= 3, shown
    assert shown == sorted(shown)
    audit = page.report.data.audit
    assert audit is not None and audit.reports == 7 and not audit.internal
    assert audit.narrowest is not None and audit.narrowest[0] == 0 and audit.narrowest[1] >= 3
    assert not page.progress.isVisible() and page.xlsx_button.isEnabled()


def test_abbrechen_stops_the_computation_at_its_next_step(qtbot, page):
    """»Abbrechen« ends the computation itself (not only its result): the progress never reaches the end."""
    from app.reports import protection

    protection._DONE.clear()  # the whole protection of the year is to be computed
    shown_before = page.report
    seen: list[int] = []
    page.set_period(quarter_period(2025, 3))
    job = page.job
    assert job is not None and page.cancel_button.isVisible()
    job.progressed.connect(lambda done, total: seen.append(1000 * done // total if total else 0))
    with qtbot.waitSignal(job.cancelled_, timeout=WAIT_MS):
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.job is None, timeout=WAIT_MS)
    assert 1000 not in seen, seen  # build_report reports 1000 only when it has finished
    assert page.message.text() == "Abgebrochen."
    assert page.report is shown_before and not page.cancel_button.isVisible()
    assert not protection._DONE  # nothing half-computed was kept
    # the next request computes the report in full
    _show(qtbot, page, quarter_period(2025, 3))
    assert page.report.data.period == quarter_period(2025, 3) and page.report.data.audit is not None


def test_status_line_names_the_published_count_of_persons(qtbot, page):
    """The green line under the table says what the table shows for »Erreichte Personen« (after
    suppression), never a number the table hides."""
    for period, town in ((quarter_period(2025, 1), ""), (quarter_period(2025, 3), "Nanzdietschweiler"),
                         (year_period(2025), "")):
        _show(qtbot, page, period, town)
        page.sheet_box.setCurrentIndex(page.sheet_box.findData("Übersicht"))
        shown = next(page.model.data(page.model.index(r, 1)) for r in range(page.model.rowCount())
                     if page.model.data(page.model.index(r, 0)) == "Erreichte Personen")
        assert f"Termine stattgefunden, {shown} Personen erreicht." in page.message.text(), (period, town)
