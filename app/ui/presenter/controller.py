"""State of a running presentation (step, device, blank screen, zoom, font scale) and its key map."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent

from app.domain.contrast import Theme, theme as theme_by_name
from app.domain.lesson import Device, Lesson, Step
from app.domain.pacing import PacingStatus, pacing

FONT_SCALE_STEP = 1.12
MIN_FONT_SCALE = 0.5
MAX_FONT_SCALE = 1.6


class Blank(str, Enum):
    NONE = ""
    BLACK = "schwarz"
    WHITE = "weiss"


class Action(str, Enum):
    NEXT = "next"
    PREVIOUS = "previous"
    FIRST = "first"
    LAST = "last"
    BLACK = "black"
    WHITE = "white"
    GOTO = "goto"
    ZOOM = "zoom"
    SWAP = "swap"
    END = "end"
    BIGGER = "bigger"
    SMALLER = "smaller"
    RESET_SCALE = "reset_scale"
    TOGGLE_CONSOLE = "toggle_console"
    TOGGLE_DEVICE = "toggle_device"


K = Qt.Key
KEY_ACTIONS: dict[int, Action] = {
    **{k.value: Action.NEXT for k in (K.Key_Right, K.Key_Down, K.Key_PageDown, K.Key_Space, K.Key_Return, K.Key_Enter, K.Key_N)},
    **{k.value: Action.PREVIOUS for k in (K.Key_Left, K.Key_Up, K.Key_PageUp, K.Key_Backspace, K.Key_P)},
    K.Key_B.value: Action.BLACK,
    K.Key_Period.value: Action.BLACK,
    K.Key_W.value: Action.WHITE,
    K.Key_Comma.value: Action.WHITE,
    K.Key_Home.value: Action.FIRST,
    K.Key_End.value: Action.LAST,
    K.Key_G.value: Action.GOTO,
    K.Key_Z.value: Action.ZOOM,
    K.Key_S.value: Action.SWAP,
    K.Key_Escape.value: Action.END,
    K.Key_Tab.value: Action.TOGGLE_CONSOLE,
    K.Key_Backtab.value: Action.TOGGLE_CONSOLE,
    K.Key_A.value: Action.TOGGLE_DEVICE,
}
CTRL_ACTIONS: dict[int, Action] = {
    K.Key_Plus.value: Action.BIGGER,
    K.Key_Equal.value: Action.BIGGER,
    K.Key_Minus.value: Action.SMALLER,
    K.Key_0.value: Action.RESET_SCALE,
}


def action_for(event: QKeyEvent) -> Action | None:
    """The presenter action a key press means (remote controls send these keys)."""
    modifiers = event.modifiers()  # (no "~" on Qt flags: PySide6 6.12 miscounts references there)
    if modifiers & Qt.KeyboardModifier.ControlModifier:
        return CTRL_ACTIONS.get(event.key())
    if modifiers & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier):
        return None
    return KEY_ACTIONS.get(event.key())


class PresentationController(QObject):
    """One presentation: which step is on the wall and how. Windows only display this state."""

    changed = Signal()
    swap_requested = Signal()
    end_requested = Signal()
    goto_requested = Signal()
    console_toggle_requested = Signal()

    def __init__(self, lesson: Lesson, device: Device = Device.ANDROID, theme: str = "hell",
                 font_scale: float = 1.0, start_index: int = 0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lesson = lesson
        self.device = device if device in lesson.devices else lesson.devices[0]
        self.theme: Theme = theme_by_name(theme)
        self.font_scale = min(max(font_scale, MIN_FONT_SCALE), MAX_FONT_SCALE)
        self.index = min(max(start_index, 0), max(len(lesson.steps) - 1, 0))
        self.blank = Blank.NONE
        self.zoomed = False
        self.started_at = time.monotonic()
        self._typed_number = ""
        # body text size in pixels for a scale on the current step (set by the console); lets
        # Strg+Plus/Minus step on until the wall visibly changes, or say why it cannot
        self.measure: Callable[[float], float] | None = None
        self.scale_note = ""

    # --- state ----------------------------------------------------------------------------
    @property
    def steps(self) -> list[Step]:
        return self.lesson.steps

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    @property
    def next_step(self) -> Step | None:
        return self.steps[self.index + 1] if self.index + 1 < len(self.steps) else None

    @property
    def step_label(self) -> str:
        return f"Schritt {self.index + 1} von {len(self.steps)}"

    def elapsed_seconds(self) -> float:
        return time.monotonic() - self.started_at

    def pacing(self) -> PacingStatus:
        return pacing(self.elapsed_seconds(), self.lesson.duration_minutes, self.index + 1, len(self.steps))

    # --- commands -------------------------------------------------------------------------
    def go_to(self, index: int) -> None:
        index = min(max(index, 0), len(self.steps) - 1)
        if index != self.index or self.blank or self.zoomed:
            self.index = index
            self.blank = Blank.NONE
            self.zoomed = False
            self.changed.emit()

    def next(self) -> None:
        if self.blank or self.zoomed:  # first key after a black screen only brings the step back
            self._clear_overlays()
        elif self.index + 1 < len(self.steps):
            self.go_to(self.index + 1)

    def previous(self) -> None:
        if self.blank or self.zoomed:
            self._clear_overlays()
        elif self.index > 0:
            self.go_to(self.index - 1)

    def _clear_overlays(self) -> None:
        self.blank = Blank.NONE
        self.zoomed = False
        self.changed.emit()

    def toggle_blank(self, kind: Blank) -> None:
        self.blank = Blank.NONE if self.blank is kind else kind
        self.changed.emit()

    def toggle_zoom(self) -> None:
        if self.step.picture_for(self.device) is None and not self.zoomed:
            return
        self.zoomed = not self.zoomed
        self.blank = Blank.NONE
        self.changed.emit()

    def set_device(self, device: Device) -> None:
        if device != self.device and device in self.lesson.devices:
            self.device = device
            self.changed.emit()

    def toggle_device(self) -> None:
        other = Device.IPHONE if self.device is Device.ANDROID else Device.ANDROID
        self.set_device(other)

    def set_theme(self, name: str) -> None:
        self.theme = theme_by_name(name)
        self.changed.emit()

    @property
    def scale_percent(self) -> int:
        return round(self.font_scale * 100)

    def scale_font(self, factor: float) -> bool:
        """Larger (*factor* > 1) or smaller text; returns False, with ``scale_note`` saying why, if the wall
        cannot visibly change (text already fills it, or the legible minimum is reached)."""
        before = self.measure(self.font_scale) if self.measure else None
        candidate = self.font_scale
        while True:
            following = min(max(candidate * factor, MIN_FONT_SCALE), MAX_FONT_SCALE)
            if abs(following - candidate) < 1e-6:
                break  # at the limit
            candidate = following
            after = self.measure(candidate) if self.measure else None
            # the text must move the way asked (sizes are quantised: a step can even go the other way)
            if before is None or after is None or (after > before if factor > 1 else after < before):
                self.font_scale = candidate
                self.scale_note = ""
                self.changed.emit()
                return True
        if factor > 1:
            self.scale_note = ("Größer geht bei diesem Schritt nicht: der Text füllt die Wand schon."
                               if self.font_scale < MAX_FONT_SCALE else "Größer geht nicht: das ist die größte Stufe.")
        else:
            self.scale_note = "Kleiner geht nicht: das ist die kleinste gut lesbare Schrift."
        self.changed.emit()
        return False

    def reset_scale(self) -> None:
        """Back to the normal size (a size from an earlier presentation is no surprise)."""
        self.font_scale = 1.0
        self.scale_note = ""
        self.changed.emit()

    # --- keys -----------------------------------------------------------------------------
    def handle_key(self, event: QKeyEvent) -> bool:
        """Carry out the key's action; returns False for keys the presenter does not use."""
        text = event.text()
        if text.isdigit() and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._typed_number = (self._typed_number + text)[-3:]
            return True
        action = action_for(event)
        if action in (Action.NEXT,) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._typed_number:
            number = int(self._typed_number)
            self._typed_number = ""
            if number >= 1:
                self.go_to(number - 1)
            return True
        self._typed_number = ""
        if action is None:
            return False
        self.perform(action)
        return True

    def perform(self, action: Action) -> None:
        if action is Action.NEXT:
            self.next()
        elif action is Action.PREVIOUS:
            self.previous()
        elif action is Action.FIRST:
            self.go_to(0)
        elif action is Action.LAST:
            self.go_to(len(self.steps) - 1)
        elif action is Action.BLACK:
            self.toggle_blank(Blank.BLACK)
        elif action is Action.WHITE:
            self.toggle_blank(Blank.WHITE)
        elif action is Action.ZOOM:
            self.toggle_zoom()
        elif action is Action.BIGGER:
            self.scale_font(FONT_SCALE_STEP)
        elif action is Action.SMALLER:
            self.scale_font(1 / FONT_SCALE_STEP)
        elif action is Action.RESET_SCALE:
            self.reset_scale()
        elif action is Action.TOGGLE_DEVICE:
            self.toggle_device()
        elif action is Action.GOTO:
            self.goto_requested.emit()
        elif action is Action.SWAP:
            self.swap_requested.emit()
        elif action is Action.TOGGLE_CONSOLE:
            self.console_toggle_requested.emit()
        elif action is Action.END:
            if self.zoomed:
                self.toggle_zoom()
            else:
                self.end_requested.emit()
