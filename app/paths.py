"""Where Kurslotse keeps its data and finds its bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app import __app_name__

ENV_DATA_DIR = "KURSLOTSE_DATEN"
ENV_DATABASE_URL = "KURSLOTSE_DATENBANK"

_data_dir_override: Path | None = None
_database_url_override: str | None = None


def set_data_dir(path: str | os.PathLike[str] | None) -> None:
    """Use *path* as data directory for this process (``--daten``)."""
    global _data_dir_override
    _data_dir_override = Path(path).expanduser().resolve() if path else None


def data_dir() -> Path:
    """The data directory: ``--daten``, else ``$KURSLOTSE_DATEN``, else the platform default.

    The folder is created on first use.
    """
    if _data_dir_override is not None:
        path = _data_dir_override
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR]).expanduser().resolve()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(__app_name__, appauthor=False, roaming=True))
    path.mkdir(parents=True, exist_ok=True)
    return path


def set_database_url(url: str | None) -> None:
    """Use the SQLAlchemy *url* instead of the SQLite file in the data directory (``--datenbank``)."""
    global _database_url_override
    _database_url_override = url or None


def database_url() -> str:
    """SQLAlchemy URL: ``--datenbank``, else ``$KURSLOTSE_DATENBANK``, else SQLite in the data directory."""
    if _database_url_override:
        return _database_url_override
    if os.environ.get(ENV_DATABASE_URL):
        return os.environ[ENV_DATABASE_URL]
    return f"sqlite:///{data_dir() / 'kurslotse.sqlite3'}"


def log_file() -> Path:
    return data_dir() / "kurslotse.log"


def install_root() -> Path:
    """The folder holding ``ressourcen/`` and ``lektionen/`` (source tree or bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource(*parts: str) -> Path:
    """Path of a bundled file below ``ressourcen/``."""
    return install_root().joinpath("ressourcen", *parts)


def shipped_lessons_dir() -> Path:
    return install_root() / "lektionen"
