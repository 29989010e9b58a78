"""Smart-City indicators: their definitions, report periods, age bands and small-count suppression.

Pure logic (no Qt, no SQLAlchemy). Every indicator is defined here in one German sentence; the
same sentence goes into the XLSX, the CSV, the PDF and the README, so the funder reads exactly
what was counted.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_THRESHOLD = 3
"""Counts of persons from 1 up to (threshold − 1) are shown as »<threshold«; 0 stays 0."""
MIN_THRESHOLD = 2
MAX_THRESHOLD = 20
TEACHING_UNIT_MINUTES = 45
MAX_PERIOD_DAYS = 366 * 10

MONTH_NAMES = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
               "Oktober", "November", "Dezember")


# --------------------------------------------------------------------------- periods

class PeriodKind(StrEnum):
    """How the report period was chosen."""

    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {"month": "Monat", "quarter": "Quartal", "half_year": "Halbjahr", "year": "Jahr",
                "custom": "frei"}[self.value]

    @property
    def standard(self) -> bool:
        """Quarter, half-year and year are published; a month or a free period is for internal use only.

        A month of a village programme has so few persons that protecting it against the quarter and
        the year would hide most cells of all three; the month rows inside a quarter stay published.
        """
        return self in (PeriodKind.QUARTER, PeriodKind.HALF_YEAR, PeriodKind.YEAR)


class PeriodError(ValueError):
    """An impossible period; the message is German and says what is wrong."""


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days, both ends included."""

    start: dt.date
    end: dt.date
    kind: PeriodKind = PeriodKind.CUSTOM

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(
                f"Zeitraum: Das Ende ({format_day(self.end)}) liegt vor dem Beginn ({format_day(self.start)})."
            )
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise PeriodError("Zeitraum: Ein Bericht kann höchstens zehn Jahre umfassen.")

    @property
    def label(self) -> str:
        """``März 2026``, ``1. Quartal 2026``, ``Jahr 2026`` or ``01.01.2026 – 15.02.2026``."""
        if self.kind is PeriodKind.MONTH:
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"{(self.start.month - 1) // 3 + 1}. Quartal {self.start.year}"
        if self.kind is PeriodKind.HALF_YEAR:
            return f"{1 if self.start.month == 1 else 2}. Halbjahr {self.start.year}"
        if self.kind is PeriodKind.YEAR:
            return f"Jahr {self.start.year}"
        return f"{format_day(self.start)} – {format_day(self.end)}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[dt.date]:
        """The first day of every calendar month the period touches, in order."""
        result = []
        current = self.start.replace(day=1)
        while current <= self.end:
            result.append(current)
            current = _add_months(current, 1)
        return result


def _add_months(day: dt.date, count: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_period(year: int, month: int) -> Period:
    if not 1 <= month <= 12:
        raise PeriodError(f"Monat: {month} ist kein Monat (1 bis 12).")
    last = calendar.monthrange(year, month)[1]
    return Period(dt.date(year, month, 1), dt.date(year, month, last), PeriodKind.MONTH)


def quarter_period(year: int, quarter: int) -> Period:
    if not 1 <= quarter <= 4:
        raise PeriodError(f"Quartal: {quarter} ist kein Quartal (1 bis 4).")
    first = 3 * (quarter - 1) + 1
    return Period(dt.date(year, first, 1), _add_months(dt.date(year, first, 1), 3) - dt.timedelta(days=1),
                  PeriodKind.QUARTER)


def half_year_period(year: int, half: int) -> Period:
    if half not in (1, 2):
        raise PeriodError(f"Halbjahr: {half} ist kein Halbjahr (1 oder 2).")
    first = dt.date(year, 6 * (half - 1) + 1, 1)
    return Period(first, _add_months(first, 6) - dt.timedelta(days=1), PeriodKind.HALF_YEAR)


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), PeriodKind.YEAR)


def custom_period(start: dt.date, end: dt.date) -> Period:
    return Period(start, end, PeriodKind.CUSTOM)


def period_between(start: dt.date, end: dt.date) -> Period:
    """The period from *start* to *end*, named as month, quarter or year when it is exactly one."""
    if start.day == 1 and end == _add_months(start, 1) - dt.timedelta(days=1):
        return month_period(start.year, start.month)
    if start.day == 1 and start.month % 3 == 1 and end == _add_months(start, 3) - dt.timedelta(days=1):
        return quarter_period(start.year, quarter_of(start))
    if start.day == 1 and start.month in (1, 7) and end == _add_months(start, 6) - dt.timedelta(days=1):
        return half_year_period(start.year, 1 if start.month == 1 else 2)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return year_period(start.year)
    return custom_period(start, end)


def for_internal_use(period: Period, municipality: str | None) -> bool:
    """A month, a free period or one Ortsgemeinde: the trainer's own use, not for the funder (»nur intern«);
    only the standard reports for all Ortsgemeinden are checked against each other and published."""
    return not period.kind.standard or bool(municipality)


def standard_periods(year: int) -> list[Period]:
    """Every period a published report of *year* may cover: 4 quarters, 2 half-years, the year."""
    return ([quarter_period(year, q) for q in range(1, 5)] + [half_year_period(year, half) for half in (1, 2)]
            + [year_period(year)])


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def previous_quarter(today: dt.date) -> Period:
    """The last complete quarter before *today* (what the project office reports most often)."""
    quarter = quarter_of(today) - 1
    return quarter_period(today.year, quarter) if quarter else quarter_period(today.year - 1, 4)


def format_day(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def month_label(first_day: dt.date) -> str:
    return f"{MONTH_NAMES[first_day.month - 1]} {first_day.year}"


# --------------------------------------------------------------------------- people

AGE_BANDS = ("unter 60", "60–69", "70–79", "80+", "keine Angabe")
NO_ANSWER = "keine Angabe"
GENDERS = ("w", "m", "d", NO_ANSWER)
GENDER_LABELS = {"w": "weiblich", "m": "männlich", "d": "divers", NO_ANSWER: NO_ANSWER}
DEVICES = ("Android", "iPhone", "Tablet", "kein Gerät", NO_ANSWER)

_STORED_GENDER = {"f": "w", "m": "m", "d": "d"}
_STORED_DEVICE = {"android": "Android", "iphone": "iPhone", "tablet": "Tablet", "none": "kein Gerät"}
# Bands the attendance screens store when only an age band is known (see app.domain.attendance).
_STORED_BAND = {"unter 60": "unter 60", "60–69": "60–69", "70–79": "70–79", "80–89": "80+", "90+": "80+",
                "80+": "80+"}


def age_band_at(birth_year: int | None, stored_band: str | None, on: dt.date) -> str:
    """The report age band on the day *on*: from the birth year, else from the band recorded.

    With only a birth year known, the age is the age reached in the year of *on*
    (``on.year − birth_year``), the usual rule of statistics offices for birth cohorts.
    """
    if birth_year:
        age = on.year - birth_year
        if age < 60:
            return AGE_BANDS[0]
        if age >= 80:
            return AGE_BANDS[3]
        return AGE_BANDS[1 + (age - 60) // 10]
    return _STORED_BAND.get((stored_band or "").strip(), NO_ANSWER)


def gender_key(stored: str | None) -> str:
    """``w``, ``m``, ``d`` or ``keine Angabe`` from what the attendance screens store."""
    return _STORED_GENDER.get(stored or "", NO_ANSWER)


def device_label(stored: str | None) -> str:
    return _STORED_DEVICE.get(stored or "", NO_ANSWER)


# --------------------------------------------------------------------------- suppression

@dataclass(frozen=True)
class Hidden:
    """A cell that is not shown because it, or a sum that contains it, would reveal few persons."""

    text: str

    def __str__(self) -> str:
        return self.text


# One symbol for every withheld cell — a small count, a cell hidden to protect one, a derived value —
# the sign official German statistics use for »Zahlenwert unbekannt oder geheim zu halten«. A
# separate »<3« would tell the reader that the cell holds 1 or 2 and which cells were hidden in addition.
HIDDEN_TEXT = "."
HIDDEN = Hidden(HIDDEN_TEXT)
DERIVED_HIDDEN = HIDDEN


def check_threshold(threshold: int) -> int:
    if not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise PeriodError(
            f"Schwelle: {threshold} ist nicht erlaubt (erlaubt {MIN_THRESHOLD} bis {MAX_THRESHOLD})."
        )
    return threshold


def is_small(value: int | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True for counts of persons that must not be shown (1 … threshold − 1)."""
    return value is not None and 0 < value < threshold


def suppress(value: int | None, threshold: int = DEFAULT_THRESHOLD) -> int | Hidden | None:
    """A count of persons as it may be published on its own: 1 and 2 become ».« (for the default threshold)."""
    return HIDDEN if is_small(value, threshold) else value


# --------------------------------------------------------------------------- indicators

class Kind(StrEnum):
    """What a figure is; decides number format and whether it is suppressed when small."""

    COUNT = "count"  # things (courses, Termine, lessons): never suppressed
    PERSONS = "persons"  # counts persons or person visits: 1 … threshold − 1 are hidden
    HOURS = "hours"  # decimal number of hours
    DECIMAL = "decimal"  # an average; hidden when the persons behind it are hidden
    PERCENT = "percent"  # a percentage 0 … 100; hidden when the persons behind it are hidden


@dataclass(frozen=True)
class Indicator:
    """One reported figure: key (code), German name, kind and its one-sentence definition."""

    key: str
    label: str
    kind: Kind
    definition: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("courses", "Angebote", Kind.COUNT,
              "Zahl der Kurse, Sprechstunden und Einzelveranstaltungen, die im Zeitraum mindestens einen "
              "stattgefundenen Termin hatten."),
    Indicator("termine_held", "Termine stattgefunden", Kind.COUNT,
              "Zahl der Termine im Zeitraum mit dem Status »stattgefunden«."),
    Indicator("termine_cancelled", "Termine ausgefallen", Kind.COUNT,
              "Zahl der Termine im Zeitraum mit dem Status »ausgefallen«."),
    Indicator("teaching_units", "Unterrichtseinheiten (45 min)", Kind.HOURS,
              "Summe der Dauer (Ende minus Beginn) aller stattgefundenen Termine geteilt durch 45 Minuten; "
              "Termine ohne Anfangs- oder Endzeit zählen nicht mit."),
    Indicator("clock_hours", "Zeitstunden", Kind.HOURS,
              "Summe der Dauer (Ende minus Beginn) aller stattgefundenen Termine in Stunden; "
              "Termine ohne Anfangs- oder Endzeit zählen nicht mit."),
    Indicator("attendances", "Anwesenheiten", Kind.PERSONS,
              "Zahl der Einträge »anwesend« an stattgefundenen Terminen (eine Person an einem Termin "
              "zählt einmal); ohne Namen gezählte Besuche stehen unter Sprechstunden-Kontakte."),
    Indicator("persons", "Erreichte Personen", Kind.PERSONS,
              "Zahl der verschiedenen Personen, die im Zeitraum an mindestens einem stattgefundenen "
              "Termin als »anwesend« eingetragen sind."),
    Indicator("new_persons", "davon neu", Kind.PERSONS,
              "Erreichte Personen, die vor Beginn des Zeitraums noch bei keinem Termin (in keiner "
              "Ortsgemeinde) als »anwesend« eingetragen waren."),
    Indicator("returning_persons", "davon wiederkehrend", Kind.PERSONS,
              "Erreichte Personen, die schon vor Beginn des Zeitraums bei mindestens einem Termin als "
              "»anwesend« eingetragen waren."),
    Indicator("enrolments", "Anmeldungen", Kind.PERSONS,
              "Zahl der Anmeldungen einer Person zu einem Kurs oder einer Einzelveranstaltung mit "
              "Anmeldedatum im Zeitraum, spontan Dazugekommene eingeschlossen (Sprechstunden haben keine "
              "Anmeldung)."),
    Indicator("persons_per_termin", "Personen je Termin (Durchschnitt)", Kind.DECIMAL,
              "Anwesenheiten plus ohne Namen gezählte Besuche, geteilt durch die Zahl der stattgefundenen "
              "Termine."),
    Indicator("attendance_rate", "Anwesenheitsquote in %", Kind.PERCENT,
              "Anwesenheiten angemeldeter Personen geteilt durch die möglichen Anwesenheiten (je "
              "stattgefundenem Termin eines Kurses oder einer Einzelveranstaltung die Zahl der bis zu "
              "diesem Tag angemeldeten Personen), mal 100."),
    Indicator("drop_in_contacts", "Sprechstunden-Kontakte", Kind.PERSONS,
              "Summe der Besuche an stattgefundenen Sprechstunden-Terminen: ohne Namen gezählte "
              "Besucherinnen und Besucher plus namentlich als »anwesend« Eingetragene."),
    Indicator("drop_in_anonymous", "davon ohne Namen gezählt", Kind.PERSONS,
              "Summe der in Sprechstunden ohne Namen gezählten Besucherinnen und Besucher "
              "(Strichliste beim Check-in)."),
    Indicator("lessons_taught", "Lektionen unterrichtet", Kind.COUNT,
              "Zahl der Lektionen, die an stattgefundenen Terminen eingetragen sind (eine Lektion an "
              "zwei Terminen zählt zweimal)."),
    Indicator("trainer_hours", "Stunden der Lotsinnen und Lotsen", Kind.HOURS,
              "Zeitstunden jedes stattgefundenen Termins mal der Zahl der Lotsinnen und Lotsen, die dem "
              "Angebot zugeordnet sind (Vor- und Nachbereitung nicht eingeschlossen)."),
)
INDICATOR_BY_KEY = {indicator.key: indicator for indicator in INDICATORS}

DISTRIBUTIONS: tuple[tuple[str, str, str], ...] = (
    ("age_bands", "Altersgruppen",
     "Erreichte Personen nach Altersgruppe (unter 60, 60–69, 70–79, 80+, keine Angabe); das Alter ist "
     "das Jahr des Zeitraum-Endes minus Geburtsjahr, sonst die erfasste Altersgruppe."),
    ("genders", "Geschlecht",
     "Erreichte Personen nach Geschlecht (w, m, d, keine Angabe), wie es bei der Person erfasst ist."),
    ("devices", "Geräteart",
     "Erreichte Personen nach dem Gerät, das sie mitbringen (Android, iPhone, Tablet, kein Gerät, "
     "keine Angabe)."),
    ("drop_in_topics", "Sprechstunden-Themen",
     "Wie oft ein Thema an stattgefundenen Sprechstunden-Terminen nachgefragt wurde (Strichliste "
     "beim Check-in)."),
    ("lessons", "Lektionen",
     "Wie oft jede Lektion an stattgefundenen Terminen unterrichtet wurde, mit dem Thema der Lektion."),
)

BREAKDOWN_NOTES = {
    "municipality": "Ein Angebot gehört zur Ortsgemeinde, die beim Kurs eingetragen ist.",
    "format": "Kurs, Sprechstunde oder Einzelveranstaltung, wie beim Angebot eingetragen.",
    "topic": ("Thema der an einem Termin unterrichteten Lektionen; ein Termin mit Lektionen aus mehreren "
              "Themen zählt in jedem davon, die Zeilen ergeben zusammen also mehr als die Summe. "
              "Personen werden in jeder Zeile nur einmal gezählt."),
    "month": "Kalendermonat des Termins; eine Person, die in zwei Monaten kam, zählt in beiden.",
}

SUPPRESSION_RULES = (
    "Ein Feld, das 1 bis {limit} Personen zählt, wird gesperrt.",
    "Weitere Felder werden gesperrt, bis sich kein gesperrtes Feld aus Summen, Aufschlüsselungen, »davon«-Zeilen "
    "und den anderen Standardberichten desselben Jahres (Quartale, Halbjahre, Jahr) auf weniger als "
    "0 bis {threshold} eingrenzen lässt; Gesamtwerte des Berichts bleiben sichtbar, wo es geht.",
    "Eine Spalte der Altersgruppen, des Geschlechts oder der Geräteart, in der alle Personen in einer einzigen "
    "Gruppe (außer »keine Angabe«) stehen, wird ganz gesperrt.",
    "Ein Durchschnitt oder eine Quote wird gesperrt, wenn eine Personenzahl, aus der sie berechnet ist, gesperrt ist.",
    "Ein gesperrtes Feld erscheint als ».«; 0 heißt: niemand.",
    "Zur Weitergabe gedacht sind nur Berichte über ein Quartal, ein Halbjahr oder ein Jahr für alle Ortsgemeinden; "
    "ein Monat, ein frei gewählter Zeitraum oder der Bericht einer einzelnen Ortsgemeinde ist »nur intern« (die "
    "Zahlen je Ortsgemeinde stehen im Bericht für alle).",
)
SUPPRESSION_NOTE = (
    "Datenschutz: " + " ".join(SUPPRESSION_RULES) + " Der Bericht enthält keine Namen und keine Kontaktdaten."
)


def suppression_note(threshold: int) -> str:
    return SUPPRESSION_NOTE.format(limit=threshold - 1, threshold=threshold)
