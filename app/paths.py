"""Where Kurslotse keeps its data and finds its bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from app import __app_name__, platform

ENV_DATA_DIR = "KURSLOTSE_DATEN"
ENV_DATABASE_URL = "KURSLOTSE_DATENBANK"

STORE_PYTHON_FOLDER = "Kurslotse-Daten"
DEMO_FOLDER = "demo"
DEMO_MARKER = "DEMO-DATEN.txt"

_data_dir_override: Path | None = None
_demo_mode = False
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
        path = default_data_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_data_dir() -> Path:
    """The per-user data folder; on Windows the local one (``%LOCALAPPDATA%\\Kurslotse``).

    Roaming profiles copy ``AppData\\Roaming`` at every logon and logoff: no place for a database
    and ten backups. Data an older version kept there is moved over once (see :func:`move_data_folder`).
    """
    from platformdirs import user_data_dir

    local = Path(user_data_dir(__app_name__, appauthor=False, roaming=False))
    if platform.is_store_python() and not _has_content(local):
        return Path.home() / STORE_PYTHON_FOLDER  # AppData would vanish with the Store's Python
    if platform.IS_WINDOWS:
        roaming = Path(user_data_dir(__app_name__, appauthor=False, roaming=True))
        if roaming != local and not move_data_folder(roaming, local) and _has_content(roaming):
            return roaming  # not movable now (a file in use): keep working there, try again next start
    return local


def move_data_folder(old: Path, new: Path) -> bool:
    """Move the data folder *old* to *new* in one rename; whether *new* is the place to use now.

    Nothing is overwritten: when *new* already has content it wins and *old* stays as it is. When the
    rename fails (another program holds a file; a second Kurslotse still runs) nothing is copied half.
    """
    if not _has_content(old) or _has_content(new):
        return True
    try:
        if new.exists():
            new.rmdir()
        new.parent.mkdir(parents=True, exist_ok=True)
        platform.replace_file(old, new)
    except OSError:
        return False
    return True


def _has_content(folder: Path) -> bool:
    try:
        return folder.is_dir() and any(folder.iterdir())
    except OSError:
        return False


def network_folder_problem() -> str | None:
    """A German message when the SQLite file would lie on a network share (``\\\\server\\…``, NFS, SMB).

    SQLite's locking does not work reliably over a network: two laptops can damage the file, and
    WAL mode does not work there at all. A PostgreSQL address (``--datenbank``) is fine.
    """
    url = database_url()
    if not url.startswith("sqlite:///"):
        return None
    folder = data_dir() if _demo_mode or not configured_database_url() else None
    if folder is None:
        from urllib.parse import unquote

        folder = Path(unquote(url[len("sqlite:///"):].split("?", 1)[0])).parent
    if not platform.on_network_share(folder):
        return None
    return (f"Der Datenordner {folder} liegt auf einem Netzlaufwerk. Dort kann die Datenbank beschädigt werden "
            "(SQLite ist für Netzwerkfreigaben nicht geeignet). Bitte einen Ordner auf diesem Rechner wählen "
            "(z. B. ohne --daten den Standardordner) oder für mehrere Rechner die Synchronisierung über einen "
            "Ordner bzw. eine PostgreSQL-Datenbank (--datenbank) verwenden.")


def enter_demo() -> Path:
    """Use ``<data dir>/demo`` as data directory for this process: the demo never meets real records."""
    global _demo_mode, _data_dir_override
    if _demo_mode:
        return data_dir()
    folder = demo_dir()
    _data_dir_override = folder
    _demo_mode = True
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def leave_demo(real_data_dir: Path | None) -> None:
    """Back to the real data directory (the GUI's "Demo beenden")."""
    global _demo_mode, _data_dir_override
    _demo_mode = False
    _data_dir_override = real_data_dir


def in_demo() -> bool:
    return _demo_mode


def demo_dir() -> Path:
    """The demo's own data folder inside the real data directory."""
    return data_dir() / DEMO_FOLDER if not _demo_mode else data_dir()


def set_database_url(url: str | None) -> None:
    """Use the SQLAlchemy *url* instead of the SQLite file in the data directory (``--datenbank``)."""
    global _database_url_override
    _database_url_override = url or None


def configured_database_url() -> str | None:
    """The database address given by ``--datenbank`` or ``$KURSLOTSE_DATENBANK``, if any."""
    return _database_url_override or os.environ.get(ENV_DATABASE_URL) or None


def database_url() -> str:
    """SQLAlchemy URL: ``--datenbank``, else ``$KURSLOTSE_DATENBANK``, else SQLite in the data directory.

    In demo mode it is always the demo folder's own SQLite file.
    """
    if not _demo_mode:
        configured = configured_database_url()
        if configured:
            return configured
    return platform.sqlite_url(data_dir() / "kurslotse.sqlite3")


def masked_url(url: str) -> str:
    """*url* with any password replaced by ``***`` – the only form of a database address ever shown or logged.

    Covers ``user:secret@host`` (up to the last ``@`` before the host, so an unencoded ``@`` in the
    password does not leak its tail) and a ``password=`` query parameter.
    """
    import re

    url = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/?#@]*):[^/?#]*@", r"\1:***@", url)
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", url)


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
