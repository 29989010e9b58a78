"""Windows' short file locks (virus scanner, OneDrive, Excel) are waited out, then explained in German.

No Windows machine is available: the lock is injected as the PermissionError Windows raises
(``winerror`` 32, ERROR_SHARING_VIOLATION) and the platform switch is set for the test.
"""

from __future__ import annotations

import os

import pytest

from app import platform
from app.atomic_write import write_bytes_atomically


def _sharing_violation() -> PermissionError:
    error = PermissionError(13, "Der Prozess kann nicht auf die Datei zugreifen")
    error.winerror = 32  # type: ignore[attr-defined]
    return error


@pytest.fixture
def windows(monkeypatch):
    monkeypatch.setattr(platform, "IS_WINDOWS", True)
    monkeypatch.setattr(platform.time, "sleep", lambda seconds: None)


def test_a_short_lock_is_waited_out(windows, tmp_path, monkeypatch):
    target = tmp_path / "bericht.xlsx"
    target.write_bytes(b"alt")
    real_replace = os.replace
    failures = [_sharing_violation(), _sharing_violation()]

    def locked_twice(source, destination):
        if failures:
            raise failures.pop()
        real_replace(source, destination)

    monkeypatch.setattr(platform.os, "replace", locked_twice)
    write_bytes_atomically(target, b"neu")
    assert target.read_bytes() == b"neu"
    assert failures == []
    assert [p.name for p in tmp_path.iterdir() if p.name != "daten"] == ["bericht.xlsx"]  # no temp file left


def test_a_lasting_lock_gives_a_german_message_and_keeps_the_old_file(windows, tmp_path, monkeypatch):
    target = tmp_path / "bericht.xlsx"
    target.write_bytes(b"alt")
    attempts = []

    def always_locked(source, destination):
        attempts.append(destination)
        raise _sharing_violation()

    monkeypatch.setattr(platform.os, "replace", always_locked)
    with pytest.raises(platform.FileInUseError) as refused:
        write_bytes_atomically(target, b"neu")
    assert "von einem anderen Programm geöffnet" in str(refused.value) and "Excel" in str(refused.value)
    assert len(attempts) == len(platform.RETRY_DELAYS_S) + 1  # bounded: 7 tries, about two seconds
    assert target.read_bytes() == b"alt"
    assert [p.name for p in tmp_path.iterdir() if p.name != "daten"] == ["bericht.xlsx"]


def test_other_errors_and_other_systems_are_not_retried(tmp_path, monkeypatch):
    calls = []

    def denied(source, destination):
        calls.append(1)
        raise _sharing_violation()

    monkeypatch.setattr(platform, "IS_WINDOWS", False)  # Linux: EACCES is a real permission problem
    monkeypatch.setattr(platform.os, "replace", denied)
    with pytest.raises(PermissionError) as refused:
        platform.replace_file(tmp_path / "a", tmp_path / "b")
    assert not isinstance(refused.value, platform.FileInUseError) and calls == [1]


def test_remove_file_accepts_a_file_that_is_already_gone(tmp_path):
    platform.remove_file(tmp_path / "gibt-es-nicht.tmp")


@pytest.mark.parametrize(("seen", "key"), [
    (r"E:\Kurslotse\daten\kurslotse.sqlite3", r"\Kurslotse\daten\kurslotse.sqlite3"),
    (r"F:\Kurslotse\daten\kurslotse.sqlite3", r"\Kurslotse\daten\kurslotse.sqlite3"),
    (r"\\server\freigabe\kurslotse.sqlite3", r"\\server\freigabe\kurslotse.sqlite3"),  # UNC keeps its share
])
def test_a_stick_is_the_same_place_whatever_its_drive_letter(seen, key):
    assert platform.without_drive_letter(seen, windows=True) == key
    assert platform.without_drive_letter(seen, windows=False) == seen  # other systems: the path as it is


def test_device_anchor_uses_the_place_without_drive_letter(tmp_path, monkeypatch):
    """The device id of a database stays when only the drive letter of its stick changed."""
    from app.storage import device

    database = tmp_path / "kurslotse.sqlite3"
    database.write_bytes(b"")
    monkeypatch.setattr(device, "location_key", lambda path: r"\Kurslotse\daten\kurslotse.sqlite3")
    on_e = device.anchor_for(database)
    assert device.anchor_for(database) == on_e
    monkeypatch.setattr(device, "location_key", lambda path: r"\anderer\ordner\kurslotse.sqlite3")
    assert device.anchor_for(database) != on_e  # a really different place is a different anchor


def _access_denied() -> PermissionError:
    error = PermissionError(13, "Zugriff verweigert")
    error.winerror = 5  # type: ignore[attr-defined]  # ERROR_ACCESS_DENIED
    return error


def test_a_read_only_file_is_named_as_such_without_waiting(windows, tmp_path, monkeypatch):
    """Windows refuses to replace a file marked read-only; that is no lock, so no two-second wait."""
    target = tmp_path / "bericht.csv"
    target.write_text("alt", encoding="utf-8")
    target.chmod(0o444)
    attempts = []

    def refused(source, destination):
        attempts.append(destination)
        raise _access_denied()

    monkeypatch.setattr(platform.os, "replace", refused)
    with pytest.raises(platform.ReadOnlyFileError) as refused_error:
        write_bytes_atomically(target, b"neu")
    message = str(refused_error.value)
    assert "»bericht.csv« ist schreibgeschützt" in message and "Errno" not in message
    assert len(attempts) == 1 and target.read_text(encoding="utf-8") == "alt"
    assert [p.name for p in tmp_path.iterdir() if p.name != "daten"] == ["bericht.csv"]


def test_access_denied_on_a_writable_file_is_still_waited_out(windows, tmp_path, monkeypatch):
    target = tmp_path / "bericht.csv"
    target.write_text("alt", encoding="utf-8")
    real_replace = os.replace
    failures = [_access_denied()]

    def scanned_once(source, destination):
        if failures:
            raise failures.pop()
        real_replace(source, destination)

    monkeypatch.setattr(platform.os, "replace", scanned_once)
    write_bytes_atomically(target, b"neu")
    assert target.read_bytes() == b"neu"


@pytest.mark.parametrize(("windows_switch", "screens", "cwd", "expected"), [
    (False, "/work/tests/two_screens.json", None, "offscreen:configfile=/work/tests/two_screens.json"),
    (True, r"C:\Users\Jörg Müller\kurslotse\tests\two_screens.json", r"C:\Users\Jörg Müller\kurslotse",
     r"offscreen:configfile=tests\two_screens.json"),  # no ":" left for Qt to split at
    (True, r"D:\kurslotse\tests\two_screens.json", r"C:\Users\anna", "offscreen"),  # another drive
])
def test_qt_platform_argument_has_no_drive_colon(monkeypatch, windows_switch, screens, cwd, expected):
    from pathlib import PureWindowsPath

    monkeypatch.setattr(platform, "IS_WINDOWS", windows_switch)
    path = PureWindowsPath(screens) if windows_switch else screens
    assert platform.qt_offscreen_argument(path, cwd) == expected


def test_the_wait_for_a_lock_is_about_two_seconds_in_all(tmp_path, monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(platform, "IS_WINDOWS", True)
    monkeypatch.setattr(platform.time, "sleep", waited.append)

    def always_locked(source, destination):
        raise _sharing_violation()

    monkeypatch.setattr(platform.os, "replace", always_locked)
    with pytest.raises(platform.FileInUseError):
        platform.replace_file(tmp_path / "a.tmp", tmp_path / "bericht.xlsx")
    assert len(waited) == 6 and 1.5 <= sum(waited) <= 2.5  # long enough for a scanner, short for a trainer
