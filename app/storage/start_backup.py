"""The rolling backup at program start, without loading SQLAlchemy (the cold start is measured)."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote

from app import paths
from app.storage import backups

log = logging.getLogger(__name__)

_taken_for: set[Path] = set()


def database_file() -> Path | None:
    """The SQLite file of ``paths.database_url()``, or ``None`` for other databases."""
    url = paths.database_url()
    if not url.startswith("sqlite:///"):
        return None
    name = unquote(url[len("sqlite:///"):].split("?", 1)[0])
    if not name or name == ":memory:":
        return None
    return Path(name).expanduser().resolve()


def take_start_backup() -> backups.BackupInfo | None:
    """Back up the database once per process (keeps the last ten); never raises, logs instead."""
    path = database_file()
    if path is None or path in _taken_for:
        return None
    _taken_for.add(path)
    try:
        return backups.rolling_start_backup(path)
    except (backups.BackupError, OSError) as error:
        log.warning("Start-Sicherung nicht möglich: %s", error)
        return None
