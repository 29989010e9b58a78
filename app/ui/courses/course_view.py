"""The course page: header, Termine, Teilnehmende, attendance grid and simple statistics."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.attendance import CourseFormat, CourseOverview, InputError, TerminStatus
from app.services import courses, events, overview, people
from app.storage.database import Database
from app.ui.courses.dialogs import CourseDialog, TerminDialog
from app.ui.courses.person_dialog import ParticipantDialog
from app.ui.courses.stats import stats_html
from app.ui.courses.tables import (
    AttendanceGridModel,
    ParticipantTableModel,
    RowsModel,
    TerminTableModel,
    period_text,
)
from app.ui.courses.widgets import (
    big_button,
    message_label,
    scaled_font,
    shortcut,
    show_message,
)
from app.ui.flow_layout import FlowLayout
from app.ui.look import colours, mark_primary, with_icon


def _table(model: QObject, accessible: str, stretch: int) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(accessible)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setResizeContentsPrecision(60)  # measure a sample of rows, not all 100+ Termine
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class CourseView(QWidget):
    """One course; Eingabe on a Termin opens its check-in."""

    back_requested = Signal()
    open_checkin = Signal(int)
    present_requested = Signal(list)
    booklet_requested = Signal(list)  # the course's lesson plan, printed as one Kursheft

    def __init__(self, db: Database, relay: QObject, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.course_id: int | None = None
        self.data: CourseOverview | None = None
        self._dirty = False
        relay.changed.connect(self._on_data_changed)  # type: ignore[attr-defined]

        self.title = QLabel()
        self.title.setFont(scaled_font(self, 1.5, bold=True))
        self.title.setWordWrap(True)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.message = message_label("Meldung")
        self.termin_model = TerminTableModel(self)
        self.termin_table = _table(self.termin_model, "Termine des Kurses", TerminTableModel.COL_LESSONS)
        self.termin_table.activated.connect(lambda _index: self.checkin_selected())
        self.people_model = ParticipantTableModel(self)
        self.people_table = _table(self.people_model, "Teilnehmende des Kurses", ParticipantTableModel.COL_NAME)
        self.people_table.activated.connect(lambda _index: self.edit_person())
        self.grid_model = AttendanceGridModel(self)
        self.grid_table = QTableView()
        self.grid_table.setModel(self.grid_model)
        self.grid_table.setAccessibleName("Anwesenheit: Personen und Termine")
        self.grid_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        date_width = self.grid_table.fontMetrics().horizontalAdvance("00.00.00") + 18
        self.grid_table.horizontalHeader().setDefaultSectionSize(date_width)
        self.grid_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.stats_label = QLabel()
        self.stats_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stats_label.setTextFormat(Qt.TextFormat.RichText)
        self.stats_label.setAccessibleName("Statistik des Kurses")

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Bereiche des Kurses")
        self.checkin_button = with_icon(big_button("Check-in (Eingabe)", "Check-in für den gewählten Termin",
                                                   self.checkin_selected), "users", colours().on_accent)
        mark_primary(self.checkin_button)
        self.booklet_button = with_icon(big_button("Kursheft …", "Alle Lektionen des Kursplans als Kursheft",
                                                   self.print_booklet), "book-open")
        self.tabs.addTab(self._page(self.termin_table, [
            self.checkin_button,
            with_icon(big_button("Lektion zeigen (Strg+L)", "Lektion des gewählten Termins präsentieren",
                                 self.present_selected), "play"),
            with_icon(big_button("Neuer Termin (Strg+T)", "Neuen Termin anlegen", self.new_termin), "calendar-plus"),
            with_icon(big_button("Terminserie …", "Mehrere Termine im festen Abstand anlegen", self.new_series),
                      "calendar-range"),
            with_icon(big_button("Bearbeiten", "Gewählten Termin bearbeiten", self.edit_termin), "pencil"),
            with_icon(big_button("Löschen …", "Gewählten Termin löschen", self.delete_termin), "trash-2"),
            with_icon(big_button("Anwesenheitsliste (Strg+D)", "Anwesenheitsliste drucken oder als PDF",
                                 self.print_sheet), "clipboard-list"),
            self.booklet_button,
        ]), "&Termine")
        self.tabs.addTab(self._page(self.people_table, [
            with_icon(big_button("Neue Person (Strg+N)", "Neue Person anlegen und anmelden", self.new_person),
                      "user-plus"),
            with_icon(big_button("Bearbeiten", "Gewählte Person bearbeiten", self.edit_person), "pencil"),
            with_icon(big_button("Abmelden", "Gewählte Person vom Kurs abmelden", self.unenrol_person),
                      "user-minus"),
            with_icon(big_button("Bescheinigung (Strg+B)", "Teilnahmebescheinigung für die gewählte Person",
                                 self.print_certificate), "award"),
            with_icon(big_button("Bescheinigungen für alle", "Teilnahmebescheinigungen für alle Teilnehmenden",
                                 self.print_all_certificates), "award"),
        ]), "Teil&nehmende")
        self.tabs.addTab(self.grid_table, "&Anwesenheit")
        self.tabs.addTab(self.stats_label, "&Statistik")

        header = QHBoxLayout()
        texts = QVBoxLayout()
        texts.addWidget(self.title)
        texts.addWidget(self.info)
        header.addWidget(with_icon(big_button("Kursliste (Esc)", "Zurück zur Kursliste", self.back_requested.emit),
                                   "arrow-left"), 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(texts, 1)
        header.addWidget(with_icon(big_button("Kurs bearbeiten (Strg+E)", "Kurs bearbeiten", self.edit_course),
                                   "square-pen"), 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        shortcut(self, "Esc", self.back_requested.emit)
        shortcut(self, "Ctrl+E", self.edit_course)
        shortcut(self, "Ctrl+T", self.new_termin)
        shortcut(self, "Ctrl+N", self.new_person)
        shortcut(self, "Ctrl+L", self.present_selected)
        shortcut(self, "Ctrl+D", self.print_sheet)
        shortcut(self, "Ctrl+B", self.print_certificate)

    @staticmethod
    def _page(table: QTableView, buttons: list[QWidget]) -> QWidget:
        page = QWidget()
        row = FlowLayout()  # wraps instead of cutting button texts on a 1366-pixel screen
        for button in buttons:
            row.addWidget(button)
        layout = QVBoxLayout(page)
        layout.addWidget(table, 1)
        layout.addLayout(row)
        return page

    # ------------------------------------------------------------------ loading

    def load(self, course_id: int) -> None:
        """Show *course_id*; the Termin of today (or the next one) is selected."""
        first = self.course_id != course_id
        self.course_id = course_id
        show_message(self.message, "")
        self.refresh()
        if first and self.data is not None:
            self._select_current_termin()
            self.tabs.setCurrentIndex(0)
            self.termin_table.setFocus()

    def refresh(self) -> None:
        if self.course_id is None:
            return
        self._dirty = False
        try:
            data = overview.course_overview(self.db, self.course_id)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return
        self.data = data
        course = data.course
        self.title.setText(course.title)
        parts = [course.format.label, course.municipality, course.place, period_text(course.start_date, course.end_date)]
        if course.trainers:
            parts.append("Leitung: " + ", ".join(course.trainers))
        self.info.setText(" · ".join(part for part in parts if part))
        self._set_rows(self.termin_model, self.termin_table, list(data.termine))
        self._set_rows(self.people_model, self.people_table, list(data.participants))
        self.grid_model.set_data(list(data.participants), list(data.termine), data.grid)
        self.stats_label.setText(stats_html(data.stats, course.format is CourseFormat.DROP_IN))

    @staticmethod
    def _set_rows(model: RowsModel, table: QTableView, rows: list) -> None:
        index = table.currentIndex()
        current = model.id_at(index.row()) if index.isValid() else None
        model.set_rows(rows)
        row = model.row_of(current) if current is not None else -1
        if row >= 0:
            table.selectRow(row)

    def _select_current_termin(self) -> None:
        today = dt.date.today()
        termine = self.termin_model.rows
        upcoming = [n for n, t in enumerate(termine) if t.date >= today and t.status is not TerminStatus.CANCELLED]
        row = upcoming[0] if upcoming else len(termine) - 1
        if row >= 0:
            self.termin_table.selectRow(row)

    def selected_termin_id(self) -> int | None:
        index = self.termin_table.currentIndex()
        return self.termin_model.id_at(index.row()) if index.isValid() else None

    def selected_person_id(self) -> int | None:
        index = self.people_table.currentIndex()
        return self.people_model.id_at(index.row()) if index.isValid() else None

    def _need(self, item_id: int | None, what: str) -> int | None:
        if item_id is None:
            show_message(self.message, f"Bitte zuerst {what} auswählen.")
        return item_id

    # ------------------------------------------------------------------ actions

    def checkin_selected(self) -> None:
        termin_id = self._need(self.selected_termin_id(), "einen Termin")
        if termin_id is not None:
            self.open_checkin.emit(termin_id)

    def present_selected(self) -> None:
        termin_id = self._need(self.selected_termin_id(), "einen Termin")
        if termin_id is None:
            return
        lessons = list(self.termin_model.rows[self.termin_model.row_of(termin_id)].lessons)
        if not lessons:
            show_message(self.message, "Für diesen Termin ist keine Lektion geplant (Termin bearbeiten).")
            return
        self.present_requested.emit(lessons)

    def edit_course(self) -> None:
        if self.data is None:
            return
        dialog = CourseDialog(self.db, self.data.course, parent=self)
        dialog.exec()

    def new_termin(self) -> None:
        if self.data is not None:
            TerminDialog(self.db, self.data.course, parent=self).exec()

    def new_series(self) -> None:
        if self.data is not None:
            TerminDialog(self.db, self.data.course, series=True, parent=self).exec()

    def edit_termin(self) -> None:
        termin_id = self._need(self.selected_termin_id(), "einen Termin")
        if termin_id is not None and self.data is not None:
            termin = self.termin_model.rows[self.termin_model.row_of(termin_id)]
            TerminDialog(self.db, self.data.course, termin, parent=self).exec()

    def delete_termin(self) -> None:
        termin_id = self._need(self.selected_termin_id(), "einen Termin")
        if termin_id is None:
            return
        answer = QMessageBox.question(self, "Termin löschen", "Den gewählten Termin mit seinen Anwesenheiten löschen?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self._service(courses.delete_termin, self.db, termin_id)

    def new_person(self) -> None:
        if self.course_id is not None:
            self.tabs.setCurrentIndex(1)
            ParticipantDialog(self.db, course_id=self.course_id, parent=self).exec()

    def edit_person(self) -> None:
        person_id = self._need(self.selected_person_id(), "eine Person")
        if person_id is not None:
            person = self.people_model.rows[self.people_model.row_of(person_id)]
            ParticipantDialog(self.db, person=person, parent=self).exec()

    def unenrol_person(self) -> None:
        person_id = self._need(self.selected_person_id(), "eine Person")
        if person_id is not None and self.course_id is not None:
            self._service(people.unenrol, self.db, self.course_id, person_id)

    def print_booklet(self) -> None:
        """The course's lesson plan (or all Termine's lessons) as one Kursheft, in one click."""
        if self.data is None:
            return
        lessons = list(self.data.course.planned_lessons) or list(dict.fromkeys(
            lesson for termin in self.termin_model.rows for lesson in termin.lessons))
        if not lessons:
            show_message(self.message, "Für diesen Kurs ist keine Lektion geplant (Kurs bearbeiten).")
            return
        self.booklet_requested.emit(lessons)

    def print_sheet(self) -> None:
        termin_id = self._need(self.selected_termin_id(), "einen Termin")
        if termin_id is not None:
            from app.ui.courses import printing

            printing.signature_sheet(self, self.db, termin_id)

    def print_certificate(self) -> None:
        person_id = self._need(self.selected_person_id(), "eine Person")
        if person_id is not None and self.course_id is not None:
            from app.ui.courses import printing

            printing.certificates(self, self.db, self.course_id, [person_id])

    def print_all_certificates(self) -> None:
        if self.course_id is not None:
            from app.ui.courses import printing

            printing.certificates(self, self.db, self.course_id, None)

    def _service(self, function, *args) -> bool:  # noqa: ANN001
        try:
            function(*args)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return False
        return True

    def _on_data_changed(self, change: events.DataChange) -> None:
        if self.course_id is None:
            return
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        if self._dirty:
            self.refresh()
