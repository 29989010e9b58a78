"""A throwaway PostgreSQL server for the tests (the cluster itself: :mod:`app.bench.pg_cluster`).

The login needs a password (scram-sha-256 on TCP), so tests can check that no message shows it.
fsync is off: the tests check behaviour, not durability. ``KURSLOTSE_TEST_PG_URL`` points the tests
at an existing server instead (a SQLAlchemy URL to a database whose user may create databases).
"""

from __future__ import annotations

import os

from app.bench.pg_cluster import PgServer, why_unavailable
from app.bench.pg_cluster import start_throwaway as _start_cluster

__all__ = ["PgServer", "from_environment", "start_throwaway", "why_unavailable"]

TEST_USER = "kurslotse_test"


def start_throwaway() -> PgServer:
    return _start_cluster(TEST_USER, durable=False)


def from_environment() -> PgServer | None:
    url = os.environ.get("KURSLOTSE_TEST_PG_URL", "").strip()
    return PgServer(admin_url=url) if url else None
