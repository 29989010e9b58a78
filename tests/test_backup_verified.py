"""Backups are checked before they are kept: a corrupt page never pushes out the good backups (fault injection)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from app import cli
from app.domain.attendance import CourseInput
from app.services import context, courses
from app.storage import backups
from app.storage.database import DamagedDatabaseError, open_database
from tests.attendance_fixtures import no_leaked_listeners  # noqa: F401


def _fill(path: Path, count: int = 60) -> None:
    db = open_database(f"sqlite:///{path}")
    try:
        for number in range(count):
            courses.create_course(db, CourseInput(title=f"Kurs Nummer {number} " + "x" * 100))
    finally:
        db.close()


def _corrupt_courses_page(path: Path) -> None:
    """Overwrite the header of a b-tree page of the courses table (the file header stays intact)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'courses'").fetchone()[0]
    finally:
        conn.close()
    with open(path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff" * 16)


def test_corrupt_page_is_never_rotated_over_the_good_backups(data_dir, capsys):
    context.close()
    path = data_dir / "kurslotse.sqlite3"
    _fill(path)
    for _start in range(3):
        open_database(f"sqlite:///{path}", start_backup=True).close()
    good = backups.list_backups(path)
    assert len(good) == 3 and all(info.verified for info in good)
    assert all(backups.check_backup(info.path) is None for info in good)
    _corrupt_courses_page(path)
    assert backups.database_problem(path) is not None

    for _start in range(12):  # more starts than backups are kept
        with pytest.raises(DamagedDatabaseError) as refused:
            open_database(f"sqlite:///{path}", start_backup=True)
        assert refused.value.problem.backup is not None
        assert refused.value.problem.backup.path == good[0].path
    assert [info.path for info in backups.list_backups(path)] == [info.path for info in good]
    assert "ist beschädigt" in str(refused.value) and good[0].path.name in str(refused.value)
    assert not backups.leftover_temp_files(path)  # the refused copies left nothing behind

    code = cli.main(["--daten", str(data_dir), "sicherungen", "--jetzt"])
    captured = capsys.readouterr()
    err = captured.err
    assert code == 1 and "Es wurde keine Sicherung angelegt" in err and "Sicherung angelegt:" not in captured.out
    assert good[0].path.name in err  # the newest good backup is offered
    assert len(backups.list_backups(path)) == 3
    code = cli.main(["--daten", str(data_dir), "sicherungen", "--pruefen"])
    err = capsys.readouterr().err
    assert code == 1 and "beschädigt" in err and "--wiederherstellen" in err

    code = cli.main(["--daten", str(data_dir), "sicherungen", "--wiederherstellen", str(good[0].path)])
    assert code == 0, capsys.readouterr().err
    assert backups.database_problem(path) is None
    assert len(backups.set_aside_files(path)) == 1  # the damaged file is kept aside, not in the backups
    code = cli.main(["--daten", str(data_dir), "sicherungen", "--pruefen"])
    assert code == 0 and "in Ordnung" in capsys.readouterr().out
    db = open_database(f"sqlite:///{path}", start_backup=True)
    try:
        assert len(courses.list_courses(db)) == 60
    finally:
        db.close()
    context.close()


def test_start_backup_reports_damage_for_the_main_window(data_dir):
    from app.storage import start_backup

    context.close()
    path = data_dir / "kurslotse.sqlite3"
    _fill(path, 20)
    backups.create_backup(path, "manual")
    _corrupt_courses_page(path)
    start_backup._taken_for.discard(path)
    assert start_backup.take_start_backup() is None
    problem = start_backup.damage_found()
    assert problem is not None and problem.backup is not None and problem.backup.reason == "manual"
    assert "beschädigt" in problem.lines()[0] and "--wiederherstellen" in " ".join(problem.lines())
    assert len(backups.list_backups(path)) == 1


def test_pruning_always_keeps_the_newest_verified_backup(tmp_path):
    path = tmp_path / "kurslotse.sqlite3"
    _fill(path, 2)
    verified = backups.create_backup(path, "start", now=dt.datetime(2026, 1, 1, 9, 0))
    folder = backups.backup_dir_for(path)
    for day in range(2, 6):  # newer backups of an older version: not verified when they were made
        name = f"kurslotse-202601{day:02d}-090000-000000-start.sqlite3"
        (folder / name).write_bytes(verified.path.read_bytes())
    removed = backups.prune_backups(path, "start", keep=2)
    left = backups.list_backups(path)
    assert verified.path in [info.path for info in left] and verified.path not in removed
    assert len(removed) == 2 and [info.verified for info in left] == [False, False, True]
    assert "geprüft" == verified.check_label


@pytest.mark.skipif(sys.platform == "win32", reason="Symlinks brauchen unter Windows Administrator- oder Entwicklerrechte")
def test_backup_temp_file_does_not_follow_a_planted_symlink(tmp_path):
    path = tmp_path / "kurslotse.sqlite3"
    _fill(path, 2)
    victim = tmp_path / "wichtig.txt"
    victim.write_text("bleibt so", encoding="utf-8")
    when = dt.datetime(2026, 5, 1, 10, 0)
    folder = backups.backup_dir_for(path)
    folder.mkdir()
    fixed = folder / f"kurslotse-{when:%Y%m%d-%H%M%S-%f}-manual-geprueft.sqlite3.tmp"  # the old, guessable name
    os.symlink(victim, fixed)
    info = backups.create_backup(path, "manual", now=when)
    assert victim.read_text(encoding="utf-8") == "bleibt so"
    assert fixed.is_symlink() and backups.check_backup(info.path) is None


@pytest.mark.parametrize("garbage", [b"x", b"\x00" * 99, b"kein SQLite" * 10])
def test_a_file_cut_below_its_header_is_damaged_not_a_verified_empty_backup(data_dir, garbage):
    """SQLite reads a file shorter than its 100-byte header as an empty database; the start backup
    must not copy it as a verified backup and rotate the real backups away."""
    from app.storage import start_backup
    from app.storage.database import DatabaseError

    context.close()
    path = data_dir / "kurslotse.sqlite3"
    _fill(path, 5)
    for _start in range(2):
        open_database(f"sqlite:///{path}", start_backup=True).close()
    good = backups.list_backups(path)
    assert len(good) == 2
    path.write_bytes(garbage)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)

    for _start in range(12):  # more starts than backups are kept (the window's start backup)
        start_backup._taken_for.discard(path)
        assert start_backup.take_start_backup() is None
        problem = start_backup.damage_found(path)
        assert problem is not None and "keine SQLite-Datei mehr" in problem.lines()[0]
        assert problem.backup is not None and problem.backup.path in {info.path for info in good}
    assert [info.path for info in backups.list_backups(path)] == [info.path for info in good]
    with pytest.raises(backups.DamagedDatabase, match="keine SQLite-Datei mehr"):
        backups.create_backup(path, "manual")
    with pytest.raises(DatabaseError):
        open_database(f"sqlite:///{path}", start_backup=True)
    assert path.read_bytes() == garbage  # nothing was written into the damaged file
    assert not backups.leftover_temp_files(path)
    context.close()
