"""End to end: two real data directories exchange their records through a real folder with ``kurslotse abgleich``."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.domain.attendance import CourseInput, ParticipantInput, TerminInput
from app.services import courses, people
from app.services.checkin import CheckInDesk
from app.storage.database import open_database
from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS, no_leaked_listeners  # noqa: F401

SYNC_MODULE = "app.commands.sync"
# Runs the real command line in a fresh process (also before the lead adds the module to cli.py).
RUNNER = (
    "import sys; from app import cli; "
    f"cli.COMMAND_MODULES = tuple(dict.fromkeys(cli.COMMAND_MODULES + ({SYNC_MODULE!r},))); "
    "sys.exit(cli.main(sys.argv[1:]))"
)


@pytest.fixture(autouse=True)
def sync_command_registered(monkeypatch):
    if SYNC_MODULE not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, SYNC_MODULE))


def _kurslotse(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUNNER, *map(str, argv)], capture_output=True, text=True, timeout=120,
        cwd=str(PROJECT_ROOT_FOR_SUBPROCESS),
    )


def _in_process(capsys, *argv: str | Path) -> tuple[int, str, str]:  # noqa: ANN001
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _fill(data: Path) -> None:
    db = open_database(f"sqlite:///{data / 'kurslotse.sqlite3'}")
    try:
        course = courses.create_course(db, CourseInput(
            title="Smartphone-Grundkurs", municipality="Nanzdietschweiler", place="Dorfgemeinschaftshaus",
            start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 5, 31), trainers=["Silvia Becker"],
        ))
        termin = courses.add_termin(db, course, TerminInput(date=dt.date(2026, 3, 10)))
        anna = people.create_participant(db, ParticipantInput(name="Anna Müller"), course_id=course)
        people.create_participant(db, ParticipantInput(name="Bernd Schmidt"), course_id=course)
        CheckInDesk(db, termin).toggle(anna)
    finally:
        db.close()


def _rows(data: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(data / "kurslotse.sqlite3")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_two_data_directories_sync_through_a_folder_with_the_cli(tmp_path, capsys):
    silvia, hans, stick = tmp_path / "silvia", tmp_path / "hans", tmp_path / "stick" / "kurslotse"
    for folder in (silvia, hans, stick):
        folder.mkdir(parents=True)
    secret = tmp_path / "passwort.txt"
    secret.write_text("Nanzdietschweiler-2026\n", encoding="utf-8")
    secret.chmod(0o600)  # a password file must be readable by its owner only
    _fill(silvia)
    code, out, _err = _in_process(capsys, "--daten", silvia, "abgleich", "--geraetename", "Laptop Silvia")
    assert code == 0 and "Gerätename: »Laptop Silvia«" in out

    first = _kurslotse("--daten", silvia, "abgleich", stick, "--passwort-datei", secret)
    assert first.returncode == 0, first.stderr
    assert "dieses Gerät: »Laptop Silvia«" in first.stdout and "Geschrieben: 1 neue Datei" in first.stdout
    second = _kurslotse("--daten", hans, "abgleich", stick, "--passwort-datei", secret)
    assert second.returncode == 0, second.stderr
    assert "Gelesen: 1 neue Datei von 1 Gerät" in second.stdout
    assert "1 Kurs" in second.stdout and "2 Teilnehmende" in second.stdout and "1 Anwesenheit" in second.stdout
    assert _rows(hans, "SELECT title FROM courses") == [("Smartphone-Grundkurs",)]
    assert sorted(_rows(hans, "SELECT name FROM participants")) == [("Anna Müller",), ("Bernd Schmidt",)]

    # both change the course title; the later change wins on both laptops, the other is a conflict
    for data, title in ((silvia, "Grundkurs (Silvia)"), (hans, "Grundkurs (Hans)")):
        db = open_database(f"sqlite:///{data / 'kurslotse.sqlite3'}")
        try:
            course = courses.list_courses(db)[0]
            courses.update_course(db, course.id, CourseInput(
                title=title, municipality="Nanzdietschweiler", start_date=course.start_date, end_date=course.end_date,
            ))
        finally:
            db.close()
    for data in (silvia, hans, silvia):
        code, out, err = _in_process(capsys, "--daten", data, "abgleich", stick, "--passwort-datei", secret)
        assert code == 0, err
    assert "Konflikte ansehen" in out
    assert _rows(silvia, "SELECT title FROM courses") == _rows(hans, "SELECT title FROM courses") \
        == [("Grundkurs (Hans)",)]
    code, out, _err = _in_process(capsys, "--daten", silvia, "abgleich", "--konflikte")
    assert code == 0
    assert "Kurs »Grundkurs (Hans)«, Titel: jetzt »Grundkurs (Hans)«, abweichend »Grundkurs (Silvia)«" in out

    # a damaged file is refused by name, the sync still completes, exit code 3
    broken = stick / ("ab" * 16) / "00000001.klsync"
    broken.parent.mkdir()
    broken.write_bytes(b"KURSLOTSE-ABGLEICH\n\x00\x01 abgeschnitten")
    code, out, _err = _in_process(capsys, "--daten", hans, "abgleich", stick, "--passwort-datei", secret)
    assert code == 3
    assert f"{'ab' * 16}/00000001.klsync: Die Datei ist beschädigt" in out.replace("\\", "/")
    # the wrong password: refused before anything is written or read, exit code 1; nothing changed
    wrong = tmp_path / "falsch.txt"
    wrong.write_text("geraten", encoding="utf-8")
    wrong.chmod(0o600)
    before = _rows(hans, "SELECT uuid, title FROM courses")
    folders_before = sorted(p.name for p in stick.iterdir())
    fresh = tmp_path / "neu"
    fresh.mkdir()
    code, out, err = _in_process(capsys, "--daten", fresh, "abgleich", stick, "--passwort-datei", wrong)
    assert code == 1 and "Das Passwort passt nicht zum Abgleich-Ordner" in err and "nichts geschrieben" in err
    assert _rows(fresh, "SELECT count(*) FROM courses") == [(0,)]
    assert sorted(p.name for p in stick.iterdir()) == folders_before
    assert _rows(hans, "SELECT uuid, title FROM courses") == before


def test_cli_errors(tmp_path, capsys):
    data = tmp_path / "laptop"
    data.mkdir()
    code, _out, err = _in_process(capsys, "--daten", data, "abgleich", tmp_path / "fehlt", "--ohne-passwort")
    assert code == 1 and "gibt es nicht" in err
    empty = tmp_path / "leer.txt"
    empty.write_text("\n", encoding="utf-8")
    empty.chmod(0o600)
    code, _out, err = _in_process(capsys, "--daten", data, "abgleich", tmp_path, "--passwort-datei", empty)
    assert code == 1 and "ist leer" in err
    code, out, _err = _in_process(capsys, "--daten", data, "abgleich")
    assert code == 0 and "Dieses Gerät" in out
    code, out, _err = _in_process(capsys, "--daten", data, "abgleich", "--konflikte")
    assert code == 0 and "Keine offenen Konflikte" in out
