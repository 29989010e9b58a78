"""Child process for test_windows_dpi.py: one wall at the Qt scale factor of its environment.

Run with QT_QPA_PLATFORM=offscreen and QT_SCALE_FACTOR=1.25 (or 1.5) as Windows' 125/150 % display
scaling; prints one JSON line: the wall as shown (frame painted ahead and copied), compared with the
step painted straight onto a device-resolution image and with the old way (a frame at logical size
enlarged by the scaling).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

app = QApplication([])
from app.domain.lesson import Device
from app.lessons.parser import parse_lesson
from app.ui.presenter.session import PresentationSession
from tests.lesson_factory import write_lesson


def stats(image):
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    green = bytes(image.constBits())[1::4]
    dark = sum(1 for v in green if v < 200)
    return sum(1 for v in green if 40 < v < 200) / max(dark, 1), dark

def differing(a, b):
    a = bytes(a.convertToFormat(QImage.Format.Format_RGB32).constBits())
    b = bytes(b.convertToFormat(QImage.Format.Format_RGB32).constBits())
    return sum(1 for i in range(0, len(a), 4) if a[i:i + 3] != b[i:i + 3])

lesson = parse_lesson(write_lesson(Path(tempfile.mkdtemp())))
session = PresentationSession(lesson, device=Device.ANDROID)
session.start()
app.processEvents()
wall, c = session.audience, session.controller
ratio = wall.devicePixelRatioF()
session._paint_ahead(c.index)  # painted ahead, as while the trainer talks: the wall copies this frame
frame = session.renderer.cached_frame(c.step, c.device, wall.size(), c.font_scale, c.theme, c.step_label, ratio)
shown = wall.grab().toImage()
direct = QImage(shown.size(), QImage.Format.Format_RGB32)
direct.setDevicePixelRatio(ratio)
painter = QPainter(direct)
wall.paint_on(painter, wall.size())
painter.end()
old = session.renderer.frame(c.step, c.device, wall.size(), c.font_scale, c.theme, c.step_label, 1.0)
enlarged = QImage(shown.size(), QImage.Format.Format_RGB32)
enlarged.setDevicePixelRatio(ratio)
painter = QPainter(enlarged)
painter.drawImage(0, 0, old)
painter.end()
print(json.dumps({"ratio": ratio, "logical": [wall.width(), wall.height()],
                  "frame": [frame.width(), frame.height()] if frame is not None else None,
                  "shown": [shown.width(), shown.height()], "differing_direct": differing(shown, direct),
                  "differing_enlarged": differing(shown, enlarged), "mid_shown": stats(shown)[0],
                  "mid_enlarged": stats(enlarged)[0]}))
session.end()
