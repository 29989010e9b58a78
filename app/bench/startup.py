"""Cold start of ``kurslotse`` to its first painted main window, next to a bare PySide6 window."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from app.bench import BenchContext, Row, median

BARE_WINDOW = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
window = QLabel("Hallo")
window.resize(1200, 800)
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and obj is window:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print("painted", flush=True), app.quit()))
        return False
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
app.exec()
"""


def _time_to_paint(command: list[str], env: dict[str, str], extra: dict[str, float] | None = None) -> float:
    """Seconds from process start to its "painted" line; other marker lines go into *extra*."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert process.stdout is not None
    elapsed = None
    for line in process.stdout:
        now = time.perf_counter() - start
        marker = line.strip()
        if marker == "painted":
            elapsed = now
        elif extra is not None and marker:
            extra[marker] = now
    process.wait(timeout=30)
    if elapsed is None:
        raise RuntimeError(f"kein erstes Zeichnen: {command}")
    return elapsed


def rows(ctx: BenchContext) -> list[Row]:
    runs = 3 if ctx.quick else 7
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("KURSLOTSE_BENCH_QPA", "offscreen"),
           "KURSLOTSE_DATEN": str(ctx.fresh_dir("start")), "KURSLOTSE_BENCH_EXIT_NACH_ZEICHNEN": "1"}
    app_command = [sys.executable, "-m", "app"]
    bare_command = [sys.executable, "-c", BARE_WINDOW]
    _time_to_paint(app_command, env)  # first run sets up the data folder and warms the disk cache
    _time_to_paint(bare_command, env)
    app_times, bare_times, loaded_times = [], [], []
    for _ in range(runs):  # interleaved, so both see the same machine load
        bare_times.append(_time_to_paint(bare_command, env))
        markers: dict[str, float] = {}
        app_times.append(_time_to_paint(app_command, env, markers))
        loaded_times.append(markers.get("loaded", float("nan")))
    app_median, bare_median = median(app_times), median(bare_times)
    ratio = app_median / bare_median
    return [
        Row("Kaltstart bis erstes Hauptfenster (Median)", app_median, "s", baseline=bare_median,
            baseline_name="leeres PySide6-Fenster", note=f"{runs} Läufe"),
        Row("Kaltstart-Verhältnis Kurslotse / leeres Fenster", ratio, "x", target=2.0),
        Row("Kaltstart bis Lektionsliste gefüllt (Median)", median(loaded_times), "s",
            note="alle mitgelieferten Lektionen gelesen"),
    ]
