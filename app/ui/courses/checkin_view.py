"""The check-in screen in the hall: one big tile per person, walk-ins, head counter, undo (Strg+Z)."""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QObject,
    QRect,
    QRectF,
    QSize,
    QStringListModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPen
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
    QToolButton,
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
from app.storage.database import Database, DatabaseError
from app.ui.courses.headcount import HeadCounter
from app.ui.courses.widgets import (
    OK_STYLE,
    ask,
    big_button,
    message_label,
    scaled_font,
    shortcut,
    show_message,
)
from app.ui.look import colours, icon, mark_primary, status_look, with_icon

TILE_MIN_WIDTH = 290
TILE_HEIGHT = 88  # at the default font; grows with a larger font (see PersonTile.sizeHint)
TILE_SPACING = 10
LONG_PRESS_MS = 600  # holding a finger on a tile this long opens the status choice instead of toggling
STATUS_KEYS = {
    Qt.Key.Key_A: AttendanceStatus.PRESENT,
    Qt.Key.Key_E: AttendanceStatus.EXCUSED,
    Qt.Key.Key_U: AttendanceStatus.ABSENT,
    Qt.Key.Key_Delete: None,
}
STATUS_CHOICES: tuple[AttendanceStatus | None, ...] = (*AttendanceStatus, None)


class PersonTile(QPushButton):
    """One person: tap (or Leertaste) toggles anwesend; the round button on the tile (or E / U / Entf)
    sets the other marks. Each status shows colour, symbol and word together."""

    status_menu_requested = Signal()

    def __init__(self, person: ParticipantView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.person = person
        self.status: AttendanceStatus | None = None
        self.setCheckable(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFont(scaled_font(self, 1.15))
        self.setAccessibleDescription(
            "Antippen oder Leertaste: anwesend ein/aus. Knopf »Status« auf der Kachel, E: entschuldigt, "
            "U: unentschuldigt, Entf: keine Angabe."
        )
        self.status_button = QToolButton(self)
        self.status_button.setText("Status")
        self.status_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        self.status_button.setAccessibleName(f"Status von {person.name} wählen")
        self.status_button.setToolTip("entschuldigt, unentschuldigt oder keine Angabe wählen")
        self.status_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.status_button.setFixedSize(72, 64)
        self.status_button.setIconSize(QSize(26, 26))
        self.status_button.clicked.connect(self.status_menu_requested.emit)
        self._long_press = QTimer(self)
        self._long_press.setSingleShot(True)
        self._long_press.setInterval(LONG_PRESS_MS)
        self._long_press.timeout.connect(self._held)
        self._held_open = False
        self.show_status(None)

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        self._held_open = False
        if event.button() == Qt.MouseButton.LeftButton:
            self._long_press.start()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        self._long_press.stop()
        if self._held_open:  # the finger was held: the menu is open, the tap does not toggle
            self._held_open = False
            self.setDown(False)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def _held(self) -> None:
        if self.isDown():
            self._held_open = True
            self.status_menu_requested.emit()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Room for a name on two lines and the status word below it."""
        name = QFontMetrics(self._name_font()).lineSpacing()
        word = QFontMetrics(self._word_font()).lineSpacing()
        return QSize(TILE_MIN_WIDTH, max(TILE_HEIGHT, 2 * name + word + 22))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def _name_font(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def _word_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * 0.8)
        return font

    @property
    def status_word(self) -> str:
        return status_look(self.status).word

    def show_status(self, status: AttendanceStatus | None) -> None:
        self.status = status
        look = status_look(status)
        walk_in = "  (neu)" if self.person.walk_in else ""
        self.setText(f"{self.person.name.replace('&', '&&')}{walk_in} – {look.word}")
        self.setFixedHeight(self.sizeHint().height())
        self.setChecked(status is AttendanceStatus.PRESENT)
        self.setAccessibleName(f"{self.person.name}: {look.word}")
        self.status_button.setIcon(icon("chevron-down", look.text))
        self.status_button.setStyleSheet(
            f"QToolButton {{ color: {look.text}; background: transparent; border: none;"
            f" border-left: 2px solid {look.border}; font-size: 11pt; }}"
            f"QToolButton:pressed {{ background: {look.border}; }}"
        )
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        button = self.status_button
        button.move(self.width() - button.width() - 6, (self.height() - button.height()) // 2)

    def paintEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override: own drawing, never elided
        look = status_look(self.status)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        border = 4 if self.hasFocus() else (3 if self.status is not None else 2)
        pen_colour = colours().accent if self.hasFocus() else look.border
        painter.setPen(QPen(QColor(pen_colour), border))
        painter.setBrush(QColor(look.background))
        painter.drawRoundedRect(rect, 10, 10)
        icon_side = 30
        left = 14
        icon("circle-check" if self.status is AttendanceStatus.PRESENT else look.icon, look.text).paint(
            painter, QRect(left, (self.height() - icon_side) // 2, icon_side, icon_side))
        text_left = left + icon_side + 12
        text_width = self.status_button.x() - text_left - 8
        name_font = self._name_font()
        word_font = self._word_font()
        name = self.person.name
        word = look.word + (" · neu dazugekommen" if self.person.walk_in else "")
        word_metrics = QFontMetrics(word_font)
        two_lines = 2 * QFontMetrics(name_font).lineSpacing() + 1
        # the name wraps onto a second line rather than being cut; a very long one gets a smaller font
        while True:
            name_rect = QFontMetrics(name_font).boundingRect(QRect(0, 0, max(text_width, 10), 1000),
                                                             Qt.TextFlag.TextWordWrap, name)
            if name_rect.height() <= two_lines or name_font.pointSizeF() <= 8:
                break
            name_font.setPointSizeF(name_font.pointSizeF() * 0.9)
        total = name_rect.height() + word_metrics.height() + 2
        top = (self.height() - total) // 2
        painter.setPen(QColor(look.text))
        painter.setFont(name_font)
        painter.drawText(QRect(text_left, top, text_width, name_rect.height()),
                         Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft, name)
        painter.setFont(word_font)
        painter.drawText(QRect(text_left, top + name_rect.height() + 2, text_width, word_metrics.height()),
                         Qt.AlignmentFlag.AlignLeft, word)
        painter.end()


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
        self._columns_shown = 0
        relay.changed.connect(self._on_data_changed)  # type: ignore[attr-defined]

        self.title = QLabel()
        self.title.setFont(scaled_font(self, 1.4, bold=True))
        self.title.setWordWrap(True)
        self.when = QLabel()
        self.when.setFont(scaled_font(self, 1.05))
        self.when.setWordWrap(True)
        self.when.setProperty("role", "muted")
        self.count_label = QLabel()
        self.count_label.setFont(scaled_font(self, 1.6, bold=True))
        self.count_label.setAccessibleName("Zahl der Anwesenden")
        self.search = QLineEdit()
        self.search.setAccessibleName("Name suchen: die Kacheln werden beim Tippen gefiltert")
        self.search.setPlaceholderText("Name suchen … (Eingabe: die eine passende Person ist da; Esc leert)")
        self.search.setFont(scaled_font(self, 1.15))
        self.search.setMinimumHeight(52)
        # no tiny clear button inside the field (a finger misses it): Esc or the search text is removed
        self.search.textChanged.connect(self.apply_search)
        self.search.returnPressed.connect(self._search_entered)
        self.tiles_box = QWidget()
        self.grid = QGridLayout(self.tiles_box)
        self.grid.setSpacing(TILE_SPACING)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        # the columns follow the width: a sideways scroll bar would hide a column of people
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.tiles_box)
        self.scroll.setAccessibleName("Teilnehmende zum Antippen")
        self.scroll.viewport().installEventFilter(self)
        self.empty_hint = QLabel("Noch niemand angemeldet. Neue Personen unten eintragen.")
        self.empty_hint.setWordWrap(True)
        self.no_match = QLabel()
        self.no_match.setWordWrap(True)
        self.no_match.hide()

        self.walk_in = QLineEdit()
        self.walk_in.setAccessibleName("Name einer neuen Person (spontan dazugekommen)")
        self.walk_in.setPlaceholderText("Neue Person: Name eingeben, dann Eingabe")
        self.walk_in.setFont(scaled_font(self, 1.15))
        self.walk_in.setMinimumHeight(52)
        self.walk_in.returnPressed.connect(self.add_walk_in)
        self.walk_in.textEdited.connect(lambda _text: setattr(self, "_chosen_id", None))
        self._chosen_id: int | None = None
        self._suggestions = QStringListModel(self)
        completer = QCompleter(self._suggestions, self.walk_in)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._suggestion_chosen)
        self.walk_in.setCompleter(completer)
        add = with_icon(big_button("Hinzufügen", "Neue Person hinzufügen und als anwesend eintragen",
                                   self.add_walk_in), "user-plus")
        self.head_counter = HeadCounter()
        self.head_counter.count_changed.connect(self._change_heads)
        self.head_counter.topic_counted.connect(self._count_topic)

        self.message = message_label("Meldung")
        self.undo_button = with_icon(big_button("Rückgängig (Strg+Z)", "Letzte Änderung rückgängig machen",
                                                self.undo), "undo-2")
        self.finish_button = with_icon(big_button("Termin abschließen …",
                                                  "Termin abschließen: Fehlende als unentschuldigt", self.finish), "flag")
        self.present_button = big_button("Lektion zeigen (Strg+L)", "Geplante Lektion präsentieren",
                                         self.request_presentation, factor=1.1)
        with_icon(self.present_button, "play", colours().on_accent)
        mark_primary(self.present_button)
        self.back_button = with_icon(big_button("Zurück (Esc)", "Zurück zum Kurs", self.back_requested.emit),
                                     "arrow-left")

        header = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.when)
        header.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(titles, 1)
        header.addWidget(self.count_label)
        walk_row = QHBoxLayout()
        walk_row.addWidget(self.walk_in, 1)
        walk_row.addWidget(add)
        footer = QHBoxLayout()
        footer.addWidget(self.undo_button)
        footer.addWidget(self.finish_button)
        footer.addStretch(1)
        footer.addWidget(self.present_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.head_counter)
        layout.addWidget(self.search)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.no_match)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(walk_row)
        layout.addWidget(self.message)
        layout.addLayout(footer)

        shortcut(self, "Ctrl+Z", self.undo)
        shortcut(self, "Ctrl+L", self.request_presentation)
        shortcut(self, "Ctrl+N", self.walk_in.setFocus)
        shortcut(self, "Ctrl+F", self.search.setFocus)
        shortcut(self, "Esc", self._escape)
        shortcut(self, "+", lambda: self._change_heads(+1))
        shortcut(self, "-", lambda: self._change_heads(-1))

    # ------------------------------------------------------------------ loading

    def load(self, termin_id: int) -> None:
        """Show the check-in for *termin_id* (a fresh undo history)."""
        self.desk = CheckInDesk(self.db, termin_id)
        self._clear_tiles()
        self.search.clear()
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
        titles = [lesson_titles.title(lesson_id) for lesson_id in termin.lessons]
        self.when.setText(" · ".join(part for part in (format_date_long(termin.date), termin.time_text, termin.place,
                                                       "Lektion: " + ", ".join(titles) if titles else "")
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
        self.present_button.setEnabled(bool(titles))
        self.present_button.setText("Lektion zeigen (Strg+L)" if titles else "Keine Lektion geplant")
        self.present_button.setToolTip(f"»{titles[0]}« an der Wand zeigen" if titles else "")
        self.apply_search()

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
        for row in state.rows:
            tile = PersonTile(row.person, self.tiles_box)
            tile.clicked.connect(lambda _checked=False, pid=row.person.id: self.toggle(pid))
            tile.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            tile.customContextMenuRequested.connect(lambda _pos, pid=row.person.id: self._status_menu(pid))
            tile.status_menu_requested.connect(lambda pid=row.person.id: self._status_menu(pid))
            tile.installEventFilter(self)
            self.tiles[row.person.id] = tile
        self._place_tiles(force=True)
        if focused in self.tiles:
            self.tiles[focused].setFocus()

    def _columns(self) -> int:
        """As many columns as whole tiles fit side by side in the visible width (1 to 4)."""
        width = self.scroll.viewport().width() if self.scroll.isVisible() else (self.width() or 1200) - 40
        return max(1, min(4, (width + TILE_SPACING) // (TILE_MIN_WIDTH + TILE_SPACING)))

    def visible_tiles(self) -> list[PersonTile]:
        return [tile for tile in self.tiles.values() if not tile.isHidden()]

    def _place_tiles(self, force: bool = False) -> None:
        """Lay the tiles that match the search out row by row, without gaps."""
        columns = self._columns()
        if not force and columns == self._columns_shown:
            return
        self._columns_shown = columns
        for tile in self.tiles.values():
            self.grid.removeWidget(tile)
        for number, tile in enumerate(self.visible_tiles()):
            self.grid.addWidget(tile, number // columns, number % columns)
        for column in range(4):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)

    def apply_search(self) -> None:
        """Show only the tiles whose name contains every typed word (case and accents as typed)."""
        words = self.search.text().casefold().split()
        for tile in self.tiles.values():
            tile.setHidden(bool(words) and not all(word in tile.person.name.casefold() for word in words))
        shown = len(self.visible_tiles())
        if words and not shown:
            self.no_match.setText(f"Niemand auf der Liste heißt »{self.search.text().strip()}«. Neue Person? "
                                  "Unten eintragen (Strg+N).")
        self.no_match.setVisible(bool(words) and not shown)
        self._place_tiles(force=True)

    def _search_entered(self) -> None:
        """Eingabe in the search: exactly one person fits → marked anwesend, the field is ready for the next."""
        shown = self.visible_tiles()
        if len(shown) == 1:
            tile = shown[0]
            if tile.status is not AttendanceStatus.PRESENT:
                self.set_status(tile.person.id, AttendanceStatus.PRESENT)
            show_message(self.message, f"{tile.person.name}: anwesend.", OK_STYLE)
            self.search.clear()
        elif not shown and self.search.text().strip():
            self.walk_in.setText(self.search.text().strip())
            self.search.clear()
            self.walk_in.setFocus()
            show_message(self.message, "Neue Person? Mit Eingabe eintragen oder den Namen ändern.", OK_STYLE)
        elif shown:
            shown[0].setFocus()

    def _escape(self) -> None:
        if self.search.text():
            self.search.clear()
        else:
            self.back_requested.emit()

    def scroll_to(self, person_id: int) -> None:
        """Bring the person's tile into view (a new walk-in at the end of a long list)."""
        tile = self.tiles.get(person_id)
        if tile is not None:
            self.tiles_box.layout().activate()
            self.scroll.ensureWidgetVisible(tile, 0, 20)

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
            self.search.clear()
            self.scroll_to(added[0])
            QTimer.singleShot(0, lambda pid=added[0]: self.scroll_to(pid))  # again once the layout has settled
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
        """After a question: everyone without a mark counts as unentschuldigt; Strg+Z takes it back."""
        if self.state is None:
            return
        missing = sum(1 for row in self.state.rows if row.status is None)
        detail = (f"{missing} Person{'en' if missing != 1 else ''} ohne Eintrag "
                  f"{'werden' if missing != 1 else 'wird'} als unentschuldigt eingetragen." if missing
                  else "Alle haben einen Eintrag.")
        if not ask(self, "Termin abschließen", f"Den Termin jetzt abschließen?\n\n{detail}\n"
                   "Strg+Z macht das rückgängig.", "Termin abschließen"):
            return
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
        except DatabaseError as error:  # e.g. the office's server went away: nothing was stored
            show_message(self.message, str(error))
            if self.state is not None:  # a tapped tile must not look stored
                for row in self.state.rows:
                    if row.person.id in self.tiles:
                        self.tiles[row.person.id].show_status(row.status)
            return False
        return True

    def _status_menu(self, person_id: int) -> QMenu:
        """Large entries (touch) with the status's symbol and word; opened by the tile's button."""
        tile = self.tiles[person_id]
        menu = QMenu(self)
        menu.setAccessibleName(f"Status von {tile.person.name}")
        menu.setFont(scaled_font(self, 1.15))
        for status in STATUS_CHOICES:
            look = status_look(status)
            label = status.label if status else "keine Angabe"
            action = menu.addAction(icon(look.icon), label, lambda s=status: self.set_status(person_id, s))
            action.setCheckable(True)
            action.setChecked(status is tile.status)
        self.last_menu = menu
        button = tile.status_button
        menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
        return menu

    def _on_data_changed(self, change: events.DataChange) -> None:
        if self.desk is not None and self.isVisible() and change.touches(
            events.ATTENDANCE, events.PARTICIPANTS, events.TERMINE
        ):
            self.refresh()

    # ------------------------------------------------------------------ keyboard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._place_tiles()
            return False
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
            order = self.visible_tiles()
            target = order.index(tile) + moves[key] if tile in order else 0
            if 0 <= target < len(order):
                order[target].setFocus()
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
        if self.tiles:
            self._place_tiles()


def _label(person: ParticipantView) -> str:
    return person.name + (f" (Jahrgang {person.birth_year})" if person.birth_year else "")
