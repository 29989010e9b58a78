"""The trainer's console on the laptop: current and next step, notes, step list, clock and pacing."""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.domain.lesson import Device, Step
from app.domain.pacing import Pace
from app.ui.flow_layout import FlowLayout
from app.ui.look import colours, mark_primary, with_icon
from app.ui.presenter.controller import Action, Blank, PresentationController
from app.ui.presenter.step_renderer import StepRenderer

SINGLE_SCREEN_NOTE = (
    "Nur ein Bildschirm erkannt: Zeigt der Beamer dasselbe Bild wie der Laptop (»Duplizieren«), sieht das "
    "Publikum jetzt auch diese Ansicht mit den Notizen. Mit Tab zurück zur Wandansicht. Unter Windows mit "
    "Win+P »Erweitern« wählen – dann bleiben die Notizen auf dem Laptop."
)


def pace_colour(pace: Pace) -> str:
    """Tempo in the window palette's colours (readable in light and dark)."""
    c = colours()
    return {Pace.ON_TIME: c.ok, Pace.HURRY: c.error, Pace.SLOW_DOWN: c.text}[pace]


class StepPreview(QWidget):
    """A scaled copy of what the audience sees (or would see for the next step)."""

    def __init__(self, controller: PresentationController, renderer: StepRenderer, follow_next: bool = False) -> None:
        super().__init__()
        self.controller = controller
        self.renderer = renderer
        self.follow_next = follow_next
        self.audience_size = QSize(1920, 1080)
        self.setMinimumSize(240, 135)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        controller.changed.connect(self.update)

    def step(self) -> Step | None:
        return self.controller.next_step if self.follow_next else self.controller.step

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        step = self.step()
        aw, ah = self.audience_size.width(), self.audience_size.height()
        scale = min(self.width() / aw, self.height() / ah)
        w, h = aw * scale, ah * scale
        painter.translate((self.width() - w) / 2, (self.height() - h) / 2)
        painter.scale(scale, scale)
        c = self.controller
        if step is None:
            painter.fillRect(0, 0, aw, ah, Qt.GlobalColor.darkGray)
            painter.setPen(Qt.GlobalColor.white)
            font = QFont()
            font.setPixelSize(ah // 10)
            painter.setFont(font)
            painter.drawText(0, 0, aw, ah, Qt.AlignmentFlag.AlignCenter, "Ende der Lektion")
        elif not self.follow_next and c.blank is not Blank.NONE:
            painter.fillRect(0, 0, aw, ah, Qt.GlobalColor.black if c.blank is Blank.BLACK else Qt.GlobalColor.white)
        elif not self.follow_next and c.zoomed:
            self.renderer.paint_zoomed_picture(painter, step.picture_for(c.device), self.audience_size, c.theme)
        else:
            label = f"Schritt {c.steps.index(step) + 1} von {len(c.steps)}"
            self.renderer.paint(painter, step, c.device, self.audience_size, c.font_scale, c.theme, label)
        painter.end()


class ConsoleWindow(QWidget):
    """Everything the trainer needs while presenting; never shown to the room."""

    closed = Signal()

    def __init__(self, controller: PresentationController, renderer: StepRenderer) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.controller = controller
        self.setWindowTitle(f"Kurslotse – Lotsenansicht: {controller.lesson.title}")
        self.setAccessibleName("Lotsenansicht")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        self.current = StepPreview(controller, renderer)
        self.current.setAccessibleName("Aktueller Schritt, wie ihn das Publikum sieht")
        self.next_preview = StepPreview(controller, renderer, follow_next=True)
        self.next_preview.setAccessibleName("Vorschau des nächsten Schritts")
        self.notes = QTextBrowser()
        self.notes.setAccessibleName("Notizen für Lotsen")
        self.notes.setOpenLinks(False)
        self.notes.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.step_list = QListWidget()
        self.step_list.setAccessibleName("Liste der Schritte")
        self.step_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.step_list.setWordWrap(True)
        self.step_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for number, step in enumerate(controller.steps, 1):
            self.step_list.addItem(QListWidgetItem(f"{number}. {step.title}"))
        self.step_list.itemClicked.connect(lambda item: controller.go_to(self.step_list.row(item)))

        self.scale_label = QLabel()
        self.scale_label.setAccessibleName("Schriftgröße an der Wand")
        self.scale_label.setMinimumHeight(48)
        self.scale_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scale_label.setToolTip("Schriftgröße an der Wand (Strg+Plus, Strg+Minus, Strg+0)")
        self.scale_note = QLabel()
        self.scale_note.setAccessibleName("Hinweis zur Schriftgröße")
        self.scale_note.setWordWrap(True)
        # Windows' Win+P "Duplizieren" reports one screen: this view (with notes) is then on the wall too
        self.single_screen_note = QLabel(SINGLE_SCREEN_NOTE)
        self.single_screen_note.setAccessibleName("Hinweis: nur ein Bildschirm erkannt")
        self.single_screen_note.setWordWrap(True)
        self.single_screen_note.setStyleSheet("font-weight: bold")
        self.single_screen_note.hide()
        self.position = QLabel()
        self.clock = QLabel()
        self.elapsed = QLabel()
        self.pace = QLabel()
        self.state = QLabel()
        for label in (self.position, self.clock, self.elapsed, self.pace, self.state):
            font = label.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            font.setBold(True)
            label.setFont(font)

        def button(text: str, tip: str, action: Action) -> QPushButton:
            widget = QPushButton(text)
            widget.setToolTip(tip)
            widget.setAccessibleName(tip)
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys always go to the presenter
            widget.setMinimumHeight(48)
            widget.clicked.connect(lambda: controller.perform(action))
            return widget

        self.android_button = QPushButton("Android")
        self.iphone_button = QPushButton("iPhone")
        devices = QButtonGroup(self)
        for widget, device in ((self.android_button, Device.ANDROID), (self.iphone_button, Device.IPHONE)):
            with_icon(widget, "bot" if device is Device.ANDROID else "apple")
            widget.setCheckable(True)
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            widget.setMinimumHeight(48)
            widget.setAccessibleName(f"Projektion für {device.label}")
            widget.setEnabled(device in controller.lesson.devices)
            widget.clicked.connect(lambda _=False, d=device: controller.set_device(d))
            devices.addButton(widget)

        controls = FlowLayout()  # wraps onto a second line on a small laptop screen
        controls.addWidget(button("◀ Zurück", "Vorheriger Schritt (Bild hoch, Pfeil links)", Action.PREVIOUS))
        next_button = button("Weiter ▶", "Nächster Schritt (Bild runter, Pfeil rechts, Leertaste)", Action.NEXT)
        mark_primary(next_button)
        controls.addWidget(next_button)
        controls.addWidget(self.android_button)
        controls.addWidget(self.iphone_button)
        controls.addWidget(button("A−", "Schrift kleiner (Strg+Minus)", Action.SMALLER))
        controls.addWidget(self.scale_label)
        controls.addWidget(button("A+", "Schrift größer (Strg+Plus)", Action.BIGGER))
        self.reset_button = button("100 %", "Schrift auf Normalgröße (Strg+0)", Action.RESET_SCALE)
        controls.addWidget(self.reset_button)
        controls.addWidget(button("Schwarz", "Schwarzes Bild (B oder Punkt)", Action.BLACK))
        controls.addWidget(button("Bild groß", "Bild vergrößert zeigen (Z)", Action.ZOOM))
        controls.addWidget(button("Tauschen", "Bildschirme tauschen (S)", Action.SWAP))
        controls.addWidget(button("Beenden (Esc)", "Präsentation beenden (Esc)", Action.END))

        status = QHBoxLayout()
        for widget in (self.position, self.state, self.pace, self.elapsed, self.clock):
            status.addWidget(widget)
            status.addStretch(1)

        grid = QGridLayout()
        grid.addWidget(QLabel("Jetzt an der Wand:"), 0, 0)
        grid.addWidget(self.current, 1, 0, 3, 1)
        grid.addWidget(QLabel("Als Nächstes:"), 0, 1)
        grid.addWidget(self.next_preview, 1, 1)
        grid.addWidget(QLabel("Notizen für Lotsen:"), 2, 1)
        grid.addWidget(self.notes, 3, 1)
        grid.addWidget(QLabel("Schritte:"), 0, 2)
        grid.addWidget(self.step_list, 1, 2, 3, 1)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(2, 3)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(3, 3)

        layout = QVBoxLayout(self)
        layout.addWidget(self.single_screen_note)
        layout.addLayout(status)
        layout.addLayout(grid, 1)
        layout.addWidget(self.scale_note)
        layout.addLayout(controls)
        controller.measure = lambda scale: renderer.layout(
            controller.step, controller.device, self.current.audience_size, scale, controller.theme).body_px

        self._notes_shown: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.refresh_time)
        self.timer.start()
        controller.changed.connect(self.refresh)
        self.refresh()

    def set_audience_size(self, size: QSize) -> None:
        for preview in (self.current, self.next_preview):
            preview.audience_size = size
            preview.update()

    def refresh(self) -> None:
        c = self.controller
        self.position.setText(c.step_label)
        notes = c.step.notes or "*(keine Notizen zu diesem Schritt)*"
        if notes != self._notes_shown:  # the same step again (device, scale, black): keep the text as it is
            self.notes.setMarkdown(notes)
            self._notes_shown = notes
        if self.step_list.currentRow() != c.index:
            self.step_list.setCurrentRow(c.index)
        self.android_button.setChecked(c.device is Device.ANDROID)
        self.iphone_button.setChecked(c.device is Device.IPHONE)
        states = []
        if c.blank is Blank.BLACK:
            states.append("Wand: SCHWARZ")
        elif c.blank is Blank.WHITE:
            states.append("Wand: WEISS")
        if c.zoomed:
            states.append("Bild vergrößert")
        layout = self.current.renderer.layout(c.step, c.device, self.current.audience_size, c.font_scale, c.theme)
        if layout.overflow:
            states.append("⚠ Text passt nicht ganz auf die Wand")
        self.state.setText("  ·  ".join(states))
        self.scale_label.setText(f"Schrift {c.scale_percent} %")
        self.reset_button.setEnabled(c.scale_percent != 100)
        note = c.scale_note
        if not note and c.scale_percent != 100:
            note = f"Die Schrift an der Wand ist auf {c.scale_percent} % gestellt (»100 %« oder Strg+0: normal)."
        self.scale_note.setText(note)
        self.scale_note.setVisible(bool(note))
        self.refresh_time()

    def refresh_time(self) -> None:
        c = self.controller
        self.clock.setText(time.strftime("%H:%M"))
        seconds = int(c.elapsed_seconds())
        self.elapsed.setText(f"Dauer {seconds // 60}:{seconds % 60:02d} von {c.lesson.duration_minutes} min")
        status = c.pacing()
        self.pace.setText(f"Tempo: {status.pace.value}")
        style = f"color: {pace_colour(status.pace)}"
        if style != self.pace.styleSheet():  # a new style sheet re-polishes the label
            self.pace.setStyleSheet(style)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not self.controller.handle_key(event):
            super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802,A002 - Tab is a presenter key here
        return False

    def closeEvent(self, event) -> None:  # noqa: N802
        self.closed.emit()
        super().closeEvent(event)
