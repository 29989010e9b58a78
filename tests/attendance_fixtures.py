"""Fixtures and builders for the attendance tests: a real SQLite file in the test's data directory."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.domain.attendance import CourseFormat, CourseInput, ParticipantInput, TerminInput
from app.services import context, courses, events, people
from app.storage.database import Database

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def db(data_dir) -> Iterator[Database]:  # noqa: ANN001 - data_dir comes from conftest
    """The process database, opened fresh on this test's data directory and closed afterwards."""
    context.close()
    database = context.database()
    yield database
    context.close()


@pytest.fixture
def db_any(database_url: str) -> Iterator[Database]:
    """The process database on a laptop's SQLite file and on the office's PostgreSQL server (``database_url``)."""
    from app import paths

    context.close()
    paths.set_database_url(database_url)
    database = context.database()
    yield database
    context.close()
    paths.set_database_url(None)


@pytest.fixture(autouse=True)
def no_leaked_listeners() -> Iterator[None]:
    """Views must unsubscribe from the change notifier when they are destroyed."""
    before = len(events.changes._listeners)
    yield
    context.close()
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QCoreApplication, QEvent

        if QCoreApplication.instance() is not None:  # widgets closed by pytest-qt are deleted later
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(events.changes._listeners) == before


@dataclass
class CourseWithPeople:
    """A small course: three Termine and three enrolled people."""

    course_id: int
    termin_ids: list[int]
    person_ids: list[int]


def make_course(
    db: Database,
    title: str = "Smartphone-Grundkurs",
    names: tuple[str, ...] = ("Anna Müller", "Bernd Schmidt", "Clara Weber"),
    fmt: CourseFormat = CourseFormat.COURSE,
    first: dt.date = TODAY,
    count: int = 3,
    lessons: tuple[str, ...] = ("smartphone-kennenlernen", "whatsapp-nachrichten", "fotos-teilen"),
) -> CourseWithPeople:
    course_id = courses.create_course(db, CourseInput(
        title=title, format=fmt, municipality="Nanzdietschweiler", place="Dorfgemeinschaftshaus",
        start_date=first - dt.timedelta(days=7), end_date=first + dt.timedelta(days=90),
        trainers=["Erika Lang"], planned_lessons=list(lessons),
    ))
    termin_ids = courses.add_weekly_termine(
        db, course_id, TerminInput(date=first, start=dt.time(14, 0), end=dt.time(16, 0)), count
    )
    person_ids = [
        people.create_participant(db, ParticipantInput(name=name), course_id=course_id, today=TODAY)
        for name in names
    ]
    return CourseWithPeople(course_id, termin_ids, person_ids)


PROJECT_ROOT_FOR_SUBPROCESS = Path(__file__).resolve().parent.parent


# --- the demo data many report tests start from, generated once per process -----------------------

_DEMO_FILES: dict[str, tuple[Path, object]] = {}
_DEMO_FOLDER: list[tempfile.TemporaryDirectory[str]] = []


def fill_demo(db: Database, **options: object) -> object:
    """``demo.fill(db, **options)``; on a laptop's new file the same rows are copied in instead.

    The first call per process and option set runs demo.fill on a file of its own (two years take a
    few seconds); later calls copy that file's pages into *db* with SQLite's backup API, in place, so
    every ``Database`` object already open on the file sees them. The copy keeps *db*'s own place
    (anchor), so reopening the file is no »copy from elsewhere«. A server database is filled directly.
    """
    from app.services import demo
    from app.storage import device
    from app.storage.database import open_database

    if db.path is None or options.get("replace"):
        return demo.fill(db, **options)  # type: ignore[arg-type]
    key = repr(sorted(options.items()))
    if key not in _DEMO_FILES:
        if not _DEMO_FOLDER:
            _DEMO_FOLDER.append(tempfile.TemporaryDirectory(prefix="kurslotse-demo-"))
        made = Path(_DEMO_FOLDER[0].name) / f"demo-{len(_DEMO_FILES)}.sqlite3"
        source_db = open_database(f"sqlite:///{made}")
        try:
            summary = demo.fill(source_db, **options)  # type: ignore[arg-type]
        finally:
            source_db.close()
        _DEMO_FILES[key] = (made, summary)
    made, summary = _DEMO_FILES[key]
    with db.engine.connect() as conn:
        anchor = device.get_meta(conn, device.KEY_ANCHOR)
        conn.rollback()  # the backup needs the connection outside a transaction
        source = sqlite3.connect(made)
        try:
            source.backup(conn.connection.driver_connection)
        finally:
            source.close()
    if anchor is not None:
        with db.write_connection() as conn:
            device.set_meta(conn, device.KEY_ANCHOR, anchor)
    events.notify(*events.EVERYTHING)
    return summary
