"""The merge rules pinned on a real SQLite file with hand-written operations and written expectations.

Written to kill the mutants `mutmut` found in app/sync/merge.py (see tests/mutation-survivors.md).
Each test feeds ``apply_ops`` operations whose stamps (clock value, device id) are written here, so
the expected winner, conflict and count follow from the rule »higher (hlc, device) wins, a value
nobody knowingly overwrote is kept as a conflict« and not from the code. Fast: no sync folder.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.storage import device
from app.storage.changelog import Op
from app.storage.database import open_database
from app.sync import merge
from app.sync.merge import ImportResult, apply_ops

A, B, C = "a" * 32, "b" * 32, "c" * 32  # device ids: C > B > A
COURSE = "c0000000-0000-4000-8000-000000000001"
COURSE2 = "c0000000-0000-4000-8000-000000000002"
TERMIN = "d0000000-0000-4000-8000-000000000001"
PERSON = "e0000000-0000-4000-8000-000000000001"
CREATED = json.dumps("2026-01-05 10:00:00")


def j(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def course_ops(record: str = COURSE, title: str = "Kurs", hlc: int = 10, dev: str = A) -> list[Op]:
    return [Op(hlc, dev, "courses", record, "title", j(title)),
            Op(hlc, dev, "courses", record, "created_at", CREATED)]


def termin_ops(record: str = TERMIN, course: str = COURSE, hlc: int = 20, dev: str = A) -> list[Op]:
    return [Op(hlc, dev, "termine", record, "course_id", j(course)),
            Op(hlc, dev, "termine", record, "date", j("2026-03-03")),
            Op(hlc, dev, "termine", record, "created_at", CREATED)]


def person_ops(hlc: int = 30, dev: str = A, name: str = "Anna Müller", phone: str = "06381 4711",
               email: str = "al@x.de") -> list[Op]:
    return [Op(hlc, dev, "participants", PERSON, "name", j(name)),
            Op(hlc, dev, "participants", PERSON, "name_key", j("anna müller")),
            Op(hlc, dev, "participants", PERSON, "phone", j(phone)),
            Op(hlc, dev, "participants", PERSON, "email", j(email)),
            Op(hlc, dev, "participants", PERSON, "created_at", CREATED)]


class Here:
    """The receiving laptop: a real database file, operations applied in one transaction each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = open_database(f"sqlite:///{path}")

    def apply(self, ops: list[Op]) -> ImportResult:
        with self.db.engine.begin() as conn:
            return apply_ops(conn, ops)

    def rows(self, sql: str, *args: object) -> list[tuple]:
        conn = sqlite3.connect(self.path)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def title(self, record: str = COURSE) -> str | None:
        found = self.rows("SELECT title FROM courses WHERE uuid = ?", record)
        return found[0][0] if found else None

    def winner(self, record: str, name: str) -> tuple:
        return self.rows("SELECT hlc, device, value FROM sync_fields WHERE record_uuid = ? AND field = ?",
                         record, name)[0]

    def conflicts(self) -> list[tuple]:
        return sorted(self.rows("SELECT record_uuid, field, hlc, device, table_name, value FROM sync_conflicts"))

    def superseded(self) -> list[tuple]:
        return sorted(self.rows("SELECT record_uuid, field, hlc, device FROM sync_superseded"))

    def pending(self) -> list[tuple]:
        return sorted(self.rows("SELECT record_uuid, table_name FROM sync_pending"))


@pytest.fixture
def here(tmp_path):
    laptop = Here(tmp_path / "hier.sqlite3")
    yield laptop
    laptop.db.close()


# ------------------------------------------------------------------ new records


def test_new_course_is_inserted_with_defaults_and_counted(here):
    result = here.apply(course_ops())
    assert result.new_records == {"courses": 1}
    assert (result.fields_changed, result.changed_records, result.conflicts, result.erased, result.pending) == (
        2, 0, 0, 0, 0)
    assert result.changed is True
    assert here.rows("SELECT title, format, place, note, deleted, start_date FROM courses") == [
        ("Kurs", "course", "", "", 0, None)]
    assert here.winner(COURSE, "title") == (10, A, '"Kurs"')
    assert here.pending() == [] and here.conflicts() == []


def test_second_import_of_the_same_operations_changes_nothing(here):
    here.apply(course_ops())
    again = here.apply(course_ops())
    assert (again.fields_changed, again.changed_records, again.conflicts, sum(again.new_records.values())) == (
        0, 0, 0, 0)
    assert again.changed is False
    assert here.rows("SELECT count(*) FROM courses") == [(1,)]


def test_record_without_created_at_waits(here):
    result = here.apply([Op(10, A, "courses", COURSE, "title", j("Kurs"))])
    assert result.pending == 1 and result.new_records == {}
    assert here.pending() == [(COURSE, "courses")]
    done = here.apply([Op(11, A, "courses", COURSE, "created_at", CREATED)])
    assert done.new_records == {"courses": 1} and done.pending == 0
    assert here.pending() == [] and here.title() == "Kurs"


def test_required_field_without_default_makes_a_record_wait(here):
    # a Termin needs its date; every other field missing has a default
    ops = [op for op in termin_ops() if op.field != "date"]
    result = here.apply([*course_ops(), *ops])
    assert result.new_records == {"courses": 1} and result.pending == 1
    assert here.pending() == [(TERMIN, "termine")]


def test_child_before_its_parent_waits_then_both_appear(here):
    first = here.apply(termin_ops())
    assert first.pending == 1 and first.new_records == {}
    assert here.pending() == [(TERMIN, "termine")]
    second = here.apply(course_ops())
    assert second.new_records == {"courses": 1, "termine": 1}
    assert second.pending == 0 and here.pending() == []
    assert here.rows("SELECT t.date, c.title FROM termine t JOIN courses c ON c.id = t.course_id") == [
        ("2026-03-03", "Kurs")]


def test_parent_and_children_in_one_batch_in_any_order(here):
    result = here.apply([*termin_ops(), *course_ops()])
    assert result.new_records == {"courses": 1, "termine": 1} and result.pending == 0


def test_reference_to_nowhere_waits_for_an_existing_record_too(here):
    here.apply([*course_ops(), *termin_ops()])
    moved = here.apply([Op(40, B, "termine", TERMIN, "course_id", j(COURSE2))])
    assert moved.pending == 1 and moved.changed_records == 0
    assert here.pending() == [(TERMIN, "termine")]
    assert here.rows("SELECT c.uuid FROM termine t JOIN courses c ON c.id = t.course_id") == [(COURSE,)]
    arrived = here.apply(course_ops(COURSE2, "Zweiter", 41, B))
    assert arrived.new_records == {"courses": 1} and arrived.changed_records == 1 and arrived.pending == 0
    assert here.pending() == []
    assert here.rows("SELECT c.uuid FROM termine t JOIN courses c ON c.id = t.course_id") == [(COURSE2,)]


def test_many_records_in_one_batch(here):
    """More records than one SQL IN list holds (900): every one is read, written and found again."""
    records = [f"c0000000-0000-4000-8000-{n:012d}" for n in range(1, 1902)]
    ops = [op for n, record in enumerate(records) for op in course_ops(record, f"Kurs {n}", 10)]
    result = here.apply(ops)
    assert result.new_records == {"courses": 1901} and result.pending == 0
    assert result.fields_changed == 2 * 1901
    later = [Op(11, B, "courses", record, "title", j(f"Neu {n}")) for n, record in enumerate(records)]
    changed = here.apply(later)
    assert changed.changed_records == 1901 and changed.fields_changed == 1901
    assert here.rows("SELECT count(*) FROM courses WHERE title LIKE 'Neu %'") == [(1901,)]
    waiting = [op for record in records for op in termin_ops(record.replace("c0", "d0", 1), record, 12)][:3 * 950]
    assert here.apply(waiting).new_records == {"termine": 950}


# ------------------------------------------------------------------ who wins


@pytest.mark.parametrize("order", ["together", "old_first", "new_first"])
def test_higher_clock_wins_and_the_loser_is_kept(here, order):
    here.apply(course_ops())
    old, new = Op(20, C, "courses", COURSE, "title", j("Alt")), Op(21, A, "courses", COURSE, "title", j("Neu"))
    batches = {"together": [[old, new]], "old_first": [[old], [new]], "new_first": [[new], [old]]}[order]
    results = [here.apply(batch) for batch in batches]
    assert here.title() == "Neu"
    assert here.winner(COURSE, "title") == (21, A, '"Neu"')
    # the first title and the older edit are both kept, whatever the order they came in
    assert here.conflicts() == [(COURSE, "title", 10, A, "courses", '"Kurs"'),
                                (COURSE, "title", 20, C, "courses", '"Alt"')]
    assert sum(r.conflicts for r in results) == 2


@pytest.mark.parametrize("order", ["together", "low_first", "high_first"])
def test_same_clock_value_the_higher_device_wins(here, order):
    here.apply(course_ops())
    low, high = Op(20, A, "courses", COURSE, "title", j("von A")), Op(20, B, "courses", COURSE, "title", j("von B"))
    batches = {"together": [[high, low]], "low_first": [[low], [high]], "high_first": [[high], [low]]}[order]
    for batch in batches:
        here.apply(batch)
    assert here.title() == "von B", "gleicher Uhrwert: die höhere Geräte-Kennung muss gewinnen"
    assert here.winner(COURSE, "title") == (20, B, '"von B"')
    kept = [row for row in here.conflicts() if row[2] == 20]
    assert kept == [(COURSE, "title", 20, A, "courses", '"von A"')]


def test_conflict_counts_what_lost_against_what_was_here(here):
    here.apply(course_ops())
    here.apply([Op(20, A, "courses", COURSE, "title", j("Hier"))])
    result = here.apply([Op(30, B, "courses", COURSE, "title", j("Dort"))])
    assert result.conflicts == 1 and result.fields_changed == 1 and result.changed_records == 1
    assert here.conflicts() == [(COURSE, "title", 10, A, "courses", '"Kurs"'),
                                (COURSE, "title", 20, A, "courses", '"Hier"')]


def test_losing_value_equal_to_the_winner_is_kept_but_not_counted(here):
    here.apply(course_ops())
    result = here.apply([Op(20, A, "courses", COURSE, "title", j("Gleich"), ((10, A),)),
                         Op(21, B, "courses", COURSE, "title", j("Gleich"), ((10, A),))])
    assert result.conflicts == 0
    assert here.conflicts() == [(COURSE, "title", 20, A, "courses", '"Gleich"')]


def test_older_edit_arriving_late_loses_and_counts(here):
    here.apply(course_ops())
    here.apply([Op(30, B, "courses", COURSE, "title", j("Neu"))])
    late = here.apply([Op(20, C, "courses", COURSE, "title", j("Alt"))])
    assert here.title() == "Neu"
    assert late.conflicts == 1 and late.fields_changed == 0 and late.changed_records == 0
    assert late.changed is True  # a new conflict is a change to show
    assert (COURSE, "title", 20, C, "courses", '"Alt"') in here.conflicts()


def test_loser_without_a_winner_in_this_batch_compares_with_the_held_value(here):
    here.apply(course_ops())
    here.apply([Op(30, B, "courses", COURSE, "title", j("Kurs"))])
    # loses against what is held here and has the same text: kept, but nothing differs
    assert here.apply([Op(20, C, "courses", COURSE, "title", j("Kurs"))]).conflicts == 0


def test_knowing_overwrite_is_no_conflict_and_is_remembered(here):
    here.apply(course_ops())
    edit = Op(20, B, "courses", COURSE, "title", j("Neu"), ((10, A),))
    result = here.apply([edit])
    assert result.conflicts == 0 and here.conflicts() == []
    assert here.superseded() == [(COURSE, "title", 10, A)]
    # the overwritten value arriving again (another copy of the first file) is no conflict either
    assert here.apply(course_ops(hlc=10)).conflicts == 0 and here.conflicts() == []


def test_overwrite_of_a_kept_conflict_closes_it(here):
    here.apply(course_ops())
    here.apply([Op(20, A, "courses", COURSE, "title", j("A")), Op(20, B, "courses", COURSE, "title", j("B"))])
    assert [(r[2], r[3]) for r in here.conflicts()] == [(10, A), (20, A)]
    closing = Op(30, B, "courses", COURSE, "title", j("B"), ((20, A), (20, B), (10, A)))
    result = here.apply([closing])
    assert here.conflicts() == [] and result.conflicts == 0
    assert here.superseded() == [(COURSE, "title", 10, A), (COURSE, "title", 20, A), (COURSE, "title", 20, B)]


def test_overwrite_in_the_same_batch_is_no_conflict(here):
    here.apply(course_ops())
    result = here.apply([Op(20, A, "courses", COURSE, "title", j("Erst")),
                         Op(25, A, "courses", COURSE, "title", j("Dann"), ((20, A),))])
    assert result.conflicts == 1 and here.title() == "Dann"  # only the first title, nobody overwrote it knowingly
    assert [(r[2], r[5]) for r in here.conflicts()] == [(10, '"Kurs"')]


def test_quiet_fields_never_make_a_conflict(here):
    here.apply(course_ops())
    result = here.apply([Op(20, B, "courses", COURSE, "created_at", j("2026-02-01 09:00:00")),
                         Op(19, C, "courses", COURSE, "created_at", j("2026-02-02 09:00:00"))])
    assert result.conflicts == 0 and here.conflicts() == []
    assert here.winner(COURSE, "created_at") == (20, B, j("2026-02-01 09:00:00"))
    here.apply(person_ops())
    keyed = here.apply([Op(40, B, "participants", PERSON, "name_key", j("x")),
                        Op(39, C, "participants", PERSON, "name_key", j("y"))])
    assert keyed.conflicts == 0 and here.conflicts() == []


def test_counter_parts_add_up_and_never_conflict(here):
    here.apply([*course_ops(), *termin_ops(), Op(21, A, "termine", TERMIN, "head_count", j(3))])
    result = here.apply([Op(30, B, "termine", TERMIN, "head_count@" + B, j(2)),
                         Op(31, C, "termine", TERMIN, "head_count@" + C, j(4)),
                         Op(19, C, "termine", TERMIN, "head_count", j(5))])
    assert result.conflicts == 0 and here.conflicts() == []
    assert here.rows("SELECT head_count FROM termine") == [(9,)]  # base 3 (newest) + 2 + 4
    assert result.changed_records == 1


def test_the_same_stamp_twice_in_one_batch_is_one_value(here):
    here.apply(course_ops())
    twice = [Op(20, B, "courses", COURSE, "title", j("Neu")), Op(20, B, "courses", COURSE, "title", j("Neu"))]
    result = here.apply(twice)
    assert (result.conflicts, result.fields_changed) == (1, 1)  # the first title lost, once
    assert [(r[2], r[3]) for r in here.conflicts()] == [(10, A)]


def test_three_values_at_once_the_highest_wins_two_are_kept(here):
    here.apply(course_ops())
    result = here.apply([Op(22, A, "courses", COURSE, "title", j("zwei")),
                         Op(23, A, "courses", COURSE, "title", j("drei")),
                         Op(21, C, "courses", COURSE, "title", j("eins"))])
    assert here.title() == "drei" and result.conflicts == 3
    assert [(r[2], r[3], r[5]) for r in here.conflicts()] == [
        (10, A, '"Kurs"'), (21, C, '"eins"'), (22, A, '"zwei"')]


def test_record_id_of_another_table_is_ignored(here):
    here.apply(course_ops())
    result = here.apply([Op(50, B, "termine", COURSE, "date", j("2026-04-04")),
                         Op(50, B, "termine", COURSE, "created_at", CREATED)])
    assert result.fields_changed == 0 and result.new_records == {} and result.pending == 0
    assert here.rows("SELECT count(*) FROM sync_fields WHERE record_uuid = ? AND field = 'date'", COURSE) == [(0,)]
    mixed = here.apply([Op(60, B, "courses", COURSE2, "title", j("X")),
                        Op(60, B, "termine", COURSE2, "date", j("2026-04-04")),
                        Op(60, B, "courses", COURSE2, "created_at", CREATED)])
    assert mixed.fields_changed == 2 and mixed.new_records == {"courses": 1}
    assert here.rows("SELECT field FROM sync_fields WHERE record_uuid = ? ORDER BY field", COURSE2) == [
        ("created_at",), ("title",)]


def test_update_counts_records_not_fields(here):
    here.apply([*course_ops(), *course_ops(COURSE2, "Zwei")])
    result = here.apply([Op(20, B, "courses", COURSE, "title", j("Eins neu")),
                         Op(20, B, "courses", COURSE, "place", j("Saal")),
                         Op(20, B, "courses", COURSE2, "note", j("Notiz"))])
    assert (result.changed_records, result.fields_changed, result.conflicts) == (2, 3, 1)  # the first title lost
    assert here.rows("SELECT title, place, note FROM courses ORDER BY title") == [
        ("Eins neu", "Saal", ""), ("Zwei", "", "Notiz")]
    stamp = here.rows("SELECT updated_at FROM courses WHERE uuid = ?", COURSE)[0][0]
    assert len(stamp) == 26 and stamp[4] == "-" and stamp[10] == " " and stamp[19] == "."


def test_clock_moves_past_the_highest_value_received(here):
    far = 1_900_000_000_000 << 16
    here.apply([*course_ops(hlc=far - 5), Op(far, B, "courses", COURSE, "place", j("Saal")),
                Op(far - 9, C, "courses", COURSE, "note", j("n"))])
    with here.db.engine.begin() as conn:
        assert int(device.get_meta(conn, device.KEY_CLOCK)) == far
    here.apply([Op(far - 1, B, "courses", COURSE, "note", j("m"))])  # never moves back
    with here.db.engine.begin() as conn:
        assert int(device.get_meta(conn, device.KEY_CLOCK)) == far


# ------------------------------------------------------------------ erasure


def test_erasure_blanks_personal_fields_and_hands_back_the_texts(here):
    here.apply(person_ops())
    result = here.apply([Op(40, B, "participants", PERSON, "!erase", None)])
    assert result.erased == 1
    assert result.erased_values == {"Anna Müller", "06381 4711", "al@x.de"}  # not the name key, not »Gelöschte Person«
    assert here.rows("SELECT name, phone, email, erased FROM participants") == [("Gelöschte Person", "", "", 1)]
    again = here.apply([Op(40, B, "participants", PERSON, "!erase", None)])
    assert again.erased == 0


def test_erasure_hands_back_only_texts_of_three_characters_or_more(here):
    here.apply(person_ops(name="Al", phone="123", email=" ab "))
    result = here.apply([Op(40, B, "participants", PERSON, "!erase", None)])
    assert result.erased_values == {"123"}  # »Al« and » ab « (two letters without the spaces) say nothing


def test_edits_after_an_erasure_stay_blank(here):
    here.apply(person_ops())
    here.apply([Op(40, B, "participants", PERSON, "!erase", None)])
    later = here.apply([Op(50, C, "participants", PERSON, "name", j("Anna Neu")),
                        Op(49, A, "participants", PERSON, "phone", j("0700"))])
    assert here.rows("SELECT name, phone FROM participants") == [("Gelöschte Person", "")]
    assert later.conflicts == 0 and here.conflicts() == []


def test_erased_person_arriving_with_the_erasure_is_inserted_blank(here):
    result = here.apply([*person_ops(), Op(40, B, "participants", PERSON, "!erase", None)])
    assert result.new_records == {"participants": 1} and result.erased == 1
    assert here.rows("SELECT name, phone, email, erased FROM participants") == [("Gelöschte Person", "", "", 1)]
    assert "Anna Müller" not in json.dumps(here.rows("SELECT value FROM sync_fields"), ensure_ascii=False)


def test_erasure_of_a_record_that_is_no_person_is_ignored(here):
    here.apply(course_ops())
    result = here.apply([Op(40, B, "courses", COURSE, "!erase", None)])
    assert result.erased == 0 and here.title() == "Kurs"


def test_erasure_claiming_another_table_is_ignored(here):
    here.apply(person_ops())
    result = here.apply([Op(40, B, "courses", PERSON, "title", j("x")),
                         Op(40, B, "participants", PERSON, "!erase", None)])
    assert result.erased == 0
    assert here.rows("SELECT name FROM participants") == [("Anna Müller",)]


# ------------------------------------------------------------------ the result


def test_import_results_add_up():
    total = ImportResult()
    one = ImportResult(fields_changed=2, changed_records=1, conflicts=1, erased=1, pending=3, erased_values={"a"})
    one.new_records["courses"] = 2
    two = ImportResult(fields_changed=5, changed_records=4, conflicts=2, erased=0, pending=1, erased_values={"b"})
    two.new_records.update({"courses": 1, "termine": 1})
    total.add(one)
    total.add(two)
    assert total.new_records == {"courses": 3, "termine": 1}
    assert (total.fields_changed, total.changed_records, total.conflicts, total.erased) == (7, 5, 3, 1)
    assert total.pending == 1  # what still waits after the last file
    assert total.erased_values == {"a", "b"}
    assert "erased_values" not in repr(total)


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, False), ({"fields_changed": 1}, True), ({"conflicts": 1}, True), ({"erased": 1}, True),
    ({"changed_records": 1}, False), ({"pending": 1}, False),
])
def test_what_counts_as_a_change(fields, expected):
    assert ImportResult(**fields).changed is expected


def test_a_new_record_alone_is_a_change():
    result = ImportResult()
    result.new_records["courses"] = 1
    assert result.changed is True


def test_materialize_without_targets_does_nothing(here):
    raw = sqlite3.connect(here.path)
    try:
        assert merge.materialize(raw, {}, None) == ({}, 0, 0)
    finally:
        raw.close()


def test_erasure_hands_back_texts_held_only_in_the_table_or_only_in_the_merge_state(here):
    other = "e0000000-0000-4000-8000-000000000002"
    here.apply([Op(20, A, "participants", other, "name", j("Bernd Beispiel")),
                Op(20, A, "participants", other, "note", j("andere Notiz")),
                Op(20, A, "participants", other, "created_at", CREATED)])
    here.apply(person_ops())
    conn = sqlite3.connect(here.path)  # a note written without a sync record, an address gone from the table
    conn.execute("UPDATE participants SET note = 'Notiz am Tisch', email = '' WHERE uuid = ?", (PERSON,))
    conn.commit()
    conn.close()
    result = here.apply([Op(40, B, "participants", PERSON, "!erase", None)])
    assert result.erased_values == {"Anna Müller", "06381 4711", "al@x.de", "Notiz am Tisch"}


def test_erasure_of_a_waiting_person_hands_back_its_texts(here):
    waiting = [op for op in person_ops() if op.field != "created_at"]
    assert here.apply(waiting).pending == 1
    result = here.apply([Op(40, B, "participants", PERSON, "!erase", None)])
    assert result.erased_values == {"Anna Müller", "06381 4711", "al@x.de"}


def test_an_ignored_operation_does_not_stop_the_rest_of_the_batch(here):
    here.apply(course_ops())
    result = here.apply([Op(50, B, "termine", COURSE, "date", j("2026-04-04")), *course_ops(COURSE2, "Zwei", 51, B)])
    assert result.new_records == {"courses": 1} and here.title(COURSE2) == "Zwei"


def test_the_same_stamp_twice_then_a_newer_one(here):
    here.apply(course_ops())
    here.apply([Op(20, B, "courses", COURSE, "title", j("Zwei"), ((10, A),)),
                Op(20, B, "courses", COURSE, "title", j("Zwei"), ((10, A),)),
                Op(21, C, "courses", COURSE, "title", j("Drei"), ((20, B),))])
    assert here.title() == "Drei" and here.winner(COURSE, "title") == (21, C, '"Drei"')


def test_one_device_counting_twice_is_no_conflict(here):
    here.apply([*course_ops(), *termin_ops()])
    result = here.apply([Op(30, B, "termine", TERMIN, "head_count@" + B, j(2)),
                         Op(32, B, "termine", TERMIN, "head_count@" + B, j(5))])
    assert result.conflicts == 0 and here.conflicts() == []
    assert here.rows("SELECT head_count FROM termine") == [(5,)]


def test_an_erased_id_reused_for_another_table_does_not_break_the_merge(here):
    here.apply([Op(40, B, "participants", PERSON, "!erase", None)])
    result = here.apply(course_ops(PERSON, "Kein Mensch", 41, B))
    assert result.new_records == {"courses": 1}


def test_two_values_for_a_new_record_the_later_wins(here):
    result = here.apply([Op(11, B, "courses", COURSE, "title", j("Neu")), Op(10, A, "courses", COURSE, "title", j("Alt")),
                         Op(10, A, "courses", COURSE, "created_at", CREATED)])
    assert here.title() == "Neu" and result.conflicts == 1
    assert [(r[2], r[3], r[5]) for r in here.conflicts()] == [(10, A, '"Alt"')]


def test_two_erasures_in_one_batch_are_both_counted(here):
    other = "e0000000-0000-4000-8000-000000000002"
    here.apply([*person_ops(), Op(20, A, "participants", other, "name", j("Bernd Beispiel")),
                Op(20, A, "participants", other, "created_at", CREATED)])
    result = here.apply([Op(40, B, "participants", PERSON, "!erase", None),
                         Op(40, B, "participants", other, "!erase", None)])
    assert result.erased == 2
    assert result.erased_values == {"Anna Müller", "06381 4711", "al@x.de", "Bernd Beispiel"}


@pytest.mark.parametrize("loser", ["other_device", "other_record", "other_field"])
def test_only_the_overwritten_stamp_itself_is_no_conflict(here, loser):
    here.apply([*course_ops(), *course_ops(COURSE2, "Zwei", 5, A)])
    here.apply([Op(20, B, "courses", COURSE, "title", j("Neu"), ((10, A),))])  # knowingly overwrites (10, A)
    here.apply([Op(30, C, "courses", COURSE2, "title", j("Zwei neu"), ((5, A),)),
                Op(30, C, "courses", COURSE, "place", j("Saal"))])
    late = {"other_device": Op(10, B, "courses", COURSE, "title", j("Andere")),
            "other_record": Op(10, A, "courses", COURSE2, "title", j("Andere")),
            "other_field": Op(10, A, "courses", COURSE, "place", j("Andere"))}[loser]
    assert here.apply([late]).conflicts == 1, "nobody overwrote this value knowingly: it must be kept"


def test_a_spared_loser_does_not_hide_the_next_loser(here):
    here.apply([*course_ops(), *course_ops(COURSE2, "Zwei", 5, A)])
    here.apply([Op(20, B, "courses", COURSE, "title", j("Neu"), ((10, A),)),
                Op(30, C, "courses", COURSE2, "title", j("Zwei neu"), ((5, A),))])
    result = here.apply([Op(10, A, "courses", COURSE, "title", j("Kurs")),  # overwritten knowingly: spared
                         Op(9, B, "courses", COURSE2, "title", j("Andere"))])  # nobody saw it: kept
    assert result.conflicts == 1
    assert (COURSE2, "title", 9, B, "courses", '"Andere"') in here.conflicts()


def test_a_waiting_reference_does_not_hold_back_the_other_fields(here):
    here.apply([*course_ops(), *termin_ops()])
    here.apply([Op(40, B, "termine", TERMIN, "course_id", j(COURSE2)), Op(40, B, "termine", TERMIN, "place", j("Saal"))])
    assert here.rows("SELECT place FROM termine") == [("Saal",)]
    assert here.pending() == [(TERMIN, "termine")]


def _enrolment(record: str, person: str, hlc: int = 60) -> list[Op]:
    return [Op(hlc, B, "enrolments", record, "course_id", j(COURSE)),
            Op(hlc, B, "enrolments", record, "participant_id", j(person)),
            Op(hlc, B, "enrolments", record, "enrolled_on", j("2026-03-01")),
            Op(hlc, B, "enrolments", record, "created_at", CREATED)]


def test_a_record_colliding_with_a_local_one_waits_and_the_others_are_inserted(here, caplog):
    other = "e0000000-0000-4000-8000-000000000002"
    first, twin, fine = ("f0000000-0000-4000-8000-000000000001", "f0000000-0000-4000-8000-000000000002",
                         "f0000000-0000-4000-8000-000000000003")
    course_two = "f0000000-0000-4000-8000-000000000004"
    here.apply([*course_ops(), *person_ops(), Op(20, A, "participants", other, "name", j("Bernd")),
                Op(20, A, "participants", other, "name_key", j("bernd")),
                Op(20, A, "participants", other, "created_at", CREATED), *_enrolment(first, PERSON, 50)])
    assert here.pending() == []
    with caplog.at_level("WARNING", logger="app.sync.merge"):
        result = here.apply([*_enrolment(twin, PERSON), *_enrolment(fine, other),  # the same person twice
                             *course_ops(COURSE2, "Zwei"), *[Op(o.hlc, o.device, o.table, course_two, o.field,
                                                               j(COURSE2) if o.field == "course_id" else o.value)
                                                            for o in _enrolment(course_two, PERSON)]])
    assert result.new_records == {"courses": 1, "enrolments": 2} and result.pending == 1
    assert here.pending() == [(twin, "enrolments")]
    assert sorted(r[0] for r in here.rows("SELECT uuid FROM enrolments")) == [first, fine, course_two]
    warnings = [r.getMessage() for r in caplog.records if r.name == "app.sync.merge"]
    assert warnings == [f"Datensatz {twin} in enrolments wartet: IntegrityError"]


def test_a_waiting_record_does_not_hold_back_the_next_one_of_its_table(here):
    result = here.apply([Op(10, A, "courses", COURSE, "title", j("Ohne Datum")), *course_ops(COURSE2, "Zwei")])
    assert result.new_records == {"courses": 1} and result.pending == 1
    assert here.title(COURSE2) == "Zwei" and here.pending() == [(COURSE, "courses")]
    result = here.apply([Op(11, A, "termine", TERMIN, "course_id", j(COURSE)), Op(11, A, "termine", TERMIN, "date",
                         j("2026-03-03")), Op(11, A, "termine", TERMIN, "created_at", CREATED),
                         *termin_ops("d0000000-0000-4000-8000-000000000002", COURSE2, 12)])
    assert result.new_records == {"termine": 1} and result.pending == 2
