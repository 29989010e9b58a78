"""The report's figures equal figures counted independently from the raw rows of the demo data.

The full comparison runs on a laptop's SQLite file and on the office's PostgreSQL database.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.indicators import (
    AGE_BANDS,
    Hidden,
    PeriodError,
    age_band_at,
    custom_period,
    month_period,
    period_between,
    previous_quarter,
    quarter_period,
    suppress,
    year_period,
)
from app.reports import build_report
from app.reports.model import FORMAT_LABELS
from app.reports.query import ReportInputError
from tests.attendance_fixtures import db, no_leaked_listeners  # noqa: F401
from tests.report_fixtures import LESSONS, Counted, count, demo_db, demo_db_any  # noqa: F401

PERIODS = [
    year_period(2025),
    quarter_period(2025, 3),
    custom_period(dt.date(2024, 1, 1), dt.date(2026, 6, 30)),  # everything, »new« persons all new
]


def _assert_equal(values: dict, counted: Counted) -> None:
    expected = {
        "courses": counted.offers,
        "termine_held": counted.held,
        "termine_cancelled": counted.cancelled,
        "teaching_units": round(counted.minutes / 45, 2),
        "clock_hours": round(counted.minutes / 60, 2),
        "attendances": counted.attendances,
        "persons": len(counted.persons),
        "new_persons": counted.new,
        "returning_persons": len(counted.persons) - counted.new,
        "enrolments": counted.enrolments,
        "persons_per_termin": round(counted.visits / counted.held, 2) if counted.held else None,
        "attendance_rate": round(100 * counted.rate_present / counted.rate_expected, 1) if counted.rate_expected else None,
        "drop_in_contacts": counted.drop_in_contacts,
        "drop_in_anonymous": counted.drop_in_anonymous,
        "lessons_taught": counted.lessons,
        "trainer_hours": round(counted.trainer_minutes / 60, 2),
    }
    assert values == expected


def test_totals_and_breakdowns_match_an_independent_count(demo_db_any):
    """Every period of PERIODS, on SQLite and on PostgreSQL (one demo fill per database)."""
    for period in PERIODS:
        report = build_report(demo_db_any, period, lessons=LESSONS)
        data = report.data
        counted = count(demo_db_any, period.start, period.end)
        assert counted.held > 5 and counted.attendances > 20  # the period really has data
        _assert_equal(data.total.values, counted)
        assert data.total.age_bands == {band: counted.ages.get(band, 0) for band in AGE_BANDS}
        assert data.total.genders == {key: counted.genders.get(key, 0) for key in ("w", "m", "d", "keine Angabe")}
        assert sum(data.total.devices.values()) == len(counted.persons)
        assert data.total.devices["Android"] == counted.devices["Android"]
        assert data.total.drop_in_topics == dict(counted.topics)

        for row in data.by_municipality:
            _assert_equal(row.values, count(demo_db_any, period.start, period.end, town=row.label))
        for row in data.by_format:
            fmt = next(key for key, label in FORMAT_LABELS.items() if label == row.label)
            _assert_equal(row.values, count(demo_db_any, period.start, period.end, fmt=fmt))
        assert sum(row.values["termine_held"] for row in data.by_month) == counted.held
        assert sum(row.values["attendances"] for row in data.by_month) == counted.attendances


def test_one_municipality_equals_its_row_in_the_full_report(demo_db):
    period = year_period(2025)
    full = build_report(demo_db, period, lessons=LESSONS)
    row = next(r for r in full.data.by_municipality if r.values["persons"])
    alone = build_report(demo_db, period, row.label.upper(), lessons=LESSONS)  # case does not matter
    assert alone.data.municipality == row.label
    assert alone.data.total.values == row.values
    assert [r.label for r in alone.data.by_municipality] == [row.label]
    _assert_equal(alone.data.total.values, count(demo_db.path, period.start, period.end, town=row.label))


def test_months_and_topics_count_persons_once_per_row(demo_db):
    report = build_report(demo_db, year_period(2025), lessons=LESSONS)
    for row in report.data.by_month:
        first, last = row.month, (row.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        counted = count(demo_db.path, first, last)
        assert row.values["persons"] == len(counted.persons)
        assert row.values["termine_held"] == counted.held
    topics = {row.label: row for row in report.data.by_topic}
    # the seeded demo has both: Sprechstunden without a lesson, and a lesson this computer does not know
    assert {"Thema unbekannt", "ohne Lektion (z. B. Sprechstunde)"} <= set(topics)
    assert "nicht-installiert" in {item.lesson_id for item in report.data.lessons}
    assert [note for note in report.data.notes if "nicht-installiert" in note], report.data.notes
    assert sum(item.count for item in report.data.lessons) == report.data.total.values["lessons_taught"]


PERSON_FIGURES = {"Anwesenheiten", "Erreichte Personen", "davon neu", "davon wiederkehrend", "Anmeldungen",
                  "Sprechstunden-Kontakte", "davon ohne Namen gezählt"}
DISTRIBUTION_SHEETS = {"Altersgruppen", "Geschlecht", "Geräteart", "Sprechstunden-Themen"}


def test_published_tables_show_no_count_of_one_or_two_persons(demo_db):
    report = build_report(demo_db, year_period(2025), lessons=LESSONS, threshold=3)
    overview = {row[0]: row[1] for row in report.sheet("Übersicht").rows}
    assert overview["Erreichte Personen"] == report.data.total.values["persons"]  # the headline total stays
    hidden = 0
    for sheet in report.sheets:
        for row in sheet.rows:
            for column, cell in enumerate(row):
                if sheet.name == "Übersicht":
                    about_persons = column == 1 and row[0] in PERSON_FIGURES
                elif sheet.name in DISTRIBUTION_SHEETS:
                    about_persons = column > 0
                else:
                    about_persons = sheet.headers[column] in PERSON_FIGURES
                if about_persons:
                    assert cell not in (1, 2), (sheet.name, sheet.headers[column], row)
                    hidden += isinstance(cell, Hidden)
    assert hidden > 0  # the demo data has small cells, and they were hidden


def test_unknown_municipality_is_refused_with_the_known_names(demo_db):
    with pytest.raises(ReportInputError, match="Kusel.*Nanzdietschweiler"):
        build_report(demo_db, year_period(2025), "Kusel", lessons=LESSONS)


# --------------------------------------------------------------------------- pure rules

def test_period_arithmetic():
    assert month_period(2024, 2).end == dt.date(2024, 2, 29)
    assert month_period(2026, 12).label == "Dezember 2026"
    q = quarter_period(2026, 1)
    assert (q.start, q.end, q.label) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "1. Quartal 2026")
    assert quarter_period(2026, 4).end == dt.date(2026, 12, 31)
    assert year_period(2025).days == 365
    assert previous_quarter(dt.date(2026, 2, 10)) == quarter_period(2025, 4)
    assert custom_period(dt.date(2025, 11, 15), dt.date(2026, 1, 2)).months() == [
        dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    with pytest.raises(PeriodError, match="vor dem Beginn"):
        custom_period(dt.date(2026, 2, 1), dt.date(2026, 1, 31))
    with pytest.raises(PeriodError):
        quarter_period(2026, 5)
    assert period_between(dt.date(2026, 4, 1), dt.date(2026, 6, 30)).label == "2. Quartal 2026"
    assert period_between(dt.date(2026, 2, 1), dt.date(2026, 2, 28)).label == "Februar 2026"
    assert period_between(dt.date(2025, 1, 1), dt.date(2025, 12, 31)).label == "Jahr 2025"
    assert period_between(dt.date(2025, 1, 2), dt.date(2025, 12, 31)).label == "02.01.2025 – 31.12.2025"


def test_age_bands_at_the_end_of_the_period():
    on = dt.date(2026, 12, 31)
    assert age_band_at(1967, "", on) == "unter 60"  # 59
    assert age_band_at(1966, "", on) == "60–69"
    assert age_band_at(1957, "", on) == "60–69"
    assert age_band_at(1956, "", on) == "70–79"
    assert age_band_at(1947, "", on) == "70–79"
    assert age_band_at(1946, "", on) == "80+"
    assert age_band_at(None, "80–89", on) == "80+"
    assert age_band_at(None, "90+", on) == "80+"
    assert age_band_at(None, "70–79", on) == "70–79"
    assert age_band_at(None, "", on) == "keine Angabe"


def test_small_counts_are_hidden_by_threshold():
    assert suppress(0) == 0
    assert suppress(1) == Hidden(".") and suppress(2) == Hidden(".")  # one sign for every withheld cell
    assert suppress(3) == 3
    assert suppress(4, threshold=5) == Hidden(".") and suppress(5, threshold=5) == 5
