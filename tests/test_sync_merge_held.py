"""The merge writes records from the values it already holds (no read-back): the result must equal a full re-read.

After each batch (new records, later and earlier edits of existing ones, a counter part, an erasure in the
same batch as an edit of that person) the record tables must be exactly what writing every record again
from ``sync_fields`` gives, and hold the values the requirement names.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Connection, text

from app.bench.sync import record_ops
from app.storage.changelog import Op, part_field
from app.storage.database import open_database
from app.sync.merge import apply_ops, materialize

SILVIA = "a" * 32
HANS = "b" * 32
TOWN = "11111111-1111-4111-8111-111111111111"
COURSE = "22222222-2222-4222-8222-222222222222"
TERMIN = "33333333-3333-4333-8333-333333333333"
PERSON = "44444444-4444-4444-8444-444444444444"
WAITING = "55555555-5555-4555-8555-555555555555"
TABLES = ("municipalities", "courses", "termine", "participants")
BASE = 1_770_000_000_000 << 16


def _snapshot(conn: Connection) -> dict[str, list[tuple]]:
    found = {}
    for table in TABLES:
        columns = [row[1] for row in conn.execute(text(f"PRAGMA table_info({table})")) if row[1] != "updated_at"]
        query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY uuid"
        found[table] = [tuple(row) for row in conn.execute(text(query))]
    return found


def _check_equals_reread(conn: Connection) -> None:
    written = _snapshot(conn)
    targets = dict(conn.execute(text("SELECT DISTINCT record_uuid, table_name FROM sync_fields")).all())
    materialize(conn, targets, None)  # every record again, from what sync_fields holds
    assert _snapshot(conn) == written


def test_merge_without_read_back_equals_full_reread(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'laptop.sqlite3'}")
    created = dt.datetime(2026, 3, 1, 9, 0)
    first = [
        *record_ops("municipalities", TOWN, {"name": "Ortsgemeinde Au", "created_at": created}, BASE + 1, SILVIA),
        *record_ops("courses", COURSE, {"title": "Kurs Silvia", "format": "course", "municipality_id": TOWN,
                                        "place": "Dorfhaus", "start_date": dt.date(2026, 3, 1),
                                        "end_date": dt.date(2026, 6, 30), "created_at": created}, BASE + 2, SILVIA),
        *record_ops("courses", COURSE, {"title": "Kurs Hans", "format": "course", "municipality_id": TOWN,
                                        "place": "Dorfhaus", "start_date": dt.date(2026, 3, 1),
                                        "end_date": dt.date(2026, 6, 30), "created_at": created}, BASE + 2, HANS),
        *record_ops("termine", TERMIN, {"course_id": COURSE, "date": dt.date(2026, 3, 3), "start_time": dt.time(14),
                                        "end_time": dt.time(16), "status": "held", "place": "", "note": "",
                                        "created_at": created}, BASE + 3, SILVIA),
        *record_ops("participants", PERSON, {"name": "Erika Muster", "name_key": "erika muster", "phone": "0123",
                                             "email": "", "age_band": "70–79", "note": "", "device": "android",
                                             "created_at": created}, BASE + 4, SILVIA),
    ]
    with db.write_connection() as conn:
        result = apply_ops(conn, first)
        assert result.new_records["courses"] == 1 and result.conflicts == 1
        _check_equals_reread(conn)
        title = conn.execute(text("SELECT title FROM courses")).scalar()
    assert title == "Kurs Hans"  # same clock: the higher device id wins

    second = [
        Op(BASE + 10, SILVIA, "courses", COURSE, "title", '"Kurs neu"'),
        Op(BASE + 1, HANS, "courses", COURSE, "place", '"Alte Schule"'),  # older than what is held: loses
        Op(BASE + 11, HANS, "termine", TERMIN, part_field("head_count", HANS), "3"),
        Op(BASE + 12, HANS, "participants", PERSON, "phone", '"0999"'),
        Op(BASE + 13, SILVIA, "participants", PERSON, "!erase", None),
    ]
    with db.write_connection() as conn:
        result = apply_ops(conn, second)
        assert result.erased == 1
        _check_equals_reread(conn)
        course = conn.execute(text("SELECT title, place FROM courses")).one()
        head_count = conn.execute(text("SELECT head_count FROM termine")).scalar()
        person = conn.execute(text("SELECT name, phone, erased FROM participants")).one()
    assert tuple(course) == ("Kurs neu", "Dorfhaus")
    assert head_count == 3
    assert tuple(person) == ("Gelöschte Person", "", 1)

    # A person whose fields came in two batches (waits, incomplete), erased in the batch that completes it:
    # the row written must never hold the name it had before the erasure.
    with db.write_connection() as conn:
        result = apply_ops(conn, [Op(BASE + 20, HANS, "participants", WAITING, "name", '"Karl Klein"'),
                                  Op(BASE + 20, HANS, "participants", WAITING, "phone", '"0777"')])
        assert result.pending == 1
        result = apply_ops(conn, [Op(BASE + 21, HANS, "participants", WAITING, "name_key", '"karl klein"'),
                                  Op(BASE + 21, HANS, "participants", WAITING, "created_at",
                                     '"2026-03-01 09:00:00.000000"'),
                                  Op(BASE + 22, SILVIA, "participants", WAITING, "!erase", None)])
        assert result.pending == 0 and result.new_records["participants"] == 1
        _check_equals_reread(conn)
        waiting = conn.execute(text("SELECT name, phone, erased FROM participants WHERE uuid = :u"),
                               {"u": WAITING}).one()
    assert tuple(waiting) == ("Gelöschte Person", "", 1)
    db.close()
