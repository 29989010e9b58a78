"""Organisation name and logo for handouts, taken from the attendance settings when they exist."""

from __future__ import annotations

import logging
from pathlib import Path

from app import paths

log = logging.getLogger(__name__)
LOGO_FILE = "logo-fuer-druck.png"


def organisation_for_print() -> tuple[str, Path | None]:
    """(name, logo file) from the settings; ("", None) when no database exists yet or it cannot be read.

    Never creates a database: printing a handout on a fresh laptop must not set anything up.
    """
    from app.storage.start_backup import database_file

    path = database_file()
    if path is None or not path.is_file():
        return "", None
    try:
        from app.services.organisation import get_settings
        from app.storage.database import open_database

        db = open_database(paths.database_url())
        try:
            settings = get_settings(db)
        finally:
            db.close()
    except Exception:  # noqa: BLE001 - a handout must still print with the defaults
        log.exception("Einstellungen der Organisation nicht lesbar; Handout mit Standardangaben")
        return "", None
    logo: Path | None = None
    if settings.logo_png:
        logo = paths.data_dir() / LOGO_FILE
        try:
            if not logo.is_file() or logo.read_bytes() != settings.logo_png:
                logo.write_bytes(settings.logo_png)
        except OSError as error:
            log.warning("Logo für den Druck nicht schreibbar: %s", error)
            logo = None
    return settings.name.strip(), logo
