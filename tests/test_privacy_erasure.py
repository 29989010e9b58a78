"""Löschen for real: the name is gone from the SQLite file, WAL, backups, exports and the sync folder; counts stay."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from openpyxl import load_workbook
from pypdf import PdfReader

from app.domain.indicators import year_period
from app.reports import build_report, export, export_raw
from app.services import context, erasure, people, privacy
from app.storage import backups
from app.storage.database import open_database
from app.sync.service import synchronise
from tests.attendance_fixtures import TODAY, db, db_any, no_leaked_listeners  # noqa: F401
from tests.privacy_fixtures import NAME, files_with_needles, found_needles, make_person
from tests.report_fixtures import LESSONS, demo_db, demo_db_any  # noqa: F401

CREATED = dt.datetime(2026, 3, 10, 12, 0)
PERIOD = year_period(2026)


def _xlsx_text(path) -> bytes:  # noqa: ANN001
    book = load_workbook(path, read_only=True)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    return "\n".join(cells).encode()


def _pdf_text(path) -> bytes:  # noqa: ANN001
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages).encode()


def _figures(report) -> list:  # noqa: ANN001
    data = report.data
    groups = [data.total, *data.by_municipality, *data.by_format, *data.by_topic, *data.by_month]
    return [(g.key, g.values, g.genders, g.devices, g.drop_in_topics, sum(g.age_bands.values())) for g in groups]


def test_erased_person_is_gone_from_file_backups_exports_and_sync_folder(db, data_dir, tmp_path, qapp):
    setup = make_person(db)
    backups.create_backup(db.path, "start")  # a rolling backup taken while Zenzi was stored
    shared = tmp_path / "abgleich"
    shared.mkdir()
    other = open_database(f"sqlite:///{tmp_path / 'laptop-hans' / 'kurslotse.sqlite3'}")
    synchronise(db, shared, announce=False)
    synchronise(other, shared, announce=False)
    assert files_with_needles(shared), "the test must see the name before the erasure"
    assert files_with_needles(data_dir)
    before = build_report(db, PERIOD, lessons=LESSONS, created=CREATED)

    report = erasure.erase_one(db, setup.person_id)
    assert report.erased == [setup.person_id] and report.backups_cleaned == 1
    wal = db.path.with_name(db.path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "WAL truncated after the checkpoint"
    assert not files_with_needles(data_dir), "database, WAL, backups right after the erasure"
    synchronise(db, shared, announce=False)  # the tombstone travels; own older files are rewritten
    synchronise(other, shared, announce=False)
    assert erasure.purge_if_needed(other) is None  # the sync that brought the tombstone rebuilt the file
    assert erasure.purge_if_needed(db) is None

    after = build_report(db, PERIOD, lessons=LESSONS, created=CREATED)
    assert _figures(after) == _figures(before)
    assert after.data.total.values["attendances"] == before.data.total.values["attendances"] > 0

    out = tmp_path / "exporte"
    out.mkdir()
    for name in ("bericht.xlsx", "bericht.csv", "bericht.pdf"):
        export(after, out / name)
    export_raw(db, PERIOD, out / "roh.csv")
    export_raw(db, PERIOD, out / "roh.xlsx")
    assert not found_needles((out / "bericht.csv").read_bytes() + (out / "roh.csv").read_bytes())
    assert not found_needles(_xlsx_text(out / "bericht.xlsx") + _xlsx_text(out / "roh.xlsx"))
    assert not found_needles(_pdf_text(out / "bericht.pdf"))

    other.close()
    assert not files_with_needles(shared), "sync folder"
    assert not files_with_needles(tmp_path / "laptop-hans"), "the other laptop after the tombstone arrived"
    assert not files_with_needles(data_dir), "data folder: database, WAL, backups, log"
    context.close()
    assert not files_with_needles(data_dir)


def test_erasure_keeps_past_counts_of_the_demo_data(demo_db_any):
    """On a laptop's SQLite file and on the office's PostgreSQL database."""
    demo_db = demo_db_any
    period = year_period(2025)
    before = build_report(demo_db, period, lessons=LESSONS, created=CREATED)
    everyone = [p.id for p in people.known_people(demo_db)]
    chosen = random.Random(7).sample(everyone, 25)
    report = erasure.erase_people(demo_db, chosen)
    assert sorted(report.erased) == sorted(chosen)
    after = build_report(demo_db, period, lessons=LESSONS, created=CREATED)
    assert _figures(after) == _figures(before)
    assert all(privacy.is_erased(demo_db, pid) for pid in chosen)
    assert not {p.id for p in people.known_people(demo_db)} & set(chosen)
    # The age band of a placeholder is the one on the day of erasure (the birth year is gone).
    assert dataclasses.asdict(after.data.total)["values"] == dataclasses.asdict(before.data.total)["values"]


def test_erasing_twice_and_unknown_people(db_any):
    db = db_any
    setup = make_person(db)
    assert erasure.erase_one(db, setup.person_id).erased == [setup.person_id]
    again = erasure.erase_one(db, setup.person_id)
    assert again.already_erased == [setup.person_id] and not again.erased
    assert any("Schon früher gelöscht" in line for line in again.lines())
    import pytest

    from app.domain.attendance import InputError

    with pytest.raises(InputError, match="gibt es nicht"):
        erasure.erase_one(db, 9999)
    assert people.get_participant(db, setup.person_id).name != NAME


def test_an_older_backup_without_change_log_is_cleaned_too(db, data_dir):
    import sqlite3

    setup = make_person(db)
    info = backups.create_backup(db.path, "migration")
    with sqlite3.connect(info.path) as conn:  # as a backup taken before schema 2 looks: no sync tables
        for table in ("sync_erased", "sync_ops", "sync_fields", "sync_conflicts"):
            conn.execute(f"DROP TABLE {table}")
    assert files_with_needles(info.path.parent)
    assert erasure.erase_one(db, setup.person_id).backups_cleaned == 1
    assert not files_with_needles(info.path.parent)
    assert backups.check_backup(info.path) is None  # still a sound backup
    assert erasure.erase_one(db, setup.person_id).backups_cleaned == 0  # nothing left to clean


def test_a_cleanup_that_could_not_run_is_finished_when_the_database_is_opened(db, data_dir, monkeypatch):
    setup = make_person(db)
    monkeypatch.setattr(erasure, "compact", lambda _db: "Die Datenbankdatei konnte gerade nicht aufgeräumt werden")
    report = erasure.erase_one(db, setup.person_id)
    assert any("nicht aufgeräumt" in line for line in report.lines())
    assert files_with_needles(data_dir), "old values still in free pages / WAL"
    monkeypatch.undo()
    context.close()
    context.database()  # the next start
    assert not files_with_needles(data_dir)
