"""Realistic demo data: Ortsgemeinden in Kreis Kusel, courses, Sprechstunden, people, attendance."""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.domain.attendance import (
    DEFAULT_TOPICS,
    AttendanceStatus,
    ConsentKind,
    CourseFormat,
    DeviceType,
    Gender,
    InputError,
    TerminStatus,
    normalise_name,
)
from app.services import events
from app.storage import device
from app.storage.database import Database
from app.storage.models import (
    SYNC_STATE_MODELS,
    SYNCED_MODELS,
    Attendance,
    Consent,
    Course,
    CourseLesson,
    CourseTrainer,
    Enrolment,
    LocalMeta,
    Municipality,
    Organisation,
    Participant,
    Termin,
    TerminLesson,
    TopicTally,
    Trainer,
)

TOWNS = (
    ("Nanzdietschweiler", "Dorfgemeinschaftshaus"),
    ("Glan-Münchweiler", "Bürgerhaus"),
    ("Schönenberg-Kübelberg", "Pfarrheim St. Valentin"),
)
TRAINERS = ("Erika Lang", "Hans-Peter Becker", "Monika Schäfer", "Walter Klein")
FIRST_F = ("Anna", "Brigitte", "Christa", "Doris", "Edith", "Elfriede", "Gisela", "Hannelore", "Helga",
           "Ilse", "Ingrid", "Irmgard", "Karin", "Liesel", "Margot", "Marianne", "Renate", "Rosemarie",
           "Ruth", "Sieglinde", "Ursula", "Waltraud")
FIRST_M = ("Alfred", "Bernd", "Dieter", "Erich", "Ernst", "Friedhelm", "Gerhard", "Günter", "Heinz",
           "Helmut", "Horst", "Karl-Heinz", "Klaus", "Manfred", "Otto", "Rainer", "Rudolf", "Werner",
           "Willi", "Wolfgang")
LAST = ("Bauer", "Becker", "Brandt", "Dietz", "Fischer", "Frank", "Hahn", "Hoffmann", "Jung", "Keller",
        "Klein", "Koch", "Krämer", "Kunz", "Lang", "Mayer", "Müller", "Neumann", "Petry", "Reichert",
        "Ritter", "Roth", "Schäfer", "Schmitt", "Schneider", "Schwarz", "Seibert", "Stein", "Wagner",
        "Weber", "Werle", "Wolf", "Zimmer")
COURSE_TITLES = (
    "Smartphone-Grundkurs Android", "Smartphone-Grundkurs iPhone", "WhatsApp, Fotos & Videoanrufe",
    "Sicher im Internet", "Apps für den Alltag", "Smartphone-Aufbaukurs",
)
EVENT_TITLES = ("Online-Termine beim Amt", "Notfall-Apps und Gesundheitskarte", "Bahn und Bus mit dem Handy")
PEOPLE_PER_YEAR = 60
DEMO_META_KEY = "demo_data"


@dataclass(frozen=True)
class DemoSummary:
    """How much demo data was written."""

    municipalities: int
    courses: int
    termine: int
    participants: int
    attendances: int


def existing_data(db: Database) -> tuple[int, int]:
    """How many live courses and participants the database already holds."""
    with db.sessions() as session:
        courses = session.scalar(select(func.count()).select_from(Course).where(Course.deleted.is_(False)))
        people = session.scalar(
            select(func.count()).select_from(Participant).where(Participant.deleted.is_(False))
        )
    return int(courses or 0), int(people or 0)


def fill(db: Database, years: int = 2, seed: int = 4711, today: dt.date | None = None,
         lesson_ids: list[str] | None = None, replace: bool = False) -> DemoSummary:
    """Write *years* of demo data ending a few weeks after *today*; deterministic for a seed.

    *replace* first removes every record, in the same transaction (``demo --erzwingen``, after a backup).
    """
    builder = _DemoBuilder(random.Random(seed), today or dt.date.today(), years, lesson_ids)
    with db.transaction() as session:
        if replace:
            for model in reversed(SYNCED_MODELS):
                session.execute(delete(model))
            for model in SYNC_STATE_MODELS:
                session.execute(delete(model))  # the old records' change log goes with them
            session.execute(delete(LocalMeta).where(LocalMeta.key.not_like("sync_%")))
            device.renew(session.connection(), "Demo-Daten ersetzen alle Daten")
        summary = builder.build(session)
        session.add(LocalMeta(key=DEMO_META_KEY, value="1"))
    events.notify(*events.EVERYTHING)
    return summary


def demo_logo_png() -> bytes:
    """A small round logo for the demo organisation."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (240, 240), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), fill=(0, 84, 140, 255))
    draw.rectangle((80, 60, 160, 180), fill=(255, 255, 255, 255))
    draw.rectangle((92, 76, 148, 152), fill=(0, 84, 140, 255))
    draw.ellipse((112, 160, 128, 176), fill=(0, 84, 140, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _at(day: dt.date, hour: int) -> dt.datetime:
    """A stored timestamp on *day* (demo records carry the dates they would have had)."""
    return dt.datetime.combine(day, dt.time(hour, 0))


class _DemoBuilder:
    """Builds the demo records in one session; all randomness comes from one seeded generator.

    Each flush becomes one batch of change-log operations, and a flush costs far more than the rows
    in it, so the builder flushes once per course (its Termine and enrolments), not once per Termin:
    attendance and topic rows wait in ``pending`` until their Termine have ids. A record changed
    after it was first written (a person's recorded date, a Sprechstunde's head count) is still
    changed in a later flush than its insert, so the change log holds the same operations.
    """

    def __init__(self, rng: random.Random, today: dt.date, years: int, lesson_ids: list[str] | None) -> None:
        self.rng = rng
        self.today = today
        self.years = max(1, years)
        self.lessons = list(lesson_ids or _lesson_ids())
        self.people: list[Participant] = []
        self.next_new = 0
        self.counts = {"termine": 0, "attendances": 0}
        self.drop_in_termine: list[Termin] = []
        self.enrolled: set[tuple[int, int]] = set()  # (course id, participant id)
        self.pending: list[tuple[Termin, int, str, int]] = []  # attendance: termin, person id, status, hour
        # The session's identity map holds records weakly; kept here, the change log finds a Termin's
        # UUID in memory instead of asking the database once per attendance row.
        self.termine: list[Termin] = []

    def build(self, session: Session) -> DemoSummary:
        session.add(Organisation(
            name="Digitallotsen Kreis Kusel (Demo)",
            funding_line="Gefördert im Rahmen des Beispielprogramms »Smarte Dörfer« – Demo-Daten",
            contact="Projektbüro, Trierer Straße 1, 66869 Kusel · Tel. 06381 000000",
            logo_png=demo_logo_png(),
        ))
        towns = [Municipality(name=name) for name, _ in TOWNS]
        trainers = [Trainer(name=name) for name in TRAINERS]
        session.add_all(towns + trainers)
        self._make_people(session)
        start = self.today - dt.timedelta(days=365 * self.years - 30)
        for index, (town, (_, place)) in enumerate(zip(towns[:2], TOWNS[:2], strict=True)):
            self._drop_in(session, town, place, trainers[index], start, every_days=14 if index else 28)
        for year in range(self.years):
            year_start = start + dt.timedelta(days=365 * year)
            for slot in range(2):
                town_index = (year * 2 + slot) % len(TOWNS)
                town, place = towns[town_index], TOWNS[town_index][1]
                trainer = trainers[(year + slot) % len(trainers)]
                if year == self.years - 1 and slot == 1:
                    # The current course has a Termin today, so "open today's Termin" can be tried at once.
                    self._course(session, town, place, "Smartphone-Kurs aktuell", trainer,
                                 self.today - dt.timedelta(days=14))
                    continue
                title = COURSE_TITLES[(year * 2 + slot) % len(COURSE_TITLES)]
                self._course(session, town, place, title, trainer, year_start + dt.timedelta(days=40 + slot * 170))
            self._event(session, towns[year % len(TOWNS)], TOWNS[year % len(TOWNS)][1],
                        EVENT_TITLES[year % len(EVENT_TITLES)], trainers[(year + 2) % len(trainers)],
                        year_start + dt.timedelta(days=120))
        self._named_visitors(session)
        session.flush()
        courses = session.scalar(select(func.count()).select_from(Course))
        return DemoSummary(len(towns), int(courses or 0), self.counts["termine"], len(self.people),
                           self.counts["attendances"])

    # ------------------------------------------------------------------ people

    def _make_people(self, session: Session) -> None:
        rng = self.rng
        used: set[str] = set()
        while len(self.people) < PEOPLE_PER_YEAR * self.years:
            female = rng.random() < 0.62
            name = f"{rng.choice(FIRST_F if female else FIRST_M)} {rng.choice(LAST)}"
            if name in used:
                continue
            used.add(name)
            device = rng.choices(list(DeviceType), weights=(58, 32, 6, 4))[0]
            person = Participant(
                name=name, name_key=normalise_name(name),
                birth_year=rng.randint(1936, 1963) if rng.random() < 0.8 else None,
                gender=(Gender.FEMALE if female else Gender.MALE).value if rng.random() < 0.9 else None,
                device=device.value,
                phone=f"0638{rng.randint(1, 6)} {rng.randint(1000, 99999)}" if rng.random() < 0.5 else "",
            )
            self.people.append(person)
        session.add_all(self.people)
        session.flush()

    def _pick_people(self, count: int) -> list[Participant]:
        chosen: list[Participant] = []
        while len(chosen) < count:
            if self.next_new < len(self.people) and self.rng.random() > 0.12:
                person = self.people[self.next_new]
                self.next_new += 1
            else:
                person = self.rng.choice(self.people)
            if person not in chosen:
                chosen.append(person)
        return chosen

    def _enrol(self, session: Session, course: Course, person: Participant, on: dt.date, walk_in: bool = False) -> None:
        self.enrolled.add((course.id, person.id))
        session.add(Enrolment(course_id=course.id, participant_id=person.id, enrolled_on=on, walk_in=walk_in,
                              created_at=_at(on, 9)))
        given = session.info.setdefault("consented", set())
        if person.id not in given:
            given.add(person.id)
            person.created_at = _at(on, 9)  # a person is recorded when first enrolled
            session.add(Consent(participant_id=person.id, kind=ConsentKind.DATA_STORAGE.value, given_on=on,
                                wording_version="2024-1", created_at=_at(on, 9)))
            if self.rng.random() < 0.4:
                withdrawn = on + dt.timedelta(days=90) if self.rng.random() < 0.1 else None
                session.add(Consent(participant_id=person.id, kind=ConsentKind.PHOTOS.value, given_on=on,
                                    wording_version="2024-1", created_at=_at(on, 9),
                                    withdrawn_on=withdrawn if withdrawn and withdrawn < self.today else None))
            if self.rng.random() < 0.5:
                session.add(Consent(participant_id=person.id, kind=ConsentKind.CONTACT.value, given_on=on,
                                    wording_version="2024-1", created_at=_at(on, 9)))

    # ------------------------------------------------------------------ courses

    def _new_course(self, session: Session, town: Municipality, place: str, title: str, trainer: Trainer,
                    fmt: CourseFormat, first: dt.date, last: dt.date, lessons: list[str]) -> Course:
        created = _at(min(first, self.today) - dt.timedelta(days=30), 10)
        course = Course(title=title, format=fmt.value, municipality=town, place=place,
                        start_date=first, end_date=last, created_at=created)
        course.trainer_links.append(CourseTrainer(trainer=trainer))
        for position, lesson_id in enumerate(lessons):
            course.lesson_links.append(CourseLesson(lesson_id=lesson_id, position=position))
        session.add(course)
        session.flush()
        return course

    def _termin(self, session: Session, course: Course, day: dt.date, start: dt.time, end: dt.time,
                lessons: list[str], may_fail: bool = True) -> Termin:
        if day < self.today:
            failed = may_fail and self.rng.random() < 0.05
            status = TerminStatus.CANCELLED if failed else TerminStatus.HELD
        else:
            status = TerminStatus.PLANNED
        termin = Termin(course_id=course.id, date=day, start_time=start, end_time=end, place=course.place,
                        status=status.value, created_at=course.created_at,
                        note="Beamer defekt, ausgefallen" if status is TerminStatus.CANCELLED else "")
        for position, lesson_id in enumerate(lessons):
            termin.lesson_links.append(TerminLesson(lesson_id=lesson_id, position=position))
        session.add(termin)  # written with the course's other Termine by ``_write_pending``
        self.termine.append(termin)
        self.counts["termine"] += 1
        return termin

    def _write_pending(self, session: Session) -> None:
        """Write the Termine made so far (one flush), then add the attendance waiting for their ids."""
        session.flush()
        for termin, person_id, status, hour in self.pending:
            session.add(Attendance(termin_id=termin.id, participant_id=person_id, status=status,
                                   created_at=_at(termin.date, hour)))
        self.pending.clear()

    def _mark(self, session: Session, termin: Termin, people: list[Participant]) -> None:
        if termin.status != TerminStatus.HELD.value:
            return
        for person in people:
            roll = self.rng.random()
            status = (AttendanceStatus.PRESENT if roll < 0.84
                      else AttendanceStatus.EXCUSED if roll < 0.94 else AttendanceStatus.ABSENT)
            self.pending.append((termin, person.id, status.value, 14))
            self.counts["attendances"] += 1

    def _course(self, session: Session, town: Municipality, place: str, title: str, trainer: Trainer,
                first: dt.date, count: int = 6) -> None:
        offset = self.rng.randrange(len(self.lessons))
        plan = [self.lessons[(offset + i) % len(self.lessons)] for i in range(count)]
        last = first + dt.timedelta(days=7 * (count - 1))
        course = self._new_course(session, town, place, title, trainer, CourseFormat.COURSE, first, last, plan)
        people = self._pick_people(self.rng.randint(11, 16))
        for person in people:
            self._enrol(session, course, person, first - dt.timedelta(days=self.rng.randint(3, 20)))
        for index in range(count):
            day = first + dt.timedelta(days=7 * index)
            termin = self._termin(session, course, day, dt.time(14, 0), dt.time(16, 0), plan[index:index + 1])
            self._mark(session, termin, people)
            if termin.status == TerminStatus.HELD.value and self.rng.random() < 0.25:
                guest = self._pick_people(1)[0]
                if guest not in people:
                    people.append(guest)
                    self._enrol(session, course, guest, day, walk_in=True)
                    self.pending.append((termin, guest.id, "present", 14))
                    self.counts["attendances"] += 1
        self._write_pending(session)

    def _event(self, session: Session, town: Municipality, place: str, title: str, trainer: Trainer,
               day: dt.date) -> None:
        plan = [self.lessons[-1]]
        course = self._new_course(session, town, place, title, trainer, CourseFormat.EVENT, day, day, plan)
        people = self._pick_people(self.rng.randint(18, 26))
        for person in people:
            self._enrol(session, course, person, day - dt.timedelta(days=7))
        termin = self._termin(session, course, day, dt.time(18, 0), dt.time(20, 0), plan, may_fail=False)
        self._mark(session, termin, people)
        self._write_pending(session)

    def _drop_in(self, session: Session, town: Municipality, place: str, trainer: Trainer, first: dt.date,
                 every_days: int) -> None:
        last = self.today + dt.timedelta(days=60)
        course = self._new_course(session, town, place, f"Smartphone-Sprechstunde {town.name}", trainer,
                                  CourseFormat.DROP_IN, first, last, [])
        day = first
        counted: list[tuple[Termin, int, list[tuple[str, int]]]] = []
        while day <= last:
            termin = self._termin(session, course, day, dt.time(10, 0), dt.time(12, 0), [])
            if termin.status == TerminStatus.HELD.value:
                self.drop_in_termine.append(termin)
                head_count = self.rng.randint(2, 11)
                topics = [(topic, self.rng.randint(1, 3))
                          for topic in self.rng.sample(DEFAULT_TOPICS, self.rng.randint(1, 4))]
                counted.append((termin, head_count, topics))
            day += dt.timedelta(days=every_days)
        self._write_pending(session)
        # The counts come after the Termine were written: a head count is entered on a Termin that exists.
        for termin, head_count, topics in counted:
            termin.head_count = head_count
            for topic, count in topics:
                session.add(TopicTally(termin_id=termin.id, topic=topic, count=count))

    def _named_visitors(self, session: Session) -> None:
        """People not in any course came to a Sprechstunde and gave their name."""
        if not self.drop_in_termine:
            return
        for person in self.people[self.next_new:]:
            termin = self.rng.choice(self.drop_in_termine)
            if (termin.course_id, person.id) not in self.enrolled:
                self._enrol(session, session.get_one(Course, termin.course_id), person, termin.date, walk_in=True)
            self.pending.append((termin, person.id, "present", 11))
            self.counts["attendances"] += 1
        self._write_pending(session)
        self.next_new = len(self.people)


def _lesson_ids() -> list[str]:
    """Lesson ids for course plans: only lessons shipped with Kurslotse, so every plan can be opened."""
    from app import paths
    from app.lessons.library import lesson_folders

    ids = sorted(folder.name for folder in lesson_folders(paths.shipped_lessons_dir()))
    if not ids:
        raise InputError("Für die Demo fehlen die mitgelieferten Lektionen (Ordner »lektionen«).")
    return ids


# ---------------------------------------------------------------------- demo rows in a real database

DEMO_ORGANISATION_SUFFIX = "(Demo)"


def has_demo_rows(db: Database) -> bool:
    """Whether a real database holds demo records (older versions wrote the demo into it)."""
    with db.sessions() as session:
        if session.get(LocalMeta, DEMO_META_KEY) is not None:
            return True
        return session.scalar(select(func.count()).select_from(Organisation).where(
            Organisation.deleted.is_(False), Organisation.name.like(f"%{DEMO_ORGANISATION_SUFFIX}"),
        )) > 0


def _demo_course_titles() -> set[str]:
    titles = set(COURSE_TITLES) | set(EVENT_TITLES) | {"Smartphone-Kurs aktuell"}
    return titles | {f"Smartphone-Sprechstunde {name}" for name, _ in TOWNS}


@dataclass(frozen=True)
class RemovedDemo:
    courses: int
    participants: int


def remove_demo_rows(db: Database) -> RemovedDemo:
    """Delete the demo's records from a real database; records a trainer made stay.

    A demo record is one the demo vocabulary identifies: a course with a demo title in a demo
    Ortsgemeinde, a person enrolled only in such courses, the demo organisation, demo trainers
    and Ortsgemeinden nothing else uses. Deletion is the ordinary soft delete, so it travels
    through sync to every laptop the demo reached.
    """
    towns = {name for name, _ in TOWNS}
    with db.transaction() as session:
        demo_towns = {m.id: m for m in session.scalars(select(Municipality).where(
            Municipality.deleted.is_(False), Municipality.name.in_(towns)))}
        courses = [c for c in session.scalars(select(Course).where(Course.deleted.is_(False)))
                   if c.title in _demo_course_titles() and c.municipality_id in demo_towns]
        course_ids = {c.id for c in courses}
        enrolments = session.scalars(select(Enrolment).where(Enrolment.deleted.is_(False))).all()
        elsewhere = {e.participant_id for e in enrolments if e.course_id not in course_ids}
        in_demo = {e.participant_id for e in enrolments if e.course_id in course_ids}
        people = in_demo - elsewhere
        for model, column in ((Termin, Termin.course_id), (Enrolment, Enrolment.course_id),
                              (CourseLesson, CourseLesson.course_id), (CourseTrainer, CourseTrainer.course_id)):
            for row in session.scalars(select(model).where(column.in_(course_ids), model.deleted.is_(False))):
                row.deleted = True
        termin_ids = select(Termin.id).where(Termin.course_id.in_(course_ids))
        for model in (Attendance, TerminLesson, TopicTally):
            for row in session.scalars(select(model).where(model.termin_id.in_(termin_ids), model.deleted.is_(False))):
                row.deleted = True
        for course in courses:
            course.deleted = True
        for person_id in people:
            session.get_one(Participant, person_id).deleted = True
            for consent in session.scalars(select(Consent).where(Consent.participant_id == person_id)):
                consent.deleted = True
        for organisation in session.scalars(select(Organisation).where(
                Organisation.name.like(f"%{DEMO_ORGANISATION_SUFFIX}"))):
            organisation.deleted = True
        session.flush()
        used_towns = {c.municipality_id for c in session.scalars(select(Course).where(Course.deleted.is_(False)))}
        for town_id, town in demo_towns.items():
            if town_id not in used_towns:
                town.deleted = True
        used_trainers = set(session.scalars(select(CourseTrainer.trainer_id).where(CourseTrainer.deleted.is_(False))))
        for trainer in session.scalars(select(Trainer).where(Trainer.name.in_(TRAINERS), Trainer.deleted.is_(False))):
            if trainer.id not in used_trainers:
                trainer.deleted = True
        session.execute(delete(LocalMeta).where(LocalMeta.key == DEMO_META_KEY))
    events.notify(*events.EVERYTHING)
    return RemovedDemo(courses=len(courses), participants=len(people))
