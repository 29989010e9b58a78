"""End to end: three trainers' laptops (SQLite) meet in the project office's database through their sticks.

Each laptop records its courses through the services and syncs into its own Verbandsgemeinde's
folder. The office runs the scheduled job (``abgleich ORDNER1 ORDNER2 ORDNER3`` with the
passphrase from a file and the database address from an owner-only file), then ``bericht``: its
numbers are the sum of what the laptops recorded (written below from the plan, not computed by
the program). An erasure made in the office reaches the laptop that recorded the person at its
next ``abgleich``. The office database is PostgreSQL (a real throwaway server) and, for
comparison, a SQLite file: the same test, the same numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import cli
from app.domain.attendance import CourseInput, ParticipantInput, TerminInput
from app.services import courses, people
from app.services.checkin import CheckInDesk
from app.storage.database import open_database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Dateirechte 0600 gibt es nur unter POSIX")

PASSPHRASE = "Kreis-Kusel-Abgleich-2026"


@dataclass(frozen=True)
class Plan:
    """What one trainer recorded: a course in one Ortsgemeinde, who came to which Termin."""

    folder: str
    town: str
    title: str
    people: tuple[str, ...]
    present: tuple[tuple[str, ...], ...]  # per Termin (weekly from the start day, 14–16 h)
    first_day: dt.date


PLANS = (
    Plan("laptop-silvia", "Glan-Münchweiler", "Smartphone-Grundkurs",
         ("Waltraud Kessler", "Horst Ebersold", "Inge Pfaff", "Rudi Lang"),
         (("Waltraud Kessler", "Horst Ebersold", "Inge Pfaff", "Rudi Lang"),
          ("Waltraud Kessler", "Inge Pfaff", "Rudi Lang"),
          ("Waltraud Kessler", "Horst Ebersold", "Inge Pfaff", "Rudi Lang")),
         dt.date(2026, 3, 3)),
    Plan("laptop-hans", "Nanzdietschweiler", "WhatsApp und Videoanrufe",
         ("Anna Beispiel", "Gisela Roth", "Manfred Stein", "Erika Vogt", "Heinz Baum"),
         (("Anna Beispiel", "Gisela Roth", "Manfred Stein", "Erika Vogt", "Heinz Baum"),
          ("Anna Beispiel", "Gisela Roth", "Erika Vogt", "Heinz Baum")),
         dt.date(2026, 4, 14)),
    Plan("laptop-petra", "Altenglan", "Fotos mit dem Handy",
         ("Lore Fuchs", "Karl Weber", "Ilse Brand"),
         (("Lore Fuchs", "Karl Weber", "Ilse Brand"),
          ("Lore Fuchs", "Karl Weber", "Ilse Brand")),
         dt.date(2026, 9, 8)),
)
# What the office report must show, counted by hand from PLANS:
# Termine 3 + 2 + 2; Anwesenheiten 11 + 9 + 6; Personen 4 + 5 + 3; 2 Zeitstunden je Termin.
EXPECTED = {"Angebote": "3", "Termine stattgefunden": "7", "Anwesenheiten": "26", "Erreichte Personen": "12",
            "Zeitstunden": "14,00", "Anmeldungen": "12"}
EXPECTED_TOWNS = {"Glan-Münchweiler": ("3", "6,00"), "Nanzdietschweiler": ("2", "4,00"), "Altenglan": ("2", "4,00")}


def _record(data: Path, plan: Plan) -> None:
    """The trainer's own work through the services: course, Termine, people, check-in taps."""
    data.mkdir(parents=True)
    db = open_database(f"sqlite:///{data / 'kurslotse.sqlite3'}")
    try:
        course = courses.create_course(db, CourseInput(
            title=plan.title, municipality=plan.town, place="Dorfgemeinschaftshaus",
            start_date=plan.first_day, end_date=plan.first_day + dt.timedelta(days=60)))
        ids = {name: people.create_participant(db, ParticipantInput(name=name), course_id=course)
               for name in plan.people}
        for week, came in enumerate(plan.present):
            termin = courses.add_termin(db, course, TerminInput(
                date=plan.first_day + dt.timedelta(days=7 * week), start=dt.time(14, 0), end=dt.time(16, 0)))
            desk = CheckInDesk(db, termin)
            for name in came:
                desk.toggle(ids[name])
    finally:
        db.close()


class Office:
    """Runs the command line as the office's scheduled job and collects everything it printed."""

    def __init__(self, capsys, url_file: Path, secret_file: Path) -> None:
        self.capsys, self.url_file, self.secret_file = capsys, url_file, secret_file
        self.printed = ""

    def run(self, *argv: str | Path, data: Path | None = None) -> tuple[int, str, str]:
        prefix = ["--daten", str(data)] if data is not None else ["--datenbank-datei", str(self.url_file)]
        code = cli.main(prefix + [str(a) for a in argv])
        captured = self.capsys.readouterr()
        self.printed += captured.out + captured.err
        return code, captured.out, captured.err

    def sync(self, *folders: Path, data: Path | None = None) -> tuple[int, str, str]:
        return self.run("abgleich", *folders, "--passwort-datei", self.secret_file, data=data)


def _overview(csv_path: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The »Übersicht« and »Nach Ortsgemeinde« blocks of a report CSV."""
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig")), delimiter=";"))
    start = next(i for i, row in enumerate(rows) if row and row[0].startswith("Übersicht"))
    overview = {}
    for row in rows[start + 2:]:
        if not row or not row[0]:
            break
        overview[row[0]] = row[1]
    town_start = next(i for i, row in enumerate(rows) if row and row[0] == "Nach Ortsgemeinde")
    header = rows[town_start + 1]
    towns = {}
    for row in rows[town_start + 2:]:
        if not row or not row[0]:
            break
        towns[row[0]] = row
    towns["__header__"] = header
    return overview, towns


def _names(data: Path) -> set[str]:
    conn = sqlite3.connect(data / "kurslotse.sqlite3")
    try:
        return {row[0] for row in conn.execute("SELECT name FROM participants")}
    finally:
        conn.close()


def _office_mentions(url: str, text: str) -> int:
    """Rows of the office database (people, synced fields, change log, conflicts) that still hold *text*."""
    from sqlalchemy import create_engine
    from sqlalchemy import text as sql

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sum(conn.execute(sql(query), {"t": f"%{text}%"}).scalar_one() for query in (
                "SELECT count(*) FROM participants WHERE name LIKE :t OR name_key LIKE :t",
                "SELECT count(*) FROM sync_fields WHERE value LIKE :t",
                "SELECT count(*) FROM sync_ops WHERE value LIKE :t",
                "SELECT count(*) FROM sync_conflicts WHERE value LIKE :t",
            ))
    finally:
        engine.dispose()


def test_three_laptops_meet_in_the_office_database_and_an_erasure_goes_back(database_url, tmp_path, data_dir,
                                                                            capsys):
    from sqlalchemy.engine import make_url

    secret = tmp_path / "abgleich-passwort.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    secret.chmod(0o600)
    url_file = tmp_path / "datenbank.txt"
    url_file.write_text(database_url + "\n", encoding="utf-8")
    url_file.chmod(0o600)
    office = Office(capsys, url_file, secret)
    on_server = make_url(database_url).get_backend_name() == "postgresql"

    sticks = []
    for plan in PLANS:
        laptop = tmp_path / plan.folder
        _record(laptop, plan)
        stick = tmp_path / f"stick-{plan.town}"
        stick.mkdir()
        sticks.append(stick)
        code, _out, err = office.sync(stick, data=laptop)
        assert code == 0, err

    # the scheduled job: all three folders in one run
    code, out, err = office.sync(*sticks)
    assert code == 0, err
    results = [line for line in out.splitlines() if line.startswith("Ergebnis ")]
    assert results == [f"Ergebnis {stick}: fertig – 0 Dateien geschrieben, 1 Datei gelesen" for stick in sticks]

    report = tmp_path / "kreis-2026.csv"
    code, out, err = office.run("bericht", "--von", "2026-01-01", "--bis", "2026-12-31", "-o", report)
    assert code == 0, err
    assert "2026: 7 Termine stattgefunden, 12 Personen erreicht, 14,00 Zeitstunden." in out
    overview, towns = _overview(report)
    assert {key: overview[key] for key in EXPECTED} == EXPECTED
    header = towns["__header__"]
    held, hours = header.index("Termine stattgefunden"), header.index("Zeitstunden")
    assert {town: (row[held], row[hours]) for town, row in towns.items() if town != "__header__"} == EXPECTED_TOWNS

    # each laptop's own report: the office's totals are their sum
    sums = {"Termine stattgefunden": 0, "Anwesenheiten": 0, "Erreichte Personen": 0}
    for plan in PLANS:
        own = tmp_path / f"{plan.folder}.csv"
        code, _out, err = office.run("bericht", "--von", "2026-01-01", "--bis", "2026-12-31", "-o", own,
                                     data=tmp_path / plan.folder)
        assert code == 0, err
        figures, _towns = _overview(own)
        for key in sums:
            sums[key] += int(figures[key])
    assert {key: str(value) for key, value in sums.items()} == {key: EXPECTED[key] for key in sums}

    # an erasure in the office (Auskunft/Löschen requests come there)
    code, out, err = office.run("personen", "Anna")
    assert code == 0, err
    found = [line.split() for line in out.splitlines() if "Anna Beispiel" in line]
    assert len(found) == 1
    code, out, err = office.run("loeschen", found[0][0], "--ja")
    assert code == 0, err
    assert "1 Person gelöscht" in out
    assert ("WAL-Archiv und die Sicherungen des Servers" in out) is on_server
    assert _office_mentions(database_url, "Anna Beispiel") == 0

    # the next scheduled run carries the erasure into every folder; Hans's laptop takes it at its next sync
    code, out, err = office.sync(*sticks)
    assert code == 0, err
    assert all(f"Ergebnis {stick}: fertig – 1 Datei geschrieben, 0 Dateien gelesen" in out for stick in sticks)
    hans = tmp_path / "laptop-hans"
    assert "Anna Beispiel" in _names(hans)
    code, out, err = office.sync(sticks[1], data=hans)
    assert code == 0, err
    assert "Gelöschte Personen (Datenschutz): 1" in out
    assert "Anna Beispiel" not in _names(hans)
    assert {"Gisela Roth", "Manfred Stein", "Erika Vogt", "Heinz Baum"} <= _names(hans)
    silvia = tmp_path / "laptop-silvia"
    code, out, err = office.sync(sticks[0], data=silvia)
    assert code == 0, err
    assert _names(silvia) == set(PLANS[0].people)  # her own people stay as they are

    # the anonymous placeholder keeps counting: the office's numbers do not change
    again = tmp_path / "kreis-2026-nachher.csv"
    code, _out, err = office.run("bericht", "--von", "2026-01-01", "--bis", "2026-12-31", "-o", again)
    assert code == 0, err
    assert {key: _overview(again)[0][key] for key in EXPECTED} == EXPECTED

    password = make_url(database_url).password
    if password:
        log = (data_dir / "kurslotse.log").read_text(encoding="utf-8") if (data_dir / "kurslotse.log").exists() else ""
        assert password not in office.printed and password not in log
    assert PASSPHRASE not in office.printed


def test_server_gone_mid_import_leaves_whole_files_and_the_next_run_completes(pg_server, pg_url, tmp_path, data_dir):
    """The server drops every connection while the scheduled job imports: files are whole or absent."""
    import subprocess
    import sys
    import time

    import psycopg
    from sqlalchemy.engine import make_url

    from app.bench.office import OfficeSizes, write_office_folders
    from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

    sizes = OfficeSizes(laptops=6, folders=2, courses_per_year=4, years=2, termine_per_course=8,
                        people_per_course=10, attendances=0)
    folders, files, _ops = write_office_folders(tmp_path / "ordner", sizes)
    assert files == 48  # 6 laptops × 8 courses, one file (one whole course) each
    env = {**os.environ, "KURSLOTSE_DATENBANK": pg_url, "KURSLOTSE_DATEN": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "app", "abgleich", *map(str, folders), "--ohne-passwort"]
    url = make_url(pg_url)
    watch = psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                            dbname=url.database, autocommit=True)

    def imported() -> int:
        try:
            return watch.execute("SELECT count(*) FROM sync_files WHERE NOT own").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return 0

    def courses_whole() -> tuple[int, int]:
        """(courses, courses with all 8 Termine and 10 enrolments)."""
        rows = watch.execute(
            "SELECT c.id, (SELECT count(*) FROM termine t WHERE t.course_id = c.id), "
            "(SELECT count(*) FROM enrolments e WHERE e.course_id = c.id) FROM courses c").fetchall()
        return len(rows), sum(1 for _id, termine, enrolled in rows if termine == 8 and enrolled == 10)

    try:
        job = subprocess.Popen(command, env=env, cwd=str(PROJECT_ROOT_FOR_SUBPROCESS), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while imported() < 3 and job.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        # Hold the job inside its next file: a lock on the enrolments makes its import transaction wait
        # half-done (course and Termine written, enrolments not). Without it the cut could fall between
        # two files, where the job rightly reconnects and nothing is left to test.
        blocker = psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                                  dbname=url.database)
        blocker.execute("LOCK TABLE enrolments IN ACCESS EXCLUSIVE MODE")
        waiting: list = []
        while not waiting and job.poll() is None and time.monotonic() < deadline:
            waiting = watch.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                "AND wait_event_type = 'Lock' AND state = 'active'", (url.database,)).fetchall()
            time.sleep(0.02)
        assert waiting, "the job never reached the enrolments of a file"
        # the server drops every connection of the job, as a restart or a network cut would
        watch.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid() AND pid <> %s",
                      (url.database, blocker.info.backend_pid))
        blocker.rollback()
        blocker.close()
        out, err = job.communicate(timeout=300)
        assert job.returncode == 1, out + err
        assert f"Ergebnis {folders[0]}: fehlgeschlagen" in out
        assert f"Ergebnis {folders[1]}: fertig – 0 Dateien geschrieben, 24 Dateien gelesen" in out
        assert "Traceback" not in out + err and url.password not in out + err
        count, whole = courses_whole()
        assert 24 < count < 48 and whole == count == imported()  # no half course, none counted twice

        again = subprocess.run(command, env=env, cwd=str(PROJECT_ROOT_FOR_SUBPROCESS), text=True,
                               capture_output=True, timeout=300, check=False)
        assert again.returncode == 0, again.stdout + again.stderr
        assert courses_whole() == (48, 48) and imported() == 48
    finally:
        watch.close()
