"""Cold start of ``kurslotse`` to its first painted main window, next to a bare PySide6 window.

The program starts on a copy of the demo data folder (a populated database, as a trainer has it);
the start on an empty folder is printed beside it as the lighter variant.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from app.bench import (
    BenchContext,
    Row,
    copy_of_demo_data,
    german,
    median,
    peak_of,
    quiet_env,
    wait_measured,
)

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
            print(f"cpu {time.process_time():.4f}", flush=True)
            QTimer.singleShot(0, lambda: (print("painted", flush=True), app.quit()))
        return False
watcher = FirstPaint()
window.installEventFilter(watcher)
window.show()
app.exec()
"""


def _time_to_paint(command: list[str], env: dict[str, str], extra: dict[str, float] | None = None,
                   cwd: Path | None = None) -> float:
    """Seconds from process start to its "painted" line; other marker lines go into *extra*.

    A line ``cpu SECONDS`` (the process's CPU time at its first paint) goes into ``extra["cpu"]``.
    """
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                               cwd=cwd)
    assert process.stdout is not None
    elapsed = None
    for line in process.stdout:
        now = time.perf_counter() - start
        marker = line.strip()
        if marker == "painted":
            elapsed = now
        elif extra is not None and marker.startswith("cpu "):
            extra["cpu"] = float(marker.split()[1])
        elif extra is not None and marker:
            extra[marker] = now
    wait_measured(process)
    if elapsed is None:
        raise RuntimeError(f"kein erstes Zeichnen: {command}")
    return elapsed


def rows(ctx: BenchContext) -> list[Row]:
    runs = 3 if ctx.quick else 7
    env = quiet_env(QT_QPA_PLATFORM=os.environ.get("KURSLOTSE_BENCH_QPA", "offscreen"),
                    KURSLOTSE_DATEN=str(copy_of_demo_data(ctx, "start-demo")), KURSLOTSE_BENCH_EXIT_NACH_ZEICHNEN="1")
    empty_env = {**env, "KURSLOTSE_DATEN": str(ctx.fresh_dir("start-leer"))}
    app_command = [sys.executable, "-m", "app"]
    bare_command = [sys.executable, "-c", BARE_WINDOW]
    _time_to_paint(app_command, env)  # first runs warm the disk cache (and set up the empty folder)
    _time_to_paint(app_command, empty_env)
    _time_to_paint(bare_command, env)
    app_times, bare_times, empty_times, loaded_times, app_cpu, bare_cpu = [], [], [], [], [], []
    for _ in range(runs):  # interleaved, so all see the same machine load
        bare_markers: dict[str, float] = {}
        bare_times.append(_time_to_paint(bare_command, env, bare_markers))
        bare_cpu.append(bare_markers.get("cpu", float("nan")))
        markers: dict[str, float] = {}
        app_times.append(_time_to_paint(app_command, env, markers))
        loaded_times.append(markers.get("loaded", float("nan")))
        app_cpu.append(markers.get("cpu", float("nan")))
        empty_times.append(_time_to_paint(app_command, empty_env))
    app_median, bare_median = median(app_times), median(bare_times)
    ratio = app_median / bare_median
    cpu_app, cpu_bare = median(app_cpu), median(bare_cpu)
    return _launcher_rows(env, runs) + [
        Row("Kaltstart bis erstes Hauptfenster, Demo-Datenordner (Median)", app_median, "s", baseline=bare_median,
            baseline_name="leeres PySide6-Fenster", peak_mib=peak_of(app_command, env),
            note=f"{runs} Läufe; leichtere Variante leerer Datenordner {german(median(empty_times))} s"),
        Row("Kaltstart-Verhältnis Kurslotse (Demo-Daten) / leeres Fenster", ratio, "x", target=1.5,
            note=f"CPU bis zum ersten Zeichnen {german(cpu_app)} s, leeres Fenster {german(cpu_bare)} s "
                 f"(Verhältnis {german(cpu_app / cpu_bare, 2)})"),
        Row("Kaltstart bis Lektionsliste gefüllt (Median)", median(loaded_times), "s",
            note="alle mitgelieferten Lektionen gelesen"),
    ]


def _launcher_rows(env: dict[str, str], runs: int) -> list[Row]:
    """The README's start command a second time (system Python → .venv, package index unreachable).

    Compared with ``.venv/bin/kurslotse`` itself in the same run: the launcher may cost at most 30 %.
    """
    from app._bootstrap import PROJECT_ROOT, _venv_python, environment_state
    from app.platform import venv_program

    venv = PROJECT_ROOT / ".venv"
    script = venv_program(venv, "kurslotse")
    base = Path(getattr(sys, "_base_executable", "") or "")
    if not script.exists() or not base.is_file() or environment_state(venv, PROJECT_ROOT) != "ready" \
            or Path(sys.executable).resolve().parent != _venv_python(venv).resolve().parent:
        return [Row("Zweiter Start mit python3 -m app (nicht gemessen)", float("nan"), "s",
                    note="nur nach der Einrichtung mit python3 -m app messbar")]
    offline = {**env, "PIP_NO_INDEX": "1", "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_FIND_LINKS": ""}
    launcher = [str(base), "-m", "app"]
    _time_to_paint(launcher, offline)
    launcher_times, script_times = [], []
    for _ in range(runs):
        script_times.append(_time_to_paint([str(script)], offline))
        launcher_times.append(_time_to_paint(launcher, {**offline, "PYTHONPATH": ""}, cwd=PROJECT_ROOT))
    launched, direct = median(launcher_times), median(script_times)
    return [
        Row("Zweiter Start »python3 -m app« ohne Netz bis erstes Fenster", launched, "s", baseline=direct,
            baseline_name=".venv/bin/kurslotse", note=f"{runs} Läufe, Paketquelle unerreichbar"),
        Row("Verhältnis python3 -m app / .venv/bin/kurslotse", launched / direct, "x", target=1.3),
    ]
