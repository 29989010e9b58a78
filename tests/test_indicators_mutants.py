"""Report periods, age bands and small-count suppression pinned with values written from the rules.

Written to kill the mutants `mutmut` found in app/domain/indicators.py (see tests/mutation-survivors.md):
every boundary (first/last day, 59/60 years, threshold − 1/threshold, ten years) is checked on both
sides, every German label exactly.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain import indicators as ind
from app.domain.indicators import (
    Hidden,
    Period,
    PeriodError,
    PeriodKind,
    age_band_at,
    check_threshold,
    custom_period,
    device_label,
    format_day,
    gender_key,
    half_year_period,
    is_small,
    month_label,
    month_period,
    period_between,
    previous_quarter,
    quarter_of,
    quarter_period,
    standard_periods,
    suppress,
    suppression_note,
    year_period,
)

D = dt.date


@pytest.mark.parametrize(("kind", "label", "standard"), [
    (PeriodKind.MONTH, "Monat", False),
    (PeriodKind.QUARTER, "Quartal", True),
    (PeriodKind.HALF_YEAR, "Halbjahr", True),
    (PeriodKind.YEAR, "Jahr", True),
    (PeriodKind.CUSTOM, "frei", False),
])
def test_period_kinds_name_themselves_and_only_quarter_half_year_year_are_published(kind, label, standard):
    assert kind.label == label
    assert kind.standard is standard


def test_period_end_before_start_is_refused_with_both_dates():
    with pytest.raises(PeriodError) as refused:
        Period(D(2026, 3, 2), D(2026, 3, 1))
    assert str(refused.value) == "Zeitraum: Das Ende (01.03.2026) liegt vor dem Beginn (02.03.2026)."
    assert Period(D(2026, 3, 1), D(2026, 3, 1)).days == 1  # one day is a period


def test_period_of_ten_years_is_the_longest():
    start = D(2020, 1, 1)
    longest = Period(start, start + dt.timedelta(days=3660))  # 366 × 10 days later
    assert longest.days == 3661
    with pytest.raises(PeriodError) as refused:
        Period(start, start + dt.timedelta(days=3661))
    assert str(refused.value) == "Zeitraum: Ein Bericht kann höchstens zehn Jahre umfassen."
    assert Period(start, D(2026, 1, 1)).kind is PeriodKind.CUSTOM


@pytest.mark.parametrize(("period", "label"), [
    (month_period(2026, 3), "März 2026"),
    (month_period(2026, 12), "Dezember 2026"),
    (month_period(2026, 1), "Januar 2026"),
    (quarter_period(2026, 1), "1. Quartal 2026"),
    (quarter_period(2026, 2), "2. Quartal 2026"),
    (quarter_period(2026, 3), "3. Quartal 2026"),
    (quarter_period(2026, 4), "4. Quartal 2026"),
    (half_year_period(2026, 1), "1. Halbjahr 2026"),
    (half_year_period(2026, 2), "2. Halbjahr 2026"),
    (year_period(2027), "Jahr 2027"),
    (custom_period(D(2026, 1, 5), D(2026, 2, 15)), "05.01.2026 – 15.02.2026"),
])
def test_period_labels(period, label):
    assert period.label == label


def test_days_contains_and_months():
    period = custom_period(D(2026, 1, 31), D(2026, 3, 1))
    assert period.days == 30  # 31.1. + 28 February days + 1.3.
    assert not period.contains(D(2026, 1, 30))
    assert period.contains(D(2026, 1, 31))
    assert period.contains(D(2026, 3, 1))
    assert not period.contains(D(2026, 3, 2))
    assert period.months() == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    across = custom_period(D(2025, 11, 15), D(2026, 2, 1))
    assert across.months() == [D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1), D(2026, 2, 1)]
    assert custom_period(D(2026, 5, 10), D(2026, 5, 12)).months() == [D(2026, 5, 1)]


@pytest.mark.parametrize(("month", "last"), [(1, 31), (2, 28), (4, 30), (11, 30), (12, 31)])
def test_month_periods_2026(month, last):
    period = month_period(2026, month)
    assert (period.start, period.end, period.kind) == (D(2026, month, 1), D(2026, month, last), PeriodKind.MONTH)


def test_month_period_in_a_leap_year_and_impossible_months():
    assert month_period(2028, 2).end == D(2028, 2, 29)
    for month in (0, 13):
        with pytest.raises(PeriodError) as refused:
            month_period(2026, month)
        assert str(refused.value) == f"Monat: {month} ist kein Monat (1 bis 12)."


@pytest.mark.parametrize(("quarter", "start", "end"), [
    (1, D(2026, 1, 1), D(2026, 3, 31)),
    (2, D(2026, 4, 1), D(2026, 6, 30)),
    (3, D(2026, 7, 1), D(2026, 9, 30)),
    (4, D(2026, 10, 1), D(2026, 12, 31)),
])
def test_quarters(quarter, start, end):
    period = quarter_period(2026, quarter)
    assert (period.start, period.end, period.kind) == (start, end, PeriodKind.QUARTER)


def test_impossible_quarters_and_half_years():
    for quarter in (0, 5):
        with pytest.raises(PeriodError) as refused:
            quarter_period(2026, quarter)
        assert str(refused.value) == f"Quartal: {quarter} ist kein Quartal (1 bis 4)."
    for half in (0, 3):
        with pytest.raises(PeriodError) as refused:
            half_year_period(2026, half)
        assert str(refused.value) == f"Halbjahr: {half} ist kein Halbjahr (1 oder 2)."


def test_half_years_and_year():
    first, second = half_year_period(2026, 1), half_year_period(2026, 2)
    assert (first.start, first.end, first.kind) == (D(2026, 1, 1), D(2026, 6, 30), PeriodKind.HALF_YEAR)
    assert (second.start, second.end, second.kind) == (D(2026, 7, 1), D(2026, 12, 31), PeriodKind.HALF_YEAR)
    year = year_period(2026)
    assert (year.start, year.end, year.kind) == (D(2026, 1, 1), D(2026, 12, 31), PeriodKind.YEAR)


@pytest.mark.parametrize(("start", "end", "kind", "label"), [
    (D(2026, 2, 1), D(2026, 2, 28), PeriodKind.MONTH, "Februar 2026"),
    (D(2026, 12, 1), D(2026, 12, 31), PeriodKind.MONTH, "Dezember 2026"),
    (D(2026, 4, 1), D(2026, 6, 30), PeriodKind.QUARTER, "2. Quartal 2026"),
    (D(2026, 10, 1), D(2026, 12, 31), PeriodKind.QUARTER, "4. Quartal 2026"),
    (D(2026, 1, 1), D(2026, 6, 30), PeriodKind.HALF_YEAR, "1. Halbjahr 2026"),
    (D(2026, 7, 1), D(2026, 12, 31), PeriodKind.HALF_YEAR, "2. Halbjahr 2026"),
    (D(2026, 1, 1), D(2026, 12, 31), PeriodKind.YEAR, "Jahr 2026"),
    # not one named period
    (D(2026, 2, 1), D(2026, 4, 30), PeriodKind.CUSTOM, "01.02.2026 – 30.04.2026"),
    (D(2026, 4, 1), D(2026, 9, 30), PeriodKind.CUSTOM, "01.04.2026 – 30.09.2026"),
    (D(2026, 2, 2), D(2026, 2, 28), PeriodKind.CUSTOM, "02.02.2026 – 28.02.2026"),
    (D(2026, 4, 2), D(2026, 6, 30), PeriodKind.CUSTOM, "02.04.2026 – 30.06.2026"),
    (D(2026, 7, 2), D(2026, 12, 31), PeriodKind.CUSTOM, "02.07.2026 – 31.12.2026"),
    (D(2026, 1, 2), D(2026, 12, 31), PeriodKind.CUSTOM, "02.01.2026 – 31.12.2026"),
    (D(2026, 1, 1), D(2026, 12, 30), PeriodKind.CUSTOM, "01.01.2026 – 30.12.2026"),
    (D(2025, 1, 1), D(2026, 12, 31), PeriodKind.CUSTOM, "01.01.2025 – 31.12.2026"),
    (D(2026, 1, 1), D(2026, 3, 30), PeriodKind.CUSTOM, "01.01.2026 – 30.03.2026"),
])
def test_period_between_names_exact_periods_only(start, end, kind, label):
    period = period_between(start, end)
    assert (period.start, period.end, period.kind, period.label) == (start, end, kind, label)


def test_standard_periods_of_a_year():
    periods = standard_periods(2026)
    assert [p.label for p in periods] == [
        "1. Quartal 2026", "2. Quartal 2026", "3. Quartal 2026", "4. Quartal 2026",
        "1. Halbjahr 2026", "2. Halbjahr 2026", "Jahr 2026",
    ]


@pytest.mark.parametrize(("day", "quarter"), [
    (D(2026, 1, 1), 1), (D(2026, 3, 31), 1), (D(2026, 4, 1), 2), (D(2026, 6, 30), 2),
    (D(2026, 7, 1), 3), (D(2026, 9, 30), 3), (D(2026, 10, 1), 4), (D(2026, 12, 31), 4),
])
def test_quarter_of(day, quarter):
    assert quarter_of(day) == quarter


@pytest.mark.parametrize(("today", "label"), [
    (D(2026, 1, 15), "4. Quartal 2025"),
    (D(2026, 3, 31), "4. Quartal 2025"),
    (D(2026, 4, 1), "1. Quartal 2026"),
    (D(2026, 11, 28), "3. Quartal 2026"),
])
def test_previous_quarter_is_the_last_complete_one(today, label):
    assert previous_quarter(today).label == label


def test_day_and_month_texts():
    assert format_day(D(2026, 3, 4)) == "04.03.2026"
    assert month_label(D(2026, 5, 1)) == "Mai 2026"
    assert month_label(D(2026, 1, 1)) == "Januar 2026"


@pytest.mark.parametrize(("birth_year", "band"), [
    (1967, "unter 60"),  # 59 in 2026
    (1966, "60–69"),  # 60
    (1957, "60–69"),  # 69
    (1956, "70–79"),  # 70
    (1947, "70–79"),  # 79
    (1946, "80+"),  # 80
    (1930, "80+"),
    (2000, "unter 60"),
])
def test_age_band_from_birth_year_is_the_age_reached_in_the_year(birth_year, band):
    assert age_band_at(birth_year, "90+", D(2026, 1, 1)) == band
    assert age_band_at(birth_year, None, D(2026, 12, 31)) == band


@pytest.mark.parametrize(("stored", "band"), [
    ("unter 60", "unter 60"), ("60–69", "60–69"), ("70–79", "70–79"), ("80–89", "80+"), ("90+", "80+"),
    ("80+", "80+"), (" 70–79 ", "70–79"), ("", "keine Angabe"), (None, "keine Angabe"),
    ("70-79", "keine Angabe"),
])
def test_age_band_without_birth_year_comes_from_the_stored_band(stored, band):
    assert age_band_at(None, stored, D(2026, 6, 1)) == band
    assert age_band_at(0, stored, D(2026, 6, 1)) == band


@pytest.mark.parametrize(("stored", "key"), [("f", "w"), ("m", "m"), ("d", "d"), ("", "keine Angabe"),
                                             (None, "keine Angabe"), ("w", "keine Angabe")])
def test_gender_keys(stored, key):
    assert gender_key(stored) == key


@pytest.mark.parametrize(("stored", "label"), [
    ("android", "Android"), ("iphone", "iPhone"), ("tablet", "Tablet"), ("none", "kein Gerät"),
    ("", "keine Angabe"), (None, "keine Angabe"), ("Android", "keine Angabe"),
])
def test_device_labels(stored, label):
    assert device_label(stored) == label


def test_hidden_cell_prints_as_a_dot():
    assert str(ind.HIDDEN) == "."
    assert str(Hidden("x")) == "x"


@pytest.mark.parametrize("threshold", [2, 3, 20])
def test_allowed_thresholds(threshold):
    assert check_threshold(threshold) == threshold


@pytest.mark.parametrize("threshold", [1, 21, 0])
def test_refused_thresholds_say_the_allowed_range(threshold):
    with pytest.raises(PeriodError) as refused:
        check_threshold(threshold)
    assert str(refused.value) == f"Schwelle: {threshold} ist nicht erlaubt (erlaubt 2 bis 20)."


@pytest.mark.parametrize(("value", "small"), [(None, False), (0, False), (1, True), (2, True), (3, False),
                                               (40, False)])
def test_default_threshold_hides_one_and_two_persons(value, small):
    assert is_small(value) is small
    assert suppress(value) == (ind.HIDDEN if small else value)


def test_a_higher_threshold_hides_up_to_one_less():
    assert is_small(4, 5) is True
    assert is_small(5, 5) is False
    assert suppress(4, 5) is ind.HIDDEN
    assert suppress(5, 5) == 5
    assert suppress(0, 5) == 0
    assert suppress(None, 5) is None


def test_suppression_note_names_the_limits_of_the_threshold():
    note = suppression_note(3)
    assert note.startswith("Datenschutz: Ein Feld, das 1 bis 2 Personen zählt, wird gesperrt.")
    assert "auf weniger als 0 bis 3 eingrenzen" in note
    five = suppression_note(5)
    assert "1 bis 4 Personen" in five and "0 bis 5 eingrenzen" in five
    assert five.endswith("Der Bericht enthält keine Namen und keine Kontaktdaten.")
