"""Step change in the audience window at 1920×1080: remote press to finished repaint.

Runs the real presentation session on a virtual 1920×1080 screen. "Vorbereitet" is the
normal case (the session paints the neighbouring steps while the trainer talks); "kalt"
empties every cache before each press, the worst case.
"""

from __future__ import annotations

import json
import os
import time

from app.bench import BenchContext, Row, median, percentile


def rows(ctx: BenchContext) -> list[Row]:
    screen = ctx.fresh_dir("bildschirm") / "fullhd.json"
    screen.write_text(json.dumps({"screens": [{"name": "Beamer", "x": 0, "y": 0, "width": 1920, "height": 1080,
                                                "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication, QWidget

    from app import paths
    from app.lessons.library import load_library
    from app.ui.presenter.session import PresentationSession

    app = QApplication.instance() or QApplication([])
    lessons = [lesson for lesson in load_library([paths.shipped_lessons_dir()]).lessons if not lesson.is_broken]
    size = QSize(1920, 1080)
    target = 100 if ctx.quick else 250
    prepared: list[float] = []
    cold: list[float] = []

    def press(session: PresentationSession, forward: bool) -> float:
        start = time.perf_counter()
        (session.controller.next if forward else session.controller.previous)()
        session.audience.repaint()
        return time.perf_counter() - start

    while len(prepared) < target or len(cold) < target:
        for lesson in lessons:
            for device in lesson.devices:
                session = PresentationSession(lesson, device=device)
                session.start()
                app.processEvents()
                assert session.audience.size() == size, session.audience.size()
                for forward in (True, False):
                    for _ in range(len(lesson.steps) - 1):
                        app.processEvents()  # the trainer talks; the session prepares neighbours
                        prepared.append(press(session, forward))
                for _ in range(len(lesson.steps) - 1):
                    session.renderer.clear()
                    session.renderer.pictures = type(session.renderer.pictures)()
                    cold.append(press(session, True))
                session.end()
                app.processEvents()
    plain = QWidget()
    plain.resize(size)
    plain.show()
    app.processEvents()
    baseline = []
    for _ in range(100):
        start = time.perf_counter()
        plain.repaint()
        baseline.append(time.perf_counter() - start)
    plain.close()
    ms = 1000
    return [
        Row("Schrittwechsel 1920×1080 vorbereitet, Median", median(prepared) * ms, "ms",
            baseline=median(baseline) * ms, baseline_name="leeres Fenster neu zeichnen", note=f"{len(prepared)} Wechsel"),
        Row("Schrittwechsel 1920×1080 vorbereitet, p95", percentile(prepared, 95) * ms, "ms", target=16),
        Row("Schrittwechsel 1920×1080 kalt (ohne Vorbereitung), Median", median(cold) * ms, "ms", note=f"{len(cold)} Wechsel"),
        Row("Schrittwechsel 1920×1080 kalt (ohne Vorbereitung), p95", percentile(cold, 95) * ms, "ms"),
    ]
