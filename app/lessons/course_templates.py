"""Course templates (Kursvorlagen): an ordered plan of Termine, each with the lessons taught.

A template is a Markdown file in ``kursvorlagen/`` beside the lessons::

    ---
    id: smartphone-einsteigerkurs
    titel: Smartphone-Einsteigerkurs
    beschreibung: Acht Termine für Anfänger.
    dauer: 90
    ---

    ## Termin 1: Das Gerät kennenlernen
    - smartphone-kennenlernen
    - einstellungen-leichter
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.lesson import Problem, Severity

TEMPLATE_FOLDER = "kursvorlagen"
MAX_TEMPLATE_BYTES = 200_000
_META = re.compile(r"^([a-zäöüß_]+)\s*:\s*(.*?)\s*$")
_ITEM = re.compile(r"^\s*[-*]\s+([a-z0-9]+(?:-[a-z0-9]+)*)\s*$")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KNOWN_KEYS = ("id", "titel", "beschreibung", "dauer")


@dataclass
class TemplateSession:
    """One planned Termin of a template."""

    title: str
    lesson_ids: list[str]
    line: int
    lesson_lines: list[int] = field(default_factory=list)


@dataclass
class CourseTemplate:
    id: str
    title: str
    source: Path
    description: str = ""
    session_minutes: int = 90
    sessions: list[TemplateSession] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "id": self.id,
            "titel": self.title,
            "beschreibung": self.description,
            "dauer_minuten": self.session_minutes,
            "termine": [{"titel": s.title, "lektionen": list(s.lesson_ids)} for s in self.sessions],
        }


def parse_template(path: Path) -> CourseTemplate:
    template = CourseTemplate(id=path.stem, title=path.stem, source=path)

    def error(line: int, message: str) -> None:
        template.problems.append(Problem(path, line, message, Severity.ERROR))

    try:
        if path.stat().st_size > MAX_TEMPLATE_BYTES:
            error(1, "Die Kursvorlage ist zu groß (höchstens 200 kB).")
            return template
        text = path.read_text(encoding="utf-8-sig")
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
    current: TemplateSession | None = None
    for index in range(end + 1, len(lines)):
        raw = lines[index]
        number = index + 1
        if not raw.strip():
            continue
        if raw.startswith("## "):
            current = TemplateSession(title=raw[3:].strip(), lesson_ids=[], line=number)
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


def check_against_library(template: CourseTemplate, lesson_ids: set[str]) -> None:
    """Record an error for every lesson id the template names that the library does not have."""
    for session in template.sessions:
        for lesson_id, line in zip(session.lesson_ids, session.lesson_lines, strict=True):
            if lesson_id not in lesson_ids:
                template.problems.append(Problem(template.source, line,
                                                 f"Die Lektion »{lesson_id}« ({session.title}) gibt es nicht."))
