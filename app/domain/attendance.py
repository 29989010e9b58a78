"""Attendance vocabulary and pure rules: courses, Termine, participants, check-in states, validation."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum


class CourseFormat(StrEnum):
    """How a course is run: a series with enrolment, an open Sprechstunde, or a one-off event."""

    COURSE = "course"
    DROP_IN = "drop_in"
    EVENT = "event"

    @property
    def label(self) -> str:
        return {"course": "Kurs", "drop_in": "Sprechstunde", "event": "Einzelveranstaltung"}[self.value]


class TerminStatus(StrEnum):
    """Whether a Termin is still to come, took place, or was cancelled."""

    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"planned": "geplant", "held": "stattgefunden", "cancelled": "ausgefallen"}[self.value]


class AttendanceStatus(StrEnum):
    """One person's attendance at one Termin."""

    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return {"present": "anwesend", "excused": "entschuldigt", "absent": "unentschuldigt"}[self.value]

    @property
    def symbol(self) -> str:
        return {"present": "✓", "excused": "E", "absent": "–"}[self.value]


class DeviceType(StrEnum):
    """The device a participant brings."""

    ANDROID = "android"
    IPHONE = "iphone"
    TABLET = "tablet"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"android": "Android", "iphone": "iPhone", "tablet": "Tablet", "none": "keins"}[self.value]


class Gender(StrEnum):
    """Optional gender, recorded only when a funder asks for it."""

    FEMALE = "f"
    MALE = "m"
    DIVERSE = "d"

    @property
    def label(self) -> str:
        return {"f": "weiblich", "m": "männlich", "d": "divers"}[self.value]


class ConsentKind(StrEnum):
    """What a participant agreed to."""

    DATA_STORAGE = "data_storage"
    PHOTOS = "photos"
    CONTACT = "contact"

    @property
    def label(self) -> str:
        return {"data_storage": "Datenspeicherung", "photos": "Fotos", "contact": "Kontakt"}[self.value]


AGE_BANDS = ("unter 60", "60–69", "70–79", "80–89", "90+")
DEFAULT_TOPICS = (
    "WhatsApp", "Fotos", "Einstellungen", "Apps installieren", "Sicherheit", "Telefonieren",
    "E-Mail", "Internet", "Online-Banking", "Akku & Laden",
)
NAME_MAX = 120


def age_band_for(birth_year: int, today: dt.date) -> str:
    """The age band a person born in *birth_year* falls into today."""
    age = today.year - birth_year
    if age < 60:
        return AGE_BANDS[0]
    if age >= 90:
        return AGE_BANDS[-1]
    return AGE_BANDS[1 + (age - 60) // 10]


# --------------------------------------------------------------------------- parsing input

class InputError(ValueError):
    """Bad input: a list of German messages, each saying what and where."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


_DATE_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})\s*$")
_ISO_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
_TIME_RE = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:Uhr)?\s*$")


def parse_date(text: str, what: str) -> dt.date:
    """Parse ``TT.MM.JJJJ`` (or ISO) into a date; *what* names the field in the message."""
    match = _DATE_RE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        if year < 100:
            year += 2000
    else:
        iso = _ISO_DATE_RE.match(text)
        if not iso:
            raise InputError([f"{what}: »{text.strip()}« ist kein Datum. Bitte so schreiben: 24.03.2026"])
        year, month, day = (int(part) for part in iso.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InputError([f"{what}: Den {text.strip()} gibt es nicht im Kalender."]) from None


def parse_time(text: str, what: str) -> dt.time:
    """Parse ``14:30`` / ``14.30`` / ``14 Uhr`` into a time; *what* names the field in the message."""
    match = _TIME_RE.match(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return dt.time(hour, minute)
    raise InputError([f"{what}: »{text.strip()}« ist keine Uhrzeit. Bitte so schreiben: 14:30"])


def format_date(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def format_time(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else ""


WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")


def format_date_long(value: dt.date) -> str:
    """``Dienstag, 24.03.2026`` for headers and the check-in screen."""
    return f"{WEEKDAYS[value.weekday()]}, {format_date(value)}"


# --------------------------------------------------------------------------- inputs

@dataclass
class CourseInput:
    """What the trainer types for a course."""

    title: str
    format: CourseFormat = CourseFormat.COURSE
    municipality: str = ""
    place: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    trainers: list[str] = field(default_factory=list)
    planned_lessons: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class TerminInput:
    """What the trainer types for one Termin."""

    date: dt.date
    start: dt.time | None = None
    end: dt.time | None = None
    place: str = ""
    lessons: list[str] = field(default_factory=list)
    status: TerminStatus = TerminStatus.PLANNED
    note: str = ""


@dataclass
class ParticipantInput:
    """What the trainer records about a person — only what the course needs."""

    name: str
    phone: str = ""
    email: str = ""
    birth_year: int | None = None
    age_band: str = ""
    gender: Gender | None = None
    device: DeviceType | None = None
    note: str = ""


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_RE = re.compile(r"^[0-9 +()/\-]{3,30}$")


PLACE_MAX = 200  # the column widths: a server refuses longer text, so every database gets the same limit
EMAIL_MAX = 200


def _too_long(label: str, value: str, limit: int) -> list[str]:
    return [f"{label}: höchstens {limit} Zeichen (eingegeben: {len(value.strip())})."] \
        if len(value.strip()) > limit else []


def validate_course(data: CourseInput) -> list[str]:
    """German messages for everything wrong with *data* (empty list: all fine)."""
    errors = []
    if not data.title.strip():
        errors.append("Titel: Bitte einen Titel für den Kurs eingeben.")
    elif len(data.title.strip()) > NAME_MAX:
        errors.append(f"Titel: Der Titel ist zu lang (höchstens {NAME_MAX} Zeichen).")
    errors += _too_long("Ort", data.place, PLACE_MAX) + _too_long("Ortsgemeinde", data.municipality, NAME_MAX)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors.append(
            f"Zeitraum: Das Ende ({format_date(data.end_date)}) liegt vor dem Beginn "
            f"({format_date(data.start_date)})."
        )
    return errors


def validate_termin(
    data: TerminInput, course_start: dt.date | None, course_end: dt.date | None
) -> list[str]:
    """German messages for a Termin: end before start, outside the course period."""
    errors = _too_long("Ort", data.place, PLACE_MAX)
    if data.start and data.end and data.end <= data.start:
        errors.append(
            f"Uhrzeit: Das Ende ({format_time(data.end)} Uhr) liegt nicht nach dem Beginn "
            f"({format_time(data.start)} Uhr)."
        )
    if course_start and data.date < course_start:
        errors.append(
            f"Datum: Der {format_date(data.date)} liegt vor dem Kursbeginn ({format_date(course_start)})."
        )
    if course_end and data.date > course_end:
        errors.append(
            f"Datum: Der {format_date(data.date)} liegt nach dem Kursende ({format_date(course_end)})."
        )
    return errors


def validate_participant(data: ParticipantInput, today: dt.date) -> list[str]:
    """German messages for a participant record."""
    errors = []
    name = data.name.strip()
    if not name:
        errors.append("Name: Bitte einen Namen eingeben.")
    elif len(name) > NAME_MAX:
        errors.append(f"Name: Der Name ist zu lang (höchstens {NAME_MAX} Zeichen).")
    errors += _too_long("E-Mail", data.email, EMAIL_MAX)
    if data.email.strip() and not _EMAIL_RE.match(data.email.strip()):
        errors.append(f"E-Mail: »{data.email.strip()}« ist keine E-Mail-Adresse.")
    if data.phone.strip() and not _PHONE_RE.match(data.phone.strip()):
        errors.append(f"Telefon: »{data.phone.strip()}« ist keine Telefonnummer (nur Ziffern, Leerzeichen, + - / ( )).")
    if data.birth_year is not None and not (today.year - 110 <= data.birth_year <= today.year - 10):
        errors.append(
            f"Geburtsjahr: {data.birth_year} ist nicht möglich "
            f"(erlaubt {today.year - 110} bis {today.year - 10})."
        )
    if data.age_band and data.age_band not in AGE_BANDS:
        errors.append(f"Altersgruppe: »{data.age_band}« ist keine der Gruppen {', '.join(AGE_BANDS)}.")
    return errors


def normalise_name(name: str) -> str:
    """Key for duplicate detection: case, spacing and name order ("Müller, Anna") ignored."""
    text = " ".join(name.replace(",", " ").split()).casefold()
    return " ".join(sorted(text.split()))


def parse_birth_year(text: str) -> int | None:
    """A birth year typed into a form; empty means unknown."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise InputError([f"Geburtsjahr: »{text}« ist keine Jahreszahl. Bitte so schreiben: 1948"])
    return int(text)


# --------------------------------------------------------------------------- views (read side)

@dataclass(frozen=True)
class CourseSummary:
    """One line of the course list."""

    id: int
    title: str
    format: CourseFormat
    municipality: str
    place: str
    start_date: dt.date | None
    end_date: dt.date | None
    termin_count: int
    participant_count: int
    next_termin: dt.date | None


@dataclass(frozen=True)
class TerminView:
    """One Termin as shown on the course page and the check-in screen."""

    id: int
    course_id: int
    date: dt.date
    start: dt.time | None
    end: dt.time | None
    place: str
    status: TerminStatus
    lessons: tuple[str, ...]
    note: str
    head_count: int | None
    present_count: int

    @property
    def time_text(self) -> str:
        if self.start and self.end:
            return f"{format_time(self.start)}–{format_time(self.end)} Uhr"
        if self.start:
            return f"ab {format_time(self.start)} Uhr"
        return ""


@dataclass(frozen=True)
class ParticipantView:
    """A person as shown in lists (no more than the screen needs)."""

    id: int
    name: str
    phone: str = ""
    email: str = ""
    birth_year: int | None = None
    age_band: str = ""
    gender: Gender | None = None
    device: DeviceType | None = None
    note: str = ""
    walk_in: bool = False
    enrolled: bool = True  # False: no longer on the course list, shown for past attendance


@dataclass(frozen=True)
class CourseDetail:
    """The course record itself, for the course page header and the edit dialog."""

    id: int
    title: str
    format: CourseFormat
    municipality: str
    place: str
    start_date: dt.date | None
    end_date: dt.date | None
    trainers: tuple[str, ...]
    planned_lessons: tuple[str, ...]
    note: str

    def as_input(self) -> CourseInput:
        return CourseInput(
            title=self.title, format=self.format, municipality=self.municipality, place=self.place,
            start_date=self.start_date, end_date=self.end_date, trainers=list(self.trainers),
            planned_lessons=list(self.planned_lessons), note=self.note,
        )


@dataclass(frozen=True)
class CourseStats:
    """Simple statistics for the course page."""

    termine_held: int
    termine_planned: int
    termine_cancelled: int
    participants: int
    average_present: float
    attendance_rate: float  # present / (held Termine × enrolled), 0..1
    visitors_total: int  # Sprechstunde: sum of head counts (plus named check-ins)
    devices: dict[str, int]
    top_topics: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class CourseOverview:
    """Everything the course page shows, fetched in one go."""

    course: CourseDetail
    termine: tuple[TerminView, ...]
    participants: tuple[ParticipantView, ...]
    grid: dict[tuple[int, int], AttendanceStatus]  # (participant id, Termin id) -> status
    stats: CourseStats


def compute_stats(
    termine: tuple[TerminView, ...],
    participants: tuple[ParticipantView, ...],
    grid: dict[tuple[int, int], AttendanceStatus],
    topics: dict[str, int],
) -> CourseStats:
    """Derive the course statistics from the Termine, people and attendance grid."""
    held = [t for t in termine if t.status is TerminStatus.HELD]
    held_ids = {t.id for t in held}
    present_per_termin = {t.id: 0 for t in held}
    for (_, termin_id), status in grid.items():
        if termin_id in held_ids and status is AttendanceStatus.PRESENT:
            present_per_termin[termin_id] += 1
    total_present = sum(present_per_termin.values())
    possible = len(held) * len(participants)
    devices: dict[str, int] = {}
    for person in participants:
        label = person.device.label if person.device else "unbekannt"
        devices[label] = devices.get(label, 0) + 1
    visitors = sum((t.head_count or 0) + t.present_count for t in held)
    return CourseStats(
        termine_held=len(held),
        termine_planned=sum(1 for t in termine if t.status is TerminStatus.PLANNED),
        termine_cancelled=sum(1 for t in termine if t.status is TerminStatus.CANCELLED),
        participants=len(participants),
        average_present=(total_present / len(held)) if held else 0.0,
        attendance_rate=(total_present / possible) if possible else 0.0,
        visitors_total=visitors,
        devices=dict(sorted(devices.items(), key=lambda item: -item[1])),
        top_topics=tuple(sorted(topics.items(), key=lambda item: (-item[1], item[0]))[:5]),
    )


# --------------------------------------------------------------------------- printed documents

@dataclass(frozen=True)
class Letterhead:
    """Organisation details printed on every sheet and certificate."""

    organisation: str
    funding_line: str = ""
    contact: str = ""
    logo_png: bytes | None = None


@dataclass(frozen=True)
class SignatureSheetData:
    """Everything the Anwesenheitsliste of one Termin prints."""

    letterhead: Letterhead
    course_title: str
    course_format: CourseFormat
    date: dt.date
    time_text: str
    place: str
    municipality: str
    trainers: tuple[str, ...]
    lesson_titles: tuple[str, ...]
    names: tuple[str, ...]
    empty_rows: int


@dataclass(frozen=True)
class CertificateData:
    """One Teilnahmebescheinigung: who, which course, the dates attended, the topics covered."""

    letterhead: Letterhead
    person_name: str
    course_title: str
    course_format: CourseFormat
    municipality: str
    place: str
    dates_attended: tuple[dt.date, ...]
    termine_held: int
    topics: tuple[str, ...]
    trainers: tuple[str, ...]
    issued_on: dt.date
