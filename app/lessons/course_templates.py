"""Course templates (Kursvorlagen): an ordered plan of Termine, each with the lessons taught.

A template is a Markdown file in ``kursvorlagen/`` beside the lessons::

    ---
    id: smartphone-aufbaukurs
    titel: Smartphone-Aufbaukurs
    beschreibung: Acht Termine für Fortgeschrittene.
    dauer: 120
    voraussetzungen: smartphone-einsteigerkurs
    ---

    ## Termin 1: E-Mail
    - email-nutzen

    ## Termin 2: Sicher einkaufen (90 min)
    - online-einkaufen

``dauer`` is the length of every Termin in minutes; a heading ending in ``(90 min)`` sets one Termin's
own length. ``voraussetzungen`` names templates (or lesson ids) whose lessons the participants already
know. Checked against the library (:func:`check_against_library`):

- every lesson id exists (error);
- the lessons of a Termin fit its length, by their ``dauer`` (error);
- no lesson comes before one of its ``voraussetzungen`` (error), and every prerequisite is taught in
  this template or in one it names as known (warning); a lesson planned twice (warning).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.lesson import Lesson, Problem, Severity
from app.lessons.facts import prerequisites
from app.lessons.safe_read import UnsafeFile, read_bounded

TEMPLATE_FOLDER = "kursvorlagen"
MAX_TEMPLATE_BYTES = 200_000
_META = re.compile(r"^([a-zäöüß_]+)\s*:\s*(.*?)\s*$")
_ITEM = re.compile(r"^\s*[-*]\s+([a-z0-9]+(?:-[a-z0-9]+)*)\s*$")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_OWN_LENGTH = re.compile(r"\s*\((\d{1,3})\s*(?:min\.?|minuten)\)\s*$", re.IGNORECASE)
KNOWN_KEYS = ("id", "titel", "beschreibung", "dauer", "voraussetzungen")


@dataclass
class TemplateSession:
    """One planned Termin of a template."""

    title: str
    lesson_ids: list[str]
    line: int
    lesson_lines: list[int] = field(default_factory=list)
    minutes: int | None = None  # own length from the heading; None: the template's ``dauer``


@dataclass
class CourseTemplate:
    id: str
    title: str
    source: Path
    description: str = ""
    session_minutes: int = 90
    sessions: list[TemplateSession] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # ``voraussetzungen``: template or lesson ids
    known_line: int = 0

    def minutes_of(self, session: TemplateSession) -> int:
        return session.minutes if session.minutes is not None else self.session_minutes

    def summary(self) -> dict[str, object]:
        return {
            "id": self.id,
            "titel": self.title,
            "beschreibung": self.description,
            "dauer_minuten": self.session_minutes,
            "voraussetzungen": list(self.known),
            "termine": [{"titel": s.title, "dauer_minuten": self.minutes_of(s), "lektionen": list(s.lesson_ids)}
                        for s in self.sessions],
        }


def parse_template(path: Path) -> CourseTemplate:
    template = CourseTemplate(id=path.stem, title=path.stem, source=path)

    def error(line: int, message: str) -> None:
        template.problems.append(Problem(path, line, message, Severity.ERROR))

    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            error(1, "Die Kursvorlage ist zu groß (höchstens 200 kB).")
            return template
        text = read_bounded(path, MAX_TEMPLATE_BYTES).decode("utf-8-sig")  # a FIFO or device is refused, never read
    except UnsafeFile as problem:
        error(1, f"Die Kursvorlage {problem}")
        return template
    except (OSError, UnicodeDecodeError) as problem:
        error(1, f"Die Kursvorlage ist nicht lesbar ({problem}).")
        return template
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        error(1, "Die Kursvorlage muss mit einem Metadatenblock beginnen: erste Zeile »---«.")
        return template
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        error(1, "Der Metadatenblock wird nicht mit »---« abgeschlossen.")
        return template
    for index in range(1, end):
        raw = lines[index]
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _META.match(raw)
        if not match or match.group(1) not in KNOWN_KEYS:
            error(index + 1, f"Unbekannte oder unverständliche Angabe (erlaubt: {', '.join(KNOWN_KEYS)}).")
            continue
        key, value = match.groups()
        if key == "id":
            if _ID.match(value):
                template.id = value
            else:
                error(index + 1, f"Ungültige id »{value}«.")
        elif key == "titel":
            template.title = value
        elif key == "beschreibung":
            template.description = value
        elif key == "dauer":
            if value.isdigit() and 15 <= int(value) <= 480:
                template.session_minutes = int(value)
            else:
                error(index + 1, f"Ungültige Dauer »{value}« (Minuten je Termin, 15 bis 480).")
        elif key == "voraussetzungen":
            names = [name.strip() for name in value.split(",") if name.strip()]
            bad = [name for name in names if not _ID.match(name)]
            if bad:
                error(index + 1, f"»{bad[0]}« ist keine Kennung einer Kursvorlage oder Lektion.")
            template.known = [name for name in names if _ID.match(name)]
            template.known_line = index + 1
    current: TemplateSession | None = None
    for index in range(end + 1, len(lines)):
        raw = lines[index]
        number = index + 1
        if not raw.strip():
            continue
        if raw.startswith("## "):
            title = raw[3:].strip()
            own = _OWN_LENGTH.search(title)
            minutes = None
            if own:
                title = title[: own.start()].strip()
                if 15 <= int(own.group(1)) <= 480:
                    minutes = int(own.group(1))
                else:
                    error(number, f"Ungültige Dauer »{own.group(1)} min« für diesen Termin (15 bis 480 Minuten).")
            current = TemplateSession(title=title, lesson_ids=[], line=number, minutes=minutes)
            template.sessions.append(current)
            continue
        item = _ITEM.match(raw)
        if item and current is not None:
            current.lesson_ids.append(item.group(1))
            current.lesson_lines.append(number)
            continue
        error(number, "Erwartet wird »## Termin …« oder eine Zeile »- lektions-id«.")
    if not template.sessions:
        error(end + 1, "Die Kursvorlage enthält keinen Termin (»## Termin 1: …«).")
    for session in template.sessions:
        if not session.lesson_ids:
            error(session.line, f"»{session.title}« nennt keine Lektion.")
    return template


def load_templates(roots: list[Path]) -> list[CourseTemplate]:
    templates: list[CourseTemplate] = []
    for root in roots:
        folder = Path(root) / TEMPLATE_FOLDER
        if folder.is_dir():
            templates.extend(parse_template(path) for path in sorted(folder.glob("*.md")))
    return templates


def check_against_library(
    template: CourseTemplate,
    lessons: Collection[str] | Mapping[str, Lesson],
    templates: Sequence[CourseTemplate] = (),
) -> None:
    """Record problems of *template* against the library (see the module docstring).

    *lessons* maps lesson ids to lessons; a plain set of ids checks only that the lessons exist.
    *templates* are the other loaded templates, for ``voraussetzungen`` naming a template.
    """

    def problem(line: int, message: str, severity: Severity = Severity.ERROR) -> None:
        template.problems.append(Problem(template.source, line, message, severity))

    position: dict[str, tuple[int, int]] = {}
    for session_index, session in enumerate(template.sessions):
        for order, (lesson_id, line) in enumerate(zip(session.lesson_ids, session.lesson_lines, strict=True)):
            if lesson_id not in lessons:
                problem(line, f"Die Lektion »{lesson_id}« ({session.title}) gibt es nicht.")
            if lesson_id in position:
                problem(line, f"Die Lektion »{lesson_id}« steht zweimal im Plan.", Severity.WARNING)
            else:
                position[lesson_id] = (session_index, order)
    if not isinstance(lessons, Mapping):
        return

    known = _known_lessons(template, templates, lessons, problem)
    for session_index, session in enumerate(template.sessions):
        planned = [lessons[i] for i in session.lesson_ids if i in lessons]
        total = sum(lesson.duration_minutes for lesson in planned)
        limit = template.minutes_of(session)
        if total > limit:
            parts = " + ".join(f"{lesson.id} {lesson.duration_minutes}" for lesson in planned)
            problem(session.line, f"»{session.title}« ist für {limit} Minuten geplant, die Lektionen brauchen "
                                  f"{total} Minuten ({parts}). Bitte eine Lektion in einen anderen Termin legen "
                                  "oder die Dauer des Termins angeben, z. B. »## Termin 1: … (120 min)«.")
        for order, (lesson_id, line) in enumerate(zip(session.lesson_ids, session.lesson_lines, strict=True)):
            lesson = lessons.get(lesson_id)
            if lesson is None:
                continue
            for needed, _ in prerequisites(lesson):
                where = position.get(needed)
                if needed not in lessons:
                    problem(line, f"»{lesson_id}« nennt die Voraussetzung »{needed}«, diese Lektion gibt es nicht.")
                elif where is not None and where >= (session_index, order):
                    problem(line, f"»{lesson_id}« ({session.title}) setzt »{needed}« voraus, das erst in "
                                  f"»{template.sessions[where[0]].title}« kommt. Bitte »{needed}« früher legen.")
                elif where is None and needed not in known:
                    problem(line, f"»{lesson_id}« ({session.title}) setzt »{needed}« voraus, das in diesem Kurs "
                                  "nicht vorkommt. Lektion aufnehmen oder den Vorkurs bei »voraussetzungen« nennen.",
                            Severity.WARNING)


def _known_lessons(template: CourseTemplate, templates: Sequence[CourseTemplate],
                   lessons: Mapping[str, Lesson], problem: Callable[[int, str], None]) -> set[str]:
    """Lesson ids the participants know from the templates or lessons named in ``voraussetzungen``."""
    known: set[str] = set()
    by_id = {other.id: other for other in templates}
    for name in template.known:
        other = by_id.get(name)
        if other is not None and other is not template:
            known.update(i for session in other.sessions for i in session.lesson_ids)
        elif name in lessons:
            known.add(name)
        else:
            problem(template.known_line, f"»{name}« bei »voraussetzungen« ist weder eine Kursvorlage noch eine Lektion.")
    return known


