"""Read ``lektion.md`` into a :class:`~app.domain.lesson.Lesson`, collecting German problems with line numbers.

The format is documented for trainers in ``lektionen/README.md``. Parsing never raises for
bad content: every problem becomes a :class:`Problem`, and a lesson with errors is still
returned so the library can list it with its error.

Lessons are shared between trainers, so the text is untrusted: it is read only from a regular
file with a bounded read (:mod:`app.lessons.safe_read`), scanned in linear time (no
backtracking regular expressions on lesson text, see :mod:`app.lessons.scan`), and lines,
words, steps and the whole text have size limits the checker reports as errors. The limits
keep every accepted lesson fast to project (< 100 ms a frame) and to print (< 2 s a handout).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.lesson import LEVELS, Device, Lesson, Link, Picture, Problem, Severity, Step, Variant
from app.lessons import facts, pictures
from app.lessons import scan
from app.lessons.safe_read import UnsafeFile, read_bounded
from app.lessons.urls import shown, url_problem, url_warning

LESSON_FILE = "lektion.md"
MAX_LESSON_FILE_BYTES = 1_000_000
MAX_STEPS = 200
# Size limits for text from strangers (see module docstring); the longest shipped line has 449
# characters, the longest shipped word 27 and the longest step about 1,500 characters.
MAX_LINE_CHARS = 2000
MAX_WORD_CHARS = 60
MAX_STEP_CHARS = 6000
MAX_LESSON_CHARS = 60_000
# What one step projects (title, text, Übung, Merksatz); shipped steps stay below 320 characters
# in 8 lines. Far beyond these the presenter's font search lays out hundreds of blocks per frame.
MAX_WALL_CHARS = 2000
MAX_WALL_LINES = 60

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
DURATION = re.compile(r"^(\d{1,4})\s*(min|minuten|min\.)?$", re.IGNORECASE)  # only on short header values
KEY_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÄÖÜäöüß_")
MAX_HEADER_VALUE_CHARS = 300


@dataclass(frozen=True)
class _MetaLine:
    """``schlüssel: wert`` of the header; ``group(1)`` the key as typed, ``group(2)`` the value."""

    key: str
    value: str

    def group(self, number: int) -> str:
        return self.key if number == 1 else self.value


def _meta_line(raw: str) -> _MetaLine | None:
    """Split ``schlüssel: wert`` by hand (was a regular expression that slowed down on long runs of spaces)."""
    end = 0
    while end < len(raw) and raw[end] in KEY_CHARACTERS:
        end += 1
    rest = raw[end:].lstrip()
    if end == 0 or not rest.startswith(":"):
        return None
    return _MetaLine(raw[:end], rest[1:].strip())


def _list_item(raw: str) -> _MetaLine | None:
    """``  - eintrag`` (indented dash) of a header list."""
    if not raw[:1].isspace():
        return None
    rest = raw.lstrip()
    if not rest.startswith("-"):
        return None
    value = rest[1:].strip()
    return _MetaLine(value, value)


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
    chars: int = 0
    oversize: bool = False
    sections: dict[str, _Section] = field(default_factory=dict)

    def section(self, name: str, line: int) -> _Section:
        if name not in self.sections:
            self.sections[name] = _Section(line=line)
        return self.sections[name]


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[Problem] = []
        self.oversize = False  # a size limit was exceeded: the costlier content checks are skipped
        self.advice = True  # the warning-only writing advice (wall fit, LIX, glossary) is wanted

    def error(self, line: int, message: str) -> None:
        self.items.append(Problem(self.path, line, message, Severity.ERROR))

    def warning(self, line: int, message: str) -> None:
        self.items.append(Problem(self.path, line, message, Severity.WARNING))


def parse_lesson(folder: Path, *, check_pictures: bool = True, advice: bool = True) -> Lesson:
    """Load the lesson in *folder*; problems are recorded in ``lesson.problems``.

    ``advice=False`` leaves out the checks that only ever warn the author (wall fit estimate,
    readability, glossary words) — a handout or booklet ignores warnings, and these checks are
    about a third of the parsing time. Every error is still found.
    """
    folder = Path(folder)
    source = folder / LESSON_FILE
    lesson = Lesson(id=folder.name, title=folder.name, folder=folder, source=source)
    problems = _Problems(source)
    problems.advice = advice
    text = _read_text(source, problems)
    if text is not None:
        _parse_text(text, lesson, problems, check_pictures)
        if not problems.oversize:  # text beyond the size limits is refused anyway; these checks are not linear
            problems.items.extend(facts.check(text, lesson) + (_glossary_check(lesson) if advice else []))  # issue 15
    lesson.problems.extend(sorted(problems.items, key=lambda p: p.line))
    return lesson


def _glossary_check(lesson: Lesson) -> list[Problem]:
    from app.lessons import glossary

    return glossary.check(lesson)


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
        data = read_bounded(source, MAX_LESSON_FILE_BYTES)  # a FIFO or a link to /dev/zero is refused here
    except UnsafeFile as error:
        problems.error(1, f"Die Datei {LESSON_FILE} {error}")
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
    if len(text) > MAX_LESSON_CHARS:
        problems.oversize = True
        problems.error(1, f"Die Lektion ist mit {len(text)} Zeichen zu lang (höchstens {MAX_LESSON_CHARS}); "
                          "bitte in mehrere Lektionen teilen.")
    drafts = _split_steps(lines, body_start, lesson, problems)
    for draft in drafts:
        step = _build_step(draft, lesson, problems, check_pictures)
        if step is not None:
            lesson.steps.append(step)
    if problems.advice:
        _check_readability(lesson, problems, {draft.line for draft in drafts if draft.oversize})
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
        item = _list_item(raw)
        if item and current_list is not None:
            if item.group(1):
                _check_words(item.group(1).rsplit("|", 1)[0] if current_list == "links" else item.group(1), number, problems)
                lists[current_list].append((item.group(1), number))
            else:
                problems.error(number, f"Leerer Listeneintrag in »{current_list}«.")
            continue
        match = _meta_line(raw)
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
        if len(value) > MAX_HEADER_VALUE_CHARS:
            problems.error(number, f"Die Angabe »{key}« ist länger als {MAX_HEADER_VALUE_CHARS} Zeichen.")
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
            _check_words(value, number, problems)
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
        warning = url_warning(url)
        if warning:
            problems.warning(number, warning)
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
        line_too_long = len(raw) > MAX_LINE_CHARS
        if line_too_long:
            problems.oversize = True
            if current is not None:
                current.oversize = True
            problems.error(number, f"Die Zeile ist mit {len(raw)} Zeichen zu lang (höchstens {MAX_LINE_CHARS}); "
                                   "bitte Absätze mit Leerzeilen trennen.")
        _check_words(raw, number, problems)
        if not in_code and _heading_level(stripped) == 2:
            title = stripped[2:].strip()
            if not title:
                problems.error(number, "Schritt ohne Titel: nach »##« bitte einen Titel schreiben.")
                title = f"Schritt {len(drafts) + 1}"
            current = _StepDraft(title=title, line=number, oversize=line_too_long)
            drafts.append(current)
            section = "text"
            current.section(section, number)
            continue
        if not in_code and _heading_level(stripped) == 1:
            problems.error(number, "Überschriften mit einem »#« sind nicht vorgesehen; ein Schritt beginnt mit »## Titel«.")
            continue
        if not in_code and _heading_level(stripped) == 3:
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
        current.chars += len(raw) + 1
        image = scan.image_line(raw) if not in_code else None
        if image:
            if section not in ("text", "android", "iphone"):
                problems.error(number, f"Im Abschnitt »{SECTION_LABELS[section]}« sind keine Bilder möglich.")
            elif target.picture is not None:
                problems.error(number, "Nur ein Bild je Schritt (bzw. je Android-/iPhone-Abschnitt).")
            else:
                target.picture = Picture(path=Path(image.target), alt=image.alt.strip(), line=number)
            continue
        inline_images = scan.inline_images(raw)
        if inline_images:
            problems.error(number, "Bild mitten im Text: ein Bild steht allein in einer eigenen Zeile »![Beschreibung](bilder/datei.svg)«.")
            raw = scan.remove_spans(raw, inline_images)
        _check_line(raw, number, problems)
        target.lines.append(raw)
    for draft in drafts:
        if draft.chars > MAX_STEP_CHARS:
            draft.oversize = problems.oversize = True
            problems.error(draft.line, f"Der Schritt »{draft.title}« ist mit {draft.chars} Zeichen zu lang (höchstens "
                                       f"{MAX_STEP_CHARS} mit Notizen); bitte in mehrere Schritte teilen.")
    return drafts


def _heading_level(stripped: str) -> int:
    """Number of leading »#« of a stripped line (0 for none)."""
    level = 0
    while level < len(stripped) and stripped[level] == "#":
        level += 1
    return level


_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# One character class (linear, no backtracking): Unicode category Cc is exactly U+0000–U+001F and
# U+007F–U+009F; the tab is allowed. Checking each character in Python took a fifth of the parse.
_HIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f" + "".join(sorted(_BIDI_CONTROLS)) + "]")


def _check_line(raw: str, number: int, problems: _Problems) -> None:
    """Links and autolinks must be allowed addresses; no control or bidi characters in the text."""
    found = _HIDDEN.search(raw)
    hidden = found.group() if found else None
    if hidden is not None:
        problems.error(number, f"Die Zeile enthält ein unsichtbares Steuerzeichen (U+{ord(hidden):04X}), das die "
                               "Anzeige umstellen kann; bitte die Zeile neu eintippen.")
    for link in scan.markdown_links(raw):
        target = raw[link.url_start:link.end - 1]
        if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in target):
            _check_url(target.strip(), number, problems)  # names the hidden character
            continue
        _check_url(link.url, number, problems)
    for link in scan.autolinks(raw):
        _check_url(link.url, number, problems)


def _check_words(raw: str, number: int, problems: _Problems) -> None:
    """No word longer than the limit (link addresses and picture paths do not count as words)."""
    # Short cut, same answer: without links or autolinks nothing is skipped, and a picture's
    # alt text is part of the line, so no word can be longer than the line's longest word.
    if len(raw) <= MAX_WORD_CHARS or ("](" not in raw and "<" not in raw
                                      and max(map(len, raw.split()), default=0) <= MAX_WORD_CHARS):
        return
    image = scan.image_line(raw)
    text = image.alt if image else raw
    word = scan.longest_word(text, scan.link_target_spans(text))
    if len(word) > MAX_WORD_CHARS:
        problems.error(number, f"Das Wort »{shown(word[:30])}…« ist mit {len(word)} Zeichen zu lang (höchstens "
                               f"{MAX_WORD_CHARS}); auf Leinwand und Papier ließe es sich nicht umbrechen.")


def _check_url(url: str, number: int, problems: _Problems) -> None:
    problem = url_problem(url)
    if problem:
        problems.error(number, problem)
        return
    warning = url_warning(url)
    if warning:
        problems.warning(number, warning)


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
        projected = "\n".join((step.title, step.text_for(device), step.exercise, step.key_sentence))
        wall_lines = sum(1 for row in projected.split("\n") if row.strip())
        if len(projected) > MAX_WALL_CHARS or wall_lines > MAX_WALL_LINES:
            device_note = f" ({device.label})" if step.differs_by_device else ""
            problems.error(draft.line, f"Was von Schritt »{draft.title}«{device_note} an die Wand kommt (Text, Übung, "
                                       f"Merksatz), ist mit {len(projected)} Zeichen in {wall_lines} Zeilen viel zu lang "
                                       f"(höchstens {MAX_WALL_CHARS} Zeichen, {MAX_WALL_LINES} Zeilen). Einzelheiten "
                                       "gehören in »### Notizen«.")
            break
    # An oversize step is refused already; the fit estimate only ever warns.
    if problems.advice:  # imported here: a handout does without (see parse_lesson)
        from app.domain.projection import estimate_fit
    for device in lesson.devices if not draft.oversize and problems.advice else ():
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


def _check_readability(lesson: Lesson, problems: _Problems, oversize_steps: set[int]) -> None:
    """Plain language: warn when the LIX of a step or of the whole lesson is above the limit."""
    from app.domain import readability

    texts = []
    for step in lesson.steps:
        if step.line in oversize_steps:
            continue  # refused for its size already; the LIX count is not meant for megabytes
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
