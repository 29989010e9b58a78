"""Schema step 2 → 3: head counts and topic tallies become counters that add up across laptops.

Nothing in the tables changes: the value every laptop already agreed on (the field's
last-writer-wins value in ``sync_fields``) becomes the counter's *base*, and from now on each
device writes only its own part (``head_count@<device>``, see ``app.storage.changelog``). A counter
record that has no base in ``sync_fields`` yet (written before the change log knew it) gets one
from the value in its table, so the sum starts exactly where the count stood. The version bump
also makes an older Kurslotse refuse files with parts (»neuere Version«) instead of misreading them.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from app.storage import device
from app.storage.migrate_v2 import record_fields

# Written out for the version-2 schema, not taken from the current models.
V2_COUNTERS = (("termine", "head_count"), ("topic_tallies", "count"))


def step(conn: Connection) -> None:
    """Lift a version-2 database to version 3 (inside the migration's transaction)."""
    missing = []
    for table, name in V2_COUNTERS:
        rows = conn.execute(text(
            f"SELECT t.uuid, t.{name} FROM {table} t WHERE NOT EXISTS ("  # noqa: S608 - fixed names
            "SELECT 1 FROM sync_fields f WHERE f.record_uuid = t.uuid AND f.field = :field)"), {"field": name},
        ).all()
        missing.extend((uuid, name, table, value) for uuid, value in rows)
    if not missing:
        return
    me = device.device_id(conn)
    hlc = device.tick(conn)
    values = [{"record": uuid, "field": name, "table": table, "hlc": hlc, "device": me,
               "value": "null" if value is None else str(int(value))} for uuid, name, table, value in missing]
    record_fields(conn, values)
