"""Qt table models over the plain view objects of the services (courses, Termine, people, attendance grid)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.attendance import (
    AttendanceStatus,
    CourseSummary,
    ParticipantView,
    TerminStatus,
    TerminView,
    format_date,
)
from app.services.lesson_titles import title as lesson_title

ID_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A read-only table of plain rows; subclasses say how a row becomes cells."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.rows: list[Any] = []
        self._cells: list[tuple[str, ...]] = []

    def set_rows(self, rows: list[Any]) -> None:
        """Replace all rows; cell texts are made once here, not on every paint."""
        self.beginResetModel()
        self.rows = list(rows)
        self._cells = [tuple(self.cell(row, column) for column in range(len(self.HEADERS))) for row in self.rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.HEADERS):
                return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ID_ROLE:
            return row.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._cells[index.row()][index.column()] if 0 <= index.column() < len(self.HEADERS) else None
        return None

    # Each subclass defines ``cell(row, column) -> str`` (Qt classes cannot use ABCMeta).
    cell: Callable[[Any, int], str]

    def id_at(self, row: int) -> int | None:
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    def row_of(self, item_id: int) -> int:
        return next((number for number, row in enumerate(self.rows) if row.id == item_id), -1)


def period_text(start, end) -> str:  # noqa: ANN001
    if start and end:
        return format_date(start) if start == end else f"{format_date(start)} – {format_date(end)}"
    return format_date(start) or format_date(end)


class CourseTableModel(RowsModel):
    """The course list."""

    COL_TITLE, COL_FORMAT, COL_TOWN, COL_PERIOD, COL_TERMINE, COL_PEOPLE, COL_NEXT = range(7)
    HEADERS = ("Titel", "Art", "Ortsgemeinde", "Zeitraum", "Termine", "Teilnehmende", "Nächster Termin")

    def cell(self, row: CourseSummary, column: int) -> str:
        return (
            row.title, row.format.label, row.municipality, period_text(row.start_date, row.end_date),
            str(row.termin_count), str(row.participant_count), format_date(row.next_termin),
        )[column]


class TerminTableModel(RowsModel):
    """The Termine of a course."""

    COL_DATE, COL_TIME, COL_PLACE, COL_STATUS, COL_LESSONS, COL_PRESENT = range(6)
    HEADERS = ("Datum", "Uhrzeit", "Ort", "Status", "Lektionen", "Anwesend")

    def cell(self, row: TerminView, column: int) -> str:
        present = str(row.present_count)
        if row.head_count:
            present = f"{row.present_count} + {row.head_count} ohne Namen"
        if row.status is TerminStatus.PLANNED and not row.present_count and not row.head_count:
            present = ""
        return (
            format_date(row.date), row.time_text, row.place, row.status.label,
            ", ".join(lesson_title(lesson_id) for lesson_id in row.lessons), present,
        )[column]


class ParticipantTableModel(RowsModel):
    """The Teilnehmende of a course."""

    COL_NAME, COL_DEVICE, COL_AGE, COL_CONTACT, COL_WALK_IN = range(5)
    HEADERS = ("Name", "Gerät", "Jahrgang / Alter", "Kontakt", "Angemeldet")

    def cell(self, row: ParticipantView, column: int) -> str:
        age = str(row.birth_year) if row.birth_year else row.age_band
        contact = " · ".join(part for part in (row.phone, row.email) if part)
        return (
            row.name, row.device.label if row.device else "", age, contact,
            "abgemeldet" if not row.enrolled else ("spontan dazugekommen" if row.walk_in else "angemeldet"),
        )[column]


class AttendanceGridModel(QAbstractTableModel):
    """People down, Termine across; a cell shows ✓ (anwesend), E (entschuldigt) or – (unentschuldigt)."""

    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.people: list[ParticipantView] = []
        self.termine: list[TerminView] = []
        self.grid: dict[tuple[int, int], AttendanceStatus] = {}
        self._symbols: list[list[str]] = []
        self._sums: list[str] = []

    def set_data(self, people: list[ParticipantView], termine: list[TerminView],
                 grid: dict[tuple[int, int], AttendanceStatus]) -> None:
        """Replace everything; symbols and sums are computed once (a Sprechstunde has 100+ Termine)."""
        self.beginResetModel()
        self.people, self.termine, self.grid = list(people), list(termine), dict(grid)
        held = sum(1 for t in self.termine if t.status is TerminStatus.HELD)
        self._symbols, self._sums = [], []
        for person in self.people:
            marks = [grid.get((person.id, termin.id)) for termin in self.termine]
            self._symbols.append([mark.symbol if mark else "" for mark in marks])
            self._sums.append(f"{sum(1 for m in marks if m is AttendanceStatus.PRESENT)}/{held}")
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.people)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.termine) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            return self.people[section].name if 0 <= section < len(self.people) else None
        if section == len(self.termine):
            return "Summe"
        if 0 <= section < len(self.termine):
            termin = self.termine[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{format_date(termin.date)} ({termin.status.label})"
            return termin.date.strftime("%d.%m.%y")
        return None

    def status(self, row: int, column: int) -> AttendanceStatus | None:
        return self.grid.get((self.people[row].id, self.termine[column].id))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        row, column = index.row(), index.column()
        if not index.isValid() or not 0 <= row < len(self.people) or not 0 <= column <= len(self.termine):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._sums[row] if column == len(self.termine) else self._symbols[row][column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            if column == len(self.termine):
                return f"{self.people[row].name}: {self._sums[row]} Termine anwesend"
            status = self.status(row, column)
            when = format_date(self.termine[column].date)
            return f"{self.people[row].name}, {when}: {status.label if status else 'keine Angabe'}"
        return None
