"""The database on a laptop (SQLite) and in the project office (PostgreSQL): same schema, migrations, safety.

Every test takes ``database_url`` and runs on both, except where a server behaves differently on
purpose (no files, the server's connection breaking off mid-import).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import inspect, select
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError

from app import server_database
from app.domain.attendance import ConsentKind, CourseFormat, CourseInput, ParticipantInput, TerminInput
from app.services import courses, people
from app.services.checkin import CheckInDesk
from app.services.erasure import erase_people, purge_traces
from app.storage import device, migrations
from app.storage.database import DatabaseError, open_database
from app.storage.models import SCHEMA_VERSION, Base, SyncField, Termin
from app.sync import service as sync_service
from tests.attendance_fixtures import no_leaked_listeners  # noqa: F401
from tests.sync_helpers import Laptop, laptops, shared, snapshot  # noqa: F401

DAY = dt.date(2026, 3, 3)


@pytest.fixture
def office(database_url):  # noqa: ANN001, ANN201
    db = open_database(database_url)
    yield db
    db.close()


def _columns(db) -> dict[str, set[str]]:  # noqa: ANN001
    with db.engine.connect() as conn:
        found = inspect(conn)
        return {name: {c["name"] for c in found.get_columns(name)} for name in found.get_table_names()}


def test_fresh_database_gets_the_whole_schema_and_the_version_stamp(office, database_url):
    expected = {table.name: {c.name for c in table.columns} for table in Base.metadata.sorted_tables}
    assert _columns(office) == expected
    with office.engine.connect() as conn:
        assert migrations.read_version(conn) == SCHEMA_VERSION == 3
        first = device.device_id(conn)
    assert office.is_server == database_url.startswith("postgresql")
    assert office.dialect_name == ("postgresql" if office.is_server else "sqlite")
    # opening it again (another office user) keeps the device id: it is the same database, no copy
    again = open_database(database_url)
    try:
        with again.engine.connect() as conn:
            assert device.device_id(conn) == first
    finally:
        again.close()


def test_clock_values_and_counter_part_names_fit_the_columns(office):
    """hlc is milliseconds << 16 (beyond 32 bits); a counter part's field name has 43 characters."""
    course = courses.create_course(office, CourseInput(title="Sprechstunde", format=CourseFormat.DROP_IN))
    termin = courses.add_termin(office, course, TerminInput(date=DAY))
    CheckInDesk(office, termin).change_head_count(3)
    with office.engine.connect() as conn:
        rows = conn.execute(select(SyncField.field, SyncField.hlc, SyncField.value)
                            .where(SyncField.field.like("head_count@%"))).all()
    assert len(rows) == 1
    name, hlc, value = rows[0]
    assert len(name) == 43 and hlc > 2**40 and value == "3"


def test_foreign_keys_are_enforced(office):
    with pytest.raises(IntegrityError), office.engine.begin() as conn:
        conn.execute(sql(
            "INSERT INTO termine (uuid, created_at, updated_at, deleted, course_id, date, status, place, note) "
            "VALUES ('x', '2026-01-01', '2026-01-01', FALSE, 999, '2026-01-01', 'planned', '', '')"
        ))


def _strip_to_version_1(url: str) -> None:
    """Make the schema-1 state from a current database: no sync tables, no ``participants.erased``."""
    db = open_database(url)
    try:
        with db.engine.begin() as conn:
            for name in ("sync_ops", "sync_fields", "sync_superseded", "sync_conflicts", "sync_erased",
                         "sync_pending", "sync_files", "sync_devices"):
                conn.execute(sql(f"DROP TABLE {name}"))
            conn.execute(sql("ALTER TABLE participants DROP COLUMN erased"))
            conn.execute(sql("UPDATE schema_info SET version = 1"))
    finally:
        db.close()


def test_version_1_database_migrates_to_the_fresh_schema_and_its_records_travel(database_url, laptops, shared):
    db = open_database(database_url)
    course = courses.create_course(db, CourseInput(title="Alter Kurs"))
    termin = courses.add_termin(db, course, TerminInput(date=DAY))
    anna = people.create_participant(db, ParticipantInput(name="Anna Alt"), course_id=course)
    CheckInDesk(db, termin).toggle(anna)
    db.close()
    _strip_to_version_1(database_url)

    migrated = open_database(database_url)  # steps 2 and 3
    try:
        expected = {table.name: {c.name for c in table.columns} for table in Base.metadata.sorted_tables}
        assert _columns(migrated) == expected
        with migrated.engine.connect() as conn:
            assert migrations.read_version(conn) == SCHEMA_VERSION
            titles = conn.execute(select(SyncField.value).where(SyncField.field == "title")).scalars().all()
        assert titles == ['"Alter Kurs"']
        office = Laptop("buero", None, migrated)
        office.sync(shared)
        fresh = laptops("neu")
        fresh.sync(shared)
        assert snapshot(fresh.source) == snapshot(migrated)
        assert [p.name for p in people.known_people(fresh.db)] == ["Anna Alt"]
    finally:
        migrated.close()


def _add_one_visitor(url: str, termin: int, started: threading.Event, pause: float) -> None:
    """An office user's read-modify-write of a head count that takes a while (a slow form, a slow network)."""
    db = open_database(url)
    try:
        with db.transaction() as session:
            row = session.get(Termin, termin)
            started.set()
            time.sleep(pause)
            row.head_count = (row.head_count or 0) + 1
    finally:
        db.close()


def test_two_office_users_saving_the_same_record_lose_no_update(office, database_url):
    course = courses.create_course(office, CourseInput(title="Sprechstunde", format=CourseFormat.DROP_IN))
    termin = courses.add_termin(office, course, TerminInput(date=DAY))
    first_in = threading.Event()
    slow = threading.Thread(target=_add_one_visitor, args=(database_url, termin, first_in, 0.6))
    slow.start()
    assert first_in.wait(10)
    _add_one_visitor(database_url, termin, threading.Event(), 0)  # starts while the first one is still open
    slow.join(20)
    with office.engine.connect() as conn:
        assert conn.execute(select(Termin.head_count).where(Termin.id == termin)).scalar() == 2
    assert CheckInDesk(office, termin).state().head_count == 2


def test_two_office_imports_at_once_give_the_same_result_as_one_after_the_other(laptops, shared, tmp_path,
                                                                                database_url):
    silvia, hans = laptops("silvia"), laptops("hans")
    course = silvia.add_course("Kurs")
    silvia.sync(shared)
    hans.sync(shared)
    courses.update_course(silvia.db, course, CourseInput(title="Titel Silvia"))
    hans_course = hans.id_of("courses", silvia.uuid_of("courses", course))
    courses.update_course(hans.db, hans_course, CourseInput(title="Titel Hans"))  # later clock: wins
    stick_silvia, stick_hans = tmp_path / "stick-silvia", tmp_path / "stick-hans"
    stick_silvia.mkdir()
    stick_hans.mkdir()
    silvia.sync(stick_silvia)  # the course and Silvia's title
    hans.sync(stick_hans)  # only Hans's title: the office gets the course from Silvia's stick
    errors: list[BaseException] = []

    def import_from(stick) -> None:  # noqa: ANN001 - a second office user on their own connection
        user = open_database(database_url)
        try:
            sync_service.synchronise(user, stick, announce=False)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            user.close()

    office = laptops("buero", database_url)
    threads = [threading.Thread(target=import_from, args=(stick,)) for stick in (stick_silvia, stick_hans)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert [c.title for c in courses.list_courses(office.db)] == ["Titel Hans"]
    assert {value for _record, name, value in office.conflicts() if name == "title"} == {'"Titel Silvia"'}
    one_after_the_other = laptops("referenz")
    one_after_the_other.sync(stick_silvia)
    one_after_the_other.sync(stick_hans)
    assert office.snapshot() == one_after_the_other.snapshot()
    assert office.conflicts() == one_after_the_other.conflicts()


def test_erasure_on_a_server_clears_rows_and_change_log_and_names_what_the_server_keeps(office):
    course = courses.create_course(office, CourseInput(title="Kurs"))
    anna = people.create_participant(office, ParticipantInput(name="Annegret Zwiebelmeier"), course_id=course)
    report = erase_people(office, [anna])
    assert report.erased == [anna]
    with office.engine.connect() as conn:
        kept = [str(v) for (v,) in conn.execute(sql("SELECT value FROM sync_ops")) if v] + \
               [str(v) for (v,) in conn.execute(sql("SELECT value FROM sync_fields")) if v] + \
               [str(v) for (v,) in conn.execute(sql("SELECT name FROM participants"))]
    assert not any("Zwiebelmeier" in value for value in kept)
    text = "\n".join(server_database.erasure_lines(report, office.is_server))
    if office.is_server:
        assert "WAL-Archiv" in text and "Sicherungen des Servers" in text
        assert purge_traces(office) == (0, [])  # no files here to clean
    else:
        assert "WAL-Archiv" not in text


def test_server_that_goes_away_mid_import_leaves_nothing_half_applied(pg_url, pg_server, laptops, shared,
                                                                      monkeypatch):
    silvia = laptops("silvia")
    course = silvia.add_course("Kurs")
    for number in range(5):
        silvia.add_person(f"Person {number}", course)
    silvia.sync(shared)
    office = laptops("buero", pg_url)
    real_apply = sync_service.apply_ops

    def apply_then_lose_the_server(conn, ops):  # noqa: ANN001, ANN202
        result = real_apply(conn, ops)  # everything written, not yet committed
        pid = conn.execute(sql("SELECT pg_backend_pid()")).scalar()
        killer = pg_server._admin_connect()
        try:
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        finally:
            killer.close()
        return result

    monkeypatch.setattr(sync_service, "apply_ops", apply_then_lose_the_server)
    with pytest.raises(DatabaseError) as caught:
        office.sync(shared)
    message = str(caught.value)
    assert "Verbindung zum Datenbank-Server ist abgebrochen" in message and "zurückgenommen" in message
    password = pg_url.split(":")[2].split("@")[0]
    assert password not in message
    with office.db.engine.connect() as conn:
        assert conn.execute(sql("SELECT count(*) FROM participants")).scalar() == 0
        assert conn.execute(sql("SELECT count(*) FROM sync_files WHERE own = FALSE")).scalar() == 0
        assert conn.execute(sql("SELECT count(*) FROM sync_fields")).scalar() == 0
    monkeypatch.setattr(sync_service, "apply_ops", real_apply)
    office.sync(shared)  # the server is back: the whole file arrives
    assert office.snapshot() == silvia.snapshot()
    assert len(office.snapshot()["participants"]) == 5


def test_a_reading_transaction_sees_one_state_while_another_user_saves(office, database_url):
    """A report's several queries add up even when an import commits between them (as on SQLite)."""
    courses.create_course(office, CourseInput(title="Erster Kurs"))
    other = open_database(database_url)
    try:
        with office.engine.connect() as conn:
            before = conn.execute(sql("SELECT count(*) FROM courses")).scalar()
            courses.create_course(other, CourseInput(title="Zweiter Kurs"))  # committed meanwhile
            assert conn.execute(sql("SELECT count(*) FROM courses")).scalar() == before == 1
        with office.engine.connect() as conn:
            assert conn.execute(sql("SELECT count(*) FROM courses")).scalar() == 2
    finally:
        other.close()


def test_text_longer_than_its_column_is_refused_the_same_way_on_both(office):
    """A server refuses over-long text where SQLite would keep it: both refuse it first, in German."""
    from app.domain.attendance import InputError
    from app.services import organisation

    with pytest.raises(InputError, match=r"Ort: höchstens 200 Zeichen \(eingegeben: 201\)"):
        courses.create_course(office, CourseInput(title="Kurs", place="x" * 201))
    course = courses.create_course(office, CourseInput(title="Kurs", place="x" * 200))
    with pytest.raises(InputError, match="Ort: höchstens 200 Zeichen"):
        courses.add_termin(office, course, TerminInput(date=DAY, place="y" * 250))
    with pytest.raises(InputError, match="E-Mail: höchstens 200 Zeichen"):
        people.create_participant(office, ParticipantInput(name="Anna", email="a" * 196 + "@b.de"),
                                  new_consents=[(ConsentKind.DATA_STORAGE, DAY, "1")])
    with pytest.raises(InputError, match="Kontakt: höchstens 200 Zeichen"):
        organisation.save_settings(office, organisation.OrganisationSettings("Verein", "", "z" * 201, None))
    with office.engine.connect() as conn:
        assert conn.execute(sql("SELECT count(*) FROM courses")).scalar() == 1
        assert conn.execute(sql("SELECT count(*) FROM participants")).scalar() == 0


def test_backups_on_a_server_are_the_servers_job(pg_url):
    """No file copies of a server database: a clear note instead of a file error, the password masked."""
    from app import paths
    from app.services import context

    context.close()
    paths.set_database_url(pg_url)
    try:
        db = context.database(start_backup=True)  # no start backup, no WAL, no file lock on a server
        assert db.is_server and db.path is None
        assert context.list_backups() == []
        with pytest.raises(DatabaseError) as caught:
            context.backup_now()
        message = str(caught.value)
        assert "Sicherungen sind dort Aufgabe des Servers" in message
        assert pg_url.split(":")[2].split("@")[0] not in message and "***" in message
    finally:
        context.close()
        paths.set_database_url(None)
