"""Where the project office's database address comes from, and that its password is never shown or logged.

The address comes from ``--datenbank``, ``$KURSLOTSE_DATENBANK`` or an owner-only file
(``--datenbank-datei``). A missing driver, an unreachable server and a wrong password each end
in a German message and an exit code — no traceback, and never the password: not on the screen,
not in the log file.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

SECRET = "Geh3im-Kusel!"
posix_only = pytest.mark.skipif(os.name != "posix", reason="Dateirechte 0600 gibt es nur unter POSIX")


def _main(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free again once closed: nothing listens there


def _log(data_dir: Path) -> str:
    path = data_dir / "kurslotse.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _url_file(path: Path, url: str, mode: int) -> Path:
    path.write_text(url + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


@posix_only
def test_database_address_from_an_owner_only_file(tmp_path, data_dir, capsys):
    office = tmp_path / "buero.sqlite3"
    loose = _url_file(tmp_path / "datenbank.txt", f"sqlite:///{office}", 0o640)
    code, out, err = _main(capsys, "--datenbank-datei", loose, "kurse")
    assert code == 2
    assert f"Die Datenbank-Datei {loose} dürfen auch andere Benutzer lesen (Rechte 640)" in err
    assert not office.exists()  # not used at all
    tight = _url_file(tmp_path / "datenbank-ok.txt", f"sqlite:///{office}", 0o600)
    code, out, err = _main(capsys, "--datenbank-datei", tight, "kurse")
    assert code == 0, err
    assert office.exists() and not (data_dir / "kurslotse.sqlite3").exists()
    code, _out, err = _main(capsys, "--datenbank-datei", tmp_path / "fehlt.txt", "kurse")
    assert code == 2 and f"Die Datenbank-Datei {tmp_path / 'fehlt.txt'} gibt es nicht." in err
    with pytest.raises(SystemExit) as stop:
        cli.main(["--datenbank", f"sqlite:///{office}", "--datenbank-datei", str(tight), "kurse"])
    assert stop.value.code == 2 and "nicht zusammen mit --datenbank" in capsys.readouterr().err


def test_database_address_from_the_environment(tmp_path, data_dir, capsys, monkeypatch):
    office = tmp_path / "aus-der-umgebung.sqlite3"
    monkeypatch.setenv("KURSLOTSE_DATENBANK", f"sqlite:///{office}")
    code, _out, err = _main(capsys, "kurse")
    assert code == 0, err
    assert office.exists() and not (data_dir / "kurslotse.sqlite3").exists()


@posix_only
def test_password_file_contents_never_reach_the_screen(tmp_path, capsys):
    loose = _url_file(tmp_path / "db.txt", f"postgresql+psycopg://kreis:{SECRET}@127.0.0.1:1/kurse", 0o644)
    code, out, err = _main(capsys, "--datenbank-datei", loose, "kurse")
    assert code == 2 and SECRET not in out + err


def test_unreachable_server_german_message_without_password(data_dir, capsys):
    pytest.importorskip("psycopg")
    url = f"postgresql+psycopg://kreis:{SECRET}@127.0.0.1:{_closed_port()}/kurse"
    code, out, err = _main(capsys, "--datenbank", url, "kurse")
    assert code == 1
    assert "kann nicht geöffnet werden (der Datenbank-Server ist nicht erreichbar)" in err
    assert "postgresql+psycopg://kreis:***@127.0.0.1" in err
    assert "Traceback" not in out + err
    assert SECRET not in out + err + _log(data_dir)


def test_wrong_password_german_message_without_password(pg_server, data_dir, capsys):
    from sqlalchemy.engine import make_url

    real = make_url(pg_server.admin_url)
    url = real.set(password=SECRET).render_as_string(hide_password=False)
    code, out, err = _main(capsys, "--datenbank", url, "personen")
    assert code == 1
    assert "Anmeldung abgelehnt: Benutzername oder Passwort stimmen nicht" in err
    assert "Traceback" not in out + err
    assert SECRET not in out + err + _log(data_dir)
    assert real.password not in out + err + _log(data_dir)


HIDE_PSYCOPG = (
    "import sys, importlib.abc\n"
    "class Hide(importlib.abc.MetaPathFinder):\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name == 'psycopg' or name.startswith('psycopg.') or name.startswith('psycopg_'):\n"
    "            raise ModuleNotFoundError(f\"No module named '{name}'\", name=name)\n"
    "sys.meta_path.insert(0, Hide())\n"
    "from app import cli\n"
    "sys.exit(cli.main(sys.argv[1:]))\n"
)


def test_missing_driver_names_the_install_command(data_dir):
    data = data_dir
    url = f"postgresql+psycopg://kreis:{SECRET}@127.0.0.1:{_closed_port()}/kurse"
    env = {**os.environ, "KURSLOTSE_DATEN": str(data), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("KURSLOTSE_DATENBANK", None)
    done = subprocess.run([sys.executable, "-c", HIDE_PSYCOPG, "--datenbank", url, "personen"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=str(PROJECT_ROOT_FOR_SUBPROCESS))
    assert done.returncode == 1, done.stderr
    assert "fehlt der Treiber »psycopg«" in done.stderr
    assert '.venv/bin/pip install -e ".[postgres]"' in done.stderr
    assert "unerwarteter Fehler" not in done.stderr and "Traceback" not in done.stderr
    assert SECRET not in done.stdout + done.stderr + _log(data)


def test_log_lines_and_tracebacks_hide_passwords(data_dir):
    from app.logsetup import add_secret, setup_logging

    setup_logging()
    add_secret("Sync-Passwort-2026")
    log = logging.getLogger("test.office")
    try:
        raise RuntimeError(f"connection to postgresql+psycopg://kreis:{SECRET}@db.kreis-kusel.de/kurse failed; "
                           f"dsn: host=db user=kreis password={SECRET} dbname=kurse")
    except RuntimeError:
        log.exception("Datenbank %s nicht erreichbar", f"postgresql://kreis:{SECRET}@db/kurse")
    log.warning("Abgleich mit Passwort Sync-Passwort-2026 fehlgeschlagen")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = _log(data_dir)
    assert SECRET not in text and "Sync-Passwort-2026" not in text
    assert "Datenbank postgresql://kreis:***@db/kurse nicht erreichbar" in text
    assert "postgresql+psycopg://kreis:***@db.kreis-kusel.de/kurse" in text
    assert "password=*** dbname=kurse" in text
    assert "Abgleich mit Passwort *** fehlgeschlagen" in text


def test_backups_on_a_server_are_the_servers_job(data_dir, capsys):
    url = f"postgresql+psycopg://kreis:{SECRET}@db.kreis-kusel.de/kurse"
    code, out, err = _main(capsys, "--datenbank", url, "sicherungen")
    assert code == 0, err
    assert "Sicherungen sind dort Aufgabe des Servers" in out and "Kurslotse kopiert keine Dateien" in out
    assert "postgresql+psycopg://kreis:***@db.kreis-kusel.de/kurse" in out
    for action in (["--jetzt"], ["--wiederherstellen", "sicherung.sqlite3"], ["--pruefen"]):
        code, out, err = _main(capsys, "--datenbank", url, "sicherungen", *action)
        assert code == 1 and "Aufgabe des Servers" in err
        assert SECRET not in out + err
    assert list(data_dir.glob("**/*.sqlite3")) == []  # nothing copied, no SQLite file made instead
