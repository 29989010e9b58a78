"""Benchmark rows for reports: the demo data (target ≤ 0.3 s) and 1,000,000 attendances (target ≤ 5 s).

Each row times the whole report — read, compute, suppress, XLSX in memory — next to a baseline
measured in the same run: reading the same attendance rows with one plain SQL query (sqlite3),
the least any report over them must do. The large data set is generated inside SQLite with
recursive CTEs (a few seconds, not measured).

The rows »Bericht mit Schutz kleiner Zahlen« compare a standard quarter's report as published
(secondary suppression and the attacker's audit over all standard reports of the year) with the
same report hiding only the small counts themselves: the ratio, target ≤ 2 (issue #16). The
protection's in-memory result is cleared before every protected run, so each run does the full
work; the figure for a further report of the same year (result kept) is in the note.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from pathlib import Path

from app.bench import BenchContext, Row, demo_data_dir, german, median, run_process

STAMP = "2026-01-01 00:00:00.000000"
PER_TERMIN = 10  # attendances per Termin
TERMINE_PER_COURSE = 8
TOWNS = 12
TRAINERS = 20
LESSONS = ("smartphone-kennenlernen", "whatsapp-nachrichten", "kamera-und-fotos", "videoanrufe",
           "im-internet-suchen", "apps-installieren", "handy-sicher-machen", "online-verwaltung")
TOPICS = ("WhatsApp", "Fotos", "Einstellungen", "Sicherheit", "Internet")
FIRST_DAY = dt.date(2024, 1, 1)
SPAN_DAYS = 700


def _seq(count: int) -> str:
    return (f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {int(count)}) ")


def make_large_database(path: Path, attendances: int = 1_000_000) -> dict[str, int]:
    """A database with *attendances* marks: 10 per held Termin, 8 Termine per offer, 12 Ortsgemeinden.

    Every tenth offer is a Sprechstunde (head counts and topics), every tenth an Einzelveranstaltung;
    one Termin in twenty extra is cancelled. Returns how many rows each table got.
    """
    from app.storage.database import open_database

    db = open_database(f"sqlite:///{path}")  # the current schema, migrated like any real file
    db.close()
    held = attendances // PER_TERMIN
    courses = -(-held // TERMINE_PER_COURSE)
    people = max(PER_TERMIN * 4, attendances // 25)
    cancelled = held // 20
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("BEGIN")
        common = f"'{STAMP}', '{STAMP}', 0"
        conn.execute(_seq(TOWNS) + "INSERT INTO municipalities (id, name, uuid, created_at, updated_at, deleted) "
                     f"SELECT i, 'Ortsgemeinde ' || i, 'bm-' || i, {common} FROM seq")
        conn.execute(_seq(TRAINERS) + "INSERT INTO trainers (id, name, contact, uuid, created_at, updated_at, deleted) "
                     f"SELECT i, 'Lotse ' || i, '', 'bt-' || i, {common} FROM seq")
        conn.execute(
            _seq(courses) + "INSERT INTO courses (id, title, format, municipality_id, place, note, uuid, created_at, "
            "updated_at, deleted) SELECT i, 'Angebot ' || i, CASE i % 10 WHEN 0 THEN 'drop_in' WHEN 1 THEN 'event' "
            f"ELSE 'course' END, 1 + i % {TOWNS}, '', '', 'bc-' || i, {common} FROM seq")
        conn.execute(
            _seq(courses) + "INSERT INTO course_trainers (course_id, trainer_id, uuid, created_at, updated_at, deleted) "
            f"SELECT i, 1 + i % {TRAINERS}, 'bct-' || i, {common} FROM seq")
        conn.execute(
            _seq(people) + "INSERT INTO participants (id, name, name_key, phone, email, birth_year, age_band, gender, "
            "device, note, uuid, created_at, updated_at, deleted) SELECT i, 'Person ' || i, 'person ' || i, '', '', "
            "CASE WHEN i % 5 = 0 THEN NULL ELSE 1935 + (i * 7) % 35 END, '', "
            "CASE i % 10 WHEN 0 THEN NULL WHEN 1 THEN 'm' WHEN 2 THEN 'm' WHEN 3 THEN 'm' ELSE 'f' END, "
            "CASE i % 7 WHEN 0 THEN 'iphone' WHEN 1 THEN 'iphone' WHEN 2 THEN 'tablet' ELSE 'android' END, '', "
            f"'bp-' || i, {common} FROM seq")
        # Termin t belongs to offer (t-1)/8+1; an offer's Termine are weekly from a day spread over two years.
        day = f"date('{FIRST_DAY.isoformat()}', '+' || ((((i - 1) / {TERMINE_PER_COURSE} + 1) * 13) % {SPAN_DAYS} " \
              f"+ ((i - 1) % {TERMINE_PER_COURSE}) * 7) || ' days')"
        conn.execute(
            _seq(held) + "INSERT INTO termine (id, course_id, date, start_time, end_time, place, status, note, head_count, "
            f"uuid, created_at, updated_at, deleted) SELECT i, (i - 1) / {TERMINE_PER_COURSE} + 1, {day}, "
            "'14:00:00.000000', '16:00:00.000000', '', 'held', '', "
            f"CASE WHEN ((i - 1) / {TERMINE_PER_COURSE} + 1) % 10 = 0 THEN 2 + i % 9 ELSE NULL END, 'btm-' || i, "
            f"{common} FROM seq")
        conn.execute(
            _seq(cancelled) + "INSERT INTO termine (id, course_id, date, start_time, end_time, place, status, note, "
            f"uuid, created_at, updated_at, deleted) SELECT {held} + i, 1 + (i * 20) % {courses}, "
            f"date('{FIRST_DAY.isoformat()}', '+' || ((i * 37) % {SPAN_DAYS}) || ' days'), '14:00:00.000000', "
            f"'16:00:00.000000', '', 'cancelled', '', 'btx-' || i, {common} FROM seq")
        lesson_case = " ".join(f"WHEN {n} THEN '{lesson}'" for n, lesson in enumerate(LESSONS))
        conn.execute(
            "INSERT INTO termin_lessons (termin_id, lesson_id, position, uuid, created_at, updated_at, deleted) "
            f"SELECT t.id, CASE t.id % {len(LESSONS)} {lesson_case} END, 0, 'btl-' || t.id, {common} "
            "FROM termine t JOIN courses c ON c.id = t.course_id WHERE c.format != 'drop_in'")
        topic_case = " ".join(f"WHEN {n} THEN '{topic}'" for n, topic in enumerate(TOPICS))
        conn.execute(
            "INSERT INTO topic_tallies (termin_id, topic, count, uuid, created_at, updated_at, deleted) "
            f"SELECT t.id, CASE t.id % {len(TOPICS)} {topic_case} END, 1 + t.id % 4, 'btt-' || t.id, {common} "
            "FROM termine t JOIN courses c ON c.id = t.course_id WHERE c.format = 'drop_in' AND t.status = 'held'")
        # The same ten people come to every Termin of an offer: (offer × 10 + k) mod people.
        person = f"((c.id * {PER_TERMIN} + k.i - 1) % {people}) + 1"
        conn.execute(
            _seq(PER_TERMIN).replace("seq", "k") + "INSERT INTO enrolments (course_id, participant_id, enrolled_on, "
            f"walk_in, uuid, created_at, updated_at, deleted) SELECT c.id, {person}, "
            f"(SELECT date(min(t.date), '-7 days') FROM termine t WHERE t.course_id = c.id), 0, "
            f"'be-' || c.id || '-' || k.i, {common} FROM courses c, k WHERE c.format != 'drop_in'")
        status = "CASE WHEN (t.id * 31 + k.i * 17) % 100 < 84 THEN 'present' WHEN (t.id * 31 + k.i * 17) % 100 < 94 " \
                 "THEN 'excused' ELSE 'absent' END"
        conn.execute(
            _seq(PER_TERMIN).replace("seq", "k") + "INSERT INTO attendances (termin_id, participant_id, status, uuid, "
            f"created_at, updated_at, deleted) SELECT t.id, {person}, {status}, 'ba-' || t.id || '-' || k.i, {common} "
            f"FROM termine t JOIN courses c ON c.id = t.course_id, k WHERE t.status = 'held' AND t.id <= {held}")
        conn.execute("COMMIT")
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("courses", "termine", "participants", "enrolments", "attendances")}
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return counts


def _plain_read_seconds(path: Path, start: dt.date, end: dt.date, repeat: int) -> float:
    """Baseline: the same attendance rows of the period read with one plain SQL query."""
    conn = sqlite3.connect(path)
    sql = ("SELECT a.termin_id, a.participant_id, a.status FROM attendances a JOIN termine t ON t.id = a.termin_id "
           "WHERE a.deleted = 0 AND t.deleted = 0 AND t.status = 'held' AND t.date BETWEEN ? AND ?")
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        conn.execute(sql, (start.isoformat(), end.isoformat())).fetchall()
        times.append(time.perf_counter() - begin)
    conn.close()
    return median(times)


def _report_seconds(db, period, repeat: int, lessons: dict[str, tuple[str, str]]) -> tuple[float, object]:  # noqa: ANN001
    from app.reports import build_report
    from app.reports.xlsx import workbook_bytes

    times, report = [], None
    for _ in range(repeat):
        begin = time.perf_counter()
        report = build_report(db, period, lessons=lessons)
        workbook_bytes(report.sheets, report.title)
        times.append(time.perf_counter() - begin)
    return median(times), report


def _protected_ratio(db, period, repeat: int, lessons: dict[str, tuple[str, str]] | None,  # noqa: ANN001
                     other=None) -> tuple[float, float, float | None, object]:  # noqa: ANN001
    """Median seconds of the report (XLSX in memory) without and with protection, runs interleaved so
    both see the same machine load; with *other* (another period of the same year) also the protected
    report when the year's protection is already known. Returns (without, with, other, report)."""
    from app.reports import build_report, protection
    from app.reports.xlsx import workbook_bytes

    def one(protected: bool, fresh: bool = True, chosen=period) -> tuple[float, object]:  # noqa: ANN001
        if fresh:
            protection._DONE.clear()
        begin = time.perf_counter()
        report = build_report(db, chosen, lessons=lessons, protected=protected)
        workbook_bytes(report.sheets, report.title)
        return time.perf_counter() - begin, report

    plain, guarded, report = [], [], None
    for _ in range(repeat):
        plain.append(one(False)[0])
        seconds, report = one(True)
        guarded.append(seconds)
    again = None
    if other is not None:
        again = median([one(True, fresh=False, chosen=other)[0] for _ in range(repeat)])
    return median(plain), median(guarded), again, report


def _protection_row(name: str, without: float, with_: float, again: float | None, report, repeat: int,  # noqa: ANN001
                    unit_ms: bool) -> Row:
    audit = report.data.audit
    scale, unit = (1000, "ms") if unit_ms else (1, "s")
    digits = 0 if unit_ms else 2
    note = (f"Median von {repeat}; mit Schutz {german(with_ * scale, digits)} {unit}, ohne (nur »<3«) "
            f"{german(without * scale, digits)} {unit}")
    if audit is not None:
        note += (f"; {audit.reports} Berichte des Jahres mit {_n(audit.cells)} Personenfeldern geprüft, "
                 f"{audit.hidden} kleine Zahlen, {audit.secondary} Felder zusätzlich gesperrt")
    if again is not None:
        note += f"; weiterer Bericht desselben Jahres (Schutz schon berechnet): {german(again * scale, digits)} {unit}"
    return Row(name, with_ / without, "×", target=2.0, note=note)


def _n(value: object) -> str:
    return f"{int(value or 0):,}".replace(",", ".")


def _command_row(ctx: BenchContext) -> Row:
    """``kurslotse bericht`` over two years of demo data, the whole command as a trainer types it."""
    import sys

    data = demo_data_dir(ctx)
    today = dt.date.today()
    target = ctx.fresh_dir("bericht-befehl") / "bericht.xlsx"
    argv = [sys.executable, "-m", "app", "--daten", str(data), "bericht", "--von",
            (today - dt.timedelta(days=730)).isoformat(), "--bis", (today + dt.timedelta(days=60)).isoformat(),
            "-o", str(target)]
    runs = [run_process(argv) for _ in range(3 if ctx.quick else 5)]
    return Row("Bericht als XLSX über die Demo-Daten (ganzer Befehl)", median([r.seconds for r in runs]), "s",
               peak_mib=max(r.peak_mib for r in runs),
               note=f"Median aus {len(runs)}; CPU {german(median([r.cpu_seconds for r in runs]))} s")


def rows(ctx: BenchContext) -> list[Row]:
    from app.domain.indicators import custom_period, previous_quarter, quarter_period
    from app.services import demo
    from app.services.lesson_titles import catalogue
    from app.storage.database import open_database

    lessons = {key: (info.title, info.topic) for key, info in catalogue().items()}
    result = [_command_row(ctx)]

    folder = ctx.fresh_dir("bericht-demo")
    db = open_database(f"sqlite:///{folder / 'kurslotse.sqlite3'}")
    try:
        demo.fill(db, years=2)
        today = dt.date.today()
        period = custom_period(today - dt.timedelta(days=730), today + dt.timedelta(days=60))
        repeat = 5 if ctx.quick else 15
        _report_seconds(db, period, 1, lessons)  # warm the caches once
        seconds, report = _report_seconds(db, period, repeat, lessons)
        baseline = _plain_read_seconds(db.path, period.start, period.end, repeat)
        total = report.data.total.values
        result.append(Row("Bericht über die Demo-Daten (lesen, rechnen, XLSX)", seconds * 1000, "ms", target=300,
                          baseline=baseline * 1000, baseline_name="blanke SQL-Abfrage der Anwesenheiten",
                          note=f"Median von {repeat}; {total['attendances']} Anwesenheiten, "
                               f"{total['termine_held']} Termine"))
        quarter = previous_quarter(today)  # what the Berichte page shows first
        other = quarter_period(quarter.start.year, ((quarter.start.month - 1) // 3 + 1) % 4 + 1)  # same year
        checks = 3 if ctx.quick else 7
        without, with_, again, report = _protected_ratio(db, quarter, checks, lessons, other)
        result.append(_protection_row(f"Bericht mit Schutz kleiner Zahlen ({quarter.label}, Demo-Daten)", without,
                                      with_, again, report, checks, unit_ms=True))
    finally:
        db.close()

    folder = ctx.fresh_dir("bericht-gross")
    path = folder / "kurslotse.sqlite3"
    begin = time.perf_counter()
    counts = make_large_database(path)
    made = time.perf_counter() - begin
    db = open_database(f"sqlite:///{path}")
    try:
        period = custom_period(FIRST_DAY, FIRST_DAY + dt.timedelta(days=SPAN_DAYS + 8 * 7))
        repeat = 1 if ctx.quick else 3
        seconds, report = _report_seconds(db, period, repeat, lessons)
        baseline = _plain_read_seconds(path, period.start, period.end, repeat)
        total = report.data.total.values
        result.append(Row("Bericht über 1.000.000 Anwesenheiten (lesen, rechnen, XLSX)", seconds, "s", target=5.0,
                          baseline=baseline, baseline_name="blanke SQL-Abfrage derselben Zeilen",
                          note=f"Median von {repeat}; {_n(counts['attendances'])} Anwesenheiten, "
                               f"{_n(counts['termine'])} Termine, {_n(total['persons'])} Personen; "
                               f"Daten erzeugt in {german(made, 1)} s"))
        quarter = quarter_period(FIRST_DAY.year, 2)
        without, with_, again, report = _protected_ratio(db, quarter, repeat, lessons)
        result.append(_protection_row(f"Bericht mit Schutz kleiner Zahlen ({quarter.label}, 1.000.000 Anwesenheiten)",
                                      without, with_, again, report, repeat, unit_ms=False))
    finally:
        db.close()
    return result
