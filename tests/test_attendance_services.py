"""Courses, Termine, participants, enrolment, consents and the course overview, stored for real."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from app.domain.attendance import (
    AttendanceStatus,
    ConsentKind,
    CourseFormat,
    CourseInput,
    DeviceType,
    InputError,
    ParticipantInput,
    TerminInput,
    TerminStatus,
    parse_date,
    parse_time,
)
from app.services import courses, events, organisation, overview, people
from app.services.checkin import CheckInDesk
from tests.attendance_fixtures import TODAY, db, make_course, no_leaked_listeners  # noqa: F401


def _count(db, table: str) -> int:  # noqa: ANN001
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_course_with_trainers_plan_and_period_is_stored(db):
    course_id = courses.create_course(db, CourseInput(
        title="  WhatsApp für Einsteiger ", format=CourseFormat.COURSE, municipality="Glan-Münchweiler",
        place="Bürgerhaus", start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 5, 31),
        trainers=["Erika Lang", "Walter Klein", "Erika Lang"], planned_lessons=["whatsapp-nachrichten", "fotos-teilen"],
    ))
    detail = courses.get_course(db, course_id)
    assert detail.title == "WhatsApp für Einsteiger"
    assert detail.municipality == "Glan-Münchweiler"
    assert detail.trainers == ("Erika Lang", "Walter Klein")
    assert detail.planned_lessons == ("whatsapp-nachrichten", "fotos-teilen")
    assert organisation.trainer_names(db) == ["Erika Lang", "Walter Klein"]
    # change the plan and trainers: rows are reused or soft-deleted, never piled up
    courses.update_course(db, course_id, CourseInput(
        title="WhatsApp", municipality="Glan-Münchweiler", trainers=["Walter Klein"],
        planned_lessons=["fotos-teilen"],
    ))
    detail = courses.get_course(db, course_id)
    assert detail.trainers == ("Walter Klein",)
    assert detail.planned_lessons == ("fotos-teilen",)
    assert _count(db, "course_lessons") == 2
    assert _count(db, "municipalities") == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (CourseInput(title="   "), "Titel: Bitte einen Titel"),
        (CourseInput(title="X", start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 4, 1)),
         "Zeitraum: Das Ende (01.04.2026) liegt vor dem Beginn (01.05.2026)."),
    ],
)
def test_bad_course_is_refused_and_nothing_saved(db, data, expected):
    with pytest.raises(InputError) as caught:
        courses.create_course(db, data)
    assert any(expected in message for message in caught.value.messages)
    assert _count(db, "courses") == 0


def test_termin_end_before_start_and_outside_period_are_refused(db):
    setup = make_course(db, count=1)
    before = _count(db, "termine")
    with pytest.raises(InputError) as caught:
        courses.add_termin(db, setup.course_id, TerminInput(
            date=TODAY + dt.timedelta(days=200), start=dt.time(16, 0), end=dt.time(14, 0),
        ))
    assert caught.value.messages == [
        "Uhrzeit: Das Ende (14:00 Uhr) liegt nicht nach dem Beginn (16:00 Uhr).",
        "Datum: Der 26.09.2026 liegt nach dem Kursende (08.06.2026).",
    ]
    with pytest.raises(InputError, match="liegt vor dem Kursbeginn"):
        courses.add_termin(db, setup.course_id, TerminInput(date=TODAY - dt.timedelta(days=30)))
    assert _count(db, "termine") == before


def test_weekly_series_assigns_plan_lessons_and_is_all_or_nothing(db):
    setup = make_course(db, count=3)
    views = [courses.get_termin(db, tid) for tid in setup.termin_ids]
    assert [v.date for v in views] == [TODAY, TODAY + dt.timedelta(days=7), TODAY + dt.timedelta(days=14)]
    assert [v.lessons for v in views] == [("smartphone-kennenlernen",), ("whatsapp-nachrichten",), ("fotos-teilen",)]
    assert views[0].place == "Dorfgemeinschaftshaus"
    before = _count(db, "termine")
    with pytest.raises(InputError, match="nach dem Kursende"):
        courses.add_weekly_termine(db, setup.course_id, TerminInput(date=TODAY + dt.timedelta(days=80)), 5)
    assert _count(db, "termine") == before


def test_shrinking_the_period_below_existing_termine_is_refused(db):
    setup = make_course(db, count=3)
    with pytest.raises(InputError, match="lägen außerhalb"):
        courses.update_course(db, setup.course_id, CourseInput(
            title="Kurs", start_date=TODAY, end_date=TODAY + dt.timedelta(days=7),
        ))
    assert courses.get_course(db, setup.course_id).end_date == TODAY + dt.timedelta(days=90)


def test_participant_validation_messages(db):
    with pytest.raises(InputError) as caught:
        people.create_participant(db, ParticipantInput(
            name=" ", email="anna@", phone="abc", birth_year=1850,
        ), today=TODAY)
    assert caught.value.messages == [
        "Name: Bitte einen Namen eingeben.",
        "E-Mail: »anna@« ist keine E-Mail-Adresse.",
        "Telefon: »abc« ist keine Telefonnummer (nur Ziffern, Leerzeichen, + - / ( )).",
        "Geburtsjahr: 1850 ist nicht möglich (erlaubt 1916 bis 2016).",
    ]
    assert _count(db, "participants") == 0


def test_likely_duplicate_is_pointed_out_by_name_and_birth_year(db):
    people.create_participant(db, ParticipantInput(name="Müller, Anna", birth_year=1948), today=TODAY)
    people.create_participant(db, ParticipantInput(name="Anna Müller", birth_year=1952), today=TODAY)
    found = people.likely_duplicates(db, ParticipantInput(name="anna  MÜLLER", birth_year=1948))
    assert [(p.name, p.birth_year) for p in found] == [("Müller, Anna", 1948)]
    unknown_year = people.likely_duplicates(db, ParticipantInput(name="Anna Müller"))
    assert len(unknown_year) == 2
    assert people.likely_duplicates(db, ParticipantInput(name="Anna Maier", birth_year=1948)) == []


def test_enrol_unenrol_and_reenrol_reuse_one_row(db):
    setup = make_course(db, names=("Anna Müller",))
    other = people.create_participant(db, ParticipantInput(name="Otto Petry", device=DeviceType.IPHONE))
    people.enrol(db, setup.course_id, other)
    people.unenrol(db, setup.course_id, other)
    people.enrol(db, setup.course_id, other)
    assert _count(db, "enrolments") == 2
    names = [p.name for p in overview.course_overview(db, setup.course_id).participants]
    assert names == ["Anna Müller", "Otto Petry"]
    with pytest.raises(InputError, match="nicht angemeldet"):
        people.unenrol(db, setup.course_id, 9999)


def test_consent_given_and_withdrawn_with_wording_version(db):
    person = people.create_participant(db, ParticipantInput(name="Anna Müller"))
    consent = people.give_consent(db, person, ConsentKind.PHOTOS, dt.date(2026, 1, 5), "2025-2")
    with pytest.raises(InputError, match="vor der Einwilligung"):
        people.withdraw_consent(db, consent, dt.date(2025, 12, 1))
    people.withdraw_consent(db, consent, dt.date(2026, 2, 1))
    with pytest.raises(InputError, match="schon am 01.02.2026 widerrufen"):
        people.withdraw_consent(db, consent, dt.date(2026, 2, 2))
    [view] = people.consents(db, person)
    assert view.text == "Fotos: erteilt am 05.01.2026 (Fassung 2025-2), widerrufen am 01.02.2026"
    with pytest.raises(InputError, match="Fassung"):
        people.give_consent(db, person, ConsentKind.CONTACT, dt.date(2026, 1, 5), " ")


def test_overview_grid_and_statistics(db):
    setup = make_course(db, count=3)
    desk = CheckInDesk(db, setup.termin_ids[0], today=TODAY)
    desk.toggle(setup.person_ids[0])
    desk.toggle(setup.person_ids[1])
    desk.set_status(setup.person_ids[2], AttendanceStatus.EXCUSED)
    courses.set_termin_status(db, setup.termin_ids[2], TerminStatus.CANCELLED)
    result = overview.course_overview(db, setup.course_id)
    assert result.grid == {
        (setup.person_ids[0], setup.termin_ids[0]): AttendanceStatus.PRESENT,
        (setup.person_ids[1], setup.termin_ids[0]): AttendanceStatus.PRESENT,
        (setup.person_ids[2], setup.termin_ids[0]): AttendanceStatus.EXCUSED,
    }
    stats = result.stats
    assert (stats.termine_held, stats.termine_planned, stats.termine_cancelled) == (1, 1, 1)
    assert stats.average_present == 2.0
    assert stats.attendance_rate == pytest.approx(2 / 3)
    assert result.termine[0].present_count == 2


def test_list_courses_orders_by_next_termin(db):
    later = make_course(db, title="Später", first=TODAY + dt.timedelta(days=20), count=1)
    sooner = make_course(db, title="Bald", first=TODAY + dt.timedelta(days=2), count=1)
    courses.create_course(db, CourseInput(title="Ohne Termine"))
    listed = courses.list_courses(db, today=TODAY)
    assert [c.title for c in listed] == ["Bald", "Später", "Ohne Termine"]
    assert listed[0].participant_count == 3 and listed[0].termin_count == 1
    courses.delete_course(db, sooner.course_id)
    assert [c.id for c in courses.list_courses(db, today=TODAY)][0] == later.course_id


def test_settings_logo_must_be_png(db):
    with pytest.raises(InputError, match="kein PNG"):
        organisation.save_settings(db, organisation.OrganisationSettings(name="X", logo_png=b"GIF89a"))
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    organisation.save_settings(db, organisation.OrganisationSettings(
        name="Digitallotsen Kusel", funding_line="gefördert im Rahmen von …", logo_png=png,
    ))
    organisation.save_settings(db, organisation.OrganisationSettings(name="Digitallotsen Kreis Kusel"))
    settings = organisation.get_settings(db)
    assert settings.name == "Digitallotsen Kreis Kusel" and settings.logo_png is None
    assert _count(db, "organisation") == 1


def test_every_change_is_announced(db):
    seen: list[events.DataChange] = []
    unsubscribe = events.changes.subscribe(seen.append)
    try:
        setup = make_course(db, count=1, names=("Anna",))
        CheckInDesk(db, setup.termin_ids[0]).toggle(setup.person_ids[0])
    finally:
        unsubscribe()
    kinds = [change.kinds for change in seen]
    assert frozenset({events.COURSES}) in kinds
    assert frozenset({events.TERMINE}) in kinds
    assert seen[-1].touches(events.ATTENDANCE) and seen[-1].termin_id == setup.termin_ids[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("24.03.2026", dt.date(2026, 3, 24)), ("1.4.26", dt.date(2026, 4, 1)), ("2026-03-24", dt.date(2026, 3, 24))],
)
def test_parse_date_accepts_german_and_iso(text, expected):
    assert parse_date(text, "Datum") == expected


def test_parse_errors_say_what_and_where():
    with pytest.raises(InputError, match="Datum: Den 31.02.2026 gibt es nicht im Kalender."):
        parse_date("31.02.2026", "Datum")
    with pytest.raises(InputError, match="Beginn: »25:00« ist keine Uhrzeit"):
        parse_time("25:00", "Beginn")
    assert parse_time("14 Uhr", "Beginn") == dt.time(14, 0)
    assert parse_time("9.30", "Beginn") == dt.time(9, 30)
