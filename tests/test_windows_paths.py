"""Data folder rules for Windows: local (not roaming) folder with a one-time move, network shares
refused, SQLite addresses built correctly for drive letters, backslashes, umlauts and UNC paths.

No Windows machine is available: Windows paths are checked as ``PureWindowsPath`` strings, the
platform switch is set for the test, and Linux's network check reads a prepared mounts table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path, PureWindowsPath

import pytest
from sqlalchemy.engine import make_url

from app import paths, platform
from app.cli import main
from app.storage import backups, start_backup

LOCAL_SHARE = "tmpfs /tmp tmpfs rw 0 0\n"


# ------------------------------------------------------------------ SQLite addresses


@pytest.mark.parametrize("folder", [
    r"C:\Users\Jörg Müller\AppData\Local\Kurslotse",
    r"D:\Kurse 2026\100% Senioren #2",
    r"E:\Kurslotse\daten",
    r"D:\Anna%20Kurse",  # looks like an escape: must stay as written
])
def test_sqlalchemy_reads_back_the_windows_file_name_exactly(folder):
    database = PureWindowsPath(folder) / "kurslotse.sqlite3"
    url = platform.sqlite_url(database)
    assert url.startswith("sqlite:///")
    assert make_url(url).database == folder + "\\kurslotse.sqlite3"  # backslashes, umlauts, % and # kept


def test_a_drive_letter_path_becomes_a_file_uri_sqlite_accepts():
    path = PureWindowsPath(r"C:\Users\Jörg Müller\Kurs #1\kurslotse.sqlite3")
    assert platform.sqlite_uri(path) == "file:///C:/Users/J%C3%B6rg%20M%C3%BCller/Kurs%20%231/kurslotse.sqlite3"


def test_a_unc_path_gets_an_empty_authority():
    # SQLite refuses file://server/… (an authority other than localhost); file:////server/… is a path
    path = PureWindowsPath(r"\\schulserver\kurse\kurslotse.sqlite3")
    assert platform.sqlite_uri(path) == "file:////schulserver/kurse/kurslotse.sqlite3"


def test_odd_characters_in_a_real_data_folder(data_dir, tmp_path):
    """On this system for real: a folder named with %, #, ? and a space holds the database and its backup."""
    from app.domain.attendance import CourseInput
    from app.services import context, courses

    folder = tmp_path / "100% sicher #2 ?"
    paths.set_data_dir(folder)
    database = context.database()
    courses.create_course(database, CourseInput(title="Tablet-Kurs"))
    assert database.path == folder / "kurslotse.sqlite3" and database.path.is_file()
    assert start_backup.database_file() == folder / "kurslotse.sqlite3"
    info = backups.create_backup(database.path, "manual")
    connection = backups.connect_read_only(info.path)  # through sqlite_uri
    try:
        assert connection.execute("SELECT title FROM courses").fetchall() == [("Tablet-Kurs",)]
    finally:
        connection.close()
    context.close()
    assert not (tmp_path / "100").exists()  # nothing landed in a folder cut off at the %


# ------------------------------------------------------------------ network shares


@pytest.mark.parametrize(("text", "network"), [
    (r"\\schulserver\kurse\daten", True),
    ("//schulserver/kurse/daten", True),
    (r"\\?\UNC\schulserver\kurse\daten", True),
    (r"\\?\C:\Users\anna\daten", False),  # the long-path form of a local folder
    (r"\\.\PhysicalDrive0", False),
    (r"C:\Users\anna\daten", False),
])
def test_unc_paths_are_recognised(text, network):
    assert platform.is_unc(text) is network


def test_windows_mapped_drive_and_unc_count_as_network(monkeypatch):
    monkeypatch.setattr(platform, "IS_WINDOWS", True)
    monkeypatch.setattr(platform, "_windows_drive_type", lambda text: 4 if text.upper().startswith("Z:") else 3)
    assert platform.on_network_share(r"\\schulserver\kurse") is True
    assert platform.on_network_share(r"Z:\Kurslotse") is True  # Z: mapped to \\schulserver\kurse
    assert platform.on_network_share(r"C:\Users\anna\AppData\Local\Kurslotse") is False
    assert platform.on_network_share(r"E:\Kurslotse") is False  # a USB stick is local (DRIVE_REMOVABLE)


def test_mounts_table_gives_the_innermost_file_system():
    mounts = (
        "/dev/sda1 / ext4 rw 0 0\n"
        "//schulserver/kurse /mnt/kurs\\040daten cifs rw 0 0\n"
        "tmpfs /mnt/kurs\\040daten/lokal tmpfs rw 0 0\n"
        "server:/export /srv/nfs nfs4 rw 0 0\n"
    )
    assert platform.filesystem_type("/mnt/kurs daten/Kurslotse", mounts) == "cifs"
    assert platform.filesystem_type("/mnt/kurs daten/lokal/Kurslotse", mounts) == "tmpfs"
    assert platform.filesystem_type("/mnt/kurs daten2", mounts) == "ext4"  # a prefix is not a parent
    assert platform.filesystem_type("/srv/nfs", mounts) == "nfs4"
    assert platform.filesystem_type("/home/anna", mounts) == "ext4"


def test_this_machines_temp_folder_is_local(tmp_path):
    assert platform.on_network_share(tmp_path) is False


@pytest.fixture
def share(tmp_path, monkeypatch) -> Path:
    """A folder that the (prepared) mounts table lists as an SMB share."""
    folder = tmp_path / "freigabe"
    folder.mkdir()
    table = tmp_path / "mounts"
    table.write_text(f"/dev/sda1 / ext4 rw 0 0\n//schulserver/kurse {folder} cifs rw 0 0\n", encoding="utf-8")
    monkeypatch.setattr(platform, "IS_WINDOWS", False)
    monkeypatch.setattr(platform.sys, "platform", "linux")
    monkeypatch.setattr(platform, "MOUNTS_FILE", str(table))
    return folder


def test_a_data_folder_on_a_share_is_refused_with_a_german_reason(data_dir, share, capsys):
    folder = share / "Kurslotse"
    assert main(["--daten", str(folder), "sicherungen"]) == 1
    err = capsys.readouterr().err
    assert "liegt auf einem Netzlaufwerk" in err and str(folder) in err and "Traceback" not in err
    assert not (folder / "kurslotse.sqlite3").exists()  # refused before any database was opened


def test_a_database_server_with_the_data_folder_on_a_share_is_fine(data_dir, share, monkeypatch):
    paths.set_data_dir(share / "Kurslotse")
    paths.set_database_url("postgresql+psycopg://anna@schulserver/kurslotse")
    assert paths.network_folder_problem() is None
    paths.set_database_url(f"sqlite:///{data_dir / 'kurslotse.sqlite3'}")  # the file is local: fine too
    assert paths.network_folder_problem() is None
    paths.set_database_url(f"sqlite:///{share / 'kurslotse.sqlite3'}")
    assert "Netzlaufwerk" in (paths.network_folder_problem() or "")
    paths.set_database_url(None)


# ------------------------------------------------------------------ local data folder and the move


@pytest.fixture
def appdata(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """Roaming and local AppData folders of a Windows user, no ``--daten`` and no environment."""
    import platformdirs

    roaming = tmp_path / "Jörg Müller" / "AppData" / "Roaming" / "Kurslotse"
    local = tmp_path / "Jörg Müller" / "AppData" / "Local" / "Kurslotse"
    asked = []

    def user_data_dir(name, appauthor=None, roaming=False):
        asked.append(roaming)
        return str(tmp_path / "Jörg Müller" / "AppData" / ("Roaming" if roaming else "Local") / name)

    monkeypatch.setattr(platformdirs, "user_data_dir", user_data_dir)
    monkeypatch.delenv(paths.ENV_DATA_DIR, raising=False)
    paths.set_data_dir(None)
    monkeypatch.setattr(platform, "IS_WINDOWS", True)
    monkeypatch.setattr(platform.time, "sleep", lambda seconds: None)
    return roaming, local


def _old_roaming_data(roaming: Path) -> None:
    (roaming / "sicherungen").mkdir(parents=True)
    connection = sqlite3.connect(roaming / "kurslotse.sqlite3")
    connection.execute("CREATE TABLE courses (title TEXT)")
    connection.execute("INSERT INTO courses VALUES ('Smartphone für Einsteiger')")
    connection.commit()
    connection.close()
    (roaming / "sicherungen" / "kurslotse-20260301-090000-000000-start-geprueft.sqlite3").write_bytes(b"x")
    (roaming / "einstellungen.json").write_text("{}", encoding="utf-8")


def test_new_installation_uses_the_local_folder(appdata):
    roaming, local = appdata
    assert paths.data_dir() == local and local.is_dir()
    assert not roaming.exists()


def test_data_from_the_roaming_folder_moves_to_the_local_one(appdata):
    roaming, local = appdata
    _old_roaming_data(roaming)
    assert paths.data_dir() == local
    assert not roaming.exists()
    connection = sqlite3.connect(local / "kurslotse.sqlite3")
    assert connection.execute("SELECT title FROM courses").fetchall() == [("Smartphone für Einsteiger",)]
    connection.close()
    assert sorted(p.name for p in (local / "sicherungen").iterdir()) == [
        "kurslotse-20260301-090000-000000-start-geprueft.sqlite3"]
    assert paths.database_url() == platform.sqlite_url(local / "kurslotse.sqlite3")


def test_local_data_is_never_overwritten_by_the_roaming_folder(appdata):
    roaming, local = appdata
    _old_roaming_data(roaming)
    local.mkdir(parents=True)
    (local / "kurslotse.sqlite3").write_bytes(b"neuer Stand")
    assert paths.data_dir() == local
    assert (local / "kurslotse.sqlite3").read_bytes() == b"neuer Stand"
    assert (roaming / "kurslotse.sqlite3").is_file()  # the old folder stays as it was


def test_a_roaming_folder_in_use_is_kept_until_the_next_start(appdata, monkeypatch):
    roaming, local = appdata
    _old_roaming_data(roaming)

    def held(source, destination):
        error = PermissionError(13, "Zugriff verweigert")
        error.winerror = 32  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(platform.os, "replace", held)
    assert paths.data_dir() == roaming  # the data stays where it is and is used there
    assert (roaming / "kurslotse.sqlite3").is_file()
    assert not (local / "kurslotse.sqlite3").exists()


def test_other_systems_never_look_for_a_roaming_folder(appdata, monkeypatch):
    roaming, local = appdata
    _old_roaming_data(roaming)
    monkeypatch.setattr(platform, "IS_WINDOWS", False)
    assert paths.data_dir() == local
    assert (roaming / "kurslotse.sqlite3").is_file()


# ------------------------------------------------------------------ file names from course titles


def test_a_long_course_title_gives_a_file_name_windows_can_save():
    from app.ui.courses.printing import file_name

    title = "Smartphone für Einsteigerinnen und Einsteiger im Dorfgemeinschaftshaus " * 5
    name = file_name("Anwesenheitsliste", title, "2026-03-10")
    assert len(name) <= 100
    assert name.startswith("Anwesenheitsliste-Smartphone_für_Einsteigerinnen") and name.endswith("-2026-03-10.pdf")
    assert "_-" not in name and ".-" not in name  # the cut leaves no dangling separator
    assert file_name("Anwesenheitsliste", "Tablet-Kurs", "2026-03-10") == "Anwesenheitsliste-Tablet-Kurs-2026-03-10.pdf"


# ------------------------------------------------------------------ Python from the Microsoft Store

STORE_PYTHON = (r"C:\Users\anna\AppData\Local\Microsoft\WindowsApps"
                r"\PythonSoftwareFoundation.Python.3.11_qbz5n2kfra8p0\python.exe")


@pytest.mark.parametrize(("executable", "store"), [
    (STORE_PYTHON, True),
    ((r"C:\Program Files\WindowsApps\PythonSoftwareFoundation.Python.3.11_3.11.2544.0_x64__qbz5n2kfra8p0"
      r"\python.exe"), True),
    (r"C:\Users\anna\AppData\Local\Programs\Python\Python311\python.exe", False),  # python.org
])
def test_the_store_python_is_recognised(monkeypatch, executable, store):
    monkeypatch.setattr(platform, "IS_WINDOWS", True)
    assert platform.is_store_python(executable) is store
    monkeypatch.setattr(platform, "IS_WINDOWS", False)
    assert platform.is_store_python(executable) is False


def test_store_python_keeps_new_data_out_of_appdata(appdata, tmp_path, monkeypatch):
    _roaming, local = appdata
    monkeypatch.setattr(platform, "is_store_python", lambda executable=None: True)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "Jörg Müller"))
    assert paths.data_dir() == tmp_path / "Jörg Müller" / "Kurslotse-Daten"
    assert not local.exists()


def test_store_python_still_finds_data_it_already_wrote_to_appdata(appdata, monkeypatch):
    _roaming, local = appdata
    local.mkdir(parents=True)
    (local / "kurslotse.sqlite3").write_bytes(b"")
    monkeypatch.setattr(platform, "is_store_python", lambda executable=None: True)
    assert paths.data_dir() == local


def test_first_setup_under_the_store_python_says_where_the_data_goes(monkeypatch, tmp_path, capsys):
    from app import _bootstrap
    from tests.test_bootstrap import _project, _venv

    root = _project(tmp_path / "kurslotse")
    monkeypatch.setattr(_bootstrap, "PROJECT_ROOT", root)
    monkeypatch.setattr(_bootstrap, "_missing_modules", lambda: ["PySide6"])
    monkeypatch.setattr(_bootstrap.sys, "prefix", str(tmp_path / "system-python"))
    monkeypatch.setattr(_bootstrap, "_pip", lambda python, *args: False)  # offline: setup stops after the note
    monkeypatch.setattr("venv.create", lambda path, **kwargs: _venv(root))
    monkeypatch.setattr(platform, "is_store_python", lambda executable=None: True)
    with pytest.raises(SystemExit):
        _bootstrap.ensure_environment()
    err = capsys.readouterr().err
    assert "Microsoft Store" in err and "Kurslotse-Daten" in err and "python.org" in err


def test_the_window_program_shows_a_refusal_in_a_window(qtbot, data_dir, share, monkeypatch):
    """Double-clicked kurslotse.exe has no console: the German reason appears in a message box."""
    import sys

    from app.commands import common
    from tests.test_start_checks import _answer

    monkeypatch.setattr(common, "_no_console", False)
    monkeypatch.setattr(sys, "stdout", None)  # as PyInstaller's console=False leaves them
    monkeypatch.setattr(sys, "stderr", None)
    shown = _answer("OK")
    assert main(["--daten", str(share / "Kurslotse")]) == 1
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=3000)
    assert "liegt auf einem Netzlaufwerk" in shown[0]
