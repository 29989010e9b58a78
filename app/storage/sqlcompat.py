"""SQL that differs between SQLite (a trainer's laptop) and a database server (a project office's PostgreSQL).

Everything else in Kurslotse is written once: SQLAlchemy Core statements, or ``text()`` with named
parameters and SQL both databases understand. What cannot be written once lives here: upserts
(each dialect's ``insert().on_conflict_do_*``), the write lock that makes writers take turns, and
the question whether the database is a file on this computer or a server.
"""

from __future__ import annotations

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

    Returns how many rows were inserted or updated (skipped rows do not count).
    """
    if not rows:
        return 0
    dialect = conn.dialect.name
    if dialect == "sqlite":
        statement = sqlite.insert(table)
    elif dialect == "postgresql":
        statement = postgresql.insert(table)
    else:
        raise ValueError(f"Datenbank-Art »{dialect}« wird nicht unterstützt (SQLite oder PostgreSQL)")
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={name: statement.excluded[name] for name in update})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    result = conn.execute(statement, [dict(row) for row in rows] if len(rows) > 1 else dict(rows[0]))
    return max(result.rowcount, 0)


def take_write_lock(conn: Connection) -> None:
    """On a server: wait until no other Kurslotse writer is inside its transaction (held until commit).

    SQLite gets the same effect from BEGIN IMMEDIATE. Writers taking turns means a value read in a
    writing transaction cannot be overwritten by another office user before this one commits (no
    lost updates), and an import of a sync file sees every earlier import complete.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
