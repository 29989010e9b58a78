"""Benchmark rows for sync: import 100 000 operations from 5 devices, a sync with nothing new, export 10 000.

The folder is generated directly as sync files (courses, Termine, people, enrolments and
attendance as real laptops write them), so the rows measure the sync and not the services.
``synthetic_folder`` is also used by the tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

from app.bench import BenchContext, Row, median
from app.storage.changelog import TABLES, Op, dumps, natural_uuid
from app.sync import fileformat
from app.sync.folder import write_new_file


def record_ops(table: str, record: str, values: dict[str, Any], hlc: int, device: str) -> list[Op]:
    """Operations creating a whole record; Python values are encoded as a laptop would store them."""
    spec = TABLES[table]
    ops = []
    for name in spec.fields:
        value = values.get(name)
        if name in spec.foreign:
            text = dumps(value)
        elif name in values:
            text = spec.encode(name, value)
        else:
            text = spec.defaults.get(name, "null")
        ops.append(Op(hlc, device, table, record, name, text))
    return ops


def device_ops(device: str, wanted: int, seed: int, start_ms: int = 1_770_000_000_000) -> list[Op]:
    """About *wanted* operations of one device: a course with Termine, people, enrolments, attendance."""
    ops: list[Op] = []
    hlc = start_ms << 16
    created = dt.datetime(2026, 3, 1, 9, 0)

    def add(table: str, record: str, values: dict[str, Any]) -> None:
        nonlocal hlc
        hlc += 1
        values.setdefault("created_at", created)
        ops.extend(record_ops(table, record, values, hlc, device))

    town = f"Ortsgemeinde {seed}"
    town_id = natural_uuid("municipalities", [town])
    add("municipalities", town_id, {"name": town})
    course_number = 0
    while len(ops) < wanted:
        course_number += 1
        course = str(uuid.uuid4())
        add("courses", course, {"title": f"Kurs {seed}-{course_number}", "format": "course",
                                "municipality_id": town_id, "place": "Dorfgemeinschaftshaus",
                                "start_date": dt.date(2026, 3, 1), "end_date": dt.date(2026, 6, 30)})
        termine = [str(uuid.uuid4()) for _ in range(10)]
        for index, termin in enumerate(termine):
            add("termine", termin, {"course_id": course, "date": dt.date(2026, 3, 3) + dt.timedelta(days=7 * index),
                                    "start_time": dt.time(14, 0), "end_time": dt.time(16, 0), "status": "held",
                                    "place": "Dorfgemeinschaftshaus", "note": ""})
        for number in range(14):
            person = str(uuid.uuid4())
            add("participants", person, {"name": f"Person {seed}-{course_number}-{number}",
                                         "name_key": f"person {seed}-{course_number}-{number}",
                                         "phone": "", "email": "", "age_band": "70–79", "note": "",
                                         "device": "android"})
            add("enrolments", natural_uuid("enrolments", [course, person]),
                {"course_id": course, "participant_id": person, "enrolled_on": dt.date(2026, 2, 20)})
            for termin in termine:
                add("attendances", natural_uuid("attendances", [termin, person]),
                    {"termin_id": termin, "participant_id": person, "status": "present"})
    return ops[:wanted] if len(ops) > wanted else ops


def synthetic_folder(root: Path, devices: int, ops_per_device: int, ops_per_file: int,
                     passphrase: str | None = None) -> list[str]:
    """Write the files of *devices* laptops into *root*; returns their device ids."""
    ids = []
    for number in range(devices):
        device = uuid.UUID(int=number + 1).hex
        ids.append(device)
        ops = device_ops(device, ops_per_device, number + 1)
        for seq, start in enumerate(range(0, len(ops), ops_per_file), start=1):
            data = fileformat.encode_file(device, f"Laptop {number + 1}", seq, ops[start:start + ops_per_file],
                                          passphrase)
            write_new_file(root, device, seq, data)
    return ids


def _fresh_db(path: Path):  # noqa: ANN202 - Database
    from app.storage.database import open_database

    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return open_database(f"sqlite:///{path}")


def _bare_insert_s(folder: Path, count: int) -> float:
    """Baseline: *count* rows (record, field, value) inserted with plain sqlite3 in one transaction."""
    path = folder / "baseline.sqlite3"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE ops (record TEXT, field TEXT, value TEXT, PRIMARY KEY (record, field)) WITHOUT ROWID")
    rows = [(str(uuid.uuid4()), "f", json.dumps(n)) for n in range(count)]
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO ops VALUES (?, ?, ?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def _listing_s(root: Path, repeat: int) -> float:
    """Baseline: list the folder and stat every file (what any sync must at least do)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for entry in os.scandir(root):
            if entry.is_dir():
                for item in os.scandir(entry.path):
                    item.stat()
        times.append(time.perf_counter() - start)
    return median(times)


def _plain_write_s(folder: Path, ops: list[tuple[Any, ...]]) -> float:
    """Baseline: the same operations as plain JSON written and fsynced, no checks, no compression."""
    start = time.perf_counter()
    data = json.dumps([list(row) for row in ops]).encode("utf-8")
    with open(folder / "plain.json", "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return time.perf_counter() - start


def _local_ops(db: Any, count: int) -> list[tuple[Any, ...]]:
    """Put *count* new operations of this device into its change log, as the session hook records them."""
    from app.storage import device as device_state

    with db.write_connection() as conn:
        me = device_state.device_id(conn)
        hlc = device_state.tick(conn)
        ops = device_ops(me, count, 99, start_ms=hlc >> 16)
        rows = [(op.hlc, op.device, op.table, op.record, op.field, op.value, "") for op in ops]
        conn.exec_driver_sql(
            "INSERT INTO sync_ops (hlc, device, table_name, record_uuid, field, value, prev) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return rows


def rows(ctx: BenchContext) -> list[Row]:
    from app.sync.service import synchronise

    work = ctx.fresh_dir("abgleich")
    shared = work / "ordner"
    shared.mkdir(exist_ok=True)
    total, devices, per_file = 100_000, 5, 5_000
    synthetic_folder(shared, devices, total // devices, per_file)
    repeat = 1 if ctx.quick else 3
    result = []
    imports = []
    db = None
    for _ in range(repeat):
        if db is not None:
            db.close()
        db = _fresh_db(work / "empfaenger.sqlite3")
        start = time.perf_counter()
        report = synchronise(db, shared, announce=False)
        imports.append(time.perf_counter() - start)
    assert db is not None
    try:
        records = sum(report.result.new_records.values())
        result.append(Row(
            "Abgleich: 100.000 Änderungen von 5 Geräten einlesen", median(imports), "s", target=3,
            baseline=_bare_insert_s(work, total), baseline_name="blankes SQLite: 100.000 Zeilen einfügen",
            note=f"{report.read_files} Dateien, {records} neue Einträge, Median von {repeat}",
        ))
        nothing = []
        for _ in range(3 if ctx.quick else 10):
            start = time.perf_counter()
            again = synchronise(db, shared, announce=False)
            nothing.append(time.perf_counter() - start)
            assert again.read_files == 0 and again.written_files == 0
        result.append(Row(
            f"Abgleich ohne Neues ({report.read_files} Dateien im Ordner)", median(nothing), "s", target=0.3,
            baseline=_listing_s(shared, 10), baseline_name="Ordner auflisten (scandir+stat)",
            note=f"Median von {len(nothing)}",
        ))
        exports = []
        baseline = []
        out = work / "export"
        out.mkdir(exist_ok=True)
        for _ in range(repeat):
            local = _local_ops(db, 10_000)  # each round: 10 000 operations the folder has not seen
            start = time.perf_counter()
            written = synchronise(db, out, announce=False)
            exports.append(time.perf_counter() - start)
            assert written.written_ops == len(local)
            baseline.append(_plain_write_s(work, local))
        result.append(Row(
            "Abgleich: 10.000 neue Änderungen schreiben", median(exports), "s", target=0.5,
            baseline=median(baseline), baseline_name="dieselben Änderungen als JSON schreiben (fsync)",
            note=f"Median von {repeat}; Zeit bis die neue Datei sicher auf der Platte liegt",
        ))
    finally:
        db.close()
    return result
