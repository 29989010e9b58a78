"""The check-in screen in the hall: one big tile per person, walk-ins, head counter, undo (Strg+Z)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCompleter,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.attendance import (
    AttendanceStatus,
    CourseFormat,
    InputError,
    ParticipantInput,
    ParticipantView,
    format_date_long,
)
from app.services import events, lesson_titles, people
from app.services.checkin import CheckInDesk, CheckInState
from app.storage.database import Database
from app.ui.courses.headcount import HeadCounter
from app.ui.courses.widgets import OK_STYLE, big_button, message_label, scaled_font, shortcut, show_message

TILE_WIDTH = 380
TILE_STYLES = {
    None: "",
    AttendanceStatus.PRESENT: "QPushButton { background: #1b5e20; color: white; font-weight: bold; }",
    AttendanceStatus.EXCUSED: "QPushButton { background: #ffe082; color: black; }",
    AttendanceStatus.ABSENT: "QPushButton { background: #cfd8dc; color: black; }",
}
STATUS_KEYS = {
    Qt.Key.Key_A: AttendanceStatus.PRESENT,
    Qt.Key.Key_E: AttendanceStatus.EXCUSED,
    Qt.Key.Key_U: AttendanceStatus.ABSENT,
    Qt.Key.Key_Delete: None,
}


class PersonTile(QPushButton):
    """One person: tap (or Leertaste) toggles anwesend; E / U / Entf set the other marks."""

    def __init__(self, person: ParticipantView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person = person
        self.status: AttendanceStatus | None = None
        self.setCheckable(True)
        self.setMinimumHeight(76)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFont(scaled_font(self, 1.3))
        self.setAccessibleDescription(
            "Antippen oder Leertaste: anwesend ein/aus. E: entschuldigt, U: unentschuldigt, Entf: keine Angabe."
        )
        self.show_status(None)

    def show_status(self, status: AttendanceStatus | None) -> None:
        self.status = status
        name = self.person.name.replace("&", "&&") + ("  (neu)" if self.person.walk_in else "")
        if status is AttendanceStatus.PRESENT:
            name = f"✓  {name}"
        elif status is not None:
            name = f"{name} – {status.label}"
        self.setText(name)
        self.setChecked(status is AttendanceStatus.PRESENT)
        self.setStyleSheet(TILE_STYLES[status])
        self.setAccessibleName(f"{self.person.name}: {status.label if status else 'noch nicht da'}")


class CheckInView(QWidget):
    """Check-in for one Termin; every tap is committed before the screen shows it."""

    back_requested = Signal()
    present_requested = Signal(list)

    def __init__(self, db: Database, relay: QObject, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.desk: CheckInDesk | None = None
        self.state: CheckInState | None = None
        self.tiles: dict[int, PersonTile] = {}
        self._known: dict[str, int] = {}
        relay.changed.connect(self._on_data_changed)  # type: ignore[attr-defined]

        self.title = QLabel()
        self.title.setFont(scaled_font(self, 1.5, bold=True))
        self.title.setWordWrap(True)
        self.when = QLabel()
        self.when.setFont(scaled_font(self, 1.15))
        self.count_label = QLabel()
        self.count_label.setFont(scaled_font(self, 1.4, bold=True))
        self.count_label.setAccessibleName("Zahl der Anwesenden")
        self.tiles_box = QWidget()
        self.grid = QGridLayout(self.tiles_box)
        self.grid.setSpacing(10)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.tiles_box)
        scroll.setAccessibleName("Teilnehmende zum Antippen")
        self.empty_hint = QLabel("Noch niemand angemeldet. Neue Personen unten eintragen.")
        self.empty_hint.setWordWrap(True)

        self.walk_in = QLineEdit()
        self.walk_in.setAccessibleName("Name einer neuen Person (spontan dazugekommen)")
        self.walk_in.setPlaceholderText("Neue Person: Name eingeben, dann Eingabe")
        self.walk_in.setFont(scaled_font(self, 1.2))
        self.walk_in.setMinimumHeight(56)
        self.walk_in.returnPressed.connect(self.add_walk_in)
        self.walk_in.textEdited.connect(lambda _text: setattr(self, "_chosen_id", None))
        self._chosen_id: int | None = None
        self._suggestions = QStringListModel(self)
        completer = QCompleter(self._suggestions, self.walk_in)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._suggestion_chosen)
        self.walk_in.setCompleter(completer)
        add = big_button("+ Hinzufügen", "Neue Person hinzufügen und als anwesend eintragen", self.add_walk_in)
        self.head_counter = HeadCounter()
        self.head_counter.count_changed.connect(self._change_heads)
        self.head_counter.topic_counted.connect(self._count_topic)

        self.message = message_label("Meldung")
        self.undo_button = big_button("↶ Rückgängig (Strg+Z)", "Letzte Änderung rückgängig machen", self.undo)
        self.finish_button = big_button("Termin abschließen", "Termin abschließen: Fehlende als unentschuldigt",
                                        self.finish)
        self.present_button = big_button("▶ Lektion zeigen (Strg+L)", "Geplante Lektion präsentieren",
                                         self.request_presentation, factor=1.2)
        self.back_button = big_button("← Zurück (Esc)", "Zurück zum Kurs", self.back_requested.emit)

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.when)
        header.addLayout(titles, 1)
        header.addWidget(self.count_label)
        walk_row = QHBoxLayout()
        walk_row.addWidget(self.walk_in, 1)
        walk_row.addWidget(add)
        footer = QHBoxLayout()
        footer.addWidget(self.back_button)
        footer.addWidget(self.undo_button, 1)
        footer.addWidget(self.finish_button)
        footer.addWidget(self.present_button, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.head_counter)
        layout.addWidget(self.empty_hint)
        layout.addWidget(scroll, 1)
        layout.addLayout(walk_row)
        layout.addWidget(self.message)
        layout.addLayout(footer)

        shortcut(self, "Ctrl+Z", self.undo)
        shortcut(self, "Ctrl+L", self.request_presentation)
        shortcut(self, "Ctrl+N", self.walk_in.setFocus)
        shortcut(self, "Esc", self.back_requested.emit)
        shortcut(self, "+", lambda: self._change_heads(+1))
        shortcut(self, "-", lambda: self._change_heads(-1))

    # ------------------------------------------------------------------ loading

    def load(self, termin_id: int) -> None:
        """Show the check-in for *termin_id* (a fresh undo history)."""
        self.desk = CheckInDesk(self.db, termin_id)
        self._clear_tiles()
        show_message(self.message, "")
        self.refresh()
        self._load_suggestions()
        first = next(iter(self.tiles.values()), None)
        QTimer.singleShot(0, (first or self.walk_in).setFocus)

    def refresh(self) -> None:
        if self.desk is None:
            return
        try:
            state = self.desk.state()
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return
        self.state = state
        termin = state.termin
        self.title.setText(state.course_title)
        self.when.setText(" · ".join(part for part in (format_date_long(termin.date), termin.time_text, termin.place)
                                     if part))
        ids = [row.person.id for row in state.rows]
        if ids != list(self.tiles):
            self._build_tiles(state)
        for row in state.rows:
            self.tiles[row.person.id].show_status(row.status)
        drop_in = state.course_format is CourseFormat.DROP_IN
        self.head_counter.setVisible(drop_in)
        self.head_counter.show_counts(state.head_count, state.topics)
        count = f"{state.present} von {len(state.rows)} da" if not drop_in else \
            f"{state.head_count + state.present} Besucher"
        self.count_label.setText(count)
        self.empty_hint.setVisible(not state.rows and not drop_in)
        self.undo_button.setEnabled(self.desk.can_undo)
        self.undo_button.setToolTip(f"Rückgängig: {self.desk.undo_text}" if self.desk.can_undo else "")
        titles = [lesson_titles.title(lesson_id) for lesson_id in termin.lessons]
        self.present_button.setEnabled(bool(titles))
        self.present_button.setText(f"▶ {titles[0]} zeigen (Strg+L)" if titles else "Keine Lektion geplant")

    def _clear_tiles(self) -> None:
        for tile in self.tiles.values():
            tile.removeEventFilter(self)
            self.grid.removeWidget(tile)
            tile.hide()  # deleteLater is not immediate; a hidden tile never shows through
            tile.deleteLater()
        self.tiles = {}

    def _build_tiles(self, state: CheckInState) -> None:
        focused = next((pid for pid, tile in self.tiles.items() if tile.hasFocus()), None)
        self._clear_tiles()
        columns = self._columns()
        for number, row in enumerate(state.rows):
            tile = PersonTile(row.person, self.tiles_box)
            tile.clicked.connect(lambda _checked=False, pid=row.person.id: self.toggle(pid))
            tile.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            tile.customContextMenuRequested.connect(lambda _pos, pid=row.person.id: self._status_menu(pid))
            tile.installEventFilter(self)
            self.grid.addWidget(tile, number // columns, number % columns)
            self.tiles[row.person.id] = tile
        if focused in self.tiles:
            self.tiles[focused].setFocus()

    def _columns(self) -> int:
        return max(1, min(4, (self.width() or 1200) // TILE_WIDTH))

    def _load_suggestions(self) -> None:
        """Known people not on this list, offered while typing a walk-in's name."""
        if self.desk is None:
            return
        known = people.known_people(self.db, not_in_course=self.desk.course_id)
        self._known = {_label(p): p.id for p in known}
        self._suggestions.setStringList(list(self._known))

    def _suggestion_chosen(self, text: str) -> None:
        """Picking a known person is the second step already: they are checked in at once."""
        self._chosen_id = self._known.get(text)
        if self._chosen_id is not None:
            QTimer.singleShot(0, self.add_walk_in)  # after the completer has finished with the field

    # ------------------------------------------------------------------ actions

    def toggle(self, person_id: int) -> None:
        self._run(lambda desk: desk.toggle(person_id))

    def set_status(self, person_id: int, status: AttendanceStatus | None) -> None:
        self._run(lambda desk: desk.set_status(person_id, status))

    def add_walk_in(self) -> None:
        """Step two of a walk-in: the typed name becomes a person marked anwesend."""
        if self.desk is None:
            return
        text = self.walk_in.text()
        chosen = self._known.get(text) if self._chosen_id == self._known.get(text) else None
        added: list[int] = []
        if self._run(lambda desk: added.append(desk.add_walk_in(text, existing_id=chosen))):
            self.walk_in.clear()
            self._chosen_id = None
            self._load_suggestions()
            tile = self.tiles.get(added[0])
            name = tile.person.name if tile else text.strip()
            text = f"{name} ist eingetragen und als anwesend markiert. Strg+Z macht das rückgängig."
            twins = [] if chosen else people.likely_duplicates(self.db, ParticipantInput(name=name), added[0])
            if twins:
                text += (f"\nHinweis: {_label(twins[0])} gibt es schon (aus einem anderen Kurs). Ist es dieselbe "
                         "Person, bitte Strg+Z und den Namen aus der Vorschlagsliste wählen.")
            show_message(self.message, text, OK_STYLE)
            self.walk_in.setFocus()

    def undo(self) -> None:
        if self.desk is None:
            return
        done: list[str | None] = []
        if self._run(lambda desk: done.append(desk.undo())):
            text = done[0]
            show_message(self.message, f"Rückgängig gemacht: {text}" if text else "Nichts mehr rückgängig zu machen.",
                         OK_STYLE)
            self._load_suggestions()

    def finish(self) -> None:
        done: list[int] = []
        if self._run(lambda desk: done.append(desk.finish())):
            missing = f" {done[0]} als unentschuldigt eingetragen." if done[0] else ""
            show_message(self.message, f"Termin abgeschlossen.{missing} Strg+Z macht das rückgängig.", OK_STYLE)

    def request_presentation(self) -> None:
        if self.state and self.state.termin.lessons:
            self.present_requested.emit(list(self.state.termin.lessons))

    def _change_heads(self, delta: int) -> None:
        if self.state and self.state.course_format is CourseFormat.DROP_IN:
            self._run(lambda desk: desk.change_head_count(delta))

    def _count_topic(self, topic: str) -> None:
        self._run(lambda desk: desk.count_topic(topic))

    def _run(self, action) -> bool:  # noqa: ANN001
        """Run one desk action; a German message instead of a traceback when it is refused."""
        if self.desk is None:
            return False
        try:
            action(self.desk)
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return False
        return True

    def _status_menu(self, person_id: int) -> None:
        menu = QMenu(self)
        for status in (*AttendanceStatus, None):
            label = status.label if status else "keine Angabe"
            menu.addAction(label, lambda s=status: self.set_status(person_id, s))
        menu.popup(self.tiles[person_id].mapToGlobal(self.tiles[person_id].rect().center()))

    def _on_data_changed(self, change: events.DataChange) -> None:
        if self.desk is not None and self.isVisible() and change.touches(
            events.ATTENDANCE, events.PARTICIPANTS, events.TERMINE
        ):
            self.refresh()

    # ------------------------------------------------------------------ keyboard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if isinstance(watched, PersonTile) and event.type() == QEvent.Type.KeyPress:
            return self._tile_key(watched, event)  # type: ignore[arg-type]
        return super().eventFilter(watched, event)

    def _tile_key(self, tile: PersonTile, event: QKeyEvent) -> bool:
        key = event.key()
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if key in STATUS_KEYS:
            self.set_status(tile.person.id, STATUS_KEYS[key])
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.toggle(tile.person.id)
            return True
        moves = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1, Qt.Key.Key_Up: -self._columns(),
                 Qt.Key.Key_Down: self._columns()}
        if key in moves:
            order = list(self.tiles)
            target = order.index(tile.person.id) + moves[key]
            if 0 <= target < len(order):
                self.tiles[order[target]].setFocus()
            elif key == Qt.Key.Key_Down:
                self.walk_in.setFocus()
            return True
        return False

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        if self.desk is not None:
            self.refresh()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        if self.state is not None and self.tiles:
            columns = self._columns()
            for number, tile in enumerate(self.tiles.values()):
                self.grid.addWidget(tile, number // columns, number % columns)


def _label(person: ParticipantView) -> str:
    return person.name + (f" (Jahrgang {person.birth_year})" if person.birth_year else "")
