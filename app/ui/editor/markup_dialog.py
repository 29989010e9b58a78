"""The marking tool: draw circles, arrows, numbered "tap here" marks and blurred areas on a phone screenshot.

The picture shown is the one :mod:`app.lessons.markup` stores (blur burnt in, marks drawn by the
same code), so what the trainer sees here is what the wall and the handout get.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton,
                               QSizePolicy, QVBoxLayout, QWidget)

from app.lessons import markup


class MarkCanvas(QWidget):
    """Shows the marked picture scaled to fit; press, drag and release adds a mark of the current tool."""

    mark_drawn = Signal(object)  # markup.Mark

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self.picture_size = (1, 1)
        self.tool = "kreis"
        self._press: QPointF | None = None
        self._current: QPointF | None = None
        self.setMinimumSize(240, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Bildschirmfoto zum Markieren")
        self.setAccessibleDescription("Pfeiltasten bewegen das Fadenkreuz (mit Umschalt in großen Schritten), "
                                      "Eingabe setzt die Markierung; Pfeil, Unkenntlich machen und Zuschneiden brauchen zweimal "
                                      "Eingabe: Anfang und Ende.")
        self.point = QPointF(0, 0)  # keyboard crosshair, in picture pixels
        self._anchor: QPointF | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)

    def set_picture(self, png: bytes, size: tuple[int, int]) -> None:
        if size != self.picture_size:
            self.point = QPointF(size[0] / 2, size[1] / 2)
        self.image = QImage.fromData(png)
        self.picture_size = size
        self.update()

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001
        """Marks without a mouse: arrows move the crosshair, Enter places (two presses for arrow and blur)."""
        width, height = self.picture_size
        step = max(width, height) / (10 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 50)
        moves = {Qt.Key.Key_Left: (-step, 0), Qt.Key.Key_Right: (step, 0), Qt.Key.Key_Up: (0, -step),
                 Qt.Key.Key_Down: (0, step)}
        if event.key() in moves:
            dx, dy = moves[event.key()]
            self.point = QPointF(min(max(self.point.x() + dx, 0), width), min(max(self.point.y() + dy, 0), height))
            self.update()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            point = QPointF(self.point)
            if self.tool == "nummer":
                self.mark_drawn.emit(markup.Mark("nummer", point.x(), point.y()))
            elif self.tool == "kreis":
                radius = max(self.picture_size) / 14
                self.mark_drawn.emit(markup.Mark("kreis", point.x() - radius, point.y() - radius,
                                                 point.x() + radius, point.y() + radius))
            elif self._anchor is None:
                self._anchor = point
            else:
                start, self._anchor = self._anchor, None
                self.mark_drawn.emit(markup.Mark(self.tool, start.x(), start.y(), point.x(), point.y()))
            self.update()
            return
        super().keyPressEvent(event)

    def _to_widget(self, point: QPointF) -> QPointF:
        rect = self.image_rect()
        scale = rect.width() / self.picture_size[0]
        return QPointF(rect.x() + point.x() * scale, rect.y() + point.y() * scale)

    def image_rect(self) -> QRectF:
        width, height = self.picture_size
        scale = min(self.width() / width, self.height() / height)
        shown_w, shown_h = width * scale, height * scale
        return QRectF((self.width() - shown_w) / 2, (self.height() - shown_h) / 2, shown_w, shown_h)

    def to_picture(self, point: QPointF) -> QPointF:
        rect = self.image_rect()
        scale = self.picture_size[0] / rect.width()
        return QPointF((point.x() - rect.x()) * scale, (point.y() - rect.y()) * scale)

    def paintEvent(self, _event) -> None:  # noqa: N802, ANN001
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#404040"))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self.image_rect(), self.image)
        if self._press is not None and self._current is not None:
            painter.setPen(QPen(QColor(markup.CORE), 3, Qt.PenStyle.DashLine))
            if self.tool == "pfeil":
                painter.drawLine(self._press, self._current)
            elif self.tool == "kreis":
                painter.drawEllipse(QRectF(self._press, self._current).normalized())
            elif self.tool in ("unschaerfe", "zuschneiden"):
                painter.drawRect(QRectF(self._press, self._current).normalized())
        if self.hasFocus():
            centre = self._to_widget(self.point)
            for colour, width in (("#ffffff", 5), (markup.CORE, 2)):
                painter.setPen(QPen(QColor(colour), width))
                painter.drawLine(QPointF(centre.x() - 14, centre.y()), QPointF(centre.x() + 14, centre.y()))
                painter.drawLine(QPointF(centre.x(), centre.y() - 14), QPointF(centre.x(), centre.y() + 14))
            if self._anchor is not None:
                painter.setPen(QPen(QColor(markup.CORE), 3, Qt.PenStyle.DashLine))
                painter.drawLine(self._to_widget(self._anchor), centre)
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._current = event.position()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        if self._press is not None:
            self._current = event.position()
            self.update()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802, ANN001
        if self._press is None:
            return
        start, end = self.to_picture(self._press), self.to_picture(event.position())
        self._press = self._current = None
        self.update()
        if self.tool == "nummer":
            self.mark_drawn.emit(markup.Mark("nummer", end.x(), end.y()))
            return
        if self.tool == "kreis" and (abs(end.x() - start.x()) < 8 and abs(end.y() - start.y()) < 8):
            radius = max(self.picture_size) / 14  # a click without dragging: a circle of a finger's size
            self.mark_drawn.emit(markup.Mark("kreis", end.x() - radius, end.y() - radius, end.x() + radius, end.y() + radius))
            return
        if abs(end.x() - start.x()) < 4 and abs(end.y() - start.y()) < 4:
            return
        self.mark_drawn.emit(markup.Mark(self.tool, start.x(), start.y(), end.x(), end.y()))


class MarkupDialog(QDialog):
    """Edit the marks of one screenshot; ``picture`` holds the result after »Übernehmen«."""

    def __init__(self, picture: markup.MarkedPicture, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Bildschirmfoto markieren")
        self.picture = picture
        self._history: list[markup.MarkedPicture] = []
        layout = QVBoxLayout(self)
        hint = QLabel("Werkzeug wählen, dann auf das Bild klicken oder ziehen (oder Pfeiltasten und Eingabe). "
                      "»Unkenntlich machen« verwischt Namen, Nummern und Fotos anderer im gespeicherten Bild selbst – "
                      "bitte alles Persönliche unkenntlich machen, bevor Sie die Lektion weitergeben.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        tools = QHBoxLayout()
        self.tool_group = QButtonGroup(self)
        self.tool_buttons: dict[str, QPushButton] = {}
        for kind in markup.MARK_KINDS:
            button = QPushButton(markup.MARK_LABELS[kind])
            button.setCheckable(True)
            button.setAccessibleName(f"Werkzeug {markup.MARK_LABELS[kind]}")
            self.tool_group.addButton(button)
            self.tool_buttons[kind] = button
            button.clicked.connect(lambda _=False, k=kind: self.set_tool(k))
            tools.addWidget(button)
        crop = QPushButton("Zuschneiden")
        crop.setCheckable(True)
        crop.setAccessibleName("Werkzeug Zuschneiden: einen Rahmen um den Teil ziehen, der bleiben soll")
        self.tool_group.addButton(crop)
        self.tool_buttons["zuschneiden"] = crop
        crop.clicked.connect(lambda _=False: self.set_tool("zuschneiden"))
        self.rotate_button = QPushButton("Drehen ↻")
        self.rotate_button.setAccessibleName("Bild um eine Vierteldrehung im Uhrzeigersinn drehen")
        self.rotate_button.clicked.connect(self.rotate)
        self.undo_button = QPushButton("Zurücknehmen")
        self.undo_button.setAccessibleName("Letzte Markierung oder Änderung zurücknehmen")
        self.undo_button.clicked.connect(self.undo)
        layout.addLayout(tools)
        edits = QHBoxLayout()
        for button in (crop, self.rotate_button, self.undo_button):
            edits.addWidget(button)
        edits.addStretch(1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        edits.addWidget(self.note, 2)
        layout.addLayout(edits)
        self.canvas = MarkCanvas(self)
        self.canvas.mark_drawn.connect(self.add_mark)
        layout.addWidget(self.canvas, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Übernehmen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo)
        self.set_tool("nummer")
        self.resize(720, 700)
        self._show()

    def set_tool(self, kind: str) -> None:
        self.canvas.tool = kind
        self.tool_buttons[kind].setChecked(True)

    def rotate(self) -> None:
        self._history.append(self.picture)
        self.picture = markup.rotate(self.picture)
        self._show()

    def add_mark(self, mark: markup.Mark) -> None:
        if mark.kind == "zuschneiden":
            try:
                cropped = markup.crop(self.picture, mark.x1, mark.y1, mark.x2, mark.y2)
            except markup.MarkupError as error:
                self.note.setText(str(error))
                return
            self._history.append(self.picture)
            self.picture = cropped
            self.note.clear()
            self._show()
            return
        self._history.append(self.picture)
        if mark.kind == "nummer":
            mark = markup.Mark("nummer", mark.x1, mark.y1, number=self.picture.next_number())
        picture = markup.MarkedPicture(self.picture.raster, self.picture.mime, self.picture.width, self.picture.height,
                                       [*self.picture.marks, mark])
        self.picture = markup.apply_blur(picture) if mark.kind == "unschaerfe" else picture
        self._show()

    def undo(self) -> None:
        if self._history:
            self.picture = self._history.pop()
            self._show()

    def _show(self) -> None:
        self.canvas.set_picture(markup.flatten_png(self.picture), (self.picture.width, self.picture.height))
        self.undo_button.setEnabled(bool(self._history))
