"""Backups and restores wait out a Windows file lock (virus scanner, indexer) and never end in a traceback.

No Windows machine is available: the platform switch is set for the test and the lock is injected
as the PermissionError Windows raises for a sharing violation (``winerror`` 32).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from PySide6.QtWidgets import QWidget

from app import platform
from app.storage import backups, start_backup
from app.ui import start_checks
from tests.attendance_fixtures import no_leaked_listeners  # noqa: F401
from tests.test_backup_verified import _corrupt_courses_page, _fill
from tests.test_platform import _sharing_violation, windows  # noqa: F401, F811 - the simulated Windows
from tests.test_start_checks import _answer

REAL_REPLACE = os.replace
REAL_UNLINK = os.unlink


def _courses(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM courses").fetchone()[0]
    finally:
        conn.close()


def test_start_backup_waits_while_a_scanner_holds_the_new_copy(windows, data_dir, monkeypatch):
    path = data_dir / "kurslotse.sqlite3"
    _fill(path, 7)
    locks = [_sharing_violation(), _sharing_violation(), _sharing_violation()]

    def scanned(source, destination):
        if locks:
            raise locks.pop()
        REAL_REPLACE(source, destination)

    monkeypatch.setattr(platform.os, "replace", scanned)
    start_backup._taken_for.discard(path)
    info = start_backup.take_start_backup()
    assert locks == [] and info is not None and info.verified
    assert _courses(info.path) == 7
    assert backups.leftover_temp_files(path) == []  # the temporary copy was renamed, not left behind


def test_an_old_backup_held_open_does_not_stop_the_start_backup(windows, data_dir, monkeypatch):
    path = data_dir / "kurslotse.sqlite3"
    _fill(path, 3)
    start = dt.datetime(2026, 3, 2, 9, 0)
    for number in range(10):
        backups.create_backup(path, "start", start + dt.timedelta(minutes=number))
    oldest = backups.list_backups(path)[-1].path

    def held(name):
        if os.fspath(name) == os.fspath(oldest):
            raise _sharing_violation()
        REAL_UNLINK(name)

    monkeypatch.setattr(platform.os, "unlink", held)
    info = backups.rolling_start_backup(path)
    assert info is not None and info.path.exists()
    kept = backups.list_backups(path)
    assert len(kept) == 11 and oldest in [b.path for b in kept]  # next start tries again


def test_restore_that_cannot_set_the_damaged_file_aside_says_so_in_german(windows, qtbot, data_dir, monkeypatch):
    """The start check's one-click restore: a lasting lock gives a message box, not a traceback."""
    from app.services import context

    context.close()
    path = data_dir / "kurslotse.sqlite3"
    _fill(path, 4)
    backups.create_backup(path, "manual")
    _corrupt_courses_page(path)
    start_backup._taken_for.discard(path)
    window = QWidget()
    qtbot.addWidget(window)
    before = path.read_bytes()

    def held(source, destination):
        if os.fspath(source) == os.fspath(path):
            raise _sharing_violation()
        REAL_REPLACE(source, destination)

    monkeypatch.setattr(platform.os, "replace", held)
    shown = _answer("Sicherung wiederherstellen", "OK")
    start_checks.take_start_backup(window)
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=3000)
    assert "ließ sich nicht wiederherstellen" in shown[1]
    assert "von einem anderen Programm geöffnet" in shown[1] and "kurslotse.sqlite3" in shown[1]
    assert "Errno" not in shown[1]
    assert path.read_bytes() == before and backups.set_aside_files(path) == []  # nothing changed
    context.close()


def test_restore_of_a_damaged_file_works_after_a_short_lock(windows, data_dir, monkeypatch):
    path = data_dir / "kurslotse.sqlite3"
    _fill(path, 6)
    good = backups.create_backup(path, "manual")
    _corrupt_courses_page(path)
    locks = [_sharing_violation()]

    def briefly_held(source, destination):
        if locks:
            raise locks.pop()
        REAL_REPLACE(source, destination)

    monkeypatch.setattr(platform.os, "replace", briefly_held)
    backups.restore_backup(good.path, path)
    assert locks == [] and backups.database_problem(path) is None and _courses(path) == 6
    assert len(backups.set_aside_files(path)) == 1


def test_a_backup_folder_that_cannot_be_made_is_a_german_backup_error(data_dir):
    path = data_dir / "kurslotse.sqlite3"
    _fill(path, 2)
    (data_dir / "sicherungen").write_text("eine Datei, wo der Ordner hingehört", encoding="utf-8")
    with pytest.raises(backups.BackupError) as refused:
        backups.create_backup(path, "manual")
    assert "Sicherungsordner" in str(refused.value) and "lässt sich nicht anlegen" in str(refused.value)
