"""The database on a bad day: German messages for read-only, full disk, locked and missing WAL; the
first-start race; no personal data in the log even when writes fail."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest
from sqlalchemy import event

from app import logsetup, paths
from app.domain.attendance import ConsentKind, ParticipantInput
from app.services import people
from app.storage.database import DatabaseError, explain_sqlite_error, open_database
from app.storage.models import SCHEMA_VERSION
from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS, no_leaked_listeners  # noqa: F401

NAME, PHONE, EMAIL = "Zenzi Quastenbrück", "06381 777123", "zenzi.q@example.org"


def _new(path: Path):
    return open_database(f"sqlite:///{path}")


def test_full_disk_gives_a_german_message_and_changes_nothing(tmp_path):
    path = tmp_path / "kurslotse.sqlite3"
    db = _new(path)
    try:
        people.create_participant(db, ParticipantInput(name="Anna Müller"))
        pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
        db.engine.dispose()
        event.listen(db.engine, "connect", lambda conn, _rec: conn.execute(f"PRAGMA max_page_count={pages + 1}"))
        with pytest.raises(DatabaseError) as full:
            people.create_participant(db, ParticipantInput(name=NAME, note="Notiz " * 20_000))
        assert "ist voll" in str(full.value) and "nichts gespeichert" in str(full.value)
        assert [p.name for p in people.known_people(db)] == ["Anna Müller"]
    finally:
        db.close()


def test_read_only_locked_and_io_errors_are_explained_in_german(tmp_path):
    path = tmp_path / "kurslotse.sqlite3"
    _new(path).close()
    ro = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as readonly:
        ro.execute("CREATE TABLE t (x)")
    ro.close()
    assert "schreibgeschützt" in explain_sqlite_error(readonly.value, path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as locked:
        other.execute("BEGIN IMMEDIATE")
    holder.execute("ROLLBACK")
    holder.close()
    other.close()
    assert "von einem anderen Kurslotse-Fenster oder Programm benutzt" in explain_sqlite_error(locked.value, path)
    assert explain_sqlite_error(ValueError("etwas anderes"), path) is None


def test_deleted_wal_is_named(tmp_path):
    path = tmp_path / "kurslotse.sqlite3"
    _new(path).close()
    keeper = sqlite3.connect(path)
    keeper.execute("PRAGMA wal_autocheckpoint=0")
    keeper.execute("CREATE TABLE notiz (x)")
    keeper.execute("INSERT INTO notiz VALUES (1)")
    keeper.commit()
    os.unlink(path.with_name(path.name + "-wal"))
    try:
        with pytest.raises(DatabaseError) as broken:
            _new(path)
    finally:
        keeper.close()
    assert "Begleitdatei »kurslotse.sqlite3-wal« fehlt" in str(broken.value)


_OPEN_WHEN_TOLD = """
import os, sys, time
from pathlib import Path
from app.storage.database import open_database
go = Path(sys.argv[2])
(go.parent / f"bereit-{os.getpid()}").touch()
while not go.exists():
    time.sleep(0.005)
db = open_database("sqlite:///" + sys.argv[1])
with db.engine.connect() as conn:
    print(conn.exec_driver_sql("SELECT version FROM schema_info").scalar())
db.close()
"""


class _ForkedChild:
    """One process forked from this one running _OPEN_WHEN_TOLD (no interpreter start: 12 of those took
    5 s), with the part of subprocess.Popen's interface the race test uses."""

    def __init__(self, database: Path, go: Path) -> None:
        read_end, write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: the same steps as _OPEN_WHEN_TOLD, the answer through the pipe
            code = 1
            try:
                os.close(read_end)
                (go.parent / f"bereit-{os.getpid()}").touch()
                while not go.exists():
                    time.sleep(0.005)
                db = open_database("sqlite:///" + str(database))
                with db.engine.connect() as conn:
                    answer = str(conn.exec_driver_sql("SELECT version FROM schema_info").scalar())
                db.close()
                os.write(write_end, f"{answer}\n".encode())
                code = 0
            except BaseException:  # noqa: BLE001 - report, never return into pytest
                os.write(write_end, traceback.format_exc().encode()[-2000:])
            finally:
                os._exit(code)
        os.close(write_end)
        self._pipe = os.fdopen(read_end, "rb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def communicate(self, timeout: float = 120) -> tuple[str, str]:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            assert time.monotonic() < deadline, "Kindprozess hängt"
            time.sleep(0.005)
        text = self._pipe.read().decode(errors="replace")
        self._pipe.close()
        return (text, "") if self.returncode == 0 else ("", text)


def test_processes_starting_together_on_a_new_folder_all_succeed(tmp_path):
    from sqlalchemy import create_engine  # noqa: F401 - warm the import cache for the children

    for round_number in range(4):
        folder = tmp_path / f"runde{round_number}"
        folder.mkdir()
        go = folder / "los"
        if hasattr(os, "fork"):  # separate processes, each opening the file itself, as programs do
            children = [_ForkedChild(folder / "kurslotse.sqlite3", go) for _child in range(3)]
        else:
            children = [subprocess.Popen(
                [sys.executable, "-c", _OPEN_WHEN_TOLD, str(folder / "kurslotse.sqlite3"), str(go)],
                cwd=str(PROJECT_ROOT_FOR_SUBPROCESS), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ) for _child in range(3)]
        waited = time.monotonic()
        while len(list(folder.glob("bereit-*"))) < 3:  # all three wait for the signal, imports done
            assert time.monotonic() - waited < 120, "Kindprozesse nicht bereit"
            assert all(child.poll() is None for child in children), [c.communicate() for c in children]
            time.sleep(0.01)
        go.touch()
        for child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            assert out.strip() == str(SCHEMA_VERSION), out


def test_switching_to_wal_waits_for_a_process_holding_the_write_lock(tmp_path):
    # SQLite refuses »PRAGMA journal_mode=WAL« at once (no busy wait) while another connection holds a
    # write lock on a file still in rollback mode: a second Kurslotse starting at that moment must wait.
    path = tmp_path / "kurslotse.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE platzhalter (x)")
    release = threading.Timer(0.4, lambda: holder.execute("ROLLBACK"))
    release.start()
    started = time.monotonic()
    try:
        db = open_database("sqlite:///" + str(path))
    finally:
        release.join()
        holder.close()
    try:
        assert time.monotonic() - started >= 0.35  # it really waited for the holder
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("SELECT version FROM schema_info").scalar() == SCHEMA_VERSION
    finally:
        db.close()


def test_failing_writes_with_personal_data_leave_none_in_the_log(data_dir):
    logsetup.setup_logging()
    log = logging.getLogger("app.test")
    db = open_database(paths.database_url())
    try:
        people.create_participant(db, ParticipantInput(name="Anna Müller"))
        with db.engine.begin() as conn:  # every insert of a person fails, as a broken disk or a bug would make it
            conn.exec_driver_sql("CREATE TRIGGER kaputt BEFORE INSERT ON participants "
                                 "BEGIN SELECT RAISE(ABORT, 'Schreibfehler'); END")
        for attempt in range(2):
            try:
                people.create_participant(db, ParticipantInput(name=NAME, phone=PHONE, email=EMAIL,
                                                               note="wohnt Hauptstraße 3"),
                                          new_consents=[(ConsentKind.DATA_STORAGE, dt.date(2026, 1, 5), "2024-1")])
            except Exception as error:
                if attempt == 0:
                    log.exception("Unerwarteter Fehler beim Speichern")
                else:
                    log.error("Unerwarteter Fehler:\n%s", "".join(traceback.format_exception(error)))
        log.warning("Rückruf unter %s oder an %s erbeten", PHONE, EMAIL)  # a careless message
    finally:
        db.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = paths.log_file().read_text(encoding="utf-8")
    assert "Schreibfehler" in text and "Unerwarteter Fehler" in text  # the failures are logged …
    for needle in ("Quastenbr", "777123", "zenzi.q", "Hauptstraße"):
        assert needle not in text, needle  # … without the person's data
