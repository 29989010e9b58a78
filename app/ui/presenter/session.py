"""A running presentation: puts the audience window on the projector and the console on the laptop.

Follows screens being plugged in or out; the choice itself is the pure function
:func:`app.domain.screens.choose_screens`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QInputDialog, QWidget

from app.domain.lesson import Device, Lesson
from app.domain.screens import Placement, ScreenInfo, choose_screens
from app.ui.presenter.audience import AudienceWindow
from app.ui.presenter.console import ConsoleWindow
from app.ui.presenter.controller import PresentationController
from app.ui.presenter.step_renderer import StepRenderer

log = logging.getLogger(__name__)


def screen_info(screen: QScreen, primary: QScreen | None) -> ScreenInfo:
    geometry = screen.geometry()
    return ScreenInfo(screen.name(), geometry.x(), geometry.y(), geometry.width(), geometry.height(), screen is primary)


class PresentationSession(QObject):
    """Owns the controller and both windows for one lesson."""

    finished = Signal()
    screen_choice_changed = Signal(str, bool)  # audience screen name, swapped

    def __init__(
        self,
        lesson: Lesson,
        device: Device = Device.ANDROID,
        theme: str = "hell",
        font_scale: float = 1.0,
        start_index: int = 0,
        preferred_audience: str = "",
        swapped: bool = False,
        screens: Callable[[], list[QScreen]] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = PresentationController(lesson, device, theme, font_scale, start_index, self)
        self.renderer = StepRenderer()
        self.audience = AudienceWindow(self.controller, self.renderer)
        self.console = ConsoleWindow(self.controller, self.renderer)
        self.preferred_audience = preferred_audience
        self.swapped = swapped
        self._screens = screens or QGuiApplication.screens
        self.placement: Placement | None = None
        self._console_visible_single = False
        self._ended = False

        self.controller.end_requested.connect(self.end)
        self.controller.swap_requested.connect(self.swap)
        self.controller.goto_requested.connect(self.ask_step)
        self.controller.console_toggle_requested.connect(self.toggle_console)
        self.controller.changed.connect(self._prepare_neighbours)
        self.console.closed.connect(self.end)
        app = QGuiApplication.instance()
        app.screenAdded.connect(self._screens_changed)
        app.screenRemoved.connect(self._screens_changed)
        app.primaryScreenChanged.connect(self._screens_changed)

    # --- windows on screens ---------------------------------------------------------------
    def start(self) -> None:
        from app.ui.keep_awake import DisplayKeeper

        self.place_windows()
        self._prepare_neighbours()
        self.display_keeper = DisplayKeeper()
        self.display_keeper.hold("Präsentation einer Lektion läuft")  # no projector going black mid-lesson

    def place_windows(self) -> None:
        """(Re)place both windows according to the screens connected right now."""
        if self._ended:
            return
        screens = [s for s in self._screens() if s is not None]
        if not screens:
            log.warning("Keine Bildschirme gemeldet; Fenster bleiben, wo sie sind")
            return
        primary = QGuiApplication.primaryScreen()
        infos = [screen_info(s, primary) for s in screens]
        placement = choose_screens(infos, self.preferred_audience, self.swapped)
        self.placement = placement
        audience_screen = screens[placement.audience]
        self._show_fullscreen(self.audience, audience_screen)
        self.console.set_audience_size(audience_screen.geometry().size())
        if placement.console is None:
            self.console.hide()
            self._console_visible_single = False
            self.audience.activateWindow()
            self.audience.setFocus()
        else:
            self.console.single_screen_note.hide()
            console_screen = screens[placement.console]
            self.console.hide()
            self.console.setScreen(console_screen)
            self.console.setGeometry(console_screen.availableGeometry())
            self.console.showMaximized()
            self.console.activateWindow()
            self.console.setFocus()
        self.screen_choice_changed.emit(audience_screen.name(), self.swapped)

    @staticmethod
    def _show_fullscreen(window: QWidget, screen: QScreen) -> None:
        if window.isVisible() and window.screen() is screen:
            window.showFullScreen()
            return
        window.hide()
        window.setScreen(screen)
        window.setGeometry(screen.geometry())
        window.showFullScreen()

    def _screens_changed(self, *_args) -> None:
        # Qt moves windows off a vanished screen itself; re-place once it has settled.
        QTimer.singleShot(0, self.place_windows)

    def swap(self) -> None:
        if self.placement is None or self.placement.single_screen:
            return
        self.swapped = not self.swapped
        self.place_windows()

    def toggle_console(self) -> None:
        """On a single screen, Tab switches between the wall view and the console."""
        if self.placement is None or not self.placement.single_screen:
            return
        if self._console_visible_single:
            self.console.hide()
            self.audience.showFullScreen()
            self.audience.raise_()
            self.audience.activateWindow()
            self._console_visible_single = False
        else:
            screen = self.audience.screen()
            self.console.single_screen_note.show()  # the wall may be a duplicate of this screen
            self.console.setScreen(screen)
            self.console.setGeometry(screen.availableGeometry())
            self.console.showMaximized()
            self.console.raise_()
            self.console.activateWindow()
            self._console_visible_single = True

    # --- commands -------------------------------------------------------------------------
    def ask_step(self) -> None:
        parent = self.console if self.console.isVisible() else self.audience
        count = len(self.controller.steps)
        number, ok = QInputDialog.getInt(parent, "Gehe zu Schritt", f"Schritt (1 bis {count}):",
                                         self.controller.index + 1, 1, count)
        if ok:
            self.controller.go_to(number - 1)

    def _prepare_neighbours(self) -> None:
        """Paint the next and previous step ahead of time so the remote's next press is instant."""
        c = self.controller
        if not self.audience.size().isEmpty():
            for index in (c.index + 1, c.index - 1):
                QTimer.singleShot(0, lambda index=index: self._paint_ahead(index))

    def _paint_ahead(self, index: int) -> None:
        c = self.controller
        if self._ended or not 0 <= index < len(c.steps):
            return
        label = f"Schritt {index + 1} von {len(c.steps)}"
        self.renderer.frame(c.steps[index], c.device, self.audience.size(), c.font_scale, c.theme, label,
                            self.audience.devicePixelRatioF())

    def end(self) -> None:
        if self._ended:
            return
        self._ended = True
        keeper = getattr(self, "display_keeper", None)
        if keeper is not None:
            keeper.release()
        app = QGuiApplication.instance()
        for signal in (app.screenAdded, app.screenRemoved, app.primaryScreenChanged):
            try:
                signal.disconnect(self._screens_changed)
            except (RuntimeError, TypeError):
                pass
        self.console.timer.stop()
        self.audience.close()
        self.console.closed.disconnect(self.end)
        self.console.close()
        self.audience.deleteLater()
        self.console.deleteLater()
        self.finished.emit()
