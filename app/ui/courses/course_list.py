"""The course list: today's Termine as big buttons on top, all courses below, search, new course."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.attendance import InputError, format_time
from app.services import courses, events
from app.storage.database import Database
from app.ui.courses.dialogs import CourseDialog
from app.ui.courses.tables import CourseTableModel
from app.ui.courses.widgets import (
    big_button,
    message_label,
    scaled_font,
    shortcut,
    show_message,
)
from app.ui.flow_layout import FlowLayout
from app.ui.look import colours, icon, mark_primary, with_icon


class CourseListView(QWidget):
    """All courses; opening one shows its page, a "Heute" button goes straight to the check-in."""

    open_course = Signal(int)
    open_checkin = Signal(int)
    backups_requested = Signal()
    organisation_requested = Signal()
    privacy_requested = Signal()
    sync_requested = Signal()

    def __init__(self, db: Database, relay: QObject, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self._dirty = True
        self._all: list = []
        relay.changed.connect(self._on_data_changed)  # type: ignore[attr-defined]

        heading = QLabel("Kurse und Sprechstunden")
        heading.setFont(scaled_font(self, 1.4, bold=True))
        self.today_box = QVBoxLayout()  # one full-width button per Termin: long titles stay readable
        self.today_label = QLabel("Heute:")
        self.today_label.setFont(scaled_font(self, 1.15, bold=True))
        self.search = QLineEdit()
        self.search.setAccessibleName("Kurse durchsuchen")
        self.search.setPlaceholderText("Kurs oder Ortsgemeinde suchen …")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _text: self._apply_filter())
        self.model = CourseTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Liste der Kurse")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # full titles, never "Smartphone-…"
        header.setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.activated.connect(lambda _index: self.open_selected())
        self.message = message_label("Meldung")

        buttons = FlowLayout()  # wraps on a narrow laptop instead of cutting the button texts
        self.open_button = with_icon(big_button("Öffnen (Eingabe)", "Gewählten Kurs öffnen", self.open_selected),
                                     "folder-open", colours().on_accent)
        mark_primary(self.open_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(with_icon(big_button("Neuer Kurs (Strg+N)", "Neuen Kurs anlegen", self.new_course),
                                    "calendar-plus"))
        buttons.addWidget(with_icon(big_button("Löschen …", "Gewählten Kurs löschen", self.delete_selected),
                                    "trash-2"))
        buttons.addWidget(with_icon(big_button("Abgleichen …", "Mit anderen Laptops abgleichen (Ordner oder USB-Stick)",
                                               self.sync_requested.emit), "folder-sync"))
        buttons.addWidget(with_icon(big_button("Organisation …", "Organisation, Logo und Förderhinweis",
                                               self.organisation_requested.emit), "building-2"))
        buttons.addWidget(with_icon(big_button("Datenschutz …",
                                               "Datenschutz: Personen nach Ablauf der Aufbewahrungsfrist löschen",
                                               self.privacy_requested.emit), "shield"))
        buttons.addWidget(with_icon(big_button("Sicherungen …", "Sicherungen ansehen und wiederherstellen",
                                               self.backups_requested.emit), "archive-restore"))
        today_row = QHBoxLayout()
        today_row.addWidget(self.today_label, 0, Qt.AlignmentFlag.AlignTop)
        today_row.addLayout(self.today_box, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(today_row)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        shortcut(self, "Ctrl+N", self.new_course)
        shortcut(self, "Del", self.delete_selected)

    def refresh(self) -> None:
        self._dirty = False
        current = self.selected_id()
        self._all = courses.list_courses(self.db)
        self._apply_filter()
        if current is not None:
            self.select(current)
        elif self.model.rowCount():
            self.table.selectRow(0)
        self._fill_today()

    def _apply_filter(self) -> None:
        needle = self.search.text().strip().casefold()
        rows = [c for c in self._all if needle in c.title.casefold() or needle in c.municipality.casefold()]
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)

    def _fill_today(self) -> None:
        while self.today_box.count():
            item = self.today_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        today = courses.todays_termine(self.db)
        for title, termin in today:
            when = format_time(termin.start) or "heute"
            button = big_button(f"{when}  {title}  → Check-in", f"Heutiger Termin: {title}, Check-in öffnen",
                                lambda tid=termin.id: self.open_checkin.emit(tid), height=64, factor=1.15)
            with_icon(button, "users", colours().on_accent, 28)
            mark_primary(button)  # today's Termin is what the trainer does next
            self.today_box.addWidget(button)
        if not today:
            self.today_box.addWidget(QLabel("kein Termin"))
        mark_primary(self.open_button, not today)  # one filled button: today's check-in, else »Öffnen«
        self.open_button.setIcon(icon("folder-open", colours().on_accent if not today else ""))

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def select(self, course_id: int) -> None:
        row = self.model.row_of(course_id)
        if row >= 0:
            self.table.selectRow(row)

    def open_selected(self) -> None:
        course_id = self.selected_id()
        if course_id is not None:
            self.open_course.emit(course_id)

    def new_course(self) -> None:
        dialog = CourseDialog(self.db, parent=self)
        if dialog.exec() and dialog.saved_id is not None:
            self.refresh()
            self.open_course.emit(dialog.saved_id)

    def delete_selected(self) -> None:
        course_id = self.selected_id()
        if course_id is None:
            return
        title = self.model.rows[self.model.row_of(course_id)].title
        answer = QMessageBox.question(
            self, "Kurs löschen",
            f"Den Kurs »{title}« mit allen Terminen aus der Liste löschen?\n"
            "(Eine Sicherung von heute bleibt im Ordner »sicherungen«.)",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            courses.delete_course(self.db, course_id)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))

    def _on_data_changed(self, change: events.DataChange) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        if self._dirty:
            self.refresh()
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
