"""Developer helper: render every step of a lesson as the audience sees it, to PNG files.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.render_steps LEKTIONSORDNER AUSGABEORDNER [BREITE HÖHE] [--dunkel]
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QGuiApplication, QImage, QPainter

    from app.domain.contrast import theme
    from app.lessons.parser import parse_lesson
    from app.ui.presenter.step_renderer import StepRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841
    args = [a for a in argv if not a.startswith("--")]
    folder, out = Path(args[0]), Path(args[1])
    size = QSize(int(args[2]), int(args[3])) if len(args) > 3 else QSize(1280, 800)
    chosen = theme("dunkel" if "--dunkel" in argv else "hell")
    out.mkdir(parents=True, exist_ok=True)
    lesson = parse_lesson(folder)
    for problem in lesson.problems:
        print(problem.format())
    renderer = StepRenderer()
    for number, step in enumerate(lesson.steps, 1):
        for device in lesson.devices if step.differs_by_device else lesson.devices[:1]:
            image = QImage(size, QImage.Format.Format_RGB32)
            painter = QPainter(image)
            layout = renderer.paint(painter, step, device, size, 1.0, chosen, f"Schritt {number} von {len(lesson.steps)}")
            painter.end()
            name = out / f"{lesson.id}-{number:02d}-{device.value}.png"
            image.save(str(name))
            flag = "  ÜBERLAUF!" if layout.overflow else ""
            print(f"{name}  Schrift {layout.body_px:.0f} px{flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
