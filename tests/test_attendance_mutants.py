"""Attendance rules pinned with values written from the requirement: labels, parsing, validation, statistics.

Written to kill the mutants `mutmut` found in app/domain/attendance.py (see tests/mutation-survivors.md):
each boundary (end = start, 110/10 years, 59/60/89/90 years, 24:00) is checked on both sides and each
German message exactly, so a changed rule fails with the message a trainer would have seen.
"""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.attendance import (
    AttendanceStatus,
    ConsentKind,
    CourseDetail,
    CourseFormat,
    CourseInput,
    DeviceType,
    Gender,
    InputError,
    ParticipantInput,
    ParticipantView,
    TerminInput,
    TerminStatus,
    TerminView,
    age_band_for,
    compute_stats,
    format_date,
    format_date_long,
    format_time,
    normalise_name,
    parse_birth_year,
    parse_date,
    parse_time,
    validate_course,
    validate_participant,
    validate_termin,
)

D, T = dt.date, dt.time


def test_labels_a_trainer_reads():
    assert [f.label for f in CourseFormat] == ["Kurs", "Sprechstunde", "Einzelveranstaltung"]
    assert [s.label for s in TerminStatus] == ["geplant", "stattgefunden", "ausgefallen"]
    assert [s.label for s in AttendanceStatus] == ["anwesend", "entschuldigt", "unentschuldigt"]
    assert [s.symbol for s in AttendanceStatus] == ["✓", "E", "–"]
    assert [d.label for d in DeviceType] == ["Android", "iPhone", "Tablet", "keins"]
    assert [g.label for g in Gender] == ["weiblich", "männlich", "divers"]
    assert [c.label for c in ConsentKind] == ["Datenspeicherung", "Fotos", "Kontakt"]


@pytest.mark.parametrize(("birth_year", "band"), [
    (1967, "unter 60"), (1966, "60–69"), (1957, "60–69"), (1956, "70–79"), (1947, "70–79"),
    (1946, "80–89"), (1937, "80–89"), (1936, "90+"), (1920, "90+"),
])
def test_age_band_for_a_birth_year_in_2026(birth_year, band):
    assert age_band_for(birth_year, D(2026, 6, 1)) == band


def test_input_error_keeps_every_message():
    error = InputError(["A: eins", "B: zwei"])
    assert error.messages == ["A: eins", "B: zwei"]
    assert str(error) == "A: eins\nB: zwei"


@pytest.mark.parametrize(("text", "day"), [
    ("24.03.2026", D(2026, 3, 24)), ("1.2.2026", D(2026, 2, 1)), (" 24.03.26 ", D(2026, 3, 24)),
    ("05.11.99", D(2099, 11, 5)), ("2026-03-24", D(2026, 3, 24)), (" 2026-12-01 ", D(2026, 12, 1)),
    ("29.02.2028", D(2028, 2, 29)), ("01.01.0100", D(100, 1, 1)),
])
def test_dates_a_trainer_types(text, day):
    assert parse_date(text, "Datum") == day


@pytest.mark.parametrize("text", ["24.3", "heute", "24.03.202", "2026-3-24", "24-03-2026", ""])
def test_text_that_is_no_date(text):
    with pytest.raises(InputError) as refused:
        parse_date(text, "Kursbeginn")
    assert refused.value.messages == [
        f"Kursbeginn: »{text.strip()}« ist kein Datum. Bitte so schreiben: 24.03.2026"]


@pytest.mark.parametrize("text", ["31.04.2026", "29.02.2026", " 2026-13-01 ", "0.1.2026"])
def test_a_day_not_in_the_calendar(text):
    with pytest.raises(InputError) as refused:
        parse_date(text, "Datum")
    assert refused.value.messages == [f"Datum: Den {text.strip()} gibt es nicht im Kalender."]


@pytest.mark.parametrize(("text", "time"), [
    ("14:30", T(14, 30)), ("14.30", T(14, 30)), ("14 Uhr", T(14, 0)), ("9", T(9, 0)), (" 23:59 ", T(23, 59)),
    ("0:00", T(0, 0)), ("14Uhr", T(14, 0)), ("8.05 Uhr", T(8, 5)),
])
def test_times_a_trainer_types(text, time):
    assert parse_time(text, "Beginn") == time


@pytest.mark.parametrize("text", ["24:00", "14:60", "nachmittags", "14:3", " 25 Uhr ", ""])
def test_text_that_is_no_time(text):
    with pytest.raises(InputError) as refused:
        parse_time(text, "Ende")
    assert refused.value.messages == [f"Ende: »{text.strip()}« ist keine Uhrzeit. Bitte so schreiben: 14:30"]


def test_formatting_dates_and_times():
    assert format_date(D(2026, 3, 4)) == "04.03.2026"
    assert format_date(None) == ""
    assert format_time(T(9, 5)) == "09:05"
    assert format_time(None) == ""
    assert format_date_long(D(2026, 3, 24)) == "Dienstag, 24.03.2026"
    assert format_date_long(D(2026, 3, 23)) == "Montag, 23.03.2026"
    assert format_date_long(D(2026, 3, 29)) == "Sonntag, 29.03.2026"


def test_course_title_and_period():
    assert validate_course(CourseInput(title="WhatsApp für Einsteiger")) == []
    assert validate_course(CourseInput(title="  ")) == ["Titel: Bitte einen Titel für den Kurs eingeben."]
    assert validate_course(CourseInput(title="x" * 120)) == []
    assert validate_course(CourseInput(title=" " + "x" * 120 + " ")) == []
    assert validate_course(CourseInput(title="x" * 121)) == ["Titel: Der Titel ist zu lang (höchstens 120 Zeichen)."]
    same_day = CourseInput(title="Kurs", start_date=D(2026, 3, 1), end_date=D(2026, 3, 1))
    assert validate_course(same_day) == []
    backwards = CourseInput(title="", start_date=D(2026, 3, 2), end_date=D(2026, 3, 1))
    assert validate_course(backwards) == [
        "Titel: Bitte einen Titel für den Kurs eingeben.",
        "Zeitraum: Das Ende (01.03.2026) liegt vor dem Beginn (02.03.2026).",
    ]
    assert validate_course(CourseInput(title="Kurs", end_date=D(2026, 3, 1))) == []
    assert validate_course(CourseInput(title="Kurs", start_date=D(2026, 3, 1))) == []


def test_termin_times_and_course_period():
    start, end = D(2026, 3, 1), D(2026, 3, 31)
    fine = TerminInput(date=D(2026, 3, 1), start=T(14, 0), end=T(14, 1))
    assert validate_termin(fine, start, end) == []
    assert validate_termin(TerminInput(date=D(2026, 3, 31)), start, end) == []
    assert validate_termin(TerminInput(date=D(2026, 3, 31), start=T(14, 0)), start, end) == []
    assert validate_termin(TerminInput(date=D(2026, 3, 31), end=T(14, 0)), start, end) == []
    equal = TerminInput(date=D(2026, 2, 28), start=T(14, 0), end=T(14, 0))
    assert validate_termin(equal, start, end) == [
        "Uhrzeit: Das Ende (14:00 Uhr) liegt nicht nach dem Beginn (14:00 Uhr).",
        "Datum: Der 28.02.2026 liegt vor dem Kursbeginn (01.03.2026).",
    ]
    late = TerminInput(date=D(2026, 4, 1), start=T(15, 0), end=T(14, 30))
    assert validate_termin(late, start, end) == [
        "Uhrzeit: Das Ende (14:30 Uhr) liegt nicht nach dem Beginn (15:00 Uhr).",
        "Datum: Der 01.04.2026 liegt nach dem Kursende (31.03.2026).",
    ]
    assert validate_termin(TerminInput(date=D(2020, 1, 1)), None, None) == []


def test_participant_fields():
    today = D(2026, 6, 1)
    assert validate_participant(ParticipantInput(name="Anna Müller", phone="+49 (0)6131/12-34",
                                                 email="anna@example.org", birth_year=1916, age_band="90+"),
                                today) == []
    assert validate_participant(ParticipantInput(name="A", birth_year=2016), today) == []
    assert validate_participant(ParticipantInput(name="x" * 120), today) == []
    wrong = ParticipantInput(name="  ", phone="12", email="anna@example", birth_year=1915, age_band="80+")
    assert validate_participant(wrong, today) == [
        "Name: Bitte einen Namen eingeben.",
        "E-Mail: »anna@example« ist keine E-Mail-Adresse.",
        "Telefon: »12« ist keine Telefonnummer (nur Ziffern, Leerzeichen, + - / ( )).",
        "Geburtsjahr: 1915 ist nicht möglich (erlaubt 1916 bis 2016).",
        "Altersgruppe: »80+« ist keine der Gruppen unter 60, 60–69, 70–79, 80–89, 90+.",
    ]
    assert validate_participant(ParticipantInput(name="x" * 121, birth_year=2017), today) == [
        "Name: Der Name ist zu lang (höchstens 120 Zeichen).",
        "Geburtsjahr: 2017 ist nicht möglich (erlaubt 1916 bis 2016).",
    ]
    assert validate_participant(ParticipantInput(name="B", email=" a b@c.de ", phone="0" * 31), today) == [
        "E-Mail: »a b@c.de« ist keine E-Mail-Adresse.",
        "Telefon: »" + "0" * 31 + "« ist keine Telefonnummer (nur Ziffern, Leerzeichen, + - / ( )).",
    ]
    assert validate_participant(ParticipantInput(name="B", phone="0" * 30, email="a@b.c"), today) == []
    assert validate_participant(ParticipantInput(name="B", phone="123", email="  "), today) == []
    assert validate_participant(ParticipantInput(name="B", phone="12a"), today) == [
        "Telefon: »12a« ist keine Telefonnummer (nur Ziffern, Leerzeichen, + - / ( )).",
    ]


def test_duplicate_names_ignore_case_spacing_and_order():
    assert normalise_name("Müller, Anna") == "anna müller"
    assert normalise_name("  ANNA   müller ") == "anna müller"
    assert normalise_name("Anna,Müller") == "anna müller"
    assert normalise_name("STRASSE Groß") == normalise_name("groß strasse")


def test_birth_year_typed_in_a_form():
    assert parse_birth_year(" 1948 ") == 1948
    assert parse_birth_year("   ") is None
    with pytest.raises(InputError) as refused:
        parse_birth_year(" 19x8 ")
    assert refused.value.messages == ["Geburtsjahr: »19x8« ist keine Jahreszahl. Bitte so schreiben: 1948"]


def _termin(number: int, status: TerminStatus, head_count: int | None = None, present: int = 0,
            start: dt.time | None = None, end: dt.time | None = None) -> TerminView:
    return TerminView(id=number, course_id=1, date=D(2026, 3, number), start=start, end=end, place="",
                      status=status, lessons=(), note="", head_count=head_count, present_count=present)


def test_time_text_of_a_termin():
    assert _termin(1, TerminStatus.HELD, start=T(14, 0), end=T(15, 30)).time_text == "14:00–15:30 Uhr"
    assert _termin(1, TerminStatus.HELD, start=T(9, 5)).time_text == "ab 09:05 Uhr"
    assert _termin(1, TerminStatus.HELD, end=T(9, 5)).time_text == ""


def test_course_detail_back_to_the_form():
    detail = CourseDetail(id=7, title="Fotos", format=CourseFormat.EVENT, municipality="Dorf", place="Saal",
                          start_date=D(2026, 1, 1), end_date=D(2026, 2, 1), trainers=("Anna", "Ben"),
                          planned_lessons=("a", "b"), note="Notiz")
    assert detail.as_input() == CourseInput(
        title="Fotos", format=CourseFormat.EVENT, municipality="Dorf", place="Saal", start_date=D(2026, 1, 1),
        end_date=D(2026, 2, 1), trainers=["Anna", "Ben"], planned_lessons=["a", "b"], note="Notiz")


def test_course_statistics_count_only_held_termine():
    termine = (
        _termin(1, TerminStatus.HELD, head_count=4, present=2),
        _termin(2, TerminStatus.HELD, head_count=None, present=1),
        _termin(3, TerminStatus.PLANNED, head_count=9, present=9),
        _termin(4, TerminStatus.CANCELLED, head_count=9, present=9),
        _termin(5, TerminStatus.PLANNED),
    )
    people = (
        ParticipantView(id=10, name="A", device=DeviceType.ANDROID),
        ParticipantView(id=11, name="B", device=DeviceType.IPHONE),
        ParticipantView(id=12, name="C", device=DeviceType.ANDROID),
        ParticipantView(id=13, name="D"),
    )
    P, E, A = AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT
    grid = {(10, 1): P, (11, 1): P, (12, 1): E, (13, 1): A, (10, 2): P, (10, 3): P, (11, 4): P}
    stats = compute_stats(termine, people, grid, {"WhatsApp": 3, "Fotos": 5, "Akku": 3, "Apps": 1, "E-Mail": 2,
                                                   "Banking": 1})
    assert stats.termine_held == 2
    assert stats.termine_planned == 2
    assert stats.termine_cancelled == 1
    assert stats.participants == 4
    assert stats.average_present == 1.5  # 3 present at 2 held Termine
    assert stats.attendance_rate == 3 / 8  # of 2 Termine × 4 persons
    assert stats.visitors_total == 7  # (4 + 2) + (0 + 1)
    assert list(stats.devices.items()) == [("Android", 2), ("iPhone", 1), ("unbekannt", 1)]
    assert stats.top_topics == (("Fotos", 5), ("Akku", 3), ("WhatsApp", 3), ("E-Mail", 2), ("Apps", 1))


def test_course_statistics_without_held_termine_or_people():
    stats = compute_stats((_termin(1, TerminStatus.PLANNED),), (), {}, {})
    assert (stats.termine_held, stats.average_present, stats.attendance_rate, stats.visitors_total) == (0, 0.0, 0.0, 0)
    assert stats.devices == {} and stats.top_topics == ()
    only_held = compute_stats((_termin(1, TerminStatus.HELD, head_count=3),), (), {}, {})
    assert (only_held.average_present, only_held.attendance_rate, only_held.visitors_total) == (0.0, 0.0, 3)


def test_devices_are_listed_most_common_first_not_by_name():
    people = (ParticipantView(id=1, name="A", device=DeviceType.ANDROID),
              ParticipantView(id=2, name="B", device=DeviceType.TABLET),
              ParticipantView(id=3, name="C", device=DeviceType.TABLET))
    stats = compute_stats((), people, {}, {})
    assert list(stats.devices.items()) == [("Tablet", 2), ("Android", 1)]


def test_place_municipality_and_email_lengths_fit_every_database():
    fits = CourseInput(title="Kurs", place=" " + "p" * 200 + " ", municipality="m" * 120)
    assert validate_course(fits) == []
    too_long = CourseInput(title="Kurs", place="p" * 201, municipality="m" * 121)
    assert validate_course(too_long) == ["Ort: höchstens 200 Zeichen (eingegeben: 201).",
                                         "Ortsgemeinde: höchstens 120 Zeichen (eingegeben: 121)."]
    day = D(2026, 3, 3)
    assert validate_termin(TerminInput(date=day, place="p" * 200), None, None) == []
    assert validate_termin(TerminInput(date=day, place="p" * 201, start=T(9, 0), end=T(8, 0)), None, None) == [
        "Ort: höchstens 200 Zeichen (eingegeben: 201).",
        "Uhrzeit: Das Ende (08:00 Uhr) liegt nicht nach dem Beginn (09:00 Uhr).",
    ]
    today = D(2026, 6, 1)
    address = "a" * 190 + "@beisp.de"  # 199 characters
    assert validate_participant(ParticipantInput(name="A", email=address + "x"), today) == []
    assert validate_participant(ParticipantInput(name="A", email="a" + address + "x"), today) == [
        "E-Mail: höchstens 200 Zeichen (eingegeben: 201)."]
