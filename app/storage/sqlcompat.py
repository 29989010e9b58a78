"""SQL that differs between SQLite (a trainer's laptop) and a database server (a project office's PostgreSQL).

Everything else in Kurslotse is written once: SQLAlchemy Core statements, or ``text()`` with named
parameters and SQL both databases understand. What cannot be written once lives here: upserts
(each dialect's ``insert().on_conflict_do_*``), the write lock that makes writers take turns, and
the question whether the database is a file on this computer or a server.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Table, text
from sqlalchemy.dialects import postgresql, sqlite

# Any fixed 64-bit number: the key of the PostgreSQL advisory lock every Kurslotse writer takes.
WRITE_LOCK_KEY = 0x4B75_726C_6F74_7365  # "Kurslotse"


def is_server(bind: Connection | Engine) -> bool:
    """True for a database server (PostgreSQL), False for the SQLite file of a laptop."""
    return bind.dialect.name != "sqlite"


def upsert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: Sequence[str],
           update: Sequence[str] | None = None) -> int:
    """Insert *rows*; a row whose *keys* exist already updates the columns *update* (``None``: is skipped).

    Returns how many rows were inserted or updated (skipped rows do not count). Many rows of plain
    values (text and numbers, every column given: the change log) go to the driver in one batch
    with the statement SQLAlchemy compiled once for this dialect; that is what keeps a sync import
    of 100 000 operations fast.
    """
    if not rows:
        return 0
    statement = _upsert_statement(conn.dialect.name, table, tuple(keys), tuple(update or ()))
    names = tuple(rows[0])
    if len(rows) > 1 and names == tuple(table.columns.keys()) \
            and all(isinstance(value, (str, int, type(None))) for value in rows[0].values()):
        compiled = _compiled(statement, conn.dialect, names)
        if compiled.positional:
            order = compiled.positiontup or ()
            params: list[Any] = [tuple(row[name] for name in order) for row in rows]
        else:
            params = [dict(row) for row in rows]
        result = conn.exec_driver_sql(compiled.string, params)
    else:
        result = conn.execute(statement, [dict(row) for row in rows] if len(rows) > 1 else dict(rows[0]))
    return max(result.rowcount, 0)


def upsert_values(conn: Connection, table: Table, rows: Sequence[tuple[Any, ...]], keys: Sequence[str],
                  update: Sequence[str] | None = None) -> int:
    """:func:`upsert` for rows given as tuples of every column in table order (plain text and numbers)."""
    if not rows:
        return 0
    names = tuple(table.columns.keys())
    compiled = _compiled(_upsert_statement(conn.dialect.name, table, tuple(keys), tuple(update or ())),
                         conn.dialect, names)
    if compiled.positional and tuple(compiled.positiontup or ()) == names:
        params: list[Any] = rows if isinstance(rows, list) else list(rows)
    elif compiled.positional:
        order = [names.index(name) for name in compiled.positiontup or ()]
        params = [tuple(row[i] for i in order) for row in rows]
    else:
        params = [dict(zip(names, row, strict=True)) for row in rows]
    return max(conn.exec_driver_sql(compiled.string, params).rowcount, 0)


@functools.lru_cache(maxsize=64)
def _upsert_statement(dialect: str, table: Table, keys: tuple[str, ...], update: tuple[str, ...]) -> Any:
    if dialect == "sqlite":
        statement = sqlite.insert(table)
    elif dialect == "postgresql":
        statement = postgresql.insert(table)
    else:
        raise ValueError(f"Datenbank-Art »{dialect}« wird nicht unterstützt (SQLite oder PostgreSQL)")
    if update:
        return statement.on_conflict_do_update(
            index_elements=list(keys), set_={name: statement.excluded[name] for name in update})
    return statement.on_conflict_do_nothing(index_elements=list(keys))


def run_many(conn: Connection, statement: Any, rows: Sequence[Mapping[str, Any]]) -> int:
    """Execute a Core INSERT/UPDATE for many rows of ready values (no per-row type conversion).

    *statement* must be a long-lived object (built once, e.g. by a cached function). The values
    must already be what the driver takes: on SQLite the stored form (ISO text, 0/1), on a server
    Python dates and booleans. Returns the driver's row count.
    """
    if not rows:
        return 0
    compiled = _compiled(statement, conn.dialect, tuple(rows[0]))
    if compiled.positional:
        order = tuple(compiled.positiontup or ())
        params: list[Any] = [tuple(row[name] for name in order) for row in rows]
    else:
        params = [dict(row) for row in rows]
    return max(conn.exec_driver_sql(compiled.string, params).rowcount, 0)


def fetch_in(conn: Connection, table: str, columns: Sequence[str], key: str,
             keys: Sequence[Any], chunk: int = 900) -> list[tuple[Any, ...]]:
    """``SELECT columns FROM table WHERE key IN keys`` in chunks, as plain tuples from the driver.

    The hot read of a sync import (hundreds of thousands of rows): the same SQL on both databases,
    only the driver's placeholder differs. *table*, *columns* and *key* are names from the models.
    Call it inside the caller's transaction (the cursor reads in it; it never begins one itself).
    """
    if not conn.in_transaction():
        raise RuntimeError("fetch_in braucht eine laufende Transaktion")
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    found: list[tuple[Any, ...]] = []
    cursor = conn.connection.cursor()
    try:
        for start in range(0, len(keys), chunk):
            part = tuple(keys[start:start + chunk])
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} "  # noqa: S608 - names from the models
                           f"WHERE {key} IN ({', '.join([marker] * len(part))})", part)
            found.extend(tuple(row) for row in cursor.fetchall())
    finally:
        cursor.close()
    return found


_COMPILED: dict[tuple[int, str, tuple[str, ...]], Any] = {}


def _compiled(statement: Any, dialect: Any, names: tuple[str, ...]) -> Any:
    key = (id(statement), dialect.name, names)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = statement.compile(dialect=dialect, column_keys=list(names))
    return found


def take_write_lock(conn: Connection) -> None:
    """On a server: wait until no other Kurslotse writer is inside its transaction (held until commit).

    SQLite gets the same effect from BEGIN IMMEDIATE. Writers taking turns means a value read in a
    writing transaction cannot be overwritten by another office user before this one commits (no
    lost updates), and an import of a sync file sees every earlier import complete.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
