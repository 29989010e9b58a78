"""Backups through SQLite's backup API: rolling start backups, list, restore, consistency while writing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from app.domain.attendance import CourseInput
from app.services import context, courses
from app.services.checkin import CheckInDesk
from app.storage import backups
from app.storage.database import open_database
from app.storage.models import Course
from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS, db, make_course, no_leaked_listeners  # noqa: F401


def _titles(path) -> list[str]:  # noqa: ANN001
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT title FROM courses WHERE deleted = 0 ORDER BY id")]
    finally:
        conn.close()


def _guests(path) -> int:  # noqa: ANN001
    conn = sqlite3.connect(path, timeout=10)
    try:
        return conn.execute("SELECT count(*) FROM participants WHERE name LIKE 'Gast %'").fetchone()[0]
    finally:
        conn.close()


def test_each_start_takes_a_backup_and_keeps_the_last_ten(db):
    path = db.path
    context.close()
    for number in range(12):
        database = open_database(f"sqlite:///{path}", start_backup=True)
        courses.create_course(database, CourseInput(title=f"Kurs {number}"))
        database.close()
    start_backups = [b for b in backups.list_backups(path) if b.reason == "start"]
    assert len(start_backups) == 10
    # newest first; the newest start backup was taken before "Kurs 11" was added
    assert _titles(start_backups[0].path) == [f"Kurs {n}" for n in range(11)]
    assert _titles(start_backups[-1].path) == [f"Kurs {n}" for n in range(2)]
    for info in start_backups:
        conn = sqlite3.connect(info.path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
        conn.close()


def test_no_start_backup_for_a_new_database(data_dir):
    database = context.database(start_backup=True)
    assert backups.list_backups(database.path) == []


def test_other_backups_are_not_pruned(db):
    for _ in range(3):
        backups.create_backup(db.path, "migration")
    for _ in range(12):
        backups.rolling_start_backup(db.path)
    reasons = [b.reason for b in backups.list_backups(db.path)]
    assert reasons.count("migration") == 3
    assert reasons.count("start") == 10


def test_restore_brings_back_the_old_state_and_saves_the_current_one(db):
    courses.create_course(db, CourseInput(title="Vorher"))
    saved = context.backup_now()
    courses.create_course(db, CourseInput(title="Nachher"))
    safety = context.restore(saved.path)
    assert [c.title for c in courses.list_courses(context.database())] == ["Vorher"]
    assert safety is not None and safety.reason == "restore"
    assert _titles(safety.path) == ["Vorher", "Nachher"]
    # the restored database is writable and in WAL mode again
    courses.create_course(context.database(), CourseInput(title="Danach"))
    assert _titles(context.database().path) == ["Vorher", "Danach"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"kein SQLite", "keine Kurslotse-Sicherung"),
        (None, "Versionstabelle"),
    ],
)
def test_restore_refuses_foreign_files_and_changes_nothing(db, tmp_path, content, message):
    courses.create_course(db, CourseInput(title="Bleibt"))
    bad = tmp_path / "kurslotse-20250101-120000-000000-manual.sqlite3"
    if content is None:
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE fremd (x)")
        conn.commit()
        conn.close()
    else:
        bad.write_bytes(content)
    with pytest.raises(backups.BackupError, match=message):
        context.restore(bad)
    assert [c.title for c in courses.list_courses(context.database())] == ["Bleibt"]


def test_restore_refuses_backup_from_newer_version(db):
    courses.create_course(db, CourseInput(title="Bleibt"))
    saved = context.backup_now()
    conn = sqlite3.connect(saved.path)
    conn.execute("UPDATE schema_info SET version = version + 5")
    conn.commit()
    conn.close()
    with pytest.raises(backups.BackupError, match="neueren Kurslotse-Version"):
        context.restore(saved.path)
    assert [c.title for c in courses.list_courses(context.database())] == ["Bleibt"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="braucht os.fork (Linux/macOS)")
def test_backup_taken_while_writing_is_consistent_and_restorable(db):
    setup = make_course(db, names=tuple(f"Person {n}" for n in range(8)))
    path = db.path
    context.close()
    child = os.fork()
    if child == 0:  # writer: walk-ins and taps as fast as it can, until killed
        try:
            database = open_database(f"sqlite:///{path}")
            desk = CheckInDesk(database, setup.termin_ids[0])
            number = 0
            while True:
                number += 1
                desk.add_walk_in(f"Gast {number}")
                desk.toggle(setup.person_ids[number % 8])
        finally:
            os._exit(0)
    copies = []
    try:
        seen = 0
        for _ in range(5):
            deadline = time.monotonic() + 10
            while _guests(path) <= seen and time.monotonic() < deadline:  # wait until the writer moved on
                time.sleep(0.02)
            seen = _guests(path)
            copies.append(backups.create_backup(path, "manual"))
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    walk_ins_seen = []
    for info in copies:
        conn = sqlite3.connect(info.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        guests = conn.execute("SELECT count(*) FROM participants WHERE name LIKE 'Gast %'").fetchone()[0]
        enrolled = conn.execute("SELECT count(*) FROM enrolments WHERE walk_in = 1").fetchone()[0]
        present = conn.execute(
            "SELECT count(*) FROM attendances a JOIN participants p ON p.id = a.participant_id "
            "WHERE p.name LIKE 'Gast %' AND a.status = 'present' AND a.deleted = 0"
        ).fetchone()[0]
        # each walk-in is one transaction: person, enrolment and mark appear together or not at all
        assert guests == enrolled == present
        walk_ins_seen.append(guests)
        conn.close()
    assert walk_ins_seen[-1] > walk_ins_seen[0] > 0  # the writer really wrote during the backups
    context.restore(copies[2].path)
    database = context.database()
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Course)) == 1
    assert CheckInDesk(database, setup.termin_ids[0]).state().present >= walk_ins_seen[2]


def test_program_start_backup_needs_no_sqlalchemy_and_runs_once(db):
    courses.create_course(db, CourseInput(title="Kurs"))
    context.close()
    code = (
        "import sys; from app.storage.start_backup import take_start_backup; "
        "info = take_start_backup(); again = take_start_backup(); "
        "print(info.reason, again, 'sqlalchemy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ}, cwd=str(PROJECT_ROOT_FOR_SUBPROCESS))
    assert result.stdout.split() == ["start", "None", "False"]
    from app.storage.start_backup import take_start_backup

    assert take_start_backup() is not None
    context.database(start_backup=True)  # the courses page opening later takes no second one
    assert len([b for b in backups.list_backups(db.path) if b.reason == "start"]) == 2
