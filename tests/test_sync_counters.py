"""Head counts and topic tallies counted on two laptops at once add up (counter CRDT), old counts are kept.

Hans's database is a SQLite file in one run and the office's PostgreSQL database in the other.
"""

from __future__ import annotations

import sqlite3

import pytest

from app.domain.attendance import CourseFormat
from app.services.checkin import CheckInDesk
from app.storage.database import open_database
from tests.attendance_fixtures import no_leaked_listeners  # noqa: F401
from tests.sync_helpers import Laptop, _reading, _rows


@pytest.fixture
def pair(tmp_path, database_url):
    shared = tmp_path / "stick"
    shared.mkdir()
    silvia, hans = Laptop.create(tmp_path / "silvia", "silvia"), Laptop.create(tmp_path / "hans", "hans", database_url)
    course = silvia.add_course("Smartphone-Sprechstunde", format=CourseFormat.DROP_IN)
    termin = silvia.add_termin(course)
    silvia.sync(shared)
    hans.sync(shared)
    yield silvia, hans, shared, termin, hans.id_of("termine", silvia.uuid_of("termine", termin))
    silvia.close()
    hans.close()


def _counts(laptop: Laptop) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with _reading(laptop.source) as conn:
        return ([tuple(row) for row in _rows(conn, "SELECT head_count FROM termine")],
                sorted(tuple(row) for row in _rows(conn, "SELECT topic, count FROM topic_tallies")))


def test_visitors_and_topics_counted_on_two_laptops_add_up(pair):
    silvia, hans, shared, on_silvia, on_hans = pair
    desk_silvia, desk_hans = CheckInDesk(silvia.db, on_silvia), CheckInDesk(hans.db, on_hans)
    for _visitor in range(3):
        desk_silvia.change_head_count(1)
    for _visitor in range(2):
        desk_hans.change_head_count(1)
    desk_silvia.count_topic("WhatsApp")
    desk_hans.count_topic("WhatsApp")
    desk_hans.count_topic("WhatsApp")
    desk_hans.count_topic("Fotos")
    for laptop in (silvia, hans, silvia):
        assert laptop.sync(shared).complete
    expected = ([(5,)], [("Fotos", 1), ("WhatsApp", 3)])  # 3 + 2 visitors, 1 + 2 questions on WhatsApp
    assert _counts(silvia) == _counts(hans) == expected
    assert silvia.conflicts() == hans.conflicts() == set()
    # one laptop corrects a miscount, the other counts on at the same time: both changes count
    desk_hans.change_head_count(-1)
    desk_silvia.change_head_count(1)
    desk_silvia.count_topic("Fotos", -1)
    for laptop in (silvia, hans, silvia):
        laptop.sync(shared)
    assert _counts(silvia) == _counts(hans) == ([(5,)], [("Fotos", 0), ("WhatsApp", 3)])
    assert CheckInDesk(hans.db, on_hans).state().head_count == 5
    # the undo of the last step on one laptop travels as a change of its own part
    assert desk_silvia.undo() is not None
    for laptop in (silvia, hans, silvia):
        laptop.sync(shared)
    assert _counts(silvia)[1] == _counts(hans)[1] == [("Fotos", 1), ("WhatsApp", 3)]


def test_counts_from_before_counters_are_kept_and_counting_continues_from_them(pair, tmp_path):
    silvia, hans, shared, on_silvia, on_hans = pair
    record = silvia.uuid_of("termine", on_silvia)
    # as schema 2 left it: one last-writer-wins value (7) in the table and in the change log
    silvia.close()
    conn = sqlite3.connect(silvia.path)
    conn.execute("UPDATE termine SET head_count = 7 WHERE uuid = ?", (record,))
    conn.execute("DELETE FROM sync_fields WHERE record_uuid = ? AND field LIKE 'head_count%'", (record,))
    conn.execute("UPDATE schema_info SET version = 2")
    conn.commit()
    conn.close()
    silvia.db = open_database(f"sqlite:///{silvia.path}")  # migration 2 -> 3
    with silvia.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version FROM schema_info").scalar() == 3
        assert conn.exec_driver_sql("SELECT value FROM sync_fields WHERE record_uuid = ? AND field = 'head_count'",
                                    (record,)).scalar() == "7"
    silvia.sync(shared)
    hans.sync(shared)
    assert _counts(hans)[0] == [(7,)]
    CheckInDesk(silvia.db, on_silvia).change_head_count(2)
    CheckInDesk(hans.db, on_hans).change_head_count(1)
    for laptop in (silvia, hans, silvia):
        laptop.sync(shared)
    assert _counts(silvia)[0] == _counts(hans)[0] == [(10,)]
