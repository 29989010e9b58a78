"""What differs when the database is a server (the project office's PostgreSQL) rather than a laptop's file.

Laptops keep SQLite files and copy them for backups; on a server, backups and the WAL archive are
the server's job. Commands and windows ask :func:`is_server_url` and show these texts instead of
copying files.
"""

from __future__ import annotations


def is_server_url(url: str) -> bool:
    """Whether *url* names a database server (PostgreSQL …) rather than a SQLite file on this computer."""
    scheme = url.split(":", 1)[0].strip().lower()
    return bool(scheme) and not scheme.startswith("sqlite")


def uses_server() -> bool:
    """Whether this process works on a database server (``--datenbank``/``$KURSLOTSE_DATENBANK``)."""
    from app import paths

    return is_server_url(paths.database_url())


BACKUPS = (
    "Die Datenbank liegt auf einem Datenbank-Server ({where}). Sicherungen sind dort Aufgabe des Servers "
    "(z. B. pg_dump, WAL-Archiv oder die Sicherung des Rechenzentrums); Kurslotse kopiert keine Dateien. "
    "Zum Wiederherstellen bitte die zuständige IT fragen."
)


def backups_note() -> str:
    """The German note shown where a laptop would list, make or restore backups."""
    from app import paths

    return BACKUPS.format(where=paths.masked_url(paths.database_url()))


ERASURE = (
    "Hinweis Datenbank-Server: In der Datenbank und ihrem Änderungsprotokoll sind die Angaben jetzt entfernt. "
    "Das WAL-Archiv und die Sicherungen des Servers (z. B. pg_dump, Sicherung des Rechenzentrums) enthalten "
    "die alten Angaben aber noch, bis sie nach ihrer Aufbewahrungsfrist ablaufen. Kurslotse kann sie dort "
    "nicht löschen. Bitte die zuständige IT informieren: Wird eine ältere Sicherung zurückgespielt, muss "
    "diese Löschung danach wiederholt werden."
)


def erasure_lines(report, on_server: bool) -> list[str]:
    """The erasure report's lines, plus on a database server what its own archive and backups still keep."""
    lines = list(report.lines())
    if report.erased and on_server:
        lines.append(ERASURE)
    return lines
