"""``kurslotse demo``: realistic data in an empty database, refusal where real data exists, --erzwingen."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands import demo as demo_command
from app.domain.attendance import CourseInput
from app.services import context, courses, demo
from app import paths
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


@pytest.fixture(autouse=True)
def _back_to_real_data():
    yield
    paths.leave_demo(None)
    context.close()


@pytest.fixture(scope="module")
def demo_made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """``kurslotse demo`` run once in an empty data directory: (that directory, its output, its files).

    Generating two years takes a few seconds; each test reads its own copy of what was made.
    """
    folder = tmp_path_factory.mktemp("demo-einmal") / "daten"
    folder.mkdir()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()) as out:
        patch.setenv(paths.ENV_DATA_DIR, str(folder))
        paths.set_data_dir(None)
        try:
            code = _run()
        finally:
            paths.leave_demo(None)
            context.close()
    assert code == 0
    return folder, out.getvalue(), sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture
def demo_copy(demo_made, data_dir) -> tuple[str, list[str]]:  # noqa: ANN001
    """This test's own copy of the demo in its data directory: (output of the command, files it made)."""
    made, out, files = demo_made
    shutil.copytree(made, data_dir, dirs_exist_ok=True)
    return out, files


def test_demo_goes_into_its_own_folder_and_reaches_back_in_time(data_dir, demo_copy):
    out, files = demo_copy
    assert "Demo-Daten angelegt im eigenen Ordner" in out and "120 Teilnehmende" in out
    assert "echten Daten wurden nicht verändert" in out
    assert "kurslotse.sqlite3" not in files  # the real database was never created
    path = data_dir / "demo" / "kurslotse.sqlite3"
    assert "demo/DEMO-DATEN.txt" in files and (data_dir / "demo" / "DEMO-DATEN.txt").is_file()
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
    assert _query(path, "SELECT count(*) FROM participants WHERE id NOT IN (SELECT participant_id FROM enrolments)") \
        == [(0,)]
    today = dt.date.today()
    assert _query(path, f"SELECT count(*) FROM termine WHERE date = '{today.isoformat()}'")[0][0] >= 1
    # created dates reach back: people, courses and attendance were recorded over two years, not today
    oldest_person = dt.datetime.fromisoformat(_query(path, "SELECT min(created_at) FROM participants")[0][0])
    oldest_course = dt.datetime.fromisoformat(_query(path, "SELECT min(created_at) FROM courses")[0][0])
    assert (today - oldest_person.date()).days > 600 and (today - oldest_course.date()).days > 600
    assert _query(path, "SELECT count(*) FROM participants WHERE date(created_at) = date('now')")[0][0] < 30
    assert _query(path, "SELECT count(*) FROM attendances a JOIN termine t ON t.id = a.termin_id "
                        "WHERE date(a.created_at) != t.date")[0][0] == 0
    assert _query(path, "PRAGMA integrity_check") == [("ok",)]


def test_every_lesson_in_the_demo_is_a_shipped_lesson(data_dir, demo_copy):
    from app.lessons.library import load_library

    path = data_dir / "demo" / "kurslotse.sqlite3"
    used = {row[0] for row in _query(path, "SELECT lesson_id FROM course_lessons UNION SELECT lesson_id FROM termin_lessons")}
    shipped = {lesson.id for lesson in load_library([paths.shipped_lessons_dir()], check_pictures=False).lessons}
    assert len(used) >= 5
    assert used <= shipped, f"not shipped: {sorted(used - shipped)}"


def test_demo_never_touches_a_real_database(db, capsys):
    courses.create_course(db, CourseInput(title="Mein echter Kurs"))
    path = db.path
    context.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert _run() == 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert _query(path, "SELECT title FROM courses") == [("Mein echter Kurs",)]
    assert len(_query(path.parent / "demo" / "kurslotse.sqlite3", "SELECT title FROM courses")) == 8


def test_demo_rows_in_a_real_database_are_explained_and_removed(db, capsys):
    """Older versions wrote the demo into the real database; one command removes it and keeps own records."""
    from app.commands.demo import warn_if_real_database_has_demo

    demo.fill(db, years=1)
    mine = courses.create_course(db, CourseInput(title="Mein echter Kurs"))
    warn_if_real_database_has_demo(db)
    assert "demo --entfernen" in capsys.readouterr().err
    context.close()
    parser = argparse.ArgumentParser(prog="kurslotse")
    demo_command.register(parser.add_subparsers())
    args = parser.parse_args(["demo", "--entfernen"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "Sicherung vor dem Entfernen" in out and "Demo-Daten entfernt" in out
    live = _query(db.path, "SELECT id, title FROM courses WHERE deleted = 0")
    assert live == [(mine, "Mein echter Kurs")]
    assert _query(db.path, "SELECT count(*) FROM participants WHERE deleted = 0") == [(0,)]
    assert _query(db.path, "SELECT count(*) FROM organisation WHERE deleted = 0") == [(0,)]
    fresh = context.database()
    assert not demo.has_demo_rows(fresh)


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
    assert not (data_dir / "demo" / "kurslotse.sqlite3").exists()


@pytest.mark.parametrize("years", [5])
def test_five_years_scale_up(db, years):
    summary = demo.fill(db, years=years, lesson_ids=["a"])
    assert summary.participants == 300
    assert summary.courses == 2 + 3 * years


def test_demo_through_the_program_command_line(tmp_path, demo_made):
    folder = tmp_path / "daten-cli"
    shutil.copytree(demo_made[0], folder)  # a demo made before (in this process, the same command)
    old = (folder / "demo" / "kurslotse.sqlite3").read_bytes()
    result = subprocess.run(  # a second run makes a fresh demo again
        [sys.executable, "-m", "app", "--daten", str(folder), "demo"],
        capture_output=True, text=True, cwd=PROJECT_ROOT_FOR_SUBPROCESS, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Demo-Daten angelegt" in result.stdout and "python3 -m app --demo" in result.stdout
    assert (folder / "demo" / "kurslotse.sqlite3").read_bytes() != old
    listing = subprocess.run(
        [sys.executable, "-m", "app", "--daten", str(folder), "--demo", "kurse"],
        capture_output=True, text=True, cwd=PROJECT_ROOT_FOR_SUBPROCESS, timeout=120,
    )
    assert listing.returncode == 0 and "Smartphone-Kurs aktuell" in listing.stdout
    real = subprocess.run(
        [sys.executable, "-m", "app", "--daten", str(folder), "kurse"],
        capture_output=True, text=True, cwd=PROJECT_ROOT_FOR_SUBPROCESS, timeout=120,
    )
    assert real.returncode == 0 and "Smartphone-Kurs aktuell" not in real.stdout
    assert "Noch keine Kurse" in real.stdout


def test_demo_change_log_records_every_record_as_it_is_stored(data_dir, demo_copy):
    """Demo data syncs like real data: every record and value is in the change log, stamped in order."""
    path = data_dir / "demo" / "kurslotse.sqlite3"
    for table in ("participants", "consents", "courses", "enrolments", "termine", "attendances", "topic_tallies"):
        stored = {row[0] for row in _query(path, f"SELECT uuid FROM {table}")}
        logged = {row[0] for row in _query(path, f"SELECT DISTINCT record_uuid FROM sync_ops WHERE table_name = '{table}'")}
        assert logged == stored, table
    # each attendance carries its five synced fields, with the status the table holds
    assert _query(path, "SELECT count(*) FROM attendances a JOIN sync_fields f ON f.record_uuid = a.uuid "
                        "AND f.field = 'status' AND f.value = '\"' || a.status || '\"'") \
        == _query(path, "SELECT count(*) FROM attendances")
    assert _query(path, "SELECT count(*) FROM sync_ops WHERE table_name = 'attendances'") \
        == [(5 * _query(path, "SELECT count(*) FROM attendances")[0][0],)]
    # a Sprechstunde's head count is base plus this laptop's part, summing to the stored number
    counted = _query(path, "SELECT sum(CAST(value AS INTEGER)) FROM sync_fields "
                           "WHERE table_name = 'termine' AND field LIKE 'head_count@%'")[0][0]
    assert counted == _query(path, "SELECT sum(head_count) FROM termine")[0][0] and counted > 20
    # all 120 people got their recorded date when first enrolled: a change stamped after their creation
    changed = _query(path, "SELECT s.hlc, f.hlc FROM sync_superseded s JOIN sync_fields f "
                           "ON f.record_uuid = s.record_uuid AND f.field = s.field "
                           "WHERE s.field = 'created_at' AND f.table_name = 'participants'")
    assert len(changed) == 120 and all(old < new for old, new in changed)
    assert _query(path, "SELECT count(*) FROM participants p JOIN sync_fields f ON f.record_uuid = p.uuid "
                        "AND f.field = 'created_at' AND f.value = '\"' || p.created_at || '\"'") == [(120,)]
