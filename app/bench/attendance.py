"""Benchmark rows for attendance: a check-in tap until its row is committed; opening a course page."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from app.bench import BenchContext, Row, german, median, percentile


def _application():  # noqa: ANN202 - QApplication
    """The running QApplication, or an offscreen one when there is no screen (CI, SSH)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        from app.platform import has_display

        if not has_display():
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    return app


def _bare_insert_ms(folder: Path, repeat: int) -> float:
    """Baseline: one INSERT + COMMIT with the same pragmas (WAL, synchronous=FULL), plain sqlite3."""
    conn = sqlite3.connect(folder / "baseline.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS marks (id INTEGER PRIMARY KEY, person INTEGER, status TEXT)")
    times = []
    for number in range(repeat):
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO marks (person, status) VALUES (?, 'present')", (number,))
        conn.execute("COMMIT")
        times.append(time.perf_counter() - start)
    conn.close()
    return median(times) * 1000


def _bare_grid_query_ms(path: Path, course_id: int, repeat: int) -> float:
    """Baseline: the course's attendance marks read with one plain SQL query."""
    conn = sqlite3.connect(path)
    sql = ("SELECT a.participant_id, a.termin_id, a.status FROM attendances a JOIN termine t ON t.id = a.termin_id "
           "WHERE t.course_id = ? AND a.deleted = 0")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        conn.execute(sql, (course_id,)).fetchall()
        times.append(time.perf_counter() - start)
    conn.close()
    return median(times) * 1000


def rows(ctx: BenchContext) -> list[Row]:
    app = _application()
    from app.services import courses, demo
    from app.storage.database import open_database
    from app.ui.courses.checkin_view import CheckInView
    from app.ui.courses.course_view import CourseView
    from app.ui.courses.relay import DataChangedRelay

    folder = ctx.fresh_dir("anwesenheit")
    db = open_database(f"sqlite:///{folder / 'kurslotse.sqlite3'}")
    demo.fill(db, years=5)
    repeat = 10 if ctx.quick else 60
    relay = DataChangedRelay()
    result = []
    try:
        # --- check-in tap: click on a person's tile until the row is committed and the tile shows it
        termin = next(t for _title, t in courses.todays_termine(db) if t.lessons)
        checkin = CheckInView(db, relay)
        checkin.resize(1366, 768)
        checkin.show()
        checkin.load(termin.id)
        app.processEvents()
        tiles = list(checkin.tiles.values())
        taps = []
        for number in range(repeat):
            tile = tiles[number % len(tiles)]
            start = time.perf_counter()
            tile.click()
            taps.append(time.perf_counter() - start)
        app.processEvents()
        result.append(Row(
            "Check-in: Tippen bis Zeile gespeichert", median(taps) * 1000, "ms", target=50,
            baseline=_bare_insert_ms(folder, repeat), baseline_name="blankes SQLite-INSERT+COMMIT",
            note=f"Median von {repeat}, 95 % ≤ {german(percentile(taps, 95) * 1000, 1)} ms, synchronous=FULL",
        ))
        checkin.close()
        # --- course page: the largest course (most Termine) of five years of demo data
        listed = courses.list_courses(db)
        biggest = max(listed, key=lambda c: c.termin_count)
        others = [c for c in listed if c.id != biggest.id]
        page = CourseView(db, relay)
        page.resize(1366, 768)
        page.show()
        opens = []
        for number in range(max(5, repeat // 4)):
            page.load(others[number % len(others)].id)  # leave the course, so each open is a real one
            app.processEvents()
            start = time.perf_counter()
            page.load(biggest.id)
            app.processEvents()
            opens.append(time.perf_counter() - start)
        result.append(Row(
            "Kursseite öffnen (5 Jahre Demo-Daten)", median(opens) * 1000, "ms", target=200,
            baseline=_bare_grid_query_ms(db.path, biggest.id, 20), baseline_name="blanke SQL-Abfrage der Anwesenheiten",
            note=f"»{biggest.title}«: {biggest.termin_count} Termine, {biggest.participant_count} Personen",
        ))
        page.close()
    finally:
        relay.detach()
        relay.deleteLater()
        db.close()
    return result
