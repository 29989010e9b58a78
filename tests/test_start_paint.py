"""The window program's first paint: what is done before it, and what waits until right after it.

The start is measured against a bare PySide6 window (``python3 -m app benchmark --nur startup``).
These tests pin down the work that moved behind the first paint, in a real ``python -m app``
process on a data folder with a database: nothing of it may creep back in front.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.domain.attendance import CourseInput
from app.services import context, courses
from app.storage import backups
from tests.attendance_fixtures import db, no_leaked_listeners  # noqa: F401

PROJECT = Path(__file__).resolve().parent.parent
# Stops the program at its first paint and reports which of these modules were imported by then.
AT_FIRST_PAINT = r"""
import json, os, sys, runpy
import app.ui.application as application

WATCHED = ("app.lessons.parser", "app.lessons.library", "sqlalchemy", "app.commands.handout",
           "app.domain.attendance", "app.ui.start_checks")

def stop_at_first_paint(window):
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and watched is window:
                print(json.dumps({"loaded": [name for name in WATCHED if name in sys.modules],
                                  "lessons": len(window.library.lessons),
                                  "title": window.windowTitle()}), flush=True)
                os._exit(0)
            return False

    window._stop = FirstPaint(window)
    window.installEventFilter(window._stop)

application._exit_after_first_paint = stop_at_first_paint
sys.argv = ["app"]
runpy.run_module("app", run_name="__main__")
"""


def test_first_paint_comes_before_lessons_database_and_commands(data_dir, db):
    courses.create_course(db, CourseInput(title="Ein Kurs, damit die Datenbank Daten hat"))
    path = db.path
    context.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KURSLOTSE_DATEN": str(data_dir),
           "KURSLOTSE_BENCH_EXIT_NACH_ZEICHNEN": "1", "QT_LOGGING_RULES": "qt.qpa.*=false"}
    result = subprocess.run([sys.executable, "-c", AT_FIRST_PAINT], cwd=PROJECT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["title"] == "Kurslotse"
    assert state["lessons"] == 0  # read by a worker thread right after the paint
    assert state["loaded"] == []  # no lesson parser, no SQLAlchemy, no sub-command, no start backup yet
    assert [info for info in backups.list_backups(path) if info.reason == "start"] == []  # taken after the paint


def test_benchmark_hook_reports_cpu_time_then_first_paint_then_lessons(data_dir):
    """What ``app/bench/startup.py`` reads: ``cpu SECONDS`` and ``painted`` at the first paint, ``loaded`` later."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KURSLOTSE_DATEN": str(data_dir),
           "KURSLOTSE_BENCH_EXIT_NACH_ZEICHNEN": "1", "QT_LOGGING_RULES": "qt.qpa.*=false"}
    result = subprocess.run([sys.executable, "-m", "app"], cwd=PROJECT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert lines[0] == "cpu" and lines[2:] == ["painted", "loaded"], result.stdout
    assert 0.01 < float(lines[1]) < 30  # seconds of CPU of a real Python + Qt start
