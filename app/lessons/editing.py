"""An editable ``lektion.md`` that keeps every byte it was not asked to change (no Qt).

The lesson file stays the single source of truth: the editor never rebuilds it from a parsed
:class:`~app.domain.lesson.Lesson`. A :class:`LessonDocument` holds the original text and finds
header lines, steps and their ``###`` sections as *spans* (line ranges) each time it is asked.
An edit replaces exactly the span of the field it changes, so comments, unknown headings, odd
blank lines and a hand-written layout elsewhere survive. Invariants:

* ``LessonDocument.from_bytes(data).to_bytes() == data`` for any file (byte-identical round trip,
  including a UTF-8 byte-order mark and CRLF line ends).
* Setting a field to the value it already has changes nothing.
* Headings are recognised like the checker does (``##`` step, ``###`` section, not inside a
  fenced code block), so what the editor calls step 3 is what the wall shows as step 3.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from app.atomic_write import write_bytes_atomically
from app.lessons.parser import ID_PATTERN, LESSON_FILE, MAX_LESSON_FILE_BYTES, SECTION_NAMES
from app.lessons.safe_read import UnsafeFile, read_bounded

BOM = "\ufeff"
# Editor field → the heading written for a new section (the names the format guide uses).
SECTION_HEADINGS = {"android": "Android", "iphone": "iPhone", "uebung": "Übung", "merksatz": "Merksatz",
                    "notizen": "Notizen"}
STEP_FIELDS = ("text", "android", "iphone", "uebung", "merksatz", "notizen")
PICTURE_FIELDS = ("text", "android", "iphone")
HEADER_ORDER = ("id", "titel", "beschreibung", "dauer", "stufe", "thema", "geraete", "lernziele", "links", "quellen",
                "voraussetzungen", "autor", "stand")
_KEY_ALIASES = {"geräte": "geraete", "gerate": "geraete"}


class EditError(Exception):
    """A German message for an edit that cannot be made (e.g. the file has no header)."""


@dataclass
class SectionSpan:
    """Lines ``start`` (heading, or the step heading for the common text) to ``end`` (exclusive)."""

    name: str
    start: int
    end: int
    heading: bool = True

    @property
    def body_start(self) -> int:
        return self.start + 1


@dataclass
class StepSpan:
    title: str
    start: int  # index of the ``## Titel`` line
    end: int  # exclusive: next step heading or end of file
    sections: dict[str, SectionSpan] = field(default_factory=dict)


@dataclass(frozen=True)
class PictureRef:
    target: str
    alt: str


@dataclass
class _Lines:
    """The text as a list of lines without their ends; ``newline`` is used for joining."""

    items: list[str]
    newline: str
    final_newline: bool


def _heading_level(stripped: str) -> int:
    level = 0
    while level < len(stripped) and stripped[level] == "#":
        level += 1
    return level


def _picture_of(line: str) -> PictureRef | None:
    """``![alt](target)`` alone on a line, as the checker accepts it."""
    stripped = line.strip()
    if not (stripped.startswith("![") and stripped.endswith(")")):
        return None
    middle = stripped.find("](")
    if middle < 0:
        return None
    return PictureRef(target=stripped[middle + 2:-1].strip(), alt=stripped[2:middle])


def picture_line(ref: PictureRef) -> str:
    alt = ref.alt.replace("[", "(").replace("]", ")").replace("\n", " ").strip()
    return f"![{alt}]({ref.target})"


class LessonDocument:
    """The text of one ``lektion.md`` with span-preserving edits."""

    def __init__(self, text: str, *, bom: bool = False) -> None:
        self.bom = bom
        self._text = text

    # --- reading and writing ---------------------------------------------------------------
    @classmethod
    def from_bytes(cls, data: bytes) -> LessonDocument:
        """Decode UTF-8 (a byte-order mark is remembered); raises :class:`EditError` for other encodings."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise EditError(f"Die Datei ist nicht in UTF-8 gespeichert (Zeile {line}); der Editor öffnet sie nicht, "
                            "damit nichts verloren geht.") from None
        bom = text.startswith(BOM)
        return cls(text[1:] if bom else text, bom=bom)

    @classmethod
    def load(cls, path: Path) -> LessonDocument:
        """Read with the loader's checks: a regular file no larger than the checker accepts."""
        try:
            data = read_bounded(Path(path), MAX_LESSON_FILE_BYTES)
        except UnsafeFile as error:
            raise EditError(f"Die Datei {path} {error}") from None
        return cls.from_bytes(data)

    def to_bytes(self) -> bytes:
        return ((BOM if self.bom else "") + self._text).encode("utf-8")

    def save(self, path: Path) -> None:
        """Write completely or not at all (temp file + rename)."""
        try:
            write_bytes_atomically(Path(path), self.to_bytes())
        except OSError as error:
            raise EditError(f"Die Lektion konnte nicht gespeichert werden: {path} ({error.strerror}).") from None

    @property
    def text(self) -> str:
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._text = value

    def copy(self) -> LessonDocument:
        return LessonDocument(self._text, bom=self.bom)

    # --- lines -----------------------------------------------------------------------------
    def _lines(self) -> _Lines:
        text = self._text
        newline = "\r\n" if "\r\n" in text else "\n"
        final = text.endswith("\n")
        body = text[:-len(newline)] if final and text.endswith(newline) else (text[:-1] if final else text)
        items = body.split(newline) if body or final else []
        return _Lines(items, newline, final)

    def _store(self, lines: _Lines) -> None:
        text = lines.newline.join(lines.items)
        if lines.final_newline and lines.items:
            text += lines.newline
        self._text = text

    def _replace(self, start: int, end: int, new: list[str]) -> None:
        lines = self._lines()
        if lines.items[start:end] == new:
            return
        lines.items[start:end] = new
        self._store(lines)

    def line_count(self) -> int:
        return len(self._lines().items)

    # --- header ----------------------------------------------------------------------------
    def header_span(self) -> tuple[int, int] | None:
        """Indices of the opening and closing ``---`` lines, or None without a usable header."""
        items = self._lines().items
        first = 0
        while first < len(items) and not items[first].strip():
            first += 1
        if first >= len(items) or items[first].strip() != "---":
            return None
        for index in range(first + 1, len(items)):
            if items[index].strip() == "---":
                return first, index
        return None

    def _require_header(self) -> tuple[int, int]:
        span = self.header_span()
        if span is None:
            raise EditError("Die Datei hat keinen Kopf zwischen zwei Zeilen »---«; bitte zuerst im Texteditor beheben.")
        return span

    @staticmethod
    def _key_of(raw: str) -> str | None:
        if not raw or raw[0].isspace() or raw.lstrip().startswith("#") or ":" not in raw:
            return None
        key = raw.split(":", 1)[0].strip().lower()
        return _KEY_ALIASES.get(key, key) if key else None

    def _key_line(self, key: str) -> int | None:
        span = self.header_span()
        if span is None:
            return None
        items = self._lines().items
        for index in range(span[0] + 1, span[1]):
            if self._key_of(items[index]) == key:
                return index
        return None

    def header_value(self, key: str) -> str:
        index = self._key_line(key)
        if index is None:
            return ""
        return self._lines().items[index].split(":", 1)[1].strip()

    def set_header_value(self, key: str, value: str) -> None:
        """Change ``key: value`` in place; a missing key is added in the documented order; empty removes it."""
        value = " ".join(value.split())
        if value == self.header_value(key) and (value or self._key_line(key) is None):
            return
        index = self._key_line(key)
        if index is not None:
            raw = self._lines().items[index]
            if not value:
                self._replace(index, index + 1, [])
                return
            name = raw.split(":", 1)[0]
            self._replace(index, index + 1, [f"{name}: {value}"])
            return
        if value:
            position = self._insert_position(key)
            self._replace(position, position, [f"{key}: {value}"])

    def _insert_position(self, key: str) -> int:
        """Where a new header key goes: after the last present key that comes before it in HEADER_ORDER."""
        start, end = self._require_header()
        wanted = HEADER_ORDER.index(key) if key in HEADER_ORDER else len(HEADER_ORDER)
        position = end
        for earlier in reversed(HEADER_ORDER[:wanted]):
            index = self._key_line(earlier)
            if index is not None:
                position = self._list_end(index) if earlier in ("lernziele", "links", "quellen", "voraussetzungen") \
                    else index + 1
                break
        else:
            position = start + 1
        return min(position, end)

    def _list_end(self, key_index: int) -> int:
        """Index after the last ``  - eintrag`` line (blank lines and comments inside the list are kept)."""
        items = self._lines().items
        _, end = self._require_header()
        last = key_index
        for index in range(key_index + 1, end):
            raw = items[index]
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            if raw[:1].isspace() and raw.lstrip().startswith("-"):
                last = index
                continue
            break
        return last + 1

    def header_list(self, key: str) -> list[str]:
        index = self._key_line(key)
        if index is None:
            return []
        items = self._lines().items
        return [raw.lstrip()[1:].strip() for raw in items[index + 1:self._list_end(index)]
                if raw[:1].isspace() and raw.lstrip().startswith("-") and raw.lstrip()[1:].strip()]

    def set_header_list(self, key: str, values: list[str]) -> None:
        """Replace the entries of a header list; comments between entries stay; an empty list removes the key."""
        values = [" ".join(v.split()) for v in values if v.strip()]
        if values == self.header_list(key) and (values or self._key_line(key) is None):
            return
        index = self._key_line(key)
        if index is None:
            position = self._insert_position(key)
            self._replace(position, position, [f"{key}:"] + [f"  - {v}" for v in values])
            return
        items = self._lines().items
        end = self._list_end(index)
        if not values:
            kept = [raw for raw in items[index + 1:end] if raw.lstrip().startswith("#")]
            self._replace(index, end, kept)
            return
        block = items[index + 1:end]
        entry_lines = [i for i, raw in enumerate(block) if raw[:1].isspace() and raw.lstrip().startswith("-")]
        sample = block[entry_lines[0]] if entry_lines else "  -"
        indent = sample[: len(sample) - len(sample.lstrip())]
        comments = [raw for i, raw in enumerate(block) if i not in entry_lines and raw.strip()]
        self._replace(index + 1, end, [f"{indent}- {v}" for v in values] + comments)

    def header_comments(self) -> list[str]:
        span = self.header_span()
        if span is None:
            return []
        items = self._lines().items
        return [raw.strip()[1:].strip() for raw in items[span[0] + 1:span[1]] if raw.lstrip().startswith("#")]

    def add_header_comment(self, text: str) -> None:
        _, end = self._require_header()
        self._replace(end, end, [f"# {' '.join(text.split())}"])

    # --- steps -----------------------------------------------------------------------------
    def steps(self) -> list[StepSpan]:
        """The steps as line spans, recognised as the checker does."""
        items = self._lines().items
        span = self.header_span()
        start = span[1] + 1 if span else 0
        found: list[StepSpan] = []
        current: StepSpan | None = None
        section: SectionSpan | None = None
        in_code = False
        for index in range(start, len(items)):
            stripped = items[index].strip()
            if stripped.startswith("```") or stripped.startswith("~~~"):
                in_code = not in_code
            level = 0 if in_code else _heading_level(stripped)
            if level == 2:
                if section is not None:
                    section.end = index
                if current is not None:
                    current.end = index
                current = StepSpan(title=stripped[2:].strip(), start=index, end=len(items))
                section = SectionSpan("text", index, len(items), heading=False)
                current.sections["text"] = section
                found.append(current)
            elif level == 3 and current is not None:
                if section is not None:
                    section.end = index
                name = SECTION_NAMES.get(stripped[3:].strip().rstrip(":").lower(), f"?{index}")
                section = SectionSpan(name, index, len(items))
                current.sections.setdefault(name, section)
        return found

    def step_titles(self) -> list[str]:
        return [step.title for step in self.steps()]

    def _step(self, index: int) -> StepSpan:
        steps = self.steps()
        if not 0 <= index < len(steps):
            raise EditError(f"Schritt {index + 1} gibt es nicht.")
        return steps[index]

    def _body(self, section: SectionSpan) -> list[str]:
        return self._lines().items[section.body_start:section.end]

    def field(self, index: int, name: str) -> str:
        """The text of a step field without its picture line, as the editor shows it."""
        if name == "titel":
            return self._step(index).title
        section = self._step(index).sections.get(name)
        if section is None:
            return ""
        lines = [raw for raw in self._body(section) if _picture_of(raw) is None]
        return "\n".join(lines).strip("\n").strip()

    def picture(self, index: int, name: str = "text") -> PictureRef | None:
        section = self._step(index).sections.get(name)
        if section is None:
            return None
        return next((ref for ref in map(_picture_of, self._body(section)) if ref is not None), None)

    def set_title(self, index: int, title: str) -> None:
        title = " ".join(title.split())
        step = self._step(index)
        if title == step.title:
            return
        raw = self._lines().items[step.start]
        indent = raw[: len(raw) - len(raw.lstrip())]
        self._replace(step.start, step.start + 1, [f"{indent}## {title}"])

    def set_field(self, index: int, name: str, value: str) -> None:
        """Replace the text of one section of step *index*; only that span changes."""
        if name == "titel":
            self.set_title(index, value)
            return
        if name not in STEP_FIELDS:
            raise EditError(f"Unbekanntes Feld »{name}«.")
        new_lines = [line.rstrip() for line in value.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")] \
            if value.strip() else []
        if "\n".join(new_lines) == self.field(index, name):
            return
        step = self._step(index)
        section = step.sections.get(name)
        if section is None:
            if not new_lines:
                return
            self._add_section(step, name, new_lines)
            return
        body = self._body(section)
        keep = [i for i, raw in enumerate(body) if raw.strip() and _picture_of(raw) is None]
        if not new_lines and section.heading and self.picture(index, name) is None:
            self._remove_section(section)
            return
        if keep:
            first, last = keep[0], keep[-1]
            pictures_inside = [i for i in range(first, last + 1) if _picture_of(body[i]) is not None]
            if not pictures_inside:
                start = section.body_start + first
                self._replace(start, section.body_start + last + 1, new_lines)
                return
        # no text yet, or a picture line in the middle of the text: rebuild the section body
        position = next((i for i, raw in enumerate(body) if _picture_of(raw) is not None), None)
        if position is not None:
            rebuilt = body[:position + 1] + ([""] + new_lines if new_lines else [])
        else:
            rebuilt = ([] if section.heading else [""]) + new_lines
        more = section.end < self.line_count()
        self._replace(section.body_start, section.end, rebuilt + [""] * max(self._trailing_blank(body), 1 if more else 0))

    @staticmethod
    def _trailing_blank(body: list[str]) -> int:
        count = 0
        for raw in reversed(body):
            if raw.strip():
                break
            count += 1
        return count

    def set_picture(self, index: int, name: str, ref: PictureRef | None) -> None:
        """Set, replace or remove (None) the picture of the common text or a device section."""
        if name not in PICTURE_FIELDS:
            raise EditError("Bilder gehören zum gemeinsamen Text oder zu Android/iPhone, nicht zu Notizen, Übung oder Merksatz.")
        if self.picture(index, name) == ref:
            return
        step = self._step(index)
        section = step.sections.get(name)
        if section is None:
            if ref is None:
                return
            self._add_section(step, name, [picture_line(ref)])
            return
        body = self._body(section)
        position = next((i for i, raw in enumerate(body) if _picture_of(raw) is not None), None)
        if position is not None:
            absolute = section.body_start + position
            if ref is None:
                end = absolute + 1
                if end < section.end and not self._lines().items[end].strip() and \
                        (position == 0 or not body[position - 1].strip()):
                    end += 1  # the blank line that separated picture and text
                self._replace(absolute, end, [])
            else:
                self._replace(absolute, absolute + 1, [picture_line(ref)])
            return
        if ref is not None:
            # the picture goes first in the section, as in the shipped lessons
            self._replace(section.body_start, section.body_start, [picture_line(ref)] +
                          ([""] if any(raw.strip() for raw in body) and (not body or body[0].strip()) else []))

    def _add_section(self, step: StepSpan, name: str, lines: list[str]) -> None:
        items = self._lines().items
        end = step.end
        while end > step.start + 1 and not items[end - 1].strip():
            end -= 1
        block = ["", f"### {SECTION_HEADINGS[name]}", *lines]
        if name == "text":
            block = ["", *lines]
            end = self._text_end(step)
        after = [""] if end < len(items) and items[end].strip() else []
        self._replace(end, end, block + after)

    def _text_end(self, step: StepSpan) -> int:
        """Where new common text goes: right after the title (before any ``###`` section)."""
        items = self._lines().items
        section = step.sections["text"]
        end = section.end
        while end > section.body_start and not items[end - 1].strip():
            end -= 1
        return end

    def _remove_section(self, section: SectionSpan) -> None:
        start = section.start
        items = self._lines().items
        while start > 0 and not items[start - 1].strip():
            start -= 1
        self._replace(start, section.end, [""] if section.end < len(items) and start > 0 else [])
        if section.end >= len(items):
            lines = self._lines()
            while lines.items and not lines.items[-1].strip():
                lines.items.pop()
            self._store(lines)

    def add_step(self, title: str, text: str = "", after: int | None = None) -> int:
        """Insert a step after step *after* (default: at the end); returns its index."""
        steps = self.steps()
        lines = self._lines()
        block = [f"## {' '.join(title.split()) or 'Neuer Schritt'}"]
        if text.strip():
            block += ["", *text.strip().split("\n")]
        if after is None or after >= len(steps) - 1:
            position = len(lines.items)
            while position > 0 and not lines.items[position - 1].strip():
                position -= 1
            self._replace(position, len(lines.items), ([""] if position else []) + block)
            if not self._text.endswith(("\n",)):
                self._text += "\r\n" if lines.newline == "\r\n" else "\n"
            return len(steps)
        position = steps[after + 1].start
        self._replace(position, position, block + [""])
        return after + 1

    def remove_step(self, index: int) -> None:
        step = self._step(index)
        self._replace(step.start, step.end, [])
        if step.end >= len(self._lines().items) + (step.end - step.start):
            lines = self._lines()
            while lines.items and not lines.items[-1].strip():
                lines.items.pop()
            self._store(lines)

    def move_step(self, source: int, target: int) -> None:
        """Move step *source* so that it becomes step *target*; the steps' texts move unchanged."""
        steps = self.steps()
        if source == target or not (0 <= source < len(steps) and 0 <= target < len(steps)):
            return
        lines = self._lines()
        first = steps[0].start
        blocks = [self._step_block(lines.items, step) for step in steps]
        tail_end = steps[-1].end
        block = blocks.pop(source)
        blocks.insert(target, block)
        new: list[str] = []
        for number, part in enumerate(blocks):
            new.extend(part)
            if number < len(blocks) - 1:
                new.append("")
        self._replace(first, tail_end, new + [""] * (1 if tail_end < len(lines.items) else 0))

    @staticmethod
    def _step_block(items: list[str], step: StepSpan) -> list[str]:
        end = step.end
        while end > step.start + 1 and not items[end - 1].strip():
            end -= 1
        return items[step.start:end]

    def step_at_line(self, line: int) -> int | None:
        """The step index of a 1-based file line (as the checker reports it), or None for the header."""
        for index, step in enumerate(self.steps()):
            if step.start < line <= step.end:
                return index
        return None

    def field_at_line(self, line: int) -> tuple[int | None, str]:
        """(step index, field) at a 1-based line; the header gives (None, header key or "")."""
        index = self.step_at_line(line)
        if index is None:
            span = self.header_span()
            if span and span[0] < line - 1 < span[1]:
                raw = self._lines().items[line - 1]
                key = self._key_of(raw)
                if key is None:  # an entry of a list: the key above it
                    for back in range(line - 2, span[0], -1):
                        key = self._key_of(self._lines().items[back])
                        if key:
                            break
                return None, key or ""
            return None, ""
        step = self.steps()[index]
        if line - 1 == step.start:
            return index, "titel"
        for name, section in step.sections.items():
            if section.start <= line - 1 < section.end:
                return index, name if name in STEP_FIELDS else "text"
        return index, "text"


    def row_in_field(self, line: int) -> int:
        """The line (0-based) inside the field text that file line *line* (1-based) belongs to."""
        step, name = self.field_at_line(line)
        if step is None or name == "titel":
            return 0
        section = self.steps()[step].sections.get(name)
        if section is None:
            return 0
        body = self._body(section)
        kept = [i for i, raw in enumerate(body) if _picture_of(raw) is None]
        first = next((i for i in kept if body[i].strip()), 0)
        target = line - 1 - section.body_start
        return sum(1 for i in kept if first <= i < target)


# --- lesson folders ----------------------------------------------------------------------------

NEW_LESSON_TEMPLATE = """---
id: {id}
titel: {title}
beschreibung: Worum geht es? Ein Satz.
dauer: 30
stufe: Einsteiger
thema: Grundlagen
geraete: android, iphone
lernziele:
  - Ich kann …
stand: {today}
---

## {first_step}

Schreiben Sie hier, was alle an der Wand sehen.

### Android
Was auf Android-Geräten zu tun ist.

### iPhone
Was auf dem iPhone zu tun ist.
"""


def slug(text: str) -> str:
    """An id from a title: lower case a–z, digits and hyphens (ä → ae, ß → ss)."""
    replaced = text.lower()
    for old, new in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        replaced = replaced.replace(old, new)
    parts: list[str] = []
    word = ""
    for char in replaced:
        if "a" <= char <= "z" or "0" <= char <= "9":
            word += char
        elif word:
            parts.append(word)
            word = ""
    if word:
        parts.append(word)
    return "-".join(parts)[:50].strip("-") or "eigene-lektion"


def free_id(base: str, taken: set[str], root: Path) -> str:
    """*base*, or *base*-2, -3 … — the first one that is neither a known id nor a folder in *root*."""
    candidate = base
    number = 2
    while candidate in taken or (root / candidate).exists():
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def create_lesson(root: Path, title: str, taken: set[str], today: dt.date | None = None) -> Path:
    """A new lesson folder below *root* from the template (one step with an Android and an iPhone part)."""
    title = " ".join(title.split()) or "Neue Lektion"
    lesson_id = free_id(slug(title), taken, root)
    folder = root / lesson_id
    try:
        (folder / "bilder").mkdir(parents=True)
        text = NEW_LESSON_TEMPLATE.format(id=lesson_id, title=title, today=(today or dt.date.today()).isoformat(),
                                          first_step="Erster Schritt")
        LessonDocument(text).save(folder / LESSON_FILE)
    except OSError as error:
        raise EditError(f"Der Lektionsordner {folder} konnte nicht angelegt werden ({error.strerror}).") from None
    return folder


def copy_lesson(source: Path, root: Path, taken: set[str], today: dt.date | None = None) -> Path:
    """Copy a (shipped) lesson into *root* with a new id and a header comment naming its origin.

    The original folder is only read. The copy gets the id ``<id>-eigene`` (or -2, -3 …).
    """
    source = Path(source)
    document = LessonDocument.load(source / LESSON_FILE)
    old_id = document.header_value("id") or source.name
    lesson_id = free_id(f"{old_id}-eigene", taken, root)
    folder = root / lesson_id
    try:
        root.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, folder, symlinks=False,
                        ignore=shutil.ignore_patterns(".*", "__pycache__"))
    except (OSError, shutil.Error) as error:
        raise EditError(f"Die Lektion konnte nicht nach {folder} kopiert werden ({error}).") from None
    (folder / "bilder").mkdir(exist_ok=True)
    document.set_header_value("id", lesson_id)
    stand = document.header_value("stand")
    origin = f"Kopie der Lektion »{old_id}«" + (f" (Stand {stand})" if stand else "") + \
        f", angelegt am {(today or dt.date.today()).strftime('%d.%m.%Y')} in Kurslotse."
    document.add_header_comment(origin)
    document.save(folder / LESSON_FILE)
    return folder


def rename_lesson(folder: Path, document: LessonDocument, new_id: str, taken: dict[str, str]) -> Path:
    """Give the lesson in *folder* the id *new_id*: the ``id:`` line and the folder name change together.

    *document* is the text to write with the new id (the editor's current text: renaming saves it).
    *taken* maps the ids of the other known lessons to their titles. Everything is checked before
    anything is written; if the folder cannot be renamed, the file is put back as it was.
    Returns the new folder.
    """
    folder = Path(folder)
    new_id = new_id.strip()
    if not new_id:
        raise EditError("Bitte eine Kennung eingeben.")
    if len(new_id) > 60 or not ID_PATTERN.match(new_id):
        suggestion = slug(new_id)
        raise EditError(f"»{new_id[:60]}« ist keine gültige Kennung: nur Kleinbuchstaben a–z, Ziffern und einzelne "
                        f"Bindestriche, höchstens 60 Zeichen (zum Beispiel »{suggestion}«).")
    if new_id == folder.name and document.header_value("id") == new_id:
        return folder
    if new_id in taken:
        raise EditError(f"Die Kennung »{new_id}« hat schon die Lektion »{taken[new_id]}«. Jede Kennung gibt es nur "
                        "einmal; bitte eine andere wählen.")
    target = folder.parent / new_id
    if target != folder and (target.exists() or target.is_symlink()):
        raise EditError(f"Im Lektionsordner gibt es schon einen Ordner »{new_id}« ({target}); bitte eine andere "
                        "Kennung wählen.")
    path = folder / LESSON_FILE
    renamed = document.copy()
    renamed.set_header_value("id", new_id)
    try:
        before = read_bounded(path, MAX_LESSON_FILE_BYTES)
    except UnsafeFile as error:
        raise EditError(f"Die Datei {path} {error}") from None
    renamed.save(path)
    if target == folder:
        return folder
    try:
        folder.rename(target)
    except OSError as error:
        try:
            write_bytes_atomically(path, before)
        except OSError:
            pass
        raise EditError(f"Der Ordner {folder} konnte nicht in »{new_id}« umbenannt werden ({error.strerror}); "
                        "vielleicht ist eine Datei daraus gerade in einem anderen Programm geöffnet. "
                        "Es wurde nichts geändert.") from None
    return target
