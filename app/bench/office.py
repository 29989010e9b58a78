"""Benchmark rows for the project office: PostgreSQL next to SQLite, measured in the same run.

* Office import: the sync folders of 50 laptops with two years of courses each (one folder per
  Verbandsgemeinde), read with the whole command the office schedules
  (``kurslotse abgleich ORDNER1 … ORDNER10``) into an empty PostgreSQL database and, as the
  comparison, into an empty SQLite file.
* Kreis report over 1,000,000 attendances (the data set of :mod:`app.bench.report`, copied into
  PostgreSQL with COPY; not measured), read, computed and written as XLSX on both databases.

The server is ``$KURSLOTSE_BENCH_PG_URL`` (an address whose user may create databases) or a
throwaway cluster started here from the Debian package ``postgresql`` (initdb in a temporary
folder, loopback only, stopped at the end). When neither is possible the PostgreSQL figure says so
and only the SQLite figure is printed. ``--schnell`` uses 10 laptops and 100,000 attendances.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.bench import BenchContext, Row, german, quiet_env, run_process
from app.bench.pg_cluster import PgServer, start_throwaway, why_unavailable

ENV_PG_URL = "KURSLOTSE_BENCH_PG_URL"
NOT_MEASURED = float("nan")


@dataclass(frozen=True)
class OfficeSizes:
    """How big the office's data is; ``--schnell`` takes the small set."""

    laptops: int
    folders: int  # Verbandsgemeinden, each with its own sync folder
    courses_per_year: int
    years: int
    termine_per_course: int
    people_per_course: int
    attendances: int  # for the Kreis report


FULL = OfficeSizes(laptops=50, folders=10, courses_per_year=8, years=2, termine_per_course=8,
                   people_per_course=10, attendances=1_000_000)
QUICK = OfficeSizes(laptops=10, folders=2, courses_per_year=3, years=2, termine_per_course=8,
                    people_per_course=10, attendances=100_000)


# --------------------------------------------------------------------------- the server


def start_server() -> tuple[PgServer | None, str]:
    """The server to measure on, or ``None`` and the German reason why there is none."""
    url = os.environ.get(ENV_PG_URL, "").strip()
    if url:
        return PgServer(admin_url=url), ""
    reason = why_unavailable()
    if reason is not None:
        return None, f"kein PostgreSQL-Server: {reason} (oder {ENV_PG_URL} setzen)"
    try:
        # a server as an office runs it: durable commits (fsync on), default settings otherwise
        return start_throwaway("kurslotse_bench", durable=True), ""
    except RuntimeError:
        return None, "der PostgreSQL-Server ließ sich nicht starten"


# --------------------------------------------------------------------------- the laptops' folders


def laptop_ops(device: str, number: int, sizes: OfficeSizes) -> list[list[Any]]:
    """One laptop's two years: a course every few weeks in its Ortsgemeinde, grouped one file per course."""
    from app.bench.sync import record_ops
    from app.storage.changelog import natural_uuid

    hlc = (1_735_000_000_000 + number * 1_000) << 16
    created = dt.datetime(2025, 1, 1, 9, 0)
    files: list[list[Any]] = []
    ops: list[Any] = []

    def add(table: str, record: str, values: dict[str, Any]) -> None:
        nonlocal hlc
        hlc += 1
        values.setdefault("created_at", created)
        ops.extend(record_ops(table, record, values, hlc, device))

    town = f"Ortsgemeinde {number % 40 + 1}"
    town_id = natural_uuid("municipalities", [town])
    add("municipalities", town_id, {"name": town})
    total = sizes.courses_per_year * sizes.years
    gap = 52 * sizes.years // total
    returning: list[str] = []
    for course_number in range(total):
        first = dt.date(2025, 1, 7) + dt.timedelta(weeks=course_number * gap)
        course = str(uuid.uuid4())
        add("courses", course, {"title": f"Kurs {number}-{course_number + 1}", "format": "course",
                                "municipality_id": town_id, "place": "Dorfgemeinschaftshaus", "start_date": first,
                                "end_date": first + dt.timedelta(weeks=sizes.termine_per_course)})
        termine = [str(uuid.uuid4()) for _ in range(sizes.termine_per_course)]
        for index, termin in enumerate(termine):
            add("termine", termin, {"course_id": course, "date": first + dt.timedelta(weeks=index),
                                    "start_time": dt.time(14, 0), "end_time": dt.time(16, 0), "status": "held",
                                    "place": "Dorfgemeinschaftshaus", "note": ""})
        people = returning[:3]  # a few come back for the next course
        for index in range(sizes.people_per_course - len(people)):
            person = str(uuid.uuid4())
            name = f"Person {number}-{course_number}-{index}"
            add("participants", person, {"name": name, "name_key": name.casefold(), "phone": "", "email": "",
                                         "age_band": "70–79", "note": "", "device": "android"})
            people.append(person)
        for position, person in enumerate(people):
            add("enrolments", natural_uuid("enrolments", [course, person]),
                {"course_id": course, "participant_id": person, "enrolled_on": first - dt.timedelta(days=7)})
            for week, termin in enumerate(termine):
                if (position + week) % 7 != 6:  # about one in seven misses a Termin
                    add("attendances", natural_uuid("attendances", [termin, person]),
                        {"termin_id": termin, "participant_id": person, "status": "present"})
        returning = people[-3:]
        files.append(ops)
        ops = []
    return files


def write_office_folders(root: Path, sizes: OfficeSizes) -> tuple[list[Path], int, int]:
    """One sync folder per Verbandsgemeinde with its laptops' files; returns folders, files, operations."""
    from app.sync import fileformat
    from app.sync.folder import write_new_file

    folders = [root / f"vg-{index + 1:02d}" for index in range(sizes.folders)]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    files = operations = 0
    for number in range(sizes.laptops):
        device = uuid.UUID(int=10_000 + number).hex
        folder = folders[number % sizes.folders]
        for seq, ops in enumerate(laptop_ops(device, number, sizes), start=1):
            write_new_file(folder, device, seq, fileformat.encode_file(device, f"Laptop {number + 1}", seq, ops, None))
            files += 1
            operations += len(ops)
    return folders, files, operations


def _office_import(ctx: BenchContext, server: PgServer | None, reason: str, sizes: OfficeSizes) -> Row:
    folders, files, operations = write_office_folders(ctx.fresh_dir("buero-ordner"), sizes)
    command = [sys.executable, "-m", "app", "abgleich", *map(str, folders), "--ohne-passwort"]
    env = quiet_env(KURSLOTSE_DATEN=str(ctx.fresh_dir("buero-sqlite")))
    env.pop("KURSLOTSE_DATENBANK", None)  # the SQLite file in the data folder
    lite = run_process(command, env=env)
    value, peak, note = NOT_MEASURED, None, f"nicht gemessen: {reason}"
    if server is not None:
        url = server.create_database("buero")
        try:
            env = quiet_env(KURSLOTSE_DATENBANK=url, KURSLOTSE_DATEN=str(ctx.fresh_dir("buero-pg-daten")))
            pg = run_process(command, env=env)
            value, peak = pg.seconds, pg.peak_mib
            note = f"CPU Kurslotse {german(pg.cpu_seconds, 1)} s (SQLite-Lauf {german(lite.cpu_seconds, 1)} s)"
        finally:
            server.drop_database(url)
    return Row(f"Büro: {sizes.laptops} Laptops × {sizes.years} Jahre einlesen, PostgreSQL", value, "s",
               baseline=lite.seconds, baseline_name="dasselbe in SQLite", peak_mib=peak,
               note=f"{sizes.folders} Ordner, {files} Dateien, {german(operations, 0)} Änderungen; {note}; "
                    "ganzer Befehl abgleich ORDNER…")


# --------------------------------------------------------------------------- the Kreis report

COPY_TABLES = ("municipalities", "trainers", "courses", "course_trainers", "participants", "termine",
               "termin_lessons", "topic_tallies", "enrolments", "attendances")


def copy_into_server(source: Path, url: str) -> None:
    """The rows of the generated SQLite file into a PostgreSQL database with the current schema (COPY)."""
    import psycopg
    from sqlalchemy.engine import make_url

    from app.storage.database import open_database

    open_database(url).close()  # schema, version stamp and device identity as for any office database
    parsed = make_url(url)
    lite = sqlite3.connect(source)
    try:
        with psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
                             dbname=parsed.database) as conn:
            for table in COPY_TABLES:
                columns = [row[1] for row in lite.execute(f"PRAGMA table_info({table})")]
                names = ", ".join(f'"{name}"' for name in columns)
                with conn.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in lite.execute(f"SELECT {names} FROM {table}"):
                        copy.write_row(row)
            conn.commit()
            conn.autocommit = True
            conn.execute("ANALYZE")
    finally:
        lite.close()


def _kreis_report(ctx: BenchContext, server: PgServer | None, reason: str, sizes: OfficeSizes) -> Row:
    from app.bench.report import (
        FIRST_DAY,
        SPAN_DAYS,
        _report_seconds,
        make_large_database,
    )
    from app.domain.indicators import custom_period
    from app.services.lesson_titles import catalogue
    from app.storage.database import open_database

    lessons = {key: (info.title, info.topic) for key, info in catalogue().items()}
    path = ctx.fresh_dir("kreis-sqlite") / "kurslotse.sqlite3"
    counts = make_large_database(path, sizes.attendances)
    period = custom_period(FIRST_DAY, FIRST_DAY + dt.timedelta(days=SPAN_DAYS + 8 * 7))
    repeat = 1 if ctx.quick else 3
    db = open_database(f"sqlite:///{path}")
    try:
        lite_seconds, lite_report = _report_seconds(db, period, repeat, lessons)
    finally:
        db.close()
    value, note = NOT_MEASURED, f"nicht gemessen: {reason}"
    if server is not None:
        url = server.create_database("kreis")
        try:
            begin = time.perf_counter()
            copy_into_server(path, url)
            copied = time.perf_counter() - begin
            db = open_database(url)
            try:
                value, pg_report = _report_seconds(db, period, repeat, lessons)
            finally:
                db.close()
            same = pg_report.data.total.values == lite_report.data.total.values
            note = (f"Median von {repeat}; gleiche Zahlen wie SQLite: {'ja' if same else 'NEIN'}; "
                    f"Daten kopiert in {german(copied, 1)} s")
        finally:
            server.drop_database(url)
    attendances = german(counts["attendances"], 0)
    return Row(f"Kreis-Bericht über {attendances} Anwesenheiten, PostgreSQL", value, "s",
               baseline=lite_seconds, baseline_name="derselbe Bericht auf SQLite",
               note=f"{note}; lesen, rechnen, XLSX")


def rows(ctx: BenchContext) -> list[Row]:
    sizes = QUICK if ctx.quick else FULL
    server, reason = start_server()
    try:
        return [_office_import(ctx, server, reason, sizes), _kreis_report(ctx, server, reason, sizes)]
    finally:
        if server is not None:
            server.stop()
