"""Sync through a real folder: records travel, merge is idempotent, conflicts are kept and reversible,
deletions and erasures travel, natural keys meet, copies of a database get a new device id.

Tests that take ``database_url`` run twice: once with every laptop on SQLite, once with one of
them (the office, or Hans) on the project office's PostgreSQL server.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import time

import pytest

from app.domain.attendance import AttendanceStatus, ConsentKind, CourseInput, InputError, ParticipantInput
from app.services import context, courses, people, privacy
from app.services.checkin import CheckInDesk
from app.storage import device
from app.storage.database import open_database
from app.sync import conflicts
from app.sync.fileformat import decode_file
from app.sync.folder import scan
from app.sync.service import SyncError, synchronise
from tests.attendance_fixtures import no_leaked_listeners  # noqa: F401
from tests.sync_helpers import START, END, Laptop, all_text, laptops, shared, snapshot, sync_state  # noqa: F401


def test_records_travel_and_second_import_changes_nothing(laptops, shared):
    silvia, hans = laptops("silvia"), laptops("hans")
    course = silvia.add_course("Smartphone-Grundkurs", municipality="Nanzdietschweiler", trainers=["Erika Lang"],
                               planned_lessons=["fotos-teilen"])
    termin = silvia.add_termin(course)
    anna = silvia.add_person("Anna Müller", course, phone="06381 4711")
    people.give_consent(silvia.db, anna, ConsentKind.PHOTOS, dt.date(2026, 1, 5), "2024-1")
    CheckInDesk(silvia.db, termin).toggle(anna)
    written = silvia.sync(shared)
    assert written.written_files == 1 and written.written_ops > 40
    report = hans.sync(shared)
    assert report.read_files == 1 and not report.refused
    assert report.result.new_records["courses"] == 1 and report.result.new_records["attendances"] == 1
    assert hans.snapshot() == silvia.snapshot()
    before = hans.path.read_bytes()
    again = hans.sync(shared)
    assert again.read_files == 0 and again.written_files == 0
    assert hans.snapshot() == silvia.snapshot()
    # the course page on Hans's laptop shows what Silvia recorded
    course_here = courses.list_courses(hans.db)[0]
    assert course_here.title == "Smartphone-Grundkurs" and course_here.municipality == "Nanzdietschweiler"
    assert course_here.participant_count == 1
    assert before  # the file exists; the second run wrote nothing new into the folder either
    assert len(scan(shared)) == 1


def test_edits_and_deletions_travel_both_ways(laptops, shared, database_url):
    silvia, hans = laptops("silvia"), laptops("hans", database_url)
    course = silvia.add_course("Kurs")
    silvia.sync(shared)
    hans.sync(shared)
    hans_course = hans.id_of("courses", silvia.uuid_of("courses", course))
    courses.update_course(hans.db, hans_course, CourseInput(title="Kurs (neu)", start_date=START, end_date=END))
    second = hans.add_course("Zweiter Kurs")
    courses.delete_course(hans.db, second)
    hans.sync(shared)
    silvia.sync(shared)
    titles = {c.title for c in courses.list_courses(silvia.db)}
    assert titles == {"Kurs (neu)"}  # the deleted one travelled as a tombstone
    assert silvia.snapshot() == hans.snapshot()
    assert silvia.conflicts() == set()


def test_concurrent_edit_later_clock_wins_loser_is_a_reversible_conflict(laptops, shared, monkeypatch, database_url):
    silvia, hans = laptops("silvia"), laptops("hans", database_url)
    course = silvia.add_course("Kurs")
    silvia.sync(shared)
    hans.sync(shared)
    record = silvia.uuid_of("courses", course)
    clock = iter(range(1_800_000_000_000, 1_900_000_000_000, 1000))
    monkeypatch.setattr(device, "wall_ms", lambda: next(clock))
    courses.update_course(silvia.db, course, CourseInput(title="Titel von Silvia", start_date=START, end_date=END))
    courses.update_course(hans.db, hans.id_of("courses", record),
                          CourseInput(title="Titel von Hans", start_date=START, end_date=END))  # later clock
    for laptop in (silvia, hans, silvia):
        laptop.sync(shared)
    assert {c.title for c in courses.list_courses(silvia.db)} == {"Titel von Hans"}
    assert silvia.snapshot() == hans.snapshot()
    open_here = conflicts.list_conflicts(silvia.db)
    assert [(c.field_label, c.current, c.other) for c in open_here] == [("Titel", "Titel von Hans", "Titel von Silvia")]
    assert open_here[0].what == "Kurs »Titel von Hans«"
    assert [c.key for c in conflicts.list_conflicts(hans.db)] == [open_here[0].key]
    # Silvia takes her value back; after the next exchange both laptops agree and the conflict is closed
    conflicts.take_other(silvia.db, open_here[0].key)
    assert {c.title for c in courses.list_courses(silvia.db)} == {"Titel von Silvia"}
    for laptop in (silvia, hans, silvia):
        laptop.sync(shared)
    assert {c.title for c in courses.list_courses(hans.db)} == {"Titel von Silvia"}
    assert conflicts.list_conflicts(silvia.db) == conflicts.list_conflicts(hans.db) == []
    assert silvia.snapshot() == hans.snapshot()
    assert sync_state(silvia.source) == sync_state(hans.source)


def test_keep_current_closes_a_conflict_everywhere(laptops, shared, database_url):
    silvia, hans = laptops("silvia"), laptops("hans", database_url)
    course = silvia.add_course("Kurs")
    termin = silvia.add_termin(course)
    silvia.sync(shared)
    hans.sync(shared)
    hans_course = hans.id_of("courses", silvia.uuid_of("courses", course))
    courses.update_course(silvia.db, course, CourseInput(title="Kurs (Silvia)", start_date=START, end_date=END))
    CheckInDesk(silvia.db, termin).change_head_count(3)
    time.sleep(0.002)
    courses.update_course(hans.db, hans_course, CourseInput(title="Kurs (Hans)", start_date=START, end_date=END))
    CheckInDesk(hans.db, hans.id_of("termine", silvia.uuid_of("termine", termin))).change_head_count(5)
    for laptop in (silvia, hans, silvia):
        laptop.sync(shared)
    [item] = conflicts.list_conflicts(hans.db)  # the head counts add up (8), they are no conflict
    assert (item.field_label, item.current, item.other) == ("Titel", "Kurs (Hans)", "Kurs (Silvia)")
    conflicts.keep_current(hans.db, item.key)
    for laptop in (hans, silvia):
        laptop.sync(shared)
    assert conflicts.list_conflicts(silvia.db) == [] == conflicts.list_conflicts(hans.db)
    assert courses.get_termin(silvia.db, termin).head_count == 8


def test_knowing_overwrite_is_no_conflict(laptops, shared, database_url):
    """Hans saw Silvia's title and changed it: a third laptop that gets both files late sees no conflict."""
    silvia, hans, office = laptops("silvia"), laptops("hans"), laptops("buero", database_url)
    course = silvia.add_course("Kurs")
    courses.update_course(silvia.db, course, CourseInput(title="Kurs 2", start_date=START, end_date=END))
    silvia_id = silvia.sync(shared).device_id
    hans.sync(shared)
    courses.update_course(hans.db, hans.id_of("courses", silvia.uuid_of("courses", course)),
                          CourseInput(title="Kurs 3", start_date=START, end_date=END))
    hans.sync(shared)
    # the office reads Hans's file first: Silvia's folder arrives late
    silvia_folder = shared / silvia_id
    hidden = shared.parent / "versteckt"
    shutil.move(silvia_folder, hidden)
    office.sync(shared)
    shutil.move(hidden, silvia_folder)
    office.sync(shared)
    assert {c.title for c in courses.list_courses(office.db)} == {"Kurs 3"}
    assert office.conflicts() == set()
    assert office.snapshot() == hans.snapshot()


def test_same_trainer_place_and_attendance_on_two_laptops_meet_in_one_record(laptops, shared, database_url):
    silvia, hans = laptops("silvia"), laptops("hans", database_url)
    silvia.add_course("Kurs A", municipality="Nanzdietschweiler", trainers=["Erika Lang"])
    hans.add_course("Kurs B", municipality="Nanzdietschweiler", trainers=["Erika Lang"])
    for laptop in (silvia, hans, silvia):
        laptop.sync(shared)
    snap = silvia.snapshot()
    assert [v["name"] for v in snap["municipalities"].values()] == ["Nanzdietschweiler"]
    assert [v["name"] for v in snap["trainers"].values()] == ["Erika Lang"]
    assert snap == hans.snapshot()
    # both mark the same person at the same Termin: one attendance record, no unique-constraint clash
    course = courses.list_courses(silvia.db)[0].id
    termin = silvia.add_termin(course)
    anna = silvia.add_person("Anna", course)
    for laptop in (silvia, hans):
        laptop.sync(shared)
    CheckInDesk(silvia.db, termin).set_status(anna, AttendanceStatus.PRESENT)
    CheckInDesk(hans.db, hans.id_of("termine", silvia.uuid_of("termine", termin))).set_status(
        hans.id_of("participants", silvia.uuid_of("participants", anna)), AttendanceStatus.PRESENT)
    for laptop in (silvia, hans, silvia):
        report = laptop.sync(shared)
        assert not report.refused
    assert len(silvia.snapshot()["attendances"]) == 1
    assert silvia.snapshot() == hans.snapshot()
    assert silvia.conflicts() == set()  # the same value twice is no conflict


def test_child_arriving_before_its_parent_waits_then_appears(laptops, shared, database_url):
    silvia, hans, office = laptops("silvia"), laptops("hans"), laptops("buero", database_url)
    course = silvia.add_course("Kurs")
    silvia.sync(shared)
    hans.sync(shared)
    hans.add_termin(hans.id_of("courses", silvia.uuid_of("courses", course)))
    hans_id = hans.sync(shared).device_id
    silvia_dir = next(p for p in shared.iterdir() if p.name != hans_id)
    hidden = shared.parent / "spaeter"
    shutil.move(silvia_dir, hidden)
    report = office.sync(shared)  # only Hans's Termin: its course is not there yet
    assert report.result.pending == 1 and office.snapshot()["termine"] == {}
    shutil.move(hidden, silvia_dir)
    report = office.sync(shared)
    assert report.result.pending == 0
    assert office.snapshot() == hans.snapshot()


def test_erasure_travels_without_personal_data_and_wins_over_later_edits(laptops, shared, database_url):
    silvia, hans = laptops("silvia"), laptops("hans", database_url)
    course = silvia.add_course("Kurs")
    termin = silvia.add_termin(course)
    anna = silvia.add_person("Annegret Zwiebelmeier", course, phone="06381 98765", birth_year=1946)
    people.give_consent(silvia.db, anna, ConsentKind.PHOTOS, dt.date(2026, 1, 5), "2024-1")
    CheckInDesk(silvia.db, termin).toggle(anna)
    silvia.sync(shared)
    hans.sync(shared)
    record = silvia.uuid_of("participants", anna)
    # Hans edits the phone number while Silvia erases the person
    hans_anna = hans.id_of("participants", record)
    people.update_participant(hans.db, hans_anna, ParticipantInput(name="Annegret Zwiebelmeier", phone="0151 55555"))
    assert privacy.erase_person(silvia.db, record) is True
    assert privacy.erase_person(silvia.db, record) is False
    report = silvia.sync(shared)
    tombstone_file = shared / report.device_id / "00000002.klsync"
    content = decode_file(tombstone_file.read_bytes(), "datei")
    assert ("participants", record, "!erase") in {(op.table, op.record, op.field) for op in content.ops}
    assert not any("Zwiebelmeier" in (op.value or "") or "98765" in (op.value or "") for op in content.ops)
    hans.sync(shared)  # Hans learns of the erasure and rewrites his own file with the phone number
    silvia.sync(shared)
    hans.sync(shared)
    for path in shared.rglob("*.klsync"):  # the older files on the stick hold no personal data any more
        ops = decode_file(path.read_bytes(), path.name).ops
        assert not any(secret in (op.value or "") for op in ops for secret in ("Zwiebelmeier", "98765", "55555"))
    for laptop in (silvia, hans):
        snap = laptop.snapshot()
        person = snap["participants"][record]
        assert person["name"] == "Gelöschte Person" and person["phone"] == "" and person["erased"] == 1
        assert person["birth_year"] is None and person["age_band"] == "80–89"
        assert len(snap["attendances"]) == 1  # counts stay right
        assert all(c["deleted"] == 1 for c in snap["consents"].values())
        text = all_text(laptop.source)
        assert "Zwiebelmeier" not in text and "98765" not in text and "55555" not in text
        assert laptop.conflicts() == set()
    assert silvia.snapshot() == hans.snapshot()
    with pytest.raises(InputError, match="gelöscht"):
        people.update_participant(hans.db, hans_anna, ParticipantInput(name="Annegret Z."))
    assert people.search_participants(hans.db, "Gelösch") == []


def test_encrypted_folder_round_trip_and_no_plain_files_into_it(laptops, shared, database_url):
    silvia, hans = laptops("silvia"), laptops("hans", database_url)
    silvia.add_person("Bärbel Geheimnis")
    silvia.sync(shared, passphrase="Kusel-2026!")
    [written] = list(shared.rglob("*.klsync"))
    assert b"Geheimnis" not in written.read_bytes()
    hans.add_course("Hans' Kurs")
    report = hans.sync(shared)  # no passphrase: cannot read, and must not write plain files there
    assert report.export_note and report.written_files == 0
    assert [r.reason for r in report.refused] == ["passwort-fehlt"]
    report = hans.sync(shared, passphrase="Kusel-2026!")
    assert report.read_files == 1 and report.written_files == 1 and report.complete
    silvia.sync(shared, passphrase="Kusel-2026!")
    assert silvia.snapshot() == hans.snapshot()


def test_junk_and_conflict_copies(laptops, shared):
    silvia, hans = laptops("silvia"), laptops("hans")
    silvia.add_course("Kurs")
    me = silvia.sync(shared).device_id
    own = shared / me
    original = own / "00000001.klsync"
    shutil.copy(original, own / "00000001.sync-conflict-20260301-101010-ABCDEFG.klsync")
    shutil.copy(original, own / "00000001 (Silvias in Konflikt stehende Kopie 2026-03-01).klsync")
    for junk in ("desktop.ini", ".DS_Store", "._00000001.klsync", "Thumbs.db", ".00000002.klsync.abc.tmp"):
        (own / junk).write_bytes(b"\x00junk\xff")
    (shared / "desktop.ini").write_text("[.ShellClassInfo]")
    (shared / ".stfolder").mkdir()
    (shared / "System Volume Information").mkdir()
    report = hans.sync(shared)
    assert report.read_files == 1 and report.duplicates == 2 and report.refused == []
    assert hans.snapshot() == silvia.snapshot()
    again = hans.sync(shared)
    assert again.read_files == 0 and again.refused == []


def test_second_folder_gets_everything_and_wiped_stick_is_refilled(laptops, shared, tmp_path, database_url):
    silvia, office = laptops("silvia"), laptops("buero", database_url)
    silvia.add_course("Kurs 1")
    silvia.sync(shared)
    other = tmp_path / "nextcloud"
    other.mkdir()
    silvia.add_course("Kurs 2")
    silvia.sync(shared)
    assert silvia.sync(other).written_ops > 0  # the second folder gets all changes, not only the new ones
    office.sync(other)
    assert office.snapshot() == silvia.snapshot()
    shutil.rmtree(shared)
    shared.mkdir()
    assert silvia.sync(shared).written_files == 1
    assert silvia.sync(shared).written_files == 0


def test_copied_database_gets_a_new_device_id(laptops, shared, tmp_path):
    silvia = laptops("silvia")
    silvia.add_course("Kurs")
    with silvia.db.engine.connect() as conn:
        original = device.device_id(conn)
    copy_dir = tmp_path / "anderer-laptop"
    copy_dir.mkdir()
    silvia.db.close()
    shutil.copy(silvia.path, copy_dir / "kurslotse.sqlite3")
    silvia.db = open_database(f"sqlite:///{silvia.path}")
    copy = open_database(f"sqlite:///{copy_dir / 'kurslotse.sqlite3'}")
    try:
        with copy.engine.connect() as conn, silvia.db.engine.connect() as mine:
            assert device.device_id(mine) == original
            assert device.device_id(conn) != original
        # both write; their files never collide and everything arrives everywhere
        courses.create_course(copy, CourseInput(title="Kurs der Kopie"))
        silvia.add_course("Kurs von Silvia")
        silvia.sync(shared)
        synchronise(copy, shared, announce=False)
        silvia.sync(shared)
        assert snapshot(silvia.path) == snapshot(copy_dir / "kurslotse.sqlite3")
        assert len(list(shared.iterdir())) == 2
    finally:
        copy.close()


def test_stale_copy_with_same_anchor_is_caught_at_sync(laptops, shared, tmp_path):
    """A copy that the anchor cannot tell apart (same path, same host) is caught by foreign own files.

    In an unencrypted folder anyone could have put those files there, so the laptop does not change
    its id on its own: it writes nothing, names the files, and renews only when the trainer confirms.
    """
    silvia = laptops("silvia")
    silvia.add_course("Kurs")
    silvia.sync(shared)
    silvia.db.close()
    saved = tmp_path / "alt.sqlite3"
    shutil.copy(silvia.path, saved)
    silvia.db = open_database(f"sqlite:///{silvia.path}")
    silvia.add_course("Nach der Kopie")
    first = silvia.sync(shared).device_id
    silvia.db.close()
    # put the old state back under the very same path and inode
    silvia.path.write_bytes(saved.read_bytes())
    for suffix in ("-wal", "-shm"):
        silvia.path.with_name(silvia.path.name + suffix).unlink(missing_ok=True)
    silvia.db = open_database(f"sqlite:///{silvia.path}")
    silvia.add_course("Anderer Weg")
    blocked = silvia.sync(shared)
    assert not blocked.renewed and blocked.device_id == first and blocked.written_files == 0
    assert not blocked.complete and "nicht geschrieben" in blocked.export_note
    assert [r.reason for r in blocked.refused] == ["fremd-eigene-kennung"]
    assert blocked.refused[0].label == f"{first}/00000002.klsync"
    report = synchronise(silvia.db, shared, announce=False, renew_id=True)
    assert report.renewed and report.device_id != first and report.written_files == 1
    titles = {c.title for c in courses.list_courses(silvia.db)}
    assert titles == {"Kurs", "Nach der Kopie", "Anderer Weg"}  # nothing lost


def test_restore_of_a_backup_gets_a_new_device_id(data_dir, shared):
    context.close()
    db = context.database()
    courses.create_course(db, CourseInput(title="Vorher"))
    backup = context.backup_now()
    with db.engine.connect() as conn:
        before = device.device_id(conn)
    context.restore(backup.path)
    with context.database().engine.connect() as conn:
        assert device.device_id(conn) != before
    context.close()


def test_demo_database_is_not_synced(data_dir, shared):
    from app.services import demo

    context.close()
    db = context.database()
    demo.fill(db, years=1, lesson_ids=["fotos-teilen"])
    with pytest.raises(SyncError, match="Demo-Daten"):
        synchronise(db, shared)
    assert list(shared.iterdir()) == []
    context.close()


def test_missing_folder_is_a_clear_error(laptops, tmp_path):
    silvia = laptops("silvia")
    with pytest.raises(SyncError, match="USB-Stick"):
        silvia.sync(tmp_path / "gibt-es-nicht")


def test_v1_database_migrates_and_its_records_reach_a_new_laptop(tmp_path, laptops, shared):
    """A real version-1 file (made by the v1 code, tests/data) is lifted to v2 and syncs completely."""
    from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

    source = PROJECT_ROOT_FOR_SUBPROCESS / "tests" / "data" / "kurslotse-v1.sqlite3"
    path = tmp_path / "alt" / "kurslotse.sqlite3"
    path.parent.mkdir()
    shutil.copy(source, path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version FROM schema_info").fetchone()[0] == 1
    counts_v1 = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("courses", "termine", "participants", "attendances", "topic_tallies", "consents")}
    conn.close()
    old = open_database(f"sqlite:///{path}")
    try:
        before = snapshot(path)
        assert {t: len(before[t]) for t in counts_v1} == counts_v1
        assert all(p["erased"] == 0 for p in before["participants"].values())
        synchronise(old, shared, announce=False)
        fresh = laptops("neu")
        fresh.sync(shared)
        assert fresh.snapshot() == snapshot(path)
        # the migrated laptop keeps working: a new check-in travels as well
        termin = next(t for t in courses.list_courses(old) if t.title == "Smartphone-Grundkurs")
        overview_termin = courses.get_termin(old, 1)
        assert overview_termin.course_id == termin.id
        person = people.known_people(old)[0]
        CheckInDesk(old, overview_termin.id).set_status(person.id, AttendanceStatus.ABSENT)
        synchronise(old, shared, announce=False)
        fresh.sync(shared)
        assert fresh.snapshot() == snapshot(path)
        assert fresh.conflicts() == set()
    finally:
        old.close()


def test_full_stick_still_imports_the_others(laptops, shared, monkeypatch):
    from app.sync import folder

    silvia, hans = laptops("silvia"), laptops("hans")
    silvia.add_course("Kurs von Silvia")
    silvia.sync(shared)
    hans.add_course("Kurs von Hans")

    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(folder, "write_new_file", full)
    report = hans.sync(shared)
    assert "kann nicht geschrieben werden" in report.export_note and not report.complete
    assert report.read_files == 1
    assert {c.title for c in courses.list_courses(hans.db)} == {"Kurs von Silvia", "Kurs von Hans"}
    monkeypatch.undo()
    assert hans.sync(shared).written_files == 1  # next time, with room on the stick, it is written


def test_zip_bomb_is_refused(tmp_path):
    import zlib

    from app.sync import fileformat

    data = fileformat.encode_file("ab" * 16, "x", 1, [])
    monkey = fileformat.MAX_PLAIN
    try:
        fileformat.MAX_PLAIN = 10
        with pytest.raises(fileformat.RefusedFile, match="ungültige Daten"):
            fileformat.decode_file(data, "bombe.klsync")
    finally:
        fileformat.MAX_PLAIN = monkey
    assert zlib  # the limit is what stops a small file from inflating to gigabytes


def test_old_version_of_own_file_put_back_is_rewritten_and_stale_copy_removed(laptops, shared):
    silvia = laptops("silvia")
    anna = silvia.add_person("Annegret Zwiebelmeier")
    me = silvia.sync(shared).device_id
    first = shared / me / "00000001.klsync"
    old = first.read_bytes()
    privacy.erase_person(silvia.db, silvia.uuid_of("participants", anna))
    assert silvia.sync(shared).scrubbed == 1
    first.write_bytes(old)  # an old copy of the stick was put back
    (shared / me / "00000001 (conflicted copy 2026-03-01).klsync").write_bytes(old)
    report = silvia.sync(shared)
    assert report.scrubbed == 1 and report.duplicates == 1 and report.read_files == 0
    assert not (shared / me / "00000001 (conflicted copy 2026-03-01).klsync").exists()
    for path in shared.rglob("*.klsync"):
        assert not any("Zwiebelmeier" in (op.value or "") for op in decode_file(path.read_bytes(), path.name).ops)
