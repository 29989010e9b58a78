"""Open the Kurslotse database: SQLite pragmas, version check, migrations, start backup."""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.paths import masked_url
from app.platform import venv_program
from app.storage import backups, changelog, device, migrations, sqlcompat
from app.storage.models import SCHEMA_VERSION, TABLE_SCHEMA_INFO

log = logging.getLogger(__name__)
WRITE_OPTION = "kurslotse_write"


class DatabaseError(Exception):
    """The database cannot be used; the message is German and says what to do."""


class DamagedDatabaseError(DatabaseError):
    """The file is damaged (quick_check); ``problem.backup`` is the newest good backup to offer."""

    def __init__(self, message: str, problem: backups.StartProblem) -> None:
        super().__init__(message)
        self.problem = problem


class NewerSchemaError(DatabaseError):
    """The file was written by a newer Kurslotse; it is refused and left untouched."""


@dataclass
class Database:
    """An open database: engine, session factory and (for SQLite files) the file path."""

    url: str = field(repr=False)  # may hold a server password: never in a repr or log line
    engine: Engine
    path: Path | None
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        changelog.install(self.sessions)  # every change to synced records becomes operations

    @property
    def dialect_name(self) -> str:
        """``sqlite`` (a laptop's file) or ``postgresql`` (a project office's server)."""
        return self.engine.dialect.name

    @property
    def is_server(self) -> bool:
        """A database server: no file here, so no file backups, WAL checkpoints or file locks.

        Backups, point-in-time recovery and the write-ahead log are the server's own business.
        """
        return sqlcompat.is_server(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing session, committed at the end of the block or rolled back on error.

        On SQLite it starts with BEGIN IMMEDIATE: a second writer (another thread, e.g. a sync
        import) waits for the lock instead of failing half-way with »database is locked«. On a
        server the transaction takes the Kurslotse write lock first (``sqlcompat.take_write_lock``):
        office users' writes take turns the same way, so none overwrites what another just saved.
        """
        with _german_errors(self.path), self.sessions() as session, session.begin():
            session.connection(execution_options={WRITE_OPTION: True})
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A Core connection in a writing transaction (BEGIN IMMEDIATE), committed at the end of the block.

        For bulk work without the ORM (the sync import): changes made here record no operations.
        """
        with _german_errors(self.path), self.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                yield conn

    def close(self) -> None:
        self.engine.dispose()


def explain_sqlite_error(error: BaseException, path: Path | None) -> str | None:
    """German text for what went wrong with the file (read-only, disk full, locked, WAL gone, I/O).

    ``None`` if the error is none of these (then it is a program error, logged as such).
    """
    text = str(getattr(error, "orig", error)).lower()
    where = f"Die Datenbank {path}" if path is not None else "Die Datenbank"
    if "readonly" in text or "read-only" in text:
        return (f"{where} ist schreibgeschützt (die Datei oder ihr Ordner darf nicht beschrieben werden). "
                "Es wurde nichts gespeichert. Bitte die Schreibrechte prüfen oder Kurslotse einen anderen "
                "Datenordner geben (--daten).")
    if "disk is full" in text or "database or disk is full" in text:
        return (f"Der Datenträger von {path or 'der Datenbank'} ist voll. Es wurde nichts gespeichert; die bisher "
                "gespeicherten Daten sind unverändert. Bitte Platz schaffen (z. B. alte Dateien löschen) und es "
                "noch einmal versuchen.")
    if "locked" in text or "busy" in text:
        return (f"{where} wird gerade von einem anderen Kurslotse-Fenster oder Programm benutzt und ist gesperrt. "
                "Es wurde nichts gespeichert. Bitte kurz warten oder das andere Fenster schließen und es noch "
                "einmal versuchen.")
    if "disk i/o error" in text:
        wal = path.with_name(path.name + "-wal") if path is not None else None
        if wal is not None and path is not None and path.with_name(path.name + "-shm").exists() \
                and (not wal.exists() or wal.stat().st_size == 0):
            return (f"{where} ist unvollständig: Ihre Begleitdatei »{path.name}-wal« fehlt (gelöscht, während "
                    "Kurslotse lief?). Bitte alle Kurslotse-Fenster schließen und neu starten; fehlen danach "
                    "Einträge, hilft die neueste Sicherung (kurslotse sicherungen).")
        return (f"Beim Lesen oder Schreiben von {path or 'der Datenbank'} meldet der Datenträger einen Fehler "
                "(USB-Stick abgezogen oder Datenträger defekt?). Es wurde nichts gespeichert.")
    if "unable to open" in text:
        return (f"{where} lässt sich nicht öffnen: Der Ordner fehlt oder darf nicht beschrieben werden. "
                "Bitte den Datenordner prüfen.")
    if "malformed" in text or "not a database" in text:
        return (f"{where} ist beschädigt. Bitte eine Sicherung wiederherstellen (kurslotse sicherungen); "
                "die neueste unbeschädigte nennt »kurslotse sicherungen --pruefen«.")
    return None


@contextmanager
def _german_errors(path: Path | None) -> Iterator[None]:
    """Turn file-system trouble during a write into DatabaseError with a German message."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    try:
        yield
    except (OperationalError, InterfaceError) as error:
        message = explain_sqlite_error(error, path) if path is not None or _is_sqlite_error(error) \
            else explain_server_error(error)
        if message is None:
            raise
        log.warning("Schreiben in die Datenbank fehlgeschlagen: %s", type(getattr(error, "orig", error)).__name__)
        raise DatabaseError(message) from error


def _is_sqlite_error(error: BaseException) -> bool:
    return isinstance(getattr(error, "orig", error), sqlite3.Error)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, ``None`` for in-memory or other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def _configure_server(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        if conn.get_execution_options().get(WRITE_OPTION):
            # READ COMMITTED (the server's default): after the lock, every read sees the last commit.
            sqlcompat.take_write_lock(conn)
        else:
            # A reading transaction (a report's several queries) sees one consistent state, as a
            # SQLite read transaction does, even while an import commits next to it.
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def explain_server_error(error: BaseException) -> str | None:
    """German text for a server connection that failed or broke off (``None``: something else)."""
    text = str(getattr(error, "orig", error)).lower()
    if any(sign in text for sign in ("server closed the connection", "terminating connection", "connection refused",
                                     "could not connect", "connection is closed", "consuming input failed",
                                     "connection failed",  # psycopg 3: a new connection was refused
                                     "connection timeout", "the connection is lost", "ssl syscall error")):
        return ("Die Verbindung zum Datenbank-Server ist abgebrochen. Was gerade gespeichert werden sollte, wurde "
                "vollständig zurückgenommen (nichts ist halb übernommen). Bitte prüfen, ob der Server läuft, und "
                "es noch einmal versuchen.")
    if "read-only transaction" in text or "permission denied" in text:
        return ("Der Datenbank-Server erlaubt diesem Benutzer das Schreiben nicht. Es wurde nichts gespeichert. "
                "Bitte die Rechte des Datenbank-Benutzers prüfen lassen.")
    return None


def _switch_to_wal(cursor: sqlite3.Cursor, patience: float = 10.0) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another process holds the file.

    Switching a new file to WAL upgrades a read lock to a write lock; SQLite answers »database is
    locked« at once instead of waiting (its busy handler is skipped to avoid a deadlock) when a
    second process starting at the same moment holds the other lock. So wait here, briefly.
    """
    deadline = time.monotonic() + patience
    pause = 0.01
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            text = str(error).lower()
            if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                raise
        time.sleep(pause + random.uniform(0, pause))
        pause = min(pause * 2, 0.2)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so DDL in migrations is transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching a new file to WAL needs a lock another process may hold.
        cursor.execute("PRAGMA busy_timeout=5000")
        _switch_to_wal(cursor)
        # FULL: a commit is on disk before the tap is confirmed, even if the laptop loses power.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "BEGIN")


def inspect_sqlite_file(path: Path) -> int | None:
    """Read the schema version without changing a byte; raise DatabaseError for foreign files."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with open(path, "rb") as handle:
            header = handle.read(16)
    except OSError as error:
        raise DatabaseError(f"Die Datenbank {path} kann nicht gelesen werden: {error}") from error
    if header != b"SQLite format 3\x00":
        raise DatabaseError(
            f"Die Datei {path} ist keine Kurslotse-Datenbank (keine SQLite-Datei). Sie wurde nicht verändert."
        )
    # Without a pending WAL file, open as immutable: even the -shm/-wal side files are not created.
    wal = path.with_name(path.name + "-wal")
    try:
        conn = backups.connect_read_only(path, immutable=not wal.exists())
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return None
            if TABLE_SCHEMA_INFO not in tables:
                raise DatabaseError(
                    f"Die Datei {path} ist keine Kurslotse-Datenbank (es fehlt die Versionstabelle). "
                    "Sie wurde nicht verändert."
                )
            row = conn.execute(f"SELECT version FROM {TABLE_SCHEMA_INFO} WHERE id = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:
        message = explain_sqlite_error(error, path)
        raise DatabaseError(message or f"Die Datenbank {path} kann nicht gelesen werden ({error}).") from error
    return int(row[0]) if row else None


def refuse_newer(version: int | None, where: str) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"Die Datenbank {where} stammt aus einer neueren Kurslotse-Version "
            f"(Datenbank-Version {version}, dieses Programm kennt bis Version {SCHEMA_VERSION}). "
            "Bitte Kurslotse aktualisieren. Die Datenbank wurde nicht verändert."
        )


def _plain_reason(error: SQLAlchemyError) -> str:
    """A short German reason instead of the driver's English text (which may quote SQL and addresses)."""
    text = str(getattr(error, "orig", error)).lower()
    if "password" in text or "authentication" in text:
        return "Anmeldung abgelehnt: Benutzername oder Passwort stimmen nicht"
    if "could not connect" in text or "connection refused" in text or "could not translate host" in text:
        return "der Datenbank-Server ist nicht erreichbar"
    if "does not exist" in text:
        return "die Datenbank gibt es auf dem Server nicht"
    if "locked" in text:
        return "sie wird gerade von einem anderen Programm benutzt"
    if "readonly" in text or "read-only" in text:
        return "sie ist schreibgeschützt"
    if "unable to open" in text:
        return "die Datei lässt sich nicht öffnen"
    return "Einzelheiten stehen in der Protokolldatei"


def open_database(url: str, *, start_backup: bool = False) -> Database:
    """Open (and create or migrate) the database at *url*; optionally take the rolling start backup."""
    path = sqlite_path(url)
    if path is not None:
        version = inspect_sqlite_file(path)
        refuse_newer(version, str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        if start_backup and version is not None:
            from app.storage.start_backup import _damaged, _taken_for

            try:
                if path not in _taken_for:  # the program may have taken it already at start
                    backups.rolling_start_backup(path)
            except backups.DamagedDatabase:
                _damaged[path] = backups.start_problem(path) or backups.StartProblem(
                    f"Die Datenbank {path} ist beschädigt.", backups.newest_good_backup(path))
            except backups.BackupError as error:
                log.warning("Start-Sicherung nicht möglich: %s", error)
            if path in _damaged:
                raise DamagedDatabaseError(" ".join(_damaged[path].lines()), _damaged[path])
    try:
        server = make_url(url).get_backend_name() != "sqlite"
        # A server connection may have been closed by the server or a firewall since it was pooled.
        engine = create_engine(url, hide_parameters=True, pool_pre_ping=server)
    except ImportError as error:  # the dialect's driver (e.g. psycopg) is not installed
        raise DatabaseError(
            f"Für die Datenbank {masked_url(url)} fehlt der Treiber »{error.name or error}«. "
            f'Für PostgreSQL bitte im Ordner von Kurslotse ausführen:  {venv_program(Path(".venv"), "pip")} '
            'install -e ".[postgres]"'
        ) from None
    except (SQLAlchemyError, ValueError):
        raise DatabaseError(f"»{masked_url(url)}« ist keine gültige Datenbank-Adresse.") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    else:
        _configure_server(engine)
    try:
        with engine.connect() as conn:
            version = migrations.read_version(conn)
        refuse_newer(version, url if path is None else str(path))
        if version is None:
            # BEGIN IMMEDIATE around the check and the creation: two processes starting on a new,
            # empty folder wait for each other instead of one failing with »database is locked«.
            with engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    if migrations.read_version(conn) is None:
                        migrations.create_in(conn)
        elif version < SCHEMA_VERSION:
            migrations.upgrade(engine, path, version, SCHEMA_VERSION)
        with engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                device.ensure_identity(conn, path)  # a copied file gets a new device id before any change
    except (SQLAlchemyError, migrations.MigrationError, backups.BackupError) as error:
        engine.dispose()
        if isinstance(error, SQLAlchemyError):
            log.warning("Datenbank %s lässt sich nicht öffnen: %s", path or masked_url(url), type(error).__name__)
            explained = explain_sqlite_error(error, path) if path is not None else None
            raise DatabaseError(explained or f"Die Datenbank {path or masked_url(url)} kann nicht geöffnet werden "
                                f"({_plain_reason(error)}).") from error
        raise DatabaseError(str(error)) from error
    except DatabaseError:
        engine.dispose()
        raise
    return Database(url=url, engine=engine, path=path)


def integrity_ok(db: Database) -> bool:
    """``PRAGMA integrity_check`` says ok (always true for non-SQLite databases)."""
    if db.engine.dialect.name != "sqlite":
        return True
    with db.engine.connect() as conn:
        return conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
