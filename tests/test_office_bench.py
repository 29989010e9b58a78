"""The office benchmark's data is what its rows say: laptops' folders that import, a Kreis copied faithfully.

No timing is asserted (benchmarks are measurements); these check the generated data with numbers
counted by hand, and that the report over the copy on PostgreSQL equals the one on SQLite.
"""

from __future__ import annotations

import datetime as dt

from app.bench.office import OfficeSizes, copy_into_server, write_office_folders
from app.storage.database import open_database
from app.sync.service import synchronise

TINY = OfficeSizes(laptops=2, folders=1, courses_per_year=1, years=2, termine_per_course=8, people_per_course=10,
                   attendances=2_000)


def _count(db, table: str) -> int:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()


def test_office_folders_import_with_the_planned_numbers(tmp_path):
    folders, files, _operations = write_office_folders(tmp_path / "ordner", TINY)
    assert [folder.name for folder in folders] == ["vg-01"]
    assert files == 4  # 2 laptops × 2 years × 1 course, one file per course
    db = open_database(f"sqlite:///{tmp_path / 'buero.sqlite3'}")
    try:
        report = synchronise(db, folders[0], announce=False)
        assert report.complete and report.read_files == 4
        assert _count(db, "courses") == 4
        assert _count(db, "termine") == 32
        # per laptop: 10 people in the first course, 3 of them come back and 7 are new in the second
        assert _count(db, "participants") == 34
        # per course 10 people × 8 Termine, minus the 11 (person, week) pairs with (p + w) % 7 == 6
        assert _count(db, "attendances") == 4 * 69
    finally:
        db.close()


def test_kreis_copy_on_postgresql_reports_the_same_numbers(tmp_path, pg_url):
    from app.bench.report import FIRST_DAY, SPAN_DAYS, make_large_database
    from app.domain.indicators import custom_period
    from app.reports import build_report

    path = tmp_path / "kreis.sqlite3"
    counts = make_large_database(path, TINY.attendances)
    copy_into_server(path, pg_url)
    period = custom_period(FIRST_DAY, FIRST_DAY + dt.timedelta(days=SPAN_DAYS + 8 * 7))
    totals = []
    for url in (f"sqlite:///{path}", pg_url):
        db = open_database(url)
        try:
            assert _count(db, "attendances") == counts["attendances"]
            totals.append(build_report(db, period).data.total.values)
        finally:
            db.close()
    assert totals[0] == totals[1]
    assert totals[1]["termine_held"] == TINY.attendances // 10  # ten marks per held Termin
