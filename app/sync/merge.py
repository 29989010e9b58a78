"""Applying other devices' operations: per field the later stamp wins; what loses to a concurrent edit is kept.

The result depends only on the set of operations seen, never on their order or how often they
arrive: a field holds the operation with the highest stamp (hlc, then device id); an operation
that lost is listed as a conflict unless some device knowingly overwrote it (its stamp is the
``prev`` of a later operation). Records are written into the tables once everything they point
to is there (``sync_pending`` holds the rest). The tables are written with SQLAlchemy Core on the
connection (not the ORM session), so the import itself records no new operations. The same code
runs on a laptop's SQLite file and on a project office's PostgreSQL server: values travel in the
form SQLite stores them and become Python dates and booleans again before they are written.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from app.storage import device as device_state
from app.storage import sqlcompat
from app.storage.changelog import (
    ANONYMOUS_NAME,
    COUNTER_FIELDS,
    ERASE_FIELD,
    PART_MARK,
    PERSONAL_FIELDS,
    QUIET_FIELDS,
    TABLE_ORDER,
    TABLES,
    Op,
    counter_of,
    erase_record,
    erased_records,
    fold_counters,
    forget_replaced,
    loads,
    store_fields,
    upsert,
)
from app.storage.models import Base, SyncConflict, SyncField, SyncPending, SyncSuperseded, utc_now

log = logging.getLogger(__name__)
CHUNK = 900
# built once (asked for every losing value): building the statement each time cost more than the query
_SUPERSEDED = select(SyncSuperseded.hlc).where(
    SyncSuperseded.record_uuid == bindparam("s_record"), SyncSuperseded.field == bindparam("s_field"),
    SyncSuperseded.hlc == bindparam("s_hlc"), SyncSuperseded.device == bindparam("s_device"),
)

Key = tuple[str, str]  # (record uuid, field)


@dataclass
class ImportResult:
    """What one file (or a whole sync) changed here."""

    new_records: Counter[str] = field(default_factory=Counter)
    changed_records: int = 0
    conflicts: int = 0
    erased: int = 0
    pending: int = 0
    fields_changed: int = 0
    # Personal texts of people erased by this import, held in memory only: the log is cleaned of them.
    erased_values: set[str] = field(default_factory=set, repr=False)

    @property
    def changed(self) -> bool:
        """Whether the import changed anything here (a duplicate changes nothing)."""
        return bool(self.fields_changed or self.conflicts or self.erased or sum(self.new_records.values()))

    def add(self, other: ImportResult) -> None:
        self.new_records.update(other.new_records)
        self.fields_changed += other.fields_changed
        self.changed_records += other.changed_records
        self.conflicts += other.conflicts
        self.erased += other.erased
        self.erased_values |= other.erased_values
        self.pending = other.pending


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _select_in(conn: Connection, columns: Sequence[Any], key: Any, keys: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """SELECT *columns* WHERE *key* IN *keys*, in chunks (SQLite limits the number of parameters)."""
    yield from sqlcompat.fetch_in(conn, key.table.name, [column.name for column in columns], key.name, keys, CHUNK)


@functools.lru_cache(maxsize=None)
def _insert_statement(table: str) -> Any:
    return Base.metadata.tables[table].insert()


@functools.lru_cache(maxsize=None)
def _update_statement(table: str, names: tuple[str, ...]) -> Any:
    target = Base.metadata.tables[table]
    return update(target).where(target.c.uuid == bindparam("v_uuid")).values(
        {**{n: bindparam(f"v_{n}") for n in names}, "updated_at": bindparam("v_now")})


def _timestamp() -> Any:
    return utc_now()


def apply_ops(conn: Connection, ops: Sequence[Op]) -> ImportResult:
    """Merge *ops* into the database inside the caller's transaction.

    On a server the caller holds the Kurslotse write lock (``Database.write_connection``): the held
    stamps read here cannot change before the winners are written, so no concurrent import or
    office user's edit is overwritten by an older value.
    """
    result = ImportResult()
    records: dict[str, str] = {}
    for op in ops:
        records.setdefault(op.record, op.table)
    record_list = list(records)
    current: dict[Key, tuple[int, str, str | None]] = {}
    known_tables: dict[str, str] = {}
    for record, name, table, hlc, dev, value in _select_in(
        conn, (SyncField.record_uuid, SyncField.field, SyncField.table_name, SyncField.hlc, SyncField.device,
               SyncField.value), SyncField.record_uuid, record_list,
    ):
        current[(record, name)] = (hlc, dev, value)
        known_tables[record] = table
    erased_before = erased_records(conn, record_list)
    erasures = [op for op in ops if op.field == ERASE_FIELD and op.table in PERSONAL_FIELDS
                and records[op.record] == op.table]
    erased_now = erased_before | {op.record for op in erasures}
    replaced = {(op.record, op.field, hlc, dev) for op in ops if op.prev for hlc, dev in op.prev}

    groups: dict[Key, list[Op]] = defaultdict(list)
    for op in ops:
        if op.field == ERASE_FIELD or records[op.record] != op.table:
            continue
        if known_tables.get(op.record, op.table) != op.table:
            continue  # a record id that means another table here: ignore, never overwrite
        groups[(op.record, op.field)].append(op)

    winners: dict[Key, tuple[str, int, str, str | None]] = {}
    losers: list[tuple[str, str, int, str, str, str | None]] = []
    changed: dict[str, set[str]] = defaultdict(set)
    quiet_names: dict[Key, bool] = {}  # (table, field) -> never a conflict (asked once per field name)
    for key, group in groups.items():
        record, name = key
        table = records[record]
        blank = PERSONAL_FIELDS.get(table, {}).get(name) if record in erased_now else None
        # Counters add up instead of competing: neither a part nor the base is ever a conflict.
        quiet = quiet_names.get((table, name))
        if quiet is None:
            quiet = quiet_names[(table, name)] = name in QUIET_FIELDS or name in COUNTER_FIELDS.get(table, ()) \
                or counter_of(table, name) is not None
        quiet = quiet or blank is not None
        before = current.get(key)
        held = before
        for op in (group if len(group) == 1 else sorted(group, key=lambda o: (o.hlc, o.device))):
            value = blank if blank is not None else op.value
            if held is None:
                held = (op.hlc, op.device, value)
                continue
            stamp, held_stamp = (op.hlc, op.device), (held[0], held[1])
            if stamp == held_stamp:
                continue
            if stamp > held_stamp:
                if not quiet:
                    losers.append((record, name, held[0], held[1], table, held[2]))
                held = (op.hlc, op.device, value)
            elif not quiet:
                losers.append((record, name, op.hlc, op.device, table, value))
        if held is not None and held != before:
            winners[key] = (table, *held)
            changed[record].add(name)

    if winners:
        store_fields(conn, [(record, name, table, hlc, dev, value)
                            for (record, name), (table, hlc, dev, value) in winners.items()])
    forget_replaced(conn, list(replaced))
    result.fields_changed = len(winners)
    result.conflicts = _record_conflicts(conn, losers, replaced, current, winners)
    for op in erasures:
        result.erased_values |= _personal_texts(conn, op.table, op.record, current)
        if erase_record(conn, op.table, op.record, (op.hlc, op.device)):
            result.erased += 1
    if ops:
        device_state.observe(conn, max(op.hlc for op in ops))
    targets = {record: records[record] for record in changed}
    pending = dict(conn.execute(select(SyncPending.record_uuid, SyncPending.table_name)).all())
    for record, table in pending.items():
        targets.setdefault(record, table)
    # What the changed records hold now is known without reading it back: what they held before plus
    # this batch's winners (an erasure of this batch rewrote fields after that, so those are read).
    erased_here = {op.record for op in erasures}
    held_now: dict[str, dict[str, str | None]] = {}
    for (record, name), (_hlc, _dev, value) in current.items():
        if record in changed and record not in erased_here:
            held_now.setdefault(record, {})[name] = value
    for (record, name), won in winners.items():
        if record not in erased_here:
            held_now.setdefault(record, {})[name] = won[3]
    inserted, updated, still_pending = materialize(conn, targets, changed, erased_now | erased_before, held_now)
    result.new_records.update(inserted)
    result.changed_records = updated
    result.pending = still_pending
    return result


def _personal_texts(conn: Connection, table: str, record: str,
                    current: dict[Key, tuple[int, str, str | None]]) -> set[str]:
    """The personal values a record holds here before it is erased (to clean them out of the log)."""
    names = [name for name in PERSONAL_FIELDS[table] if name != "name_key"]
    found: set[str] = set()
    for name in names:
        held = current.get((record, name))
        value = loads(held[2]) if held is not None and held[2] else None
        if isinstance(value, str):
            found.add(value)
    target = Base.metadata.tables[table]
    row = conn.execute(select(*[target.c[name] for name in names]).where(target.c.uuid == record)).first()
    if row:
        found |= {value for value in row if isinstance(value, str)}
    return {text for text in found if len(text.strip()) >= 3 and text != ANONYMOUS_NAME}


def _record_conflicts(
    conn: Connection, losers: list[tuple[str, str, int, str, str, str | None]],
    replaced: set[tuple[str, str, int, str]], current: dict[Key, tuple[int, str, str | None]],
    winners: dict[Key, tuple[str, int, str, str | None]],
) -> int:
    """Keep losing values nobody knowingly overwrote; return how many differ from the value that won."""
    kept = []
    for record, name, hlc, dev, table, value in losers:
        if (record, name, hlc, dev) in replaced:
            continue
        if conn.execute(_SUPERSEDED, {"s_record": record, "s_field": name, "s_hlc": hlc, "s_device": dev}).first():
            continue
        kept.append((record, name, hlc, dev, table, value))
    if not kept:
        return 0
    found_at = _timestamp()
    count = 0
    for record, name, hlc, dev, table, value in kept:
        new = upsert(conn, SyncConflict, [{"record_uuid": record, "field": name, "hlc": hlc, "device": dev,
                                           "table_name": table, "value": value, "found_at": found_at}],
                     ("record_uuid", "field", "hlc", "device"))
        won = winners.get((record, name))
        final = won[3] if won is not None else (current.get((record, name)) or (0, "", None))[2]
        if new and value != final:
            count += 1
    return count


# --------------------------------------------------------------------------- writing records

def materialize(
    conn: Connection, targets: dict[str, str], changed: dict[str, set[str]] | None,
    erased: Iterable[str] = (), held: dict[str, dict[str, str | None]] | None = None,
) -> tuple[Counter[str], int, int]:
    """Write the winning values of *targets* (record -> table) into their tables.

    Existing records get the *changed* fields (all fields when not given); new records are
    inserted once they are complete and everything they point to exists. Returns inserted
    records per table, the number of updated records, and how many records still wait.
    *held* (record -> field -> JSON) gives the ``sync_fields`` values the caller already knows
    (every field of such a record); the other targets' values are read.
    """
    if not targets:
        return Counter(), 0, 0
    erased = set(erased)
    values: dict[str, dict[str, str | None]] = defaultdict(dict)
    unknown = list(targets) if held is None else [record for record in targets if record not in held]
    if held:
        values.update((record, dict(fields)) for record, fields in held.items() if record in targets)
    for record, name, value in _select_in(
        conn, (SyncField.record_uuid, SyncField.field, SyncField.value), SyncField.record_uuid, unknown,
    ):
        values[record][name] = value
    for record, table in targets.items():
        if table in COUNTER_FIELDS and record in values:
            values[record] = fold_counters(table, values[record])  # counters: base + every device's part
    if changed is not None:
        # a counter's part writes the counter; a name without the part mark is never a part (no call needed)
        changed = {record: {(counter_of(targets.get(record, ""), name) or name) if PART_MARK in name else name
                            for name in names}
                   for record, names in changed.items()}
    ids: dict[str, dict[str, int]] = defaultdict(dict)
    server = sqlcompat.is_server(conn)  # SQLite takes the stored form as it is; a server wants typed values
    now: Any = _timestamp() if server else _timestamp().strftime("%Y-%m-%d %H:%M:%S.%f")
    inserted: Counter[str] = Counter()
    updated = 0
    done: list[str] = []
    waiting: list[tuple[str, str]] = []
    for table in TABLE_ORDER:
        records = [record for record, name in targets.items() if name == table]
        if not records:
            continue
        spec = TABLES[table]
        _load_ids(conn, ids, table, records)
        for name, target in spec.foreign.items():
            wanted = {loads(values[r][name]) for r in records if name in values[r]}
            _load_ids(conn, ids, target, [u for u in wanted if u is not None])
        inserts: list[dict[str, Any]] = []
        insert_records: list[str] = []
        updates: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for record in records:
            held = values.get(record, {})
            if record in ids[table]:
                names = (changed.get(record, set()) if changed is not None and record in changed else set(held))
                names = [n for n in spec.fields if n in names and n in held]
                row, ok = _row(spec, held, names, ids, typed=server)
                assigned = [n for n in names if n in row]
                if assigned:
                    updates[tuple(assigned)].append({**{f"v_{n}": row[n] for n in assigned}, "v_now": now,
                                                     "v_uuid": record})
                if ok:
                    done.append(record)
                else:
                    waiting.append((record, table))
                continue
            if "created_at" not in held:
                waiting.append((record, table))
                continue
            row, ok = _row(spec, held, list(spec.fields), ids, complete=True, typed=server)
            if not ok:
                waiting.append((record, table))
                continue
            extra = {"erased": (record in erased) if server else int(record in erased)} \
                if table in PERSONAL_FIELDS else {}
            inserts.append({"uuid": record, "updated_at": now, **extra, **{n: row[n] for n in spec.fields}})
            insert_records.append(record)
        if inserts:
            inserted[table] += _insert(conn, table, inserts, waiting)
            _load_ids(conn, ids, table, insert_records, force=True)
            done.extend(r for r in insert_records if r in ids[table])
        for names, rows in updates.items():
            sqlcompat.run_many(conn, _update_statement(table, names), rows)
            updated += len(rows)
    if done:
        for part in _chunks(done):
            conn.execute(delete(SyncPending).where(SyncPending.record_uuid.in_(part)))
    if waiting:
        sqlcompat.upsert_values(conn, SyncPending.__table__, list(dict(waiting).items()),  # type: ignore[arg-type]
                                ("record_uuid",))
    return inserted, updated, len(waiting)


def _load_ids(conn: Connection, ids: dict[str, dict[str, int]], table: str, uuids: Iterable[str],
              force: bool = False) -> None:
    known = ids[table]
    missing = [u for u in uuids if force or u not in known]
    target = Base.metadata.tables[table]
    for uuid_value, pk in _select_in(conn, (target.c.uuid, target.c.id), target.c.uuid, missing):
        known[uuid_value] = pk


def _row(spec: Any, held: dict[str, str | None], names: list[str], ids: dict[str, dict[str, int]],
         complete: bool = False, typed: bool = True) -> tuple[dict[str, Any], bool]:
    """Database values of *names*; ``ok`` is False when a value is missing or points nowhere (yet)."""
    row: dict[str, Any] = {}
    ok = True
    for name in names:
        text = held.get(name)
        if text is None:
            text = spec.defaults.get(name)
            if text is None:
                ok = False
                continue
        value = loads(text)
        if name in spec.foreign and value is not None:
            pk = ids[spec.foreign[name]].get(value)
            if pk is None:
                ok = False
                continue
            value = pk
        elif typed:
            value = spec.to_python(name, value)
        row[name] = value
    if complete and len(row) < len(names):
        ok = False
    return row, ok


def _insert(conn: Connection, table: str, rows: list[dict[str, Any]], waiting: list[tuple[str, str]]) -> int:
    """Insert new records; a record that collides with a local one (should not happen) waits instead.

    Each attempt runs in a SAVEPOINT: a server aborts the whole transaction after a failed
    statement, and rolling back to the savepoint lets the import go on with the other records.
    """
    statement = _insert_statement(table)
    try:
        with conn.begin_nested():
            sqlcompat.run_many(conn, statement, rows)
        return len(rows)
    except IntegrityError:
        pass
    count = 0
    for row in rows:
        try:
            with conn.begin_nested():
                sqlcompat.run_many(conn, statement, [row])
            count += 1
        except IntegrityError as error:
            log.warning("Datensatz %s in %s wartet: %s", row["uuid"], table,
                        type(getattr(error, "orig", error)).__name__)
            waiting.append((row["uuid"], table))
    return count
