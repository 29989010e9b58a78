"""Every sub-command × typical mistakes: a German message, no traceback, no English argparse text, the documented exit code.

Exit codes (README "Befehle", app/commands/common.py): 0 done, 1 could not be done, 2 wrong call.
"""

from __future__ import annotations

import re
import sys

import pytest

from app.cli import main

ENGLISH = re.compile(
    r"usage:|error:|invalid (int|choice|float)|the following arguments|are required|choose from|"
    r"positional arguments|options:|show this help|unrecognized arguments|expected one argument|"
    r"Traceback|Error\b|Exception\b|sqlalchemy|sqlite3\.", re.IGNORECASE,
)

# (command line, exit code, a German phrase the message must contain)
MISTAKES = [
    # wrong calls: exit 2
    (["gibtsnicht"], 2, "gibt es hier nicht"),
    (["kurse", "--kurs", "eins"], 2, "keine ganze Zahl"),
    (["handout"], 2, "diese Angaben fehlen"),
    (["handout", "qr-codes-scannen", "-o", "x.pdf", "--geraet", "nokia"], 2, "gibt es hier nicht"),
    (["handout", "qr-codes-scannen", "-o", "x.pdf", "--datum", "2026/01/01"], 2, "kein gültiges Datum"),
    (["handout", "qr-codes-scannen", "-o", "{tmp}/blatt.docx"], 2, "möglich ist hier nur .pdf"),
    (["handout", "qr-codes-scannen", "-o", "{tmp}/fehlt/blatt.pdf"], 2, "gibt es nicht"),
    (["handout", "qr-codes-scannen", "-o", "{tmp}"], 2, "ist ein Ordner"),
    (["anwesenheitsliste", "1", "-o", "{tmp}/fehlt/liste.pdf"], 2, "gibt es nicht"),
    (["anwesenheitsliste", "1", "-o", "{tmp}/liste.txt"], 2, "möglich ist hier nur .pdf"),
    (["bescheinigungen", "x", "-o", "b.pdf"], 2, "keine ganze Zahl"),
    (["bescheinigungen", "1", "-o", "{tmp}/fehlt/b.pdf"], 2, "gibt es nicht"),
    (["bericht", "--von", "2026-13-01", "--bis", "2026-03-31", "-o", "{tmp}/b.xlsx"], 2, "kein gültiges Datum"),
    (["bericht", "--von", "1.1.2026", "--bis", "gestern", "-o", "{tmp}/b.xlsx"], 2, "kein gültiges Datum"),
    (["bericht", "--von", "2026-01-01", "--bis", "2026-03-31", "-o", "{tmp}/b.docx"], 2, "möglich sind .xlsx"),
    (["bericht", "--von", "2026-01-01", "--bis", "2026-03-31", "-o", "{tmp}/fehlt/b.csv"], 2, "gibt es nicht"),
    (["auskunft", "1", "-o", "{tmp}/a.txt"], 2, "möglich sind .pdf, .json"),
    (["auskunft", "1", "-o", "{tmp}/fehlt/a.json"], 2, "gibt es nicht"),
    (["auskunft", "eins", "-o", "a.pdf"], 2, "keine ganze Zahl"),
    (["loeschen"], 2, "diese Angaben fehlen"),
    (["zeigen", "qr-codes-scannen", "--schritt", "99"], 2, "bitte 1 bis 11"),
    (["zeigen", "qr-codes-scannen", "--geraet", "nokia"], 2, "gibt es hier nicht"),
    (["demo", "--jahre", "0"], 2, "zwischen 1 und 10"),
    (["sicherungen", "--jetzt", "--wiederherstellen", "x"], 2, "nicht zusammen mit"),
    (["--datenbank", "kein-url", "kurse"], 2, "keine gültige Datenbank-Adresse"),
    (["--demo", "--datenbank", "sqlite:///x.db", "kurse"], 2, "gehen nicht zusammen"),
    # could not be done: exit 1
    (["zeigen", "gibt-es-nicht"], 1, "Vorhandene Lektionen"),
    (["handout", "gibt-es-nicht", "-o", "{tmp}/x.pdf"], 1, "Vorhandene Lektionen"),
    (["anwesenheitsliste", "999", "-o", "{tmp}/liste.pdf"], 1, "999"),
    (["bescheinigungen", "999", "-o", "{tmp}/b.pdf"], 1, "999"),
    (["auskunft", "999", "-o", "{tmp}/a.json"], 1, "999"),
    (["loeschen", "999", "--ja"], 1, "999"),
    (["kurse", "--kurs", "999"], 1, "999"),
    (["sicherungen", "--wiederherstellen", "gibt-es-nicht.sqlite3"], 1, "gibt-es-nicht"),
    # psycopg is installed (extra postgres); nothing listens on port 1 (the missing driver: test_cli_database)
    (["--datenbank", "postgresql+psycopg://anna:geheim@127.0.0.1:1/kreis", "kurse"], 1, "nicht erreichbar"),
]


@pytest.mark.parametrize(("argv", "code", "phrase"), MISTAKES, ids=lambda value: " ".join(value)
                         if isinstance(value, list) else str(value))
def test_mistake_gets_german_message_and_exit_code(argv, code, phrase, data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = [part.replace("{tmp}", str(tmp_path)) for part in argv]
    try:
        result = main(argv)
    except SystemExit as exit_info:  # argparse ends with SystemExit
        result = exit_info.code
    out, err = capsys.readouterr()
    text = out + err
    assert result == code, text
    assert phrase in text, text
    assert not ENGLISH.search(text), text
    assert "geheim" not in text  # a database password is never shown
    assert not (data_dir / "kurslotse.sqlite3").exists() or code != 2  # a wrong call changes nothing


def test_help_of_every_command_is_german(capsys):
    from app.cli import COMMAND_MODULES, build_parser

    parser = build_parser()
    names = [name for name in parser._subparsers._group_actions[0].choices]  # noqa: SLF001 - argparse has no API
    assert len(names) >= len(COMMAND_MODULES)
    for argv in [[], *[[name] for name in names]]:
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, "--hilfe"])
        assert exit_info.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith("Aufruf: kurslotse"), text
        assert "Optionen:" in text and "diese Hilfe anzeigen" in text
        assert not ENGLISH.search(text), text


def test_empty_database_says_so(data_dir, capsys):
    assert main(["kurse"]) == 0
    assert "Noch keine Kurse" in capsys.readouterr().out
    assert main(["personen"]) == 0
    assert "Keine Personen gefunden" in capsys.readouterr().out


def test_missing_suffix_is_added_and_relative_paths_follow_the_user(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["auskunft", "1", "-o", "auskunft"]) == 1  # no person 1 yet: nothing written, no file
    assert not list(tmp_path.glob("auskunft*"))
    capsys.readouterr()
    assert main(["handout", "qr-codes-scannen", "-o", "blatt"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "blatt.pdf").is_file()
    assert re.search(r"\(\d+ Seiten\)|\(1 Seite\)", out), out


@pytest.mark.skipif(sys.platform == "win32", reason="braucht bash, head und /dev/null")
def test_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys

    from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

    command = (f"{sys.executable} -m app --daten {tmp_path} lektionen liste --json | head -c 20 > /dev/null; "
               "exit ${PIPESTATUS[0]}")
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                            cwd=PROJECT_ROOT_FOR_SUBPROCESS, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_invoked_as_names_the_command_the_user_typed():
    from app.commands.common import invoked_as

    assert invoked_as("/home/anna/kurslotse/app/__main__.py") == "python3 -m app"
    assert invoked_as("/home/anna/kurslotse/.venv/bin/kurslotse") == "kurslotse"


def test_masked_url_hides_every_password():
    from app.paths import masked_url

    assert masked_url("postgresql+psycopg://anna:geheim@server:5432/kreis") == \
        "postgresql+psycopg://anna:***@server:5432/kreis"
    assert masked_url("postgresql://anna:p%40ss:w@server/kreis") == "postgresql://anna:***@server/kreis"
    assert masked_url("sqlite:////home/anna/daten.sqlite3") == "sqlite:////home/anna/daten.sqlite3"


def test_output_to_a_cp1252_console_never_crashes():
    """A redirected Windows console is cp1252: »→« or »≤« must become »?«, not a UnicodeEncodeError."""
    import os
    import subprocess
    import sys

    from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

    code = "from app.cli import _usable_console; _usable_console(); print('Schritt 3 → 4, Ziel ≤ 0,4 s, Jörg Müller')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=PROJECT_ROOT_FOR_SUBPROCESS,
                            env={**os.environ, "PYTHONIOENCODING": "cp1252"}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode("cp1252").strip() == "Schritt 3 ? 4, Ziel ? 0,4 s, Jörg Müller"


def test_a_windowed_bundle_without_console_still_runs(monkeypatch, capsys):
    """PyInstaller's console=False leaves sys.stdout None; --version must not crash."""
    import sys

    monkeypatch.setattr(sys, "stdout", None)
    from app.cli import _usable_console

    _usable_console()
    assert sys.stdout is not None
    print("geht")  # goes nowhere, but raises nothing


def test_the_solver_banner_never_reaches_the_trainer():
    """HiGHS prints a copyright line on its first use in a process; the report must not show it."""
    import subprocess
    import sys

    from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

    code = ("import highspy; from app.reports.protection import _new_solver; "
            "_new_solver(highspy); _new_solver(highspy); print('fertig')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=PROJECT_ROOT_FOR_SUBPROCESS, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "fertig"
