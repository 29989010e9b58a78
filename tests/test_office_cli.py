"""The project office's scheduled ``abgleich ORDNER1 ORDNER2 …``: several real folders, no prompts, exit codes.

Laptops are real data folders filled through the services; the office is another data folder
(SQLite here; the PostgreSQL run is tests/test_office_postgres.py). Each test names the numbers a
scheduled job's log must show, written from the requirement, not taken from the code.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from app import cli
from app.domain.attendance import CourseInput, ParticipantInput, TerminInput
from app.services import courses, people
from app.services.checkin import CheckInDesk
from app.storage.database import open_database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Dateirechte 0600 gibt es nur unter POSIX")


def _main(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _laptop(folder: Path, title: str, town: str, names: list[str]) -> None:
    """A trainer's data folder: one course with one Termin where everybody came."""
    folder.mkdir(parents=True)
    db = open_database(f"sqlite:///{folder / 'kurslotse.sqlite3'}")
    try:
        course = courses.create_course(db, CourseInput(
            title=title, municipality=town, place="Dorfgemeinschaftshaus",
            start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 5, 31)))
        termin = courses.add_termin(db, course, TerminInput(date=dt.date(2026, 3, 10)))
        desk = CheckInDesk(db, termin)
        for name in names:
            desk.toggle(people.create_participant(db, ParticipantInput(name=name), course_id=course))
    finally:
        db.close()


def _titles(data: Path) -> list[str]:
    conn = sqlite3.connect(data / "kurslotse.sqlite3")
    try:
        return sorted(row[0] for row in conn.execute("SELECT title FROM courses WHERE deleted = 0"))
    finally:
        conn.close()


def _secret(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    path.chmod(mode)
    return path


@pytest.fixture
def kreis(tmp_path: Path, capsys) -> dict[str, Path]:
    """Two Verbandsgemeinden, each with a laptop that has written its records into its own stick."""
    out = {"office": tmp_path / "buero", "stick_a": tmp_path / "vg-oberes-glantal",
           "stick_b": tmp_path / "vg-kusel-altenglan"}
    out["office"].mkdir()
    for key, title, town, names in (("a", "Grundkurs Glan-Münchweiler", "Glan-Münchweiler", ["Anna", "Bernd"]),
                                    ("b", "WhatsApp in Altenglan", "Altenglan", ["Clara", "Dieter", "Emil"])):
        laptop = tmp_path / f"laptop-{key}"
        _laptop(laptop, title, town, names)
        out[f"stick_{key}"].mkdir()
        code, _out, err = _main(capsys, "--daten", laptop, "abgleich", out[f"stick_{key}"], "--ohne-passwort")
        assert code == 0, err
    return out


def test_office_imports_several_folders_in_one_run(kreis, capsys):
    code, out, err = _main(capsys, "--daten", kreis["office"], "abgleich", kreis["stick_a"], kreis["stick_b"],
                           "--ohne-passwort")
    assert code == 0, err
    assert _titles(kreis["office"]) == ["Grundkurs Glan-Münchweiler", "WhatsApp in Altenglan"]
    results = [line for line in out.splitlines() if line.startswith("Ergebnis ")]
    assert results == [
        f"Ergebnis {kreis['stick_a']}: fertig – 0 Dateien geschrieben, 1 Datei gelesen",
        f"Ergebnis {kreis['stick_b']}: fertig – 0 Dateien geschrieben, 1 Datei gelesen",
    ]
    # the next scheduled run finds nothing new and still says so per folder
    code, out, _err = _main(capsys, "--daten", kreis["office"], "abgleich", kreis["stick_a"], kreis["stick_b"],
                            "--ohne-passwort")
    assert code == 0
    assert sum(line.endswith("0 Dateien geschrieben, 0 Dateien gelesen") for line in out.splitlines()) == 2


def test_a_failing_folder_does_not_stop_the_others_but_sets_the_exit_code(kreis, tmp_path, capsys):
    missing = tmp_path / "stick-nicht-eingesteckt"
    code, out, err = _main(capsys, "--daten", kreis["office"], "abgleich", kreis["stick_a"], missing,
                           kreis["stick_b"], "--ohne-passwort")
    assert code == 1
    assert f"Ergebnis {missing}: fehlgeschlagen – Den Abgleich-Ordner {missing} gibt es nicht" in out
    assert "Traceback" not in out + err
    assert _titles(kreis["office"]) == ["Grundkurs Glan-Münchweiler", "WhatsApp in Altenglan"]


def test_refused_file_in_one_folder_gives_exit_code_3(kreis, capsys):
    broken = kreis["stick_b"] / ("cd" * 16) / "00000001.klsync"
    broken.parent.mkdir()
    broken.write_bytes(b"KURSLOTSE-ABGLEICH\n\x00\x01 abgeschnitten")
    code, out, _err = _main(capsys, "--daten", kreis["office"], "abgleich", kreis["stick_a"], kreis["stick_b"],
                            "--ohne-passwort")
    assert code == 3
    assert f"Ergebnis {kreis['stick_a']}: fertig – 0 Dateien geschrieben, 1 Datei gelesen" in out
    assert f"Ergebnis {kreis['stick_b']}: unvollständig – 0 Dateien geschrieben, 1 Datei gelesen, 1 abgelehnt" in out
    assert _titles(kreis["office"]) == ["Grundkurs Glan-Münchweiler", "WhatsApp in Altenglan"]


def test_passphrase_from_the_environment_without_a_terminal(tmp_path, capsys, monkeypatch):
    laptop, office, stick = tmp_path / "laptop", tmp_path / "buero", tmp_path / "stick"
    _laptop(laptop, "Sicher im Netz", "Schönenberg-Kübelberg", ["Frieda"])
    office.mkdir()
    stick.mkdir()
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # a scheduled job: stdin is no terminal
    monkeypatch.setenv("KURSLOTSE_ABGLEICH_PASSWORT", "Kusel-Kreis-2026")
    code, _out, err = _main(capsys, "--daten", laptop, "abgleich", stick)
    assert code == 0, err
    assert (stick / "kurslotse-passwortpruefung.json").exists()  # the folder is encrypted now
    code, out, err = _main(capsys, "--daten", office, "abgleich", stick)
    assert code == 0, err
    assert _titles(office) == ["Sicher im Netz"]
    monkeypatch.setenv("KURSLOTSE_ABGLEICH_PASSWORT", "falsch geraten")
    code, out, err = _main(capsys, "--daten", office, "abgleich", stick)
    assert code == 1 and "Das Passwort passt nicht" in err
    assert "falsch geraten" not in out + err + (office / "kurslotse.log").read_text(encoding="utf-8")


def test_password_file_readable_by_others_is_refused(tmp_path, capsys):
    stick = tmp_path / "stick"
    stick.mkdir()
    office = tmp_path / "buero"
    office.mkdir()
    loose = _secret(tmp_path / "passwort.txt", "Kusel-Kreis-2026", 0o644)
    code, out, err = _main(capsys, "--daten", office, "abgleich", stick, "--passwort-datei", loose)
    assert code == 1
    assert f"Die Passwort-Datei {loose} dürfen auch andere Benutzer lesen (Rechte 644)" in err
    assert f"chmod 600 {loose}" in err
    assert list(stick.iterdir()) == []  # nothing written with it
    assert "Kusel-Kreis-2026" not in out + err
    tight = _secret(tmp_path / "passwort-ok.txt", "Kusel-Kreis-2026")
    code, _out, err = _main(capsys, "--daten", office, "abgleich", stick, "--passwort-datei", tight)
    assert code == 0, err
    assert (stick / "kurslotse-passwortpruefung.json").exists()


def test_password_file_beats_the_environment(tmp_path, capsys, monkeypatch):
    laptop, office, stick = tmp_path / "laptop", tmp_path / "buero", tmp_path / "stick"
    _laptop(laptop, "Fotos vom Enkel", "Waldmohr", ["Gerda"])
    office.mkdir()
    stick.mkdir()
    secret = _secret(tmp_path / "pw", "Richtiges-Passwort")
    code, _out, err = _main(capsys, "--daten", laptop, "abgleich", stick, "--passwort-datei", secret)
    assert code == 0, err
    monkeypatch.setenv("KURSLOTSE_ABGLEICH_PASSWORT", "veraltet")
    code, _out, err = _main(capsys, "--daten", office, "abgleich", stick, "--passwort-datei", secret)
    assert code == 0, err
    assert _titles(office) == ["Fotos vom Enkel"]


def test_database_error_in_one_folder_is_reported_and_the_next_folder_runs(kreis, capsys, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.sync import service

    real = service.synchronise

    def server_gone_for_a(db, root, *args, **kwargs):
        if Path(root) == kreis["stick_a"]:
            raise OperationalError("INSERT …", {}, Exception("server closed the connection unexpectedly"))
        return real(db, root, *args, **kwargs)

    monkeypatch.setattr(service, "synchronise", server_gone_for_a)
    code, out, err = _main(capsys, "--daten", kreis["office"], "abgleich", kreis["stick_a"], kreis["stick_b"],
                           "--ohne-passwort")
    assert code == 1
    assert f"Ergebnis {kreis['stick_a']}: fehlgeschlagen – Datenbankfehler" in out
    assert f"Ergebnis {kreis['stick_b']}: fertig – 0 Dateien geschrieben, 1 Datei gelesen" in out
    assert f"Die Datenbank meldet beim Abgleich mit {kreis['stick_a']} einen Fehler" in err
    assert "Traceback" not in out + err
    assert _titles(kreis["office"]) == ["WhatsApp in Altenglan"]


def test_no_question_without_a_terminal(kreis, capsys, monkeypatch):
    import getpass

    def asked(*_args: object, **_kwargs: object) -> str:
        raise AssertionError("a scheduled job must never be asked for a password")

    monkeypatch.setattr(getpass, "getpass", asked)
    monkeypatch.setattr(sys, "stdin", open(os.devnull))  # noqa: SIM115 - closed with the test's stdin
    monkeypatch.delenv("KURSLOTSE_ABGLEICH_PASSWORT", raising=False)
    code, out, err = _main(capsys, "--daten", kreis["office"], "abgleich", kreis["stick_a"], kreis["stick_b"])
    assert code == 0, err
    assert sum(line.startswith("Ergebnis ") and ": fertig – " in line for line in out.splitlines()) == 2


def test_password_file_problems_in_german(tmp_path, capsys):
    office = tmp_path / "buero"
    office.mkdir()
    stick = tmp_path / "stick"
    stick.mkdir()
    code, _out, err = _main(capsys, "--daten", office, "abgleich", stick, "--passwort-datei", tmp_path)
    assert code == 1 and f"{tmp_path} ist ein Ordner, keine Passwort-Datei." in err
    code, _out, err = _main(capsys, "--daten", office, "abgleich", stick, "--passwort-datei", tmp_path / "fehlt")
    assert code == 1 and f"Die Passwort-Datei {tmp_path / 'fehlt'} gibt es nicht." in err
    empty = _secret(tmp_path / "leer", "")
    code, _out, err = _main(capsys, "--daten", office, "abgleich", stick, "--passwort-datei", empty)
    assert code == 1 and f"Die Passwort-Datei {empty} ist leer." in err
    assert list(stick.iterdir()) == []
