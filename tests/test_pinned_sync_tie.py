"""Who wins a conflict when two laptops stamp an edit with the same clock value: the higher device id.

app/sync/merge.py orders edits by (hlc, device id). Equal clock values are not rare: two laptops
that both saw an edit from a laptop whose clock runs ahead both stamp their next edit with
``last + 1``. Comparing the clock value alone would let each laptop keep its own title for good.
Device ids are set here by hand so the expected winner is written in the test.
"""

from __future__ import annotations

import sqlite3

import pytest

from app.domain.attendance import CourseInput
from app.services import courses
from app.storage import device
from app.sync import conflicts
from tests.sync_helpers import END, START, Laptop, sync_state

LOW_ID = "1" * 32
HIGH_ID = "f" * 32
BASE_MS = 1_800_000_000_000  # 15.01.2027, after any real clock of this test run


@pytest.fixture
def laptops(tmp_path):
    made: list[Laptop] = []

    def make(name: str, device_id: str) -> Laptop:
        laptop = Laptop.create(tmp_path / name, name)
        with laptop.db.engine.begin() as conn:
            device.set_meta(conn, device.KEY_DEVICE, device_id)
        made.append(laptop)
        return laptop

    yield make
    for laptop in made:
        laptop.close()


@pytest.fixture
def clock(monkeypatch):
    """The wall clock every laptop reads (milliseconds), set by the test."""
    now = {"ms": BASE_MS}
    monkeypatch.setattr(device, "wall_ms", lambda: now["ms"])
    return now


def _rename(laptop: Laptop, record: str, title: str, municipality: str = "") -> None:
    courses.update_course(laptop.db, laptop.id_of("courses", record),
                          CourseInput(title=title, start_date=START, end_date=END, municipality=municipality))


def _title_stamp(laptop: Laptop, record: str) -> tuple[int, str]:
    conn = sqlite3.connect(laptop.path)
    try:
        return conn.execute("SELECT hlc, device FROM sync_fields WHERE record_uuid = ? AND field = 'title'",
                            (record,)).fetchone()
    finally:
        conn.close()


def _titles(laptop: Laptop) -> list[str]:
    return [course.title for course in courses.list_courses(laptop.db)]


@pytest.mark.parametrize("silvia_id, hans_id, winner, loser", [
    (HIGH_ID, LOW_ID, "Titel von Silvia", "Titel von Hans"),
    (LOW_ID, HIGH_ID, "Titel von Hans", "Titel von Silvia"),
])
def test_same_clock_value_on_two_laptops_the_higher_device_id_wins_everywhere(
        laptops, tmp_path, clock, silvia_id, hans_id, winner, loser):
    shared = tmp_path / "stick"
    shared.mkdir()
    silvia, hans = laptops("silvia", silvia_id), laptops("hans", hans_id)
    record = silvia.uuid_of("courses", silvia.add_course("Kurs"))
    silvia.sync(shared)
    clock["ms"] += 1000
    hans.sync(shared)
    clock["ms"] += 60_000  # both laptops edit in the same millisecond
    _rename(silvia, record, "Titel von Silvia")
    _rename(hans, record, "Titel von Hans")
    assert _title_stamp(silvia, record)[0] == _title_stamp(hans, record)[0], "Testaufbau: gleicher Uhrwert"
    for laptop in (silvia, hans, silvia, hans):
        clock["ms"] += 1000
        laptop.sync(shared)
    assert _titles(silvia) == [winner], "bei gleichem Uhrwert muss die höhere Geräte-Kennung gewinnen"
    assert _titles(hans) == [winner], "beide Laptops müssen denselben Titel zeigen"
    assert sync_state(silvia.path) == sync_state(hans.path)
    for laptop in (silvia, hans):
        open_here = conflicts.list_conflicts(laptop.db)
        assert [(c.current, c.other) for c in open_here] == [(winner, loser)], laptop.name


def test_two_laptops_behind_a_laptop_whose_clock_runs_ahead_still_agree(laptops, tmp_path, clock):
    shared = tmp_path / "stick"
    shared.mkdir()
    silvia, hans = laptops("silvia", LOW_ID), laptops("hans", HIGH_ID)
    ahead = laptops("vorgehend", "7" * 32)
    record = silvia.uuid_of("courses", silvia.add_course("Kurs"))
    silvia.sync(shared)
    hans.sync(shared)
    ahead.sync(shared)
    # the third laptop's clock runs two hours ahead (within the accepted day): it edits the place
    clock["ms"] = BASE_MS + 2 * 3_600_000
    courses.update_course(ahead.db, ahead.id_of("courses", record),
                          CourseInput(title="Kurs", start_date=START, end_date=END, municipality="Waldmohr"))
    ahead.sync(shared)
    clock["ms"] = BASE_MS + 60_000  # back to true time on the other two
    silvia.sync(shared)
    hans.sync(shared)
    _rename(silvia, record, "Titel von Silvia", "Waldmohr")  # the place as received stays
    _rename(hans, record, "Titel von Hans", "Waldmohr")
    silvia_stamp, hans_stamp = _title_stamp(silvia, record), _title_stamp(hans, record)
    place_hlc = _title_stamp(ahead, record)[0]  # the title field there still holds the creation stamp
    assert silvia_stamp[0] == hans_stamp[0] > place_hlc, "Testaufbau: beide stempeln »zuletzt gesehen + 1«"
    for laptop in (silvia, hans, ahead, silvia, hans):
        clock["ms"] += 1000
        laptop.sync(shared)
    for laptop in (silvia, hans, ahead):
        assert _titles(laptop) == ["Titel von Hans"], f"{laptop.name}: höhere Geräte-Kennung (Hans) gewinnt"
        assert courses.list_courses(laptop.db)[0].municipality == "Waldmohr"
    assert sync_state(silvia.path) == sync_state(hans.path) == sync_state(ahead.path)
    assert [(c.current, c.other) for c in conflicts.list_conflicts(silvia.db)] == [("Titel von Hans", "Titel von Silvia")]
