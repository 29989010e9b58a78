"""»Konflikte«: values that lost against a concurrent edit on another laptop; keep them or take them back."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.attendance import InputError
from app.storage.database import Database
from app.sync import conflicts
from app.sync.conflicts import ConflictView
from app.ui.courses.tables import RowsModel
from app.ui.courses.widgets import OK_STYLE, big_button, message_label, show_message


class ConflictTableModel(RowsModel):
    """One row per open conflict."""

    HEADERS = ("Wer oder was", "Angabe", "Gilt jetzt", "Abweichender Wert", "Geändert auf", "Geändert am")
    COL_WHAT, COL_FIELD, COL_CURRENT, COL_OTHER, COL_DEVICE, COL_TIME = range(6)

    def cell(self, row: ConflictView, column: int) -> str:
        return (
            row.what, row.field_label, row.current, row.other, row.other_device,
            row.other_time.strftime("%d.%m.%Y %H:%M"),
        )[column]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: ANN001, ANN201 - Qt override
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            return self.rows[index.row()].text  # the whole record in plain German, never cut
        return super().data(index, role)


class ConflictsDialog(QDialog):
    """Lists open conflicts; »Abweichenden Wert übernehmen« reverses one, »Jetzigen Wert behalten« closes it."""

    count_changed = Signal(int)  # open conflicts after a decision (the Abgleichen window shows it)

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Konflikte beim Abgleich")
        self.setMinimumSize(720, 420)
        self.resize(1200, 560)
        intro = QLabel(
            "Hier stehen Angaben, die auf zwei Geräten gleichzeitig unterschiedlich geändert wurden. "
            "Die spätere Änderung gilt; die andere ist nicht verloren: Sie können sie hier übernehmen. "
            "Die Entscheidung gilt nach dem nächsten Abgleich auf allen Geräten."
        )
        intro.setWordWrap(True)
        self.model = ConflictTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Offene Konflikte")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # the trainer can widen any column
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(80)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Zahl der offenen Konflikte")
        self.count_label.setProperty("role", "heading")
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setAccessibleName("Gewählter Konflikt in ganzen Worten")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = message_label("Meldung")
        buttons = QHBoxLayout()
        self.take_button = big_button("Abweichenden Wert übernehmen", "Abweichenden Wert übernehmen", self.take_other)
        self.keep_button = big_button("Jetzigen Wert behalten", "Jetzigen Wert behalten", self.keep_current)
        buttons.addWidget(self.take_button)
        buttons.addWidget(self.keep_button)
        buttons.addStretch(1)
        buttons.addWidget(big_button("Schließen", "Fenster schließen", self.accept))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        rows = conflicts.list_conflicts(self.db)
        self.model.set_rows(rows)
        self._fit_columns()
        if rows:
            self.table.selectRow(0)
        self.take_button.setEnabled(bool(rows))
        self.keep_button.setEnabled(bool(rows))
        self.count_label.setText(f"{len(rows)} offene{'r' if len(rows) == 1 else ''} Konflikt{'e' if len(rows) != 1 else ''}"
                                 if rows else "Keine offenen Konflikte.")
        self._show_detail()
        if not rows:
            show_message(self.message, "Keine offenen Konflikte.", OK_STYLE)
        self.count_changed.emit(len(rows))

    def _fit_columns(self) -> None:
        """Every column as wide as its longest text, the record column first; wider than the window scrolls."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            header.resizeSection(column, min(max(header.sectionSize(column), 90), 420))
        self.table.resizeRowsToContents()

    def _show_detail(self) -> None:
        item = self.selected()
        self.detail.setText(
            f"{item.what} – {item.field_label}: jetzt gilt »{item.current}«; auf »{item.other_device}« wurde am "
            f"{item.other_time:%d.%m.%Y um %H:%M} »{item.other}« eingetragen." if item else "")

    def selected(self) -> ConflictView | None:
        index = self.table.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def take_other(self) -> None:
        self._decide(conflicts.take_other, "übernommen: »{other}«")

    def keep_current(self) -> None:
        self._decide(conflicts.keep_current, "behalten: »{current}«")

    def _decide(self, action, done: str) -> None:  # noqa: ANN001
        item = self.selected()
        if item is None:
            show_message(self.message, "Bitte zuerst einen Konflikt auswählen.")
            return
        try:
            action(self.db, item.key)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            self.reload()
            return
        self.reload()
        show_message(self.message, f"{item.what}, {item.field_label} " + done.format(
            other=item.other, current=item.current), OK_STYLE)

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # Enter must not close the dialog by accident
        super().keyPressEvent(event)
