"""Read ``lektion.md`` into a :class:`~app.domain.lesson.Lesson`, collecting German problems with line numbers.

The format is documented for trainers in ``lektionen/README.md``. Parsing never raises for
bad content: every problem becomes a :class:`Problem`, and a lesson with errors is still
returned so the library can list it with its error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.lesson import LEVELS, Device, Lesson, Link, Picture, Problem, Severity, Step, Variant
from app.domain import readability
from app.domain.projection import estimate_fit
from app.lessons import facts, glossary, pictures
from app.lessons.urls import url_problem

LESSON_FILE = "lektion.md"
MAX_LESSON_FILE_BYTES = 1_000_000
MAX_STEPS = 200

REQUIRED_KEYS = ("id", "titel", "beschreibung", "dauer", "stufe", "thema", "lernziele")
LIST_KEYS = ("lernziele", "links", "quellen", "voraussetzungen")  # last two: checked in facts.py
SCALAR_KEYS = ("id", "titel", "beschreibung", "dauer", "stufe", "thema", "geraete", "autor", "stand")
KEY_ALIASES = {"geräte": "geraete", "gerate": "geraete"}
KNOWN_KEYS = SCALAR_KEYS + LIST_KEYS

SECTION_NAMES = {
    "android": "android",
    "iphone": "iphone",
    "ios": "iphone",
    "notizen": "notizen",
    "notiz": "notizen",
    "übung": "uebung",
    "uebung": "uebung",
    "übungen": "uebung",
    "merksatz": "merksatz",
}
SECTION_LABELS = {"notizen": "Notizen", "uebung": "Übung", "merksatz": "Merksatz"}

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
META_LINE = re.compile(r"^([A-Za-zÄÖÜäöüß_]+)\s*:\s*(.*?)\s*$")
LIST_ITEM = re.compile(r"^\s+-\s*(.*?)\s*$")
DURATION = re.compile(r"^(\d{1,4})\s*(min|minuten|min\.)?$", re.IGNORECASE)
IMAGE_LINE = re.compile(r'^\s*!\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)\s*$')
INLINE_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MARKDOWN_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)")
AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]*)>")


@dataclass
class _Section:
    lines: list[str] = field(default_factory=list)
    picture: Picture | None = None
    line: int = 0

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass
class _StepDraft:
    title: str
    line: int
    sections: dict[str, _Section] = field(default_factory=dict)

    def section(self, name: str, line: int) -> _Section:
        if name not in self.sections:
            self.sections[name] = _Section(line=line)
        return self.sections[name]


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.items.append(Problem(self.path, line, message, Severity.ERROR))

    def warning(self, line: int, message: str) -> None:
        self.items.append(Problem(self.path, line, message, Severity.WARNING))


def parse_lesson(folder: Path, *, check_pictures: bool = True) -> Lesson:
    """Load the lesson in *folder*; problems are recorded in ``lesson.problems``."""
    folder = Path(folder)
    source = folder / LESSON_FILE
    lesson = Lesson(id=folder.name, title=folder.name, folder=folder, source=source)
    problems = _Problems(source)
    text = _read_text(source, problems)
    if text is not None:
        _parse_text(text, lesson, problems, check_pictures)
        problems.items.extend(facts.check(text, lesson) + glossary.check(lesson))  # issue 15: sources, words
    lesson.problems.extend(sorted(problems.items, key=lambda p: p.line))
    return lesson


def _read_text(source: Path, problems: _Problems) -> str | None:
    try:
        size = source.stat().st_size
    except FileNotFoundError:
        problems.error(0, f"Die Datei {LESSON_FILE} fehlt in diesem Lektionsordner.")
        return None
    except OSError as error:
        problems.error(0, f"Die Datei {LESSON_FILE} ist nicht lesbar ({error.strerror}).")
        return None
    if size > MAX_LESSON_FILE_BYTES:
        problems.error(
            1,
            f"Die Datei ist mit {size / 1_000_000:.1f} MB zu groß (höchstens "
            f"{MAX_LESSON_FILE_BYTES // 1_000_000} MB); sie wird nicht geladen.",
        )
        return None
    try:
        data = source.read_bytes()
    except OSError as error:
        problems.error(0, f"Die Datei {LESSON_FILE} ist nicht lesbar ({error.strerror}).")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.error(line, "Die Datei ist nicht in UTF-8 gespeichert (bitte im Editor »UTF-8« wählen).")
        return None
    if "\x00" in text:
        problems.error(1, "Die Datei enthält Binärdaten und ist keine Textdatei.")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _parse_text(text: str, lesson: Lesson, problems: _Problems, check_pictures: bool) -> None:
    lines = text.split("\n")
    body_start = _parse_metadata(lines, lesson, problems)
    if body_start is None:
        return
    drafts = _split_steps(lines, body_start, lesson, problems)
    for draft in drafts:
        step = _build_step(draft, lesson, problems, check_pictures)
        if step is not None:
            lesson.steps.append(step)
    _check_readability(lesson, problems)
    if not drafts:
        problems.error(len(lines), "Die Lektion hat keinen Schritt (ein Schritt beginnt mit »## Titel«).")
    elif len(drafts) > MAX_STEPS:
        problems.error(drafts[MAX_STEPS].line, f"Zu viele Schritte (höchstens {MAX_STEPS}).")
        del lesson.steps[MAX_STEPS:]


# --- metadata -------------------------------------------------------------------------------


def _parse_metadata(lines: list[str], lesson: Lesson, problems: _Problems) -> int | None:
    """Parse the ``---`` block; returns the index of the first body line or None if unusable."""
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    if first >= len(lines) or lines[first].strip() != "---":
        problems.error(first + 1 if first < len(lines) else 1,
                       "Die Datei muss mit einem Metadatenblock beginnen: erste Zeile »---«.")
        return None
    end = next((i for i in range(first + 1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        problems.error(first + 1, "Der Metadatenblock wird nicht mit einer Zeile »---« abgeschlossen.")
        return None

    values: dict[str, tuple[str, int]] = {}
    lists: dict[str, list[tuple[str, int]]] = {}
    current_list: str | None = None
    for index in range(first + 1, end):
        raw = lines[index]
        number = index + 1
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        item = LIST_ITEM.match(raw)
        if item and current_list is not None:
            if item.group(1):
                lists[current_list].append((item.group(1), number))
            else:
                problems.error(number, f"Leerer Listeneintrag in »{current_list}«.")
            continue
        match = META_LINE.match(raw)
        if not match or raw[0].isspace():
            problems.error(number, "Diese Zeile im Metadatenblock ist nicht verständlich; erwartet wird »schlüssel: wert« oder »  - eintrag«.")
            current_list = None
            continue
        key = match.group(1).lower()
        key = KEY_ALIASES.get(key, key)
        value = match.group(2)
        current_list = None
        if key not in KNOWN_KEYS:
            problems.error(number, f"Unbekannte Angabe »{match.group(1)}« (erlaubt: {', '.join(KNOWN_KEYS)}).")
            continue
        if key in values or key in lists:
            problems.error(number, f"Die Angabe »{key}« steht doppelt da.")
            continue
        if key in LIST_KEYS:
            if value:
                problems.error(number, f"»{key}« ist eine Liste: Wert bitte in eigene Zeilen »  - eintrag« schreiben.")
            lists[key] = []
            current_list = key
        else:
            if not value:
                problems.error(number, f"Die Angabe »{key}« hat keinen Wert.")
                continue
            values[key] = (value, number)

    header_line = first + 1
    for key in REQUIRED_KEYS:
        if key not in values and key not in lists:
            problems.error(header_line, f"Die Pflichtangabe »{key}« fehlt im Metadatenblock.")

    if "id" in values:
        value, number = values["id"]
        if ID_PATTERN.match(value) and len(value) <= 60:
            lesson.id = value
        else:
            problems.error(number, f"Ungültige id »{value}«: nur Kleinbuchstaben a–z, Ziffern und Bindestriche, z. B. »qr-codes-scannen«.")
    if "titel" in values:
        lesson.title = values["titel"][0]
    if "beschreibung" in values:
        lesson.description = values["beschreibung"][0]
    if "thema" in values:
        lesson.topic = values["thema"][0]
    if "autor" in values:
        lesson.author = values["autor"][0]
    if "stand" in values:
        lesson.revision = values["stand"][0]
    if "dauer" in values:
        value, number = values["dauer"]
        match = DURATION.match(value)
        if match and 5 <= int(match.group(1)) <= 480:
            lesson.duration_minutes = int(match.group(1))
        else:
            problems.error(number, f"Ungültige Dauer »{value}«: bitte Minuten als ganze Zahl zwischen 5 und 480, z. B. »45«.")
    if "stufe" in values:
        value, number = values["stufe"]
        level = next((lvl for lvl in LEVELS if lvl.lower() == value.lower()), None)
        if level:
            lesson.level = level
        else:
            problems.error(number, f"Unbekannte Stufe »{value}« (erlaubt: {', '.join(LEVELS)}).")
    if "geraete" in values:
        value, number = values["geraete"]
        devices: list[Device] = []
        for part in (p.strip().lower() for p in value.split(",")):
            device = {"android": Device.ANDROID, "iphone": Device.IPHONE, "ios": Device.IPHONE}.get(part)
            if device is None:
                problems.error(number, f"Unbekanntes Gerät »{part}« (erlaubt: android, iphone).")
            elif device not in devices:
                devices.append(device)
        if devices:
            lesson.devices = tuple(devices)
    if "lernziele" in lists:
        lesson.goals = [text for text, _ in lists["lernziele"]]
        if not lesson.goals:
            problems.error(header_line, "»lernziele« braucht mindestens einen Eintrag »  - …«.")
    for text, number in lists.get("links", []):
        if "|" not in text:
            problems.error(number, "Ein Link braucht die Form »Titel | https://adresse«.")
            continue
        title, url = (part.strip() for part in text.rsplit("|", 1))
        if not title:
            problems.error(number, "Dem Link fehlt ein Titel vor dem »|«.")
            continue
        problem = url_problem(url)
        if problem:
            problems.error(number, problem)
            continue
        lesson.links.append(Link(title=title, url=url, line=number))
    return end + 1


# --- steps ----------------------------------------------------------------------------------


def _split_steps(lines: list[str], start: int, lesson: Lesson, problems: _Problems) -> list[_StepDraft]:
    drafts: list[_StepDraft] = []
    current: _StepDraft | None = None
    section = "text"
    in_code = False
    reported_preamble = False
    for index in range(start, len(lines)):
        raw = lines[index]
        number = index + 1
        stripped = raw.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            in_code = not in_code
        if not in_code and re.match(r"^##(?!#)", stripped):
            title = stripped[2:].strip()
            if not title:
                problems.error(number, "Schritt ohne Titel: nach »##« bitte einen Titel schreiben.")
                title = f"Schritt {len(drafts) + 1}"
            current = _StepDraft(title=title, line=number)
            drafts.append(current)
            section = "text"
            current.section(section, number)
            continue
        if not in_code and re.match(r"^#(?!#)", stripped):
            problems.error(number, "Überschriften mit einem »#« sind nicht vorgesehen; ein Schritt beginnt mit »## Titel«.")
            continue
        if not in_code and re.match(r"^###(?!#)", stripped):
            name = stripped[3:].strip().rstrip(":").lower()
            if current is None:
                problems.error(number, "Abschnitt vor dem ersten Schritt; ein Schritt beginnt mit »## Titel«.")
                continue
            if name not in SECTION_NAMES:
                problems.error(number, f"Unbekannter Abschnitt »{stripped[3:].strip()}« (erlaubt: Android, iPhone, Notizen, Übung, Merksatz).")
                section = "ignored"
                continue
            section = SECTION_NAMES[name]
            if section in current.sections:
                problems.error(number, f"Der Abschnitt »{stripped[3:].strip()}« steht in diesem Schritt doppelt.")
            current.section(section, number)
            continue
        if current is None:
            if stripped and not reported_preamble:
                problems.error(number, "Text vor dem ersten Schritt; ein Schritt beginnt mit »## Titel«.")
                reported_preamble = True
            continue
        if section == "ignored":
            continue
        target = current.section(section, number)
        image = IMAGE_LINE.match(raw) if not in_code else None
        if image:
            if section not in ("text", "android", "iphone"):
                problems.error(number, f"Im Abschnitt »{SECTION_LABELS[section]}« sind keine Bilder möglich.")
            elif target.picture is not None:
                problems.error(number, "Nur ein Bild je Schritt (bzw. je Android-/iPhone-Abschnitt).")
            else:
                target.picture = Picture(path=Path(image.group(2)), alt=image.group(1).strip(), line=number)
            continue
        if INLINE_IMAGE.search(raw):
            problems.error(number, "Bild mitten im Text: ein Bild steht allein in einer eigenen Zeile »![Beschreibung](bilder/datei.svg)«.")
            raw = INLINE_IMAGE.sub("", raw)
        for match in MARKDOWN_LINK.finditer(raw):
            problem = url_problem(match.group(2))
            if problem:
                problems.error(number, problem)
        for match in AUTOLINK.finditer(raw):
            problem = url_problem(match.group(1))
            if problem:
                problems.error(number, problem)
        target.lines.append(raw)
    return drafts


def _build_step(draft: _StepDraft, lesson: Lesson, problems: _Problems, check_pictures: bool) -> Step | None:
    def text_of(name: str) -> str:
        section = draft.sections.get(name)
        return section.text if section else ""

    def picture_of(name: str) -> Picture | None:
        section = draft.sections.get(name)
        if section is None or section.picture is None:
            return None
        resolved = pictures.resolve(lesson.folder, section.picture, problems, check_pictures)
        return resolved

    step = Step(
        title=draft.title,
        text=text_of("text"),
        picture=picture_of("text"),
        notes=text_of("notizen"),
        exercise=text_of("uebung"),
        key_sentence=text_of("merksatz"),
        line=draft.line,
    )
    for device in Device:
        if device.value in draft.sections:
            step.variants[device] = Variant(text=text_of(device.value), picture=picture_of(device.value))
            if device not in lesson.devices:
                problems.warning(draft.sections[device.value].line,
                                 f"Abschnitt »{device.label}«, aber die Lektion ist nur für {', '.join(d.label for d in lesson.devices)} (Angabe »geraete«).")
    has_own_picture = any(
        s.picture is not None for name, s in draft.sections.items() if name in ("text", "android", "iphone")
    )
    if not (step.text or step.differs_by_device or has_own_picture or step.exercise or step.key_sentence):
        problems.error(draft.line, f"Leerer Schritt »{draft.title}«: es gibt nichts zu zeigen (Text, Bild, Übung oder Merksatz fehlt).")
        return step
    for device in lesson.devices:
        boxes = [("Übung", step.exercise), ("Merksatz", step.key_sentence)]
        has_picture = step.picture_for(device) is not None or _section_has_picture(draft, device)
        fit = estimate_fit(step.title, step.text_for(device), boxes, has_picture)
        if not fit.fits:
            device_note = f" ({device.label})" if step.differs_by_device else ""
            problems.warning(
                draft.line,
                f"Schritt »{draft.title}«{device_note} ist zu lang für die Projektion: er braucht etwa "
                f"{fit.lines_needed:g} Zeilen, bei Mindestschriftgröße passen {fit.lines_available:g}. "
                "Bitte kürzen oder teilen (Einzelheiten gehören in »### Notizen«).",
            )
            if not step.differs_by_device:
                break
    return step


def _check_readability(lesson: Lesson, problems: _Problems) -> None:
    """Plain language: warn when the LIX of a step or of the whole lesson is above the limit."""
    texts = []
    for step in lesson.steps:
        text = readability.projected_text(step)
        texts.append(text)
        score = readability.lix(text)
        if score.words >= readability.STEP_MIN_WORDS and score.value > readability.STEP_LIX_LIMIT:
            problems.warning(step.line, f"Schritt »{step.title}« ist schwer zu lesen (LIX {score.value:.0f}, "
                                        f"Grenze {readability.STEP_LIX_LIMIT:.0f}): kürzere Sätze und kürzere Wörter helfen.")
    if texts:
        score = readability.lix("\n\n".join(texts))
        if score.value > readability.LESSON_LIX_LIMIT:
            problems.warning(1, f"Die Lektion ist insgesamt schwer zu lesen (LIX {score.value:.0f}, "
                                f"Grenze {readability.LESSON_LIX_LIMIT:.0f}).")


def _section_has_picture(draft: _StepDraft, device: Device) -> bool:
    """True if a picture was referenced (even one that failed to load), so layout estimates stay stable."""
    for name in ("text", device.value):
        section = draft.sections.get(name)
        if section is not None and section.picture is not None:
            return True
    return False
