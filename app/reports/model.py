"""Plain data of a report: the facts read from the database and the figures computed from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.domain.indicators import Period, for_internal_use

NO_MUNICIPALITY = "ohne Ortsgemeinde"
NO_LESSON = "ohne Lektion (z. B. Sprechstunde)"
UNKNOWN_TOPIC = "Thema unbekannt"
FORMAT_LABELS = {"course": "Kurs", "drop_in": "Sprechstunde", "event": "Einzelveranstaltung"}
FORMAT_ORDER = ("course", "drop_in", "event")
STATUS_LABELS = {"present": "anwesend", "excused": "entschuldigt", "absent": "unentschuldigt"}


@dataclass(frozen=True)
class CourseFact:
    """An offer (Kurs, Sprechstunde, Einzelveranstaltung) as far as the report needs it."""

    id: int
    title: str
    format: str
    municipality_id: int | None
    municipality: str
    trainers: int


@dataclass(frozen=True)
class TerminFact:
    """One Termin in the period (not deleted, of a live course)."""

    id: int
    course_id: int
    date: dt.date
    status: str
    minutes: int | None  # None: start or end time missing
    head_count: int
    lessons: tuple[str, ...]


@dataclass(frozen=True)
class PersonFact:
    """What the statistics may know about a person: no name, no contact."""

    birth_year: int | None
    age_band: str
    gender: str | None
    device: str | None


@dataclass
class ReportFacts:
    """Everything read from the database for one report, in one read transaction."""

    period: Period
    municipality: str | None
    courses: dict[int, CourseFact]
    termine: list[TerminFact]
    # (termin id, participant id) of live »anwesend« marks at held Termine in the period
    marks: list[tuple[int, int]]
    people: dict[int, PersonFact]
    seen_before: set[int]  # persons present at any held Termin before the period
    # (course id, participant id, enrolled on) of live enrolments to the courses in scope
    enrolments: list[tuple[int, int, dt.date]]
    tallies: list[tuple[int, str, int]]  # (termin id, topic, count) at held Termine in the period
    lesson_titles: dict[str, str]
    lesson_topics: dict[str, str]
    municipalities: list[str] = field(default_factory=list)  # all names, for the filter and the columns


@dataclass
class GroupFigures:
    """The figures of one row of a breakdown (a group of Termine: a village, a format, a month …)."""

    key: str
    label: str
    values: dict[str, int | float | None]
    age_bands: dict[str, int] = field(default_factory=dict)
    genders: dict[str, int] = field(default_factory=dict)
    devices: dict[str, int] = field(default_factory=dict)
    drop_in_topics: dict[str, int] = field(default_factory=dict)
    month: dt.date | None = None  # the first day, for the month breakdown
    # Published cells withheld by the protection (app.reports.protection): an indicator key such as
    # ``persons``, or ``attribute:category`` such as ``genders:m`` and ``drop_in_topics:WhatsApp``.
    hidden: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class LessonCount:
    lesson_id: str
    title: str
    topic: str
    count: int


@dataclass(frozen=True)
class AuditFigures:
    """What the attacker's audit found for one report: the figures of its »Datenschutz« note."""

    hidden: int  # cells withheld in this report because they count 1 … threshold − 1 persons
    homogeneous: int  # distribution columns withheld because everyone falls in one group
    secondary: int  # cells withheld in addition, so the others cannot be worked out
    narrowest: tuple[int, int | None] | None  # the narrowest interval an attacker gets (None above: no limit)
    reports: int  # reports audited together (this one and the other standard reports of its year)
    cells: int  # person cells in those reports
    internal: bool  # a month, a free period or one Ortsgemeinde: only audited on its own, »nur intern«

    def note(self, threshold: int) -> str:
        if self.narrowest is None:
            narrow = "keines"
        else:
            low, high = self.narrowest
            narrow = f"{low} bis {high}" if high is not None else f"ab {low} ohne Obergrenze"
        scope = ("nur dieser Bericht; Monat, frei gewählter Zeitraum oder eine Ortsgemeinde: nur intern"
                 if self.internal
                 else f"dieser Bericht und die anderen Standardberichte des Jahres, zusammen {self.reports} Berichte "
                      f"mit {self.cells} Personenfeldern")
        return (f"Prüfung durch Nachrechnen ({scope}): {self.hidden} Felder mit 1 bis {threshold - 1} Personen "
                f"gesperrt, {self.homogeneous} Spalten wegen gleicher Gruppe gesperrt, {self.secondary} Felder "
                f"zusätzlich gesperrt; engster Bereich, auf den sich ein gesperrtes Feld eingrenzen lässt: {narrow} "
                f"(verlangt: 0 bis mindestens {threshold}).")


@dataclass
class ReportData:
    """A computed report: totals, breakdowns and notes, not yet suppressed or formatted."""

    period: Period
    municipality: str | None
    created: dt.datetime
    total: GroupFigures
    by_municipality: list[GroupFigures]
    by_format: list[GroupFigures]
    by_topic: list[GroupFigures]
    by_month: list[GroupFigures]
    drop_in_topics: list[str]  # topic names, most asked first
    lessons: list[LessonCount]
    notes: list[str]
    audit: AuditFigures | None = None  # set by app.reports.protection before the tables are made

    @property
    def internal(self) -> bool:
        """For the trainer's own use, not for the funder (a village's reports, read side by side with the
        others, could narrow cells each leaves open alone)."""
        return for_internal_use(self.period, self.municipality)

    def breakdown(self, name: str) -> list[GroupFigures]:
        return {"municipality": self.by_municipality, "format": self.by_format, "topic": self.by_topic,
                "month": self.by_month}[name]


@dataclass(frozen=True)
class RawRow:
    """One attendance in the pseudonymised raw export."""

    date: dt.date
    municipality: str
    format: str
    course: str
    termin: int
    status: str
    person: str  # a random key, new for every export
    age_band: str
    gender: str
    device: str
