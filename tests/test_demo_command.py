"""``kurslotse demo``: realistic data in an empty database, refusal where real data exists, --erzwingen."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sqlite3
import subprocess
import sys

import pytest

from app.commands import demo as demo_command
from app.domain.attendance import CourseInput
from app.services import context, courses, demo
from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS, db, no_leaked_listeners  # noqa: F401


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kurslotse")
    demo_command.register(parser.add_subparsers())
    args = parser.parse_args(["demo", *argv])
    return args.func(args)


def _query(path, sql: str) -> list[tuple]:  # noqa: ANN001
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_demo_fills_an_empty_database(data_dir, capsys):
    assert _run() == 0
    path = data_dir / "kurslotse.sqlite3"
    out = capsys.readouterr().out
    assert "Demo-Daten angelegt" in out and "120 Teilnehmende" in out
    assert _query(path, "SELECT count(*) FROM municipalities") == [(3,)]
    assert _query(path, "SELECT count(*) FROM courses") == [(8,)]
    assert _query(path, "SELECT count(*) FROM participants") == [(120,)]
    formats = dict(_query(path, "SELECT format, count(*) FROM courses GROUP BY format"))
    assert formats["drop_in"] == 2 and formats["course"] >= 4 and formats["event"] >= 1
    first, last = _query(path, "SELECT min(date), max(date) FROM termine")[0]
    assert (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days > 700  # about two years
    assert _query(path, "SELECT count(*) FROM termine WHERE head_count > 0")[0][0] > 20
    assert _query(path, "SELECT count(*) FROM topic_tallies")[0][0] > 20
    assert _query(path, "SELECT count(*) FROM consents WHERE kind = 'data_storage'")[0][0] >= 100
    # every person has a place in some course; every held course Termin has marks
    assert _query(path, "SELECT count(*) FROM participants WHERE id NOT IN (SELECT participant_id FROM enrolments)") \
        == [(0,)]
    today = dt.date.today().isoformat()
    assert _query(path, f"SELECT count(*) FROM termine WHERE date = '{today}'")[0][0] >= 1
    assert _query(path, "PRAGMA integrity_check") == [("ok",)]


def test_demo_refuses_a_database_with_real_data(db, capsys):
    courses.create_course(db, CourseInput(title="Mein echter Kurs"))
    path = db.path
    context.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert _run() == 1
    err = capsys.readouterr().err
    assert "enthält bereits Daten (1 Kurse, 0 Teilnehmende) und wurde nicht verändert" in err
    assert "--erzwingen" in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not (path.parent / "sicherungen").exists()


def test_demo_with_erzwingen_backs_up_then_replaces(db, capsys):
    courses.create_course(db, CourseInput(title="Mein echter Kurs"))
    path = db.path
    context.close()
    assert _run("--erzwingen") == 0
    assert "Sicherung der bisherigen Daten" in capsys.readouterr().out
    [backup] = list((path.parent / "sicherungen").glob("*-demo.sqlite3"))
    assert _query(backup, "SELECT title FROM courses") == [("Mein echter Kurs",)]
    titles = [row[0] for row in _query(path, "SELECT title FROM courses")]
    assert "Mein echter Kurs" not in titles and len(titles) == 8


def test_demo_is_deterministic_for_a_seed(db):
    day = dt.date(2026, 3, 10)
    first = demo.fill(db, seed=7, today=day, lesson_ids=["a", "b"])
    names = _query(db.path, "SELECT name FROM participants ORDER BY id")
    again = demo.fill(db, seed=7, today=day, lesson_ids=["a", "b"], replace=True)
    assert first == again
    assert _query(db.path, "SELECT name FROM participants ORDER BY id") == names


def test_demo_years_option_is_checked(data_dir, capsys):
    assert _run("--jahre", "0") == 2
    assert "--jahre muss zwischen 1 und 10 liegen" in capsys.readouterr().err
    assert not (data_dir / "kurslotse.sqlite3").exists()


@pytest.mark.parametrize("years", [5])
def test_five_years_scale_up(db, years):
    summary = demo.fill(db, years=years, lesson_ids=["a"])
    assert summary.participants == 300
    assert summary.courses == 2 + 3 * years


def test_demo_through_the_program_command_line(tmp_path):
    folder = tmp_path / "daten-cli"
    result = subprocess.run(
        [sys.executable, "-m", "app", "--daten", str(folder), "demo"],
        capture_output=True, text=True, cwd=PROJECT_ROOT_FOR_SUBPROCESS, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Demo-Daten angelegt" in result.stdout
    again = subprocess.run(
        [sys.executable, "-m", "app", "--daten", str(folder), "demo"],
        capture_output=True, text=True, cwd=PROJECT_ROOT_FOR_SUBPROCESS, timeout=120,
    )
    assert again.returncode == 1
    assert "Traceback" not in again.stderr and "nicht verändert" in again.stderr
