"""The check-in use case: taps, statuses, walk-ins, head counts, topics and undo — read back from SQLite."""

from __future__ import annotations

import sqlite3

import pytest

from app.domain.attendance import AttendanceStatus, CourseFormat, InputError, TerminStatus
from app.services import courses
from app.services.checkin import CheckInDesk
from app.storage.database import open_database
from tests.attendance_fixtures import TODAY, db, make_course, no_leaked_listeners  # noqa: F401


def _marks(db, termin_id: int) -> dict[str, str]:  # noqa: ANN001
    """What is really in the file: name -> status of live attendance rows."""
    conn = sqlite3.connect(db.path)
    try:
        rows = conn.execute(
            "SELECT p.name, a.status FROM attendances a JOIN participants p ON p.id = a.participant_id "
            "WHERE a.termin_id = ? AND a.deleted = 0", (termin_id,)
        ).fetchall()
    finally:
        conn.close()
    return dict(rows)


def test_tap_marks_present_and_second_tap_clears(db):
    setup = make_course(db)
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    assert desk.toggle(setup.person_ids[0]) is AttendanceStatus.PRESENT
    assert _marks(db, setup.termin_ids[0]) == {"Anna Müller": "present"}
    assert courses.get_termin(db, setup.termin_ids[0]).status is TerminStatus.HELD
    assert desk.toggle(setup.person_ids[0]) is None
    assert _marks(db, setup.termin_ids[0]) == {}
    desk.toggle(setup.person_ids[0])
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT count(*) FROM attendances").fetchone()[0] == 1  # one row, reused
    conn.close()


def test_undo_takes_back_changes_in_reverse_order(db):
    setup = make_course(db)
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    assert desk.undo() is None
    desk.toggle(setup.person_ids[0])
    desk.set_status(setup.person_ids[1], AttendanceStatus.EXCUSED)
    desk.set_status(setup.person_ids[0], AttendanceStatus.ABSENT)
    assert desk.undo_text == "Anna Müller: unentschuldigt"
    assert desk.undo() == "Anna Müller: unentschuldigt"
    assert _marks(db, setup.termin_ids[0]) == {"Anna Müller": "present", "Bernd Schmidt": "excused"}
    desk.undo()
    desk.undo()
    assert _marks(db, setup.termin_ids[0]) == {}
    # the first check-in had turned the planned Termin into "stattgefunden"; undo restores that too
    assert courses.get_termin(db, setup.termin_ids[0]).status is TerminStatus.PLANNED
    assert not desk.can_undo


def test_walk_in_is_person_enrolment_and_mark_in_one_step(db):
    setup = make_course(db)
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    person_id = desk.add_walk_in("  Dieter   Neumann ")
    assert _marks(db, setup.termin_ids[0]) == {"Dieter Neumann": "present"}
    state = desk.state()
    row = next(r for r in state.rows if r.person.id == person_id)
    assert row.person.walk_in and row.status is AttendanceStatus.PRESENT
    # the walk-in is on the course list from now on
    later = CheckInDesk(db, setup.termin_ids[1], today=TODAY).state()
    assert "Dieter Neumann" in [r.person.name for r in later.rows]
    assert desk.undo() == "Dieter Neumann hinzugefügt"
    assert _marks(db, setup.termin_ids[0]) == {}
    assert "Dieter Neumann" not in [r.person.name for r in desk.state().rows]


def test_walk_in_with_a_name_already_on_the_list_marks_that_person(db):
    setup = make_course(db)
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    assert desk.add_walk_in("anna müller") == setup.person_ids[0]
    assert _marks(db, setup.termin_ids[0]) == {"Anna Müller": "present"}
    desk.undo()
    assert "Anna Müller" in [r.person.name for r in desk.state().rows]  # still enrolled after undo


def test_walk_in_needs_a_name(db):
    setup = make_course(db)
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    with pytest.raises(InputError, match="Name: Bitte einen Namen eingeben."):
        desk.add_walk_in("   ")
    assert _marks(db, setup.termin_ids[0]) == {}
    assert not desk.can_undo


def test_known_person_from_another_course_can_be_checked_in(db):
    first = make_course(db, title="Kurs A", names=("Otto Petry",))
    second = make_course(db, title="Kurs B", names=("Anna Müller",))
    desk = CheckInDesk(db, second.termin_ids[0], today=TODAY)
    desk.add_walk_in("", existing_id=first.person_ids[0])
    assert _marks(db, second.termin_ids[0]) == {"Otto Petry": "present"}
    desk.undo()
    assert _marks(db, second.termin_ids[0]) == {}
    assert [r.person.name for r in CheckInDesk(db, first.termin_ids[0]).state().rows] == ["Otto Petry"]


def test_head_count_and_topics_for_a_sprechstunde(db):
    setup = make_course(db, title="Sprechstunde", fmt=CourseFormat.DROP_IN, names=())
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    for _ in range(3):
        desk.change_head_count(+1)
    assert desk.change_head_count(-1) == 2
    desk.count_topic("WhatsApp")
    desk.count_topic("WhatsApp")
    desk.count_topic("Online-Banking")
    state = desk.state()
    assert state.head_count == 2
    assert state.topics == {"WhatsApp": 2, "Online-Banking": 1}
    assert state.course_format is CourseFormat.DROP_IN
    desk.undo()
    assert desk.state().topics == {"WhatsApp": 2}
    assert desk.change_head_count(-10) == 0  # never negative
    desk.undo()
    assert desk.state().head_count == 2
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT head_count FROM termine WHERE id = ?", (setup.termin_ids[0],)).fetchone() == (2,)
    assert conn.execute("SELECT count(*) FROM participants").fetchone() == (0,)  # no names recorded
    conn.close()


def test_finish_marks_the_rest_unexcused_and_can_be_undone(db):
    setup = make_course(db)
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    desk.toggle(setup.person_ids[0])
    desk.add_walk_in("Gast Eins")
    assert desk.finish() == 2
    assert _marks(db, setup.termin_ids[0]) == {
        "Anna Müller": "present", "Bernd Schmidt": "absent", "Clara Weber": "absent", "Gast Eins": "present",
    }
    assert courses.get_termin(db, setup.termin_ids[0]).status is TerminStatus.HELD
    desk.undo()
    assert _marks(db, setup.termin_ids[0]) == {"Anna Müller": "present", "Gast Eins": "present"}


def test_deleted_termin_gives_a_german_message(db):
    setup = make_course(db)
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    courses.delete_termin(db, setup.termin_ids[0])
    with pytest.raises(InputError, match=r"Den Termin Nr. \d+ gibt es nicht \(mehr\)."):
        desk.toggle(setup.person_ids[0])


def test_two_writers_at_once_wait_for_each_other_instead_of_failing(db):
    """E.g. a sync import in a worker thread while the trainer taps: no »database is locked«."""
    import threading

    setup = make_course(db, names=tuple(f"Person {n}" for n in range(6)))
    other = open_database(db.url)  # a second engine, as another thread or process would have
    errors: list[BaseException] = []

    def tap(database, termin_id: int, people: list[int]) -> None:  # noqa: ANN001
        try:
            desk = CheckInDesk(database, termin_id, today=TODAY)
            for round_ in range(42):
                desk.toggle(people[round_ % len(people)])
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [
        threading.Thread(target=tap, args=(db, setup.termin_ids[0], setup.person_ids[:3])),
        threading.Thread(target=tap, args=(other, setup.termin_ids[0], setup.person_ids[3:])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    other.close()
    assert errors == []
    assert _marks(db, setup.termin_ids[0]) == {}  # 14 taps on each person: everyone unmarked again
    conn = sqlite3.connect(db.path)
    assert conn.execute("SELECT count(*) FROM attendances").fetchone() == (6,)
    conn.close()
