"""One word per thing: check what a lesson shows on the wall against ``lektionen/glossar.md``.

Two findings, both warnings:

- a word from »Nicht verwenden« appears on the wall (step title, text, Android/iPhone text, exercise,
  key sentence, or a ``<text>`` of one of the step's SVG pictures);
- a term marked »Erklären: ja« appears on the wall in a step that does not explain it, before any step
  that does (an explanation: the term, bold or not, followed by »ist/sind/heißt/bedeutet«, a colon, a
  dash or a bracket).

Notes are not checked (only the trainer sees them). Quoted words („…“, "…", »…«) and menu paths with
arrows are exempt from the avoided words: those are the names printed on the phone, which may differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from app.domain.lesson import Device, Lesson, Problem, Severity, Step

GLOSSARY_FILE = "glossar.md"
MAX_SVG_BYTES = 1_000_000

_QUOTES = {"„": "“”", "\"": "\"", "»": "«", "«": "»"}  # opening mark → closing marks
_SENTENCE_END = ".;"
_OPENING = re.compile("[„\"»«]")
_TOKEN = re.compile(r"[\w/-]+")
_ENDINGS = ("e", "en", "er", "es", "n", "s")
_SVG_TEXT = re.compile(r"<(?:text|tspan)\b[^>]*>([^<]*)", re.IGNORECASE)
_ENDING = r"(?:e|en|er|es|n|s)?"


@dataclass
class Entry:
    """One glossary entry: the word to use, the words to avoid, whether it must be explained."""

    term: str
    meaning: str = ""
    avoid: list[str] = field(default_factory=list)
    explain: bool = False
    line: int = 0


def parse_glossary(text: str) -> list[Entry]:
    """Entries from the Markdown file: ``## Wort`` then ``Bedeutung:``, ``Nicht verwenden:``, ``Erklären:``."""
    entries: list[Entry] = []
    current: Entry | None = None
    in_code = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if line.startswith("## "):
            current = Entry(term=line[3:].strip(), line=number)
            entries.append(current)
            continue
        if current is None or ":" not in line:
            continue
        key, value = (part.strip() for part in line.split(":", 1))
        key = key.lower()
        if key == "bedeutung":
            current.meaning = value
        elif key == "nicht verwenden":
            current.avoid = [word.strip() for word in value.split(",") if word.strip()]
        elif key in ("erklären", "erklaeren"):
            current.explain = value.lower() in ("ja", "yes")
    return entries


@lru_cache(maxsize=4)
def _entries_from(path: Path, stamp: float) -> tuple[Entry, ...]:
    return tuple(parse_glossary(path.read_text(encoding="utf-8")))


def shipped_glossary(path: Path | None = None) -> tuple[Entry, ...]:
    """The shipped glossary (re-read when it changes); empty when missing or unreadable."""
    if path is None:
        from app import paths

        path = paths.shipped_lessons_dir() / GLOSSARY_FILE
    try:
        return _entries_from(path, path.stat().st_mtime)
    except (OSError, UnicodeDecodeError):
        return ()


def _avoided_lookup(entries: tuple[Entry, ...] | list[Entry]) -> dict[str, tuple[str, Entry, bool]]:
    """Avoided words keyed by their lower-case form; the flag marks words that must match in exact case
    (a spelling that differs from the term only in case, such as »WLan« for »WLAN«)."""
    lookup: dict[str, tuple[str, Entry, bool]] = {}
    for entry in entries:
        for word in entry.avoid:
            lookup[word.lower()] = (word, entry, word.lower() == entry.term.lower())
    return lookup


def _avoided_in(text: str, lookup: dict[str, tuple[str, Entry, bool]]) -> list[tuple[str, Entry]]:
    """Avoided words in *text*, found by one pass over its words (also two-word phrases and endings)."""
    found: list[tuple[str, Entry]] = []
    previous = ""
    for match in _TOKEN.finditer(text):
        token = match.group().strip("-/")
        candidates = [token] + [token[: -len(end)] for end in _ENDINGS if token.endswith(end) and len(token) > len(end)]
        if previous:
            candidates += [f"{previous} {candidate}" for candidate in candidates]
        for candidate in candidates:
            hit = lookup.get(candidate.lower())
            if hit and (not hit[2] or candidate == hit[0]):
                found.append((hit[0], hit[1]))
                break
        previous = token
    return found


def _term(term: str) -> re.Pattern[str]:
    # Terms such as TAN or NFC are matched case-sensitively, so "Tan" or "nfc" in other words do not count.
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(r"(?<![\w/-])" + re.escape(term) + _ENDING + r"(?![\w-])", flags)


def _explains(text: str, term: str) -> bool:
    escaped = re.escape(term)
    flags = 0 if term.isupper() else re.IGNORECASE
    followed = re.compile(r"(?<![\w/-])" + escaped + _ENDING + r"(?:\*\*)?[“”\"«»]?[ \t]*"
                          r"(?:ist\b|sind\b|heißt\b|bedeutet\b|:|–|-[ \t]|\(|=)", flags)
    return bool(followed.search(text))


def _without_exempt(text: str) -> str:
    """Blank out quoted words and menu paths, line by line in linear time (lesson text is untrusted)."""
    return "\n".join(_without_menu_path(_without_quotes(line)) for line in text.split("\n"))


def _without_quotes(line: str) -> str:
    out: list[str] = []
    unclosed: set[str] = set()  # closing marks known to be absent from here on: keeps the scan linear
    position = 0
    for match in _OPENING.finditer(line):
        if match.start() < position:
            continue
        closing = _QUOTES[match.group()]
        if closing in unclosed:
            continue
        ends = [found for found in (line.find(mark, match.start() + 1) for mark in closing) if found >= 0]
        if not ends:
            unclosed.add(closing)
            continue
        out.append(line[position:match.start()])
        out.append(" ")
        position = min(ends) + 1
    out.append(line[position:])
    return "".join(out)


def _without_menu_path(line: str) -> str:
    """Drop the sentence part around arrows: »Einstellungen → Anzeige → Schrift«."""
    first = line.find("→")
    if first < 0:
        return line
    last = line.rfind("→")
    start = max(line.rfind(mark, 0, first) for mark in _SENTENCE_END) + 1
    ends = [position for position in (line.find(mark, last) for mark in _SENTENCE_END) if position >= 0]
    end = min(ends) if ends else len(line)
    return line[:start] + " " + line[end:]


@dataclass
class _WallPiece:
    text: str
    line: int
    where: str


def _wall_pieces(step: Step, lesson: Lesson, svg_cache: dict[Path, str]) -> list[_WallPiece]:
    pieces = [_WallPiece(step.title, step.line, "Titel"), _WallPiece(step.text, step.line, "Text")]
    for device in Device:
        variant = step.variants.get(device)
        if variant is not None and variant.text:
            pieces.append(_WallPiece(variant.text, step.line, f"{device.label}-Text"))
    pieces.append(_WallPiece(step.exercise, step.line, "Übung"))
    pieces.append(_WallPiece(step.key_sentence, step.line, "Merksatz"))
    pictures = [step.picture, *(variant.picture for variant in step.variants.values())]
    for picture in pictures:
        if picture is None or picture.path.suffix.lower() != ".svg":
            continue
        path = picture.path if picture.path.is_absolute() else lesson.folder / picture.path
        if path not in svg_cache:
            svg_cache[path] = _svg_text(path)
        if svg_cache[path]:
            pieces.append(_WallPiece(svg_cache[path], picture.line or step.line, f"Bild {picture.path.name}"))
    return [piece for piece in pieces if piece.text]


def _svg_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_SVG_BYTES:
            return ""
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " ".join(match.strip() for match in _SVG_TEXT.findall(raw) if match.strip())


def check(lesson: Lesson, entries: tuple[Entry, ...] | list[Entry] | None = None) -> list[Problem]:
    """Warnings for avoided words and for terms shown before they are explained."""
    entries = shipped_glossary() if entries is None else entries
    if not entries:
        return []
    found: list[Problem] = []
    svg_cache: dict[Path, str] = {}
    reported: set[tuple[str, int]] = set()
    pending = {entry.term: entry for entry in entries if entry.explain}
    avoided = _avoided_lookup(entries)
    for step in lesson.steps:
        pieces = _wall_pieces(step, lesson, svg_cache)
        for piece in pieces:
            for word, entry in _avoided_in(_without_exempt(piece.text), avoided):
                if (word, piece.line) not in reported:
                    reported.add((word, piece.line))
                    found.append(Problem(lesson.source, piece.line,
                                         f"»{word}« ({piece.where} von »{step.title}«): bitte »{entry.term}« sagen "
                                         f"– ein Wort für eine Sache (lektionen/{GLOSSARY_FILE}).", Severity.WARNING))
        for term in list(pending):
            pattern = _term(term)
            if not any(pattern.search(piece.text) for piece in pieces):
                continue
            del pending[term]
            if not any(_explains(piece.text, term) for piece in pieces):
                found.append(Problem(lesson.source, step.line,
                                     f"»{term}« steht in »{step.title}« an der Wand, wird dort aber nicht erklärt "
                                     f"(z. B. »**{term}** ist …« oder »{term} (…)«; lektionen/{GLOSSARY_FILE}).",
                                     Severity.WARNING))
    return found
