"""The audience window: fullscreen on the projector, shows only what the room may see."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from app.ui.presenter.controller import Blank, PresentationController
from app.ui.presenter.step_renderer import StepRenderer


class AudienceWindow(QWidget):
    """Paints the current step; trainer notes never reach this window."""

    def __init__(self, controller: PresentationController, renderer: StepRenderer) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self.controller = controller
        self.renderer = renderer
        self.last_layout = None
        self.setWindowTitle(f"Kurslotse – {controller.lesson.title}")
        self.setAccessibleName("Projektion für das Publikum")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        controller.changed.connect(self.update)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        c = self.controller
        if c.blank is Blank.NONE and not c.zoomed:
            frame = self.renderer.cached_frame(c.step, c.device, self.size(), c.font_scale, c.theme, c.step_label,
                                               self.devicePixelRatioF())
            if frame is not None:  # painted ahead while the trainer talked: copy the pixels
                self.last_layout = self.renderer.layout(c.step, c.device, self.size(), c.font_scale, c.theme)
                painter.drawImage(0, 0, frame)
            else:  # not prepared (a jump, a fast remote): paint straight onto the wall, no extra copy
                self.paint_on(painter, self.size())
        else:
            self.paint_on(painter, self.size())
        painter.end()

    def paint_on(self, painter: QPainter, size: QSize) -> None:
        """Paint the audience view onto any device of *size* (window, image in tests/benchmarks)."""
        c = self.controller
        if c.blank is Blank.BLACK:
            painter.fillRect(0, 0, size.width(), size.height(), QColor("#000000"))
            return
        if c.blank is Blank.WHITE:
            painter.fillRect(0, 0, size.width(), size.height(), QColor("#ffffff"))
            return
        if c.zoomed:
            self.renderer.paint_zoomed_picture(painter, c.step.picture_for(c.device), size, c.theme)
            return
        self.last_layout = self.renderer.paint(painter, c.step, c.device, size, c.font_scale, c.theme, c.step_label)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if not self.controller.handle_key(event):
            super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802,A002 - Tab is a presenter key here
        return False
