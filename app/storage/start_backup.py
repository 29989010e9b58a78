"""The rolling backup at program start, without loading SQLAlchemy (the cold start is measured)."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote

from app import paths
from app.storage import backups

log = logging.getLogger(__name__)

_taken_for: set[Path] = set()
_damaged = backups.DAMAGE_FOUND  # filled when a start backup finds the file damaged


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
    except backups.DamagedDatabase:
        # No copy was made, so ten starts with a damaged file never push out the good backups.
        _damaged[path] = backups.start_problem(path) or backups.StartProblem(
            f"Die Datenbank {path} ist beschädigt.", backups.newest_good_backup(path))
        log.error("Start-Sicherung: Datenbank beschädigt, keine Sicherung angelegt")
        return None
    except (backups.BackupError, OSError) as error:
        log.warning("Start-Sicherung nicht möglich: %s", error)
        return None


def damage_found(path: Path | None = None) -> backups.StartProblem | None:
    """The damage the start backup found (``None``: none, or no start backup taken yet).

    For the main window: after :func:`take_start_backup`, show ``problem.lines()`` and offer to
    restore ``problem.backup`` (``app.services.context.restore``).
    """
    path = path or database_file()
    return _damaged.get(path) if path is not None else None
