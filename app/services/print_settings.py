"""Organisation name and logo for handouts, read straight from the SQLite file.

Printing a handout is measured as a whole command (target ≤ 0.4 s), and importing SQLAlchemy
alone costs more than the rest of the letterhead. So the one row the page header needs is read
with the standard library's ``sqlite3``, read-only: nothing is created, migrated or locked for
writing, and every change (settings dialog, demo, sync) is seen on the next handout because
there is no second copy to keep up to date. Other databases (``--datenbank`` with a server
address) still go through the ORM.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from app import paths

log = logging.getLogger(__name__)
LOGO_FILE = "logo-fuer-druck.png"
# The same row get_settings() reads: the first organisation that is not deleted.
ORGANISATION_QUERY = "SELECT name, logo_png FROM organisation WHERE deleted = 0 ORDER BY id LIMIT 1"


def organisation_for_print() -> tuple[str, Path | None]:
    """(name, logo file) from the settings; ("", None) when no database exists yet or it cannot be read.

    Never creates a database: printing a handout on a fresh laptop must not set anything up.
    """
    from app.storage.start_backup import database_file

    path = database_file()
    try:
        if path is not None:
            if not path.is_file():
                return "", None
            name, logo_png = _read_sqlite(path)
        elif paths.database_url().startswith("sqlite"):
            return "", None  # an in-memory database has no settings worth printing
        else:
            name, logo_png = _read_with_orm()
    except Exception:  # a handout must still print with the defaults
        log.exception("Einstellungen der Organisation nicht lesbar; Handout mit Standardangaben")
        return "", None
    return name, _logo_file(logo_png)


def _read_sqlite(path: Path) -> tuple[str, bytes | None]:
    """The organisation row of the SQLite file at *path*, opened read-only (WAL readers do not block)."""
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        try:
            row = conn.execute(ORGANISATION_QUERY).fetchone()
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):  # an empty file: nothing set up yet
                return "", None
            raise
    finally:
        conn.close()
    if row is None:
        return "", None
    name, logo_png = row
    return str(name or "").strip(), bytes(logo_png) if logo_png else None


def _read_with_orm() -> tuple[str, bytes | None]:
    from app.services.organisation import get_settings
    from app.storage.database import open_database

    db = open_database(paths.database_url())
    try:
        settings = get_settings(db)
    finally:
        db.close()
    return settings.name.strip(), settings.logo_png


def _logo_file(logo_png: bytes | None) -> Path | None:
    """The logo as a file beside the database (rewritten only when it changed), or None."""
    if not logo_png:
        return None
    logo = paths.data_dir() / LOGO_FILE
    try:
        if not logo.is_file() or logo.read_bytes() != logo_png:
            from app.atomic_write import write_bytes_atomically

            write_bytes_atomically(logo, logo_png)
    except OSError as error:
        log.warning("Logo für den Druck nicht schreibbar: %s", error)
        return None
    return logo
