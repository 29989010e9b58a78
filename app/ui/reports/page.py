"""The »Berichte« page: choose a period and an Ortsgemeinde, look at tables and charts, export.

Importing this module loads no SQLAlchemy (the program's cold start is measured): the database is
opened when the page is first shown, and every report is computed and written in a
:class:`~app.ui.reports.job.ReportJob` thread with a progress bar, so the window never freezes.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app.domain.indicators import (
    MONTH_NAMES,
    Period,
    PeriodError,
    PeriodKind,
    custom_period,
    for_internal_use,
    month_period,
    previous_quarter,
    quarter_period,
    year_period,
)
from app.ui.courses.widgets import OK_STYLE, big_button, message_label, scaled_font, shortcut, show_message
from app.ui.flow_layout import FlowLayout
from app.ui.look import with_icon
from app.ui.reports.models import ChartsView, SheetTableModel

log = logging.getLogger(__name__)
ALL_TOWNS = "alle Ortsgemeinden"
TRANSPOSED = ("Ortsgemeinden", "Formate", "Themen", "Monate")
EXPORTS = {
    "xlsx": ("XLSX-Arbeitsmappe (*.xlsx)", ".xlsx"),
    "csv": ("CSV für Excel (*.csv)", ".csv"),
    "pdf": ("PDF mit Diagrammen (*.pdf)", ".pdf"),
    "raw": ("Rohdaten als XLSX (*.xlsx);;Rohdaten als CSV (*.csv)", ".xlsx"),
}


def _stoppable(progress, cancelled):  # noqa: ANN001, ANN202 - progress(done, total), cancelled() → a progress
    """A progress callback that ends the computation at its next step once »Abbrechen« was pressed
    (the report is computed in steps that each report progress; nothing is kept of a stopped one)."""
    from app.render.document import RenderCancelled

    def report(done: int, total: int) -> None:
        if cancelled():
            raise RenderCancelled
        if progress is not None:
            progress(done, total)
    return report


class ReportsPage(QWidget):
    """Period picker, Ortsgemeinde filter, preview (tables and charts) and export buttons."""

    report_ready = Signal()  # a preview was computed and shown
    export_done = Signal(str)  # "ok", "fehler" or "abgebrochen" — for tests and the status line

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Berichte")
        self.db = None
        self.relay = None
        self.report = None
        self.report_key: tuple | None = None
        self.job = None
        self._loaded = False
        self._stale = False
        self._queued: tuple | None = None
        self._outcome = ""
        self._build_ui()
        self._set_period_widgets(previous_quarter(dt.date.today()))
        self._update_period_widgets()

    # ------------------------------------------------------------------ widgets

    def _build_ui(self) -> None:
        title = QLabel("Berichte für den Fördergeber")
        title.setFont(scaled_font(self, 1.5, bold=True))
        intro = QLabel("Kennzahlen eines Zeitraums ohne Namen. Gesperrte Felder (kleine Zahlen und was sie verriete) erscheinen als ».«.")
        intro.setWordWrap(True)

        self.kind_box = QComboBox()
        self.kind_box.setAccessibleName("Art des Zeitraums")
        for kind in (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR, PeriodKind.CUSTOM):
            self.kind_box.addItem(kind.label, kind.value)
        self.year_box = QSpinBox()
        self.year_box.setAccessibleName("Jahr")
        self.year_box.setRange(2000, 2100)
        self.month_box = QComboBox()
        self.month_box.setAccessibleName("Monat")
        self.month_box.addItems(list(MONTH_NAMES))
        self.quarter_box = QComboBox()
        self.quarter_box.setAccessibleName("Quartal")
        self.quarter_box.addItems([f"{number}. Quartal" for number in range(1, 5)])
        self.from_edit = self._date_edit("Erster Tag des Zeitraums")
        self.to_edit = self._date_edit("Letzter Tag des Zeitraums")
        self.from_label = QLabel("von")
        self.to_label = QLabel("bis")
        self.town_box = QComboBox()
        self.town_box.setAccessibleName("Ortsgemeinde")
        self.town_box.addItem(ALL_TOWNS, "")
        self.town_box.setMinimumContentsLength(18)
        for box in (self.kind_box, self.year_box, self.month_box, self.quarter_box, self.from_edit, self.to_edit,
                    self.town_box):
            box.setMinimumHeight(44)
        period_label = QLabel("&Zeitraum:")
        period_label.setBuddy(self.kind_box)
        town_label = QLabel("&Ortsgemeinde:")
        town_label.setBuddy(self.town_box)
        self.refresh_button = big_button("&Aktualisieren", "Bericht neu berechnen", self.refresh, height=44, factor=1.0)
        choice = QHBoxLayout()
        for widget in (period_label, self.kind_box, self.month_box, self.quarter_box, self.year_box,
                       self.from_label, self.from_edit, self.to_label, self.to_edit):
            choice.addWidget(widget)
        choice.addSpacing(16)
        choice.addWidget(town_label)
        choice.addWidget(self.town_box, 1)
        choice.addWidget(self.refresh_button)

        self.period_text = QLabel()
        self.period_text.setAccessibleName("Gewählter Zeitraum")
        self.period_text.setFont(scaled_font(self, 1.1, bold=True))
        self.message = message_label("Meldung")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Fortschritt")
        self.progress.setRange(0, 1000)
        self.progress.setMinimumHeight(28)
        self.progress.hide()
        self.cancel_button = big_button("Abbrechen", "Berechnung oder Export abbrechen", self.cancel, height=44, factor=1.0)
        self.cancel_button.hide()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)

        self.sheet_box = QComboBox()
        self.sheet_box.setAccessibleName("Tabelle des Berichts")
        self.sheet_box.setMinimumHeight(40)
        self.sheet_box.currentIndexChanged.connect(self._show_sheet)
        sheet_label = QLabel("Tabelle &wählen:")
        sheet_label.setBuddy(self.sheet_box)
        self.model = SheetTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Vorschau der Tabelle")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(150)
        header.setMinimumSectionSize(80)
        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(sheet_label)
        sheet_row.addWidget(self.sheet_box, 1)
        table_layout.addLayout(sheet_row)
        table_layout.addWidget(self.table, 1)
        self.charts = ChartsView()
        chart_scroll = QScrollArea()
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setWidget(self.charts)
        chart_scroll.setAccessibleName("Diagramme")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Vorschau des Berichts")
        self.tabs.addTab(table_page, "&Tabellen")
        self.tabs.addTab(chart_scroll, "Dia&gramme")

        self.xlsx_button = big_button("&XLSX speichern … (Strg+S)", "Bericht als XLSX-Arbeitsmappe speichern",
                                      lambda: self.export_to("xlsx"))
        self.csv_button = big_button("&CSV speichern …", "Bericht als CSV-Datei für Excel speichern",
                                     lambda: self.export_to("csv"))
        self.pdf_button = big_button("&PDF speichern …", "Bericht als PDF mit Diagrammen speichern",
                                     lambda: self.export_to("pdf"))
        self.raw_button = big_button("&Rohdaten (pseudonymisiert) …",
                                     "Pseudonymisierte Rohdaten, eine Zeile je Anwesenheit, speichern",
                                     lambda: self.export_to("raw"))
        self.raw_button.setToolTip("Eine Zeile je Anwesenheit, Personen als Zufallsschlüssel, keine Namen – "
                                   "nur für die eigene Auswertung des Projektbüros, nicht zur Weitergabe.")
        buttons = FlowLayout()  # wraps on a narrow laptop instead of cutting the texts
        for button, symbol in ((self.xlsx_button, "file-down"), (self.csv_button, "file-down"),
                               (self.pdf_button, "file-text"), (self.raw_button, "file-down")):
            with_icon(button, symbol)
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(choice)
        layout.addWidget(self.period_text)
        layout.addLayout(progress_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        shortcut(self, "Ctrl+S", lambda: self.export_to("xlsx"))

        for signal in (self.kind_box.currentIndexChanged, self.year_box.valueChanged, self.month_box.currentIndexChanged,
                       self.quarter_box.currentIndexChanged, self.from_edit.dateChanged, self.to_edit.dateChanged,
                       self.town_box.currentIndexChanged):
            signal.connect(self._selection_changed)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(350)
        self._debounce.timeout.connect(self.refresh)

    @staticmethod
    def _date_edit(accessible: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd.MM.yyyy")
        return edit

    # ------------------------------------------------------------------ period

    def _set_period_widgets(self, period: Period) -> None:
        """Show *period* in the picker (without triggering a refresh per widget)."""
        widgets = (self.kind_box, self.year_box, self.month_box, self.quarter_box, self.from_edit, self.to_edit)
        for widget in widgets:
            widget.blockSignals(True)
        self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(period.kind.value)))
        self.year_box.setValue(period.start.year)
        self.month_box.setCurrentIndex(period.start.month - 1)
        self.quarter_box.setCurrentIndex((period.start.month - 1) // 3)
        self.from_edit.setDate(QDate(period.start.year, period.start.month, period.start.day))
        self.to_edit.setDate(QDate(period.end.year, period.end.month, period.end.day))
        for widget in widgets:
            widget.blockSignals(False)
        self._update_period_widgets()

    def set_period(self, period: Period, municipality: str = "") -> None:
        """Choose *period* (and an Ortsgemeinde; empty: all) as if picked by hand, then refresh."""
        self._set_period_widgets(period)
        if municipality:
            index = self.town_box.findText(municipality)
            if index >= 0:
                self.town_box.blockSignals(True)
                self.town_box.setCurrentIndex(index)
                self.town_box.blockSignals(False)
                self._update_period_widgets()  # the line under the picker says »nur intern« for one village
        self.refresh()

    def kind(self) -> PeriodKind:
        return PeriodKind(self.kind_box.currentData())

    def period(self) -> Period:
        """The period the picker shows; raises PeriodError with a German message."""
        kind, year = self.kind(), self.year_box.value()
        if kind is PeriodKind.MONTH:
            return month_period(year, self.month_box.currentIndex() + 1)
        if kind is PeriodKind.QUARTER:
            return quarter_period(year, self.quarter_box.currentIndex() + 1)
        if kind is PeriodKind.YEAR:
            return year_period(year)
        start, end = self.from_edit.date(), self.to_edit.date()
        return custom_period(dt.date(start.year(), start.month(), start.day()),
                             dt.date(end.year(), end.month(), end.day()))

    def municipality(self) -> str | None:
        return self.town_box.currentData() or None

    def _update_period_widgets(self) -> None:
        kind = self.kind()
        self.month_box.setVisible(kind is PeriodKind.MONTH)
        self.quarter_box.setVisible(kind is PeriodKind.QUARTER)
        self.year_box.setVisible(kind is not PeriodKind.CUSTOM)
        for widget in (self.from_label, self.from_edit, self.to_label, self.to_edit):
            widget.setVisible(kind is PeriodKind.CUSTOM)
        try:
            period = self.period()
        except PeriodError as error:
            self.period_text.setText(str(error))
            return
        internal = " – nur intern" if for_internal_use(period, self.municipality()) else ""
        self.period_text.setText(f"{period.label}: {period.start:%d.%m.%Y} bis {period.end:%d.%m.%Y}{internal}")

    def _selection_changed(self) -> None:
        self._update_period_widgets()
        if self._loaded:
            self._debounce.start()

    # ------------------------------------------------------------------ loading

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        if not self._loaded:
            QTimer.singleShot(0, self.ensure_loaded)
        elif self._stale:
            self.refresh()

    def ensure_loaded(self) -> bool:
        """Open the database and fill the Ortsgemeinde filter; once. Then compute the first preview."""
        if self._loaded:
            return self.db is not None
        self._loaded = True
        try:
            from app.reports.query import municipality_names
            from app.services import context
            from app.storage.backups import BackupError
            from app.storage.database import DatabaseError

            try:
                self.db = context.database(start_backup=True)
                names = municipality_names(self.db)
            except (DatabaseError, BackupError) as error:
                show_message(self.message, f"Die Daten können nicht geöffnet werden.\n\n{error}")
                self._enable(False)
                return False
            from app.ui.courses.relay import DataChangedRelay

            self.relay = DataChangedRelay(self)
            self.relay.changed.connect(self._data_changed)
            app = QCoreApplication.instance()
            if app is not None:  # a report thread must not outlive the program (Qt aborts then)
                app.aboutToQuit.connect(self._stop_job)
        except Exception:  # noqa: BLE001 - no traceback for the person; details go to the log
            log.exception("Berichte konnten nicht geladen werden")
            self.db = None
            show_message(self.message, f"Die Berichte können nicht geöffnet werden. Einzelheiten stehen in {paths.log_file()}")
            self._enable(False)
            return False
        self._fill_towns(names)
        self.refresh()
        return True

    def _fill_towns(self, names: list[str]) -> None:
        current = self.town_box.currentData()
        self.town_box.blockSignals(True)
        self.town_box.clear()
        self.town_box.addItem(ALL_TOWNS, "")
        for name in names:
            self.town_box.addItem(name, name)
        self.town_box.setCurrentIndex(max(0, self.town_box.findData(current)))
        self.town_box.blockSignals(False)

    def _data_changed(self, _change: object) -> None:
        self.report_key = None
        if self.isVisible():
            self._debounce.start()
        else:
            self._stale = True

    # ------------------------------------------------------------------ preview

    def _key(self) -> tuple:
        period = self.period()
        return period.start, period.end, period.kind, self.municipality()

    def refresh(self) -> None:
        """Compute the preview for the chosen period in a worker thread."""
        if not self._loaded:
            self.ensure_loaded()
            return
        if self.db is None:
            return
        self._stale = False
        try:
            key = self._key()
        except PeriodError as error:
            show_message(self.message, str(error))
            return
        if self.job is not None:
            self._queued = key  # computed as soon as the running job is finished
            return
        period, municipality, db = self.period(), self.municipality(), self.db

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            from app.reports import build_report
            from app.render.report import report_charts

            report = build_report(db, period, municipality, progress=_stoppable(progress, cancelled))
            return report, report_charts(report)

        self._start(work, "Der Bericht wird berechnet …", lambda result: self._show_report(key, *result))

    def _show_report(self, key: tuple, report, charts) -> None:  # noqa: ANN001
        self.report, self.report_key = report, key
        current = self.sheet_box.currentText()
        self.sheet_box.blockSignals(True)
        self.sheet_box.clear()
        for sheet in report.sheets:
            self.sheet_box.addItem(sheet.title if sheet.name != sheet.title else sheet.name, sheet.name)
        index = self.sheet_box.findText(current)
        self.sheet_box.setCurrentIndex(index if index >= 0 else 1)
        self.sheet_box.blockSignals(False)
        self._show_sheet()
        self.charts.set_charts(charts)
        from app.reports.cells import display_text

        total = report.data.total.values
        persons = display_text(report.persons_reached())
        show_message(self.message, f"{report.title}: {total['termine_held']} Termine stattgefunden, "
                                   f"{persons} Personen erreicht.", OK_STYLE)
        for note in report.data.notes:
            self.message.setText(self.message.text() + f"\nHinweis: {note}")
        self._outcome = "report"  # report_ready is emitted once the job is cleaned up

    def _show_sheet(self) -> None:
        if self.report is None or self.sheet_box.currentIndex() < 0:
            self.model.set_rows([], [])
            return
        sheet = self.report.sheet(self.sheet_box.currentData())
        headers, rows = sheet.headers, sheet.rows
        if sheet.name in TRANSPOSED and rows:
            # Indicators down, groups across: 16 indicators side by side would not fit a laptop screen.
            headers = ["Kennzahl", *(self._label(row[0]) for row in rows)]
            rows = [[label, *(row[index] for row in rows)] for index, label in enumerate(sheet.headers[1:], 1)]
        self.model.set_rows(rows, headers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics = self.table.fontMetrics()
        for column, text in enumerate(headers):
            widest = max([metrics.horizontalAdvance(self.model._texts[r][column]) for r in range(min(len(rows), 60))]
                         + [metrics.horizontalAdvance(text)])
            header.resizeSection(column, min(460 if column == 0 else 260, widest + 28))
        if len(headers) == 2:
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()

    @staticmethod
    def _label(value: object) -> str:
        from app.reports.cells import display_text

        return display_text(value)

    # ------------------------------------------------------------------ export

    def ask_target(self, kind: str) -> Path | None:
        """The file to write, from a save dialog (tests replace this method)."""
        file_filter, suffix = EXPORTS[kind]
        try:
            period = self.period()
            stem = f"{'Rohdaten' if kind == 'raw' else 'Bericht'}-{period.start:%Y-%m-%d}-bis-{period.end:%Y-%m-%d}"
        except PeriodError:
            stem = "Bericht"
        if self.municipality():
            stem += "-" + "".join(ch if ch.isalnum() else "_" for ch in self.municipality())
        from app.ui.save_location import ask_save_file

        path, chosen = ask_save_file(self, "bericht", "Bericht speichern", stem + suffix, file_filter)
        if path is None:
            return None
        if path.suffix.lower() not in (".xlsx", ".csv", ".pdf"):
            path = path.with_name(path.name + (".csv" if "csv" in chosen.lower() else suffix))
        return path

    def export_to(self, kind: str, target: Path | None = None) -> None:
        """Write the report (or, for ``raw``, the pseudonymised raw data) to a file chosen by the person."""
        if self.db is None and not self.ensure_loaded():
            return
        if self.job is not None:
            show_message(self.message, "Bitte warten, bis die laufende Berechnung fertig ist.")
            return
        try:
            period, key = self.period(), self._key()
        except PeriodError as error:
            show_message(self.message, str(error))
            return
        target = target or self.ask_target(kind)
        if target is None:
            return
        from app.render.fonts import load_fonts

        load_fonts()  # in the GUI thread, before the worker paints
        db, municipality = self.db, self.municipality()
        ready = self.report if self.report_key == key else None

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            from app.reports import build_report, export, export_raw

            if kind == "raw":
                return export_raw(db, period, target, municipality, progress)
            report = ready or build_report(db, period, municipality, progress=_stoppable(None, cancelled))
            export(report, target, progress)
            return None

        def done(result) -> None:  # noqa: ANN001
            if kind == "raw":
                show_message(self.message, f"Gespeichert: {target} ({result} Zeilen). Pseudonymisiert – nur für die "
                                           "eigene Auswertung, nicht zur Weitergabe.", OK_STYLE)
            else:
                show_message(self.message, f"Gespeichert: {target}", OK_STYLE)
            self._outcome = "ok"

        self._start(work, f"{target.name} wird geschrieben …", done, exporting=True)

    # ------------------------------------------------------------------ jobs

    def _start(self, work, label: str, on_success, exporting: bool = False) -> None:  # noqa: ANN001
        from app.reports import ExportError
        from app.reports.query import ReportInputError
        from app.storage.database import DatabaseError
        from app.ui.reports.job import ReportJob

        job = ReportJob(work, (ExportError, ReportInputError, DatabaseError, PeriodError), self)
        job.setProperty("exporting", exporting)
        self.job = job
        self._outcome = ""
        self.progress.setValue(0)
        self.progress.setFormat(f"{label} %p %")
        self.progress.show()
        self.cancel_button.show()
        self._enable(False)
        job.progressed.connect(lambda done, total: self.progress.setValue(int(1000 * done / total) if total else 0))
        job.succeeded.connect(on_success)
        job.failed.connect(lambda text: self._failed(text, exporting))
        job.cancelled_.connect(lambda: self._cancelled(exporting))
        job.finished.connect(self._job_finished)
        job.start()

    def _failed(self, text: str, exporting: bool) -> None:
        show_message(self.message, text)
        self._outcome = "fehler"

    def _cancelled(self, exporting: bool) -> None:
        show_message(self.message, "Abgebrochen.")
        self._outcome = "abgebrochen"

    def _job_finished(self) -> None:
        job, self.job = self.job, None
        exporting = bool(job is not None and job.property("exporting"))
        if job is not None:
            job.deleteLater()
        self.progress.hide()
        self.cancel_button.hide()
        self._enable(True)
        outcome, self._outcome = self._outcome, ""
        if exporting and outcome:
            self.export_done.emit(outcome)  # after the clean-up: the next export may start right away
        elif outcome == "report":
            self.report_ready.emit()
        if self._queued is not None:
            queued, self._queued = self._queued, None
            if queued != self.report_key:
                self.refresh()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _enable(self, enabled: bool) -> None:
        for button in (self.xlsx_button, self.csv_button, self.pdf_button, self.raw_button, self.refresh_button):
            button.setEnabled(enabled)

    def wait_for_job(self, timeout_ms: int = 30000) -> None:
        """Block until the running job is finished (tests, shutdown)."""
        if self.job is not None:
            self.job.wait(timeout_ms)

    def _stop_job(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job.wait(30000)

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        self._stop_job()
        super().closeEvent(event)
