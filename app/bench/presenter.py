"""Step change in the audience window at 1920×1080 and 1024×768: remote press to finished repaint.

Runs the real presentation session with the shipped lessons on a virtual screen, one child
process per screen size (Qt picks its screen once per process). "Vorbereitet" is the normal case
(the session paints the neighbouring steps while the trainer talks); "kalt" empties every cache
of the presenter (layouts, painted frames, pictures) before each press, the worst case: a jump to a
step nobody prepared. Qt's glyph cache stays filled, as it does after the first steps of a lesson.
The process's CPU time is printed beside the cold figure: on a machine shared with other work the
wall-clock time also counts the waiting for a core.
"""

from __future__ import annotations

import json
import sys
import time

from app.bench import BenchContext, Row, german, median, percentile, quiet_env, run_process
from app.platform import qt_offscreen_argument

SIZES = ((1920, 1080), (1024, 768))


def rows(ctx: BenchContext) -> list[Row]:
    result = []
    for width, height in SIZES:
        screen = ctx.fresh_dir("bildschirm") / f"{width}x{height}.json"
        screen.write_text(json.dumps({"screens": [{"name": "Beamer", "x": 0, "y": 0, "width": width,
                                                    "height": height, "logicalDpi": 96, "logicalBaseDpi": 96,
                                                    "dpr": 1}]}))
        env = quiet_env(QT_QPA_PLATFORM=qt_offscreen_argument(screen),  # no drive colon for Qt (Windows)
                        KURSLOTSE_DATEN=str(ctx.fresh_dir(f"praesentation-{width}")))
        presses = 100 if ctx.quick else 250
        run = run_process([sys.executable, "-m", "app.bench.presenter", str(width), str(height), str(presses)], env)
        figures = json.loads(run.stdout.strip().splitlines()[-1])
        result += _rows(f"{width}×{height}", figures)
    return result


def _rows(size: str, figures: dict[str, list[float]]) -> list[Row]:
    prepared, cold, baseline = figures["prepared"], figures["cold"], figures["baseline"]
    ms = 1000
    return [
        Row(f"Schrittwechsel {size} vorbereitet, Median", median(prepared) * ms, "ms",
            baseline=median(baseline) * ms, baseline_name="leeres Fenster neu zeichnen", note=f"{len(prepared)} Wechsel"),
        Row(f"Schrittwechsel {size} vorbereitet, p95", percentile(prepared, 95) * ms, "ms", target=16),
        Row(f"Schrittwechsel {size} kalt (ohne Vorbereitung), Median", median(cold) * ms, "ms",
            note=f"{len(cold)} Wechsel"),
        Row(f"Schrittwechsel {size} kalt (ohne Vorbereitung), p95", percentile(cold, 95) * ms, "ms", target=16,
            note=f"Rechenzeit des Prozesses p95 {german(percentile(figures['cold_cpu'], 95) * ms, 1)} ms"),
    ]


def measure(width: int, height: int, target: int) -> dict[str, list[float]]:
    """Seconds per step change (prepared and cold) and per plain repaint, on the screen Qt was given."""
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QApplication, QWidget

    from app import paths
    from app.bench import silence_qt_notes
    from app.lessons.library import load_library
    from app.ui.presenter.session import PresentationSession

    silence_qt_notes()
    app = QApplication.instance() or QApplication([])
    lessons = [lesson for lesson in load_library([paths.shipped_lessons_dir()]).lessons if not lesson.is_broken]
    size = QSize(width, height)
    prepared: list[float] = []
    cold: list[float] = []

    cold_cpu: list[float] = []

    def press(session: PresentationSession, forward: bool, cpu: list[float] | None = None) -> float:
        """Remote press to the new step painted in the window (repaint() paints and flushes at once)."""
        start, start_cpu = time.perf_counter(), time.process_time()
        (session.controller.next if forward else session.controller.previous)()
        session.audience.repaint()
        if cpu is not None:
            cpu.append(time.process_time() - start_cpu)
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
                    cold.append(press(session, True, cold_cpu))
                    app.processEvents()  # the console and the previews catch up before the next press
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
    return {"prepared": prepared, "cold": cold, "cold_cpu": cold_cpu, "baseline": baseline}


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))))
