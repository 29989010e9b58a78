"""The small Markdown of lesson texts, turned into plain paragraphs with bold/italic runs (no Qt).

Supported: paragraphs, hard line breaks, ``**fett**``/``__fett__``, ``*kursiv*``/``_kursiv_``,
``- `` / ``* `` / ``+ `` bullet lists and ``1.`` numbered lists (nested by indentation),
```code``` (printed as plain text), links ``[Text](https://…)`` printed as ``Text (https://…)``
because paper cannot be clicked, ``<https://…>`` autolinks, ``\\`` escapes, and ``#`` headings
inside a text printed as bold paragraphs. Raw HTML is never interpreted: it is printed as the
characters the trainer typed. Anything not understood stays visible as text.

Lesson texts come from strangers, so everything here runs in linear time: no backtracking
regular expressions, searches for closing markers are remembered (:class:`_Next`), emphasis
closers are looked up by bisection, nesting deeper than :data:`MAX_NESTING` and code spans
opened by more than :data:`MAX_CODE_TICKS` backticks are printed as the characters typed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

LINE_SEPARATOR = "\u2028"  # QTextLayout breaks the line here without starting a new paragraph
MAX_NESTING = 3  # bold inside italic inside bold is the deepest a handout ever needs
MAX_CODE_TICKS = 16

_ESCAPABLE = "\\`*_{}[]()#+-.!<>|~"
_AUTOLINK_SCHEMES = ("https:", "http:", "mailto:")


@dataclass
class Run:
    """A piece of text in one style."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Paragraph:
    """One paragraph or list item; *marker* is "•" or "3." for list items, "" otherwise."""

    runs: list[Run] = field(default_factory=list)
    marker: str = ""
    level: int = 0
    bold: bool = False

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def parse(markdown: str) -> list[Paragraph]:
    """Split *markdown* into paragraphs with inline runs."""
    paragraphs: list[Paragraph] = []
    buffer: list[str] = []
    current: dict | None = None
    in_fence = False

    def flush() -> None:
        nonlocal current
        if current is not None:
            text = _join_lines(buffer)
            if text.strip() or current["marker"]:
                runs = [Run(text)] if current["literal"] else parse_inline(text)
                paragraphs.append(Paragraph(runs=runs, marker=current["marker"], level=current["level"],
                                            bold=current["bold"]))
        buffer.clear()
        current = None

    def start(marker: str = "", level: int = 0, *, bold: bool = False, literal: bool = False) -> None:
        nonlocal current
        flush()
        current = {"marker": marker, "level": level, "bold": bold, "literal": literal}

    list_indents: list[int] = []
    for raw in markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.replace("\t", "    ")
        if _is_fence(line):
            in_fence = not in_fence
            if in_fence:
                start(literal=True)
            else:
                flush()
            continue
        if in_fence:
            buffer.append(line + "  ")  # keep the code's own line breaks
            continue
        if not line.strip():
            flush()
            continue
        if _is_rule(line):
            flush()
            continue
        heading = _heading(line)
        if heading is not None:
            start(bold=True)
            buffer.append(heading)
            flush()
            list_indents.clear()
            continue
        quoted = _quote(line)
        if quoted is not None:
            line = quoted
        item = _list_item(line)
        if item:
            indent, marker, content = item
            while list_indents and indent < list_indents[-1]:
                list_indents.pop()
            if not list_indents or indent > list_indents[-1] + 1:
                list_indents.append(indent)
            start(marker=marker, level=min(len(list_indents) - 1, 3))
            buffer.append(content)
            continue
        if current is None:
            list_indents.clear()
            start()
        buffer.append(line.strip() if not line.endswith("  ") else line.strip() + "  ")
    flush()
    return paragraphs


# --- block markers, read by hand (each once over the line) ------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _is_fence(line: str) -> bool:
    return line.lstrip().startswith(("```", "~~~"))


def _is_rule(line: str) -> bool:
    """``---``, ``* * *``, ``___``: three or more of one marker, nothing else but spaces."""
    body = line.lstrip()
    if _indent(line) > 3 or not body or body[0] not in "-*_":
        return False
    marker = body[0]
    return body.count(marker) >= 3 and all(char == marker or char.isspace() for char in body)


def _heading(line: str) -> str | None:
    """The text of an ATX heading ``## Titel ##`` (1–6 ``#`` and a space), or None."""
    if _indent(line) > 3:
        return None
    body = line.lstrip()
    hashes = len(body) - len(body.lstrip("#"))
    if not 1 <= hashes <= 6 or len(body) == hashes or not body[hashes].isspace():
        return None
    return body[hashes:].strip().rstrip("#").rstrip()


def _quote(line: str) -> str | None:
    if _indent(line) > 3:
        return None
    body = line.lstrip()
    if not body.startswith(">"):
        return None
    rest = body[1:]
    return rest[1:] if rest[:1].isspace() else rest


def _list_item(line: str) -> tuple[int, str, str] | None:
    """(indent, marker, content) of ``- eintrag`` / ``12. eintrag`` / ``3) eintrag``, or None."""
    indent = _indent(line)
    body = line[indent:]
    if len(body) >= 2 and body[0] in "-*+" and body[1].isspace():
        return indent, "•", body[1:].lstrip()
    digits = 0
    while digits < len(body) and digits < 4 and body[digits].isdecimal():
        digits += 1
    if 1 <= digits <= 3 and len(body) > digits + 1 and body[digits] in ".)" and body[digits + 1].isspace():
        return indent, f"{int(body[:digits])}.", body[digits + 1:].lstrip()
    return None


def _join_lines(lines: list[str]) -> str:
    """Soft line breaks become spaces; two trailing spaces or a backslash force a line break."""
    parts: list[str] = []
    for index, line in enumerate(lines):
        last = index == len(lines) - 1
        if line.endswith("  ") and not last:
            parts.append(line.rstrip() + LINE_SEPARATOR)
        elif line.endswith("\\") and not line.endswith("\\\\") and not last:
            parts.append(line[:-1].rstrip() + LINE_SEPARATOR)
        else:
            parts.append(line.rstrip() + ("" if last else " "))
    return "".join(parts)


# --- inline ----------------------------------------------------------------------------------


class _Next:
    """Where the next match of a one-character class starts, for many starts; remembered, so a
    thousand openers that share one missing closer cost one search instead of a thousand."""

    def __init__(self, text: str, pattern: str) -> None:
        self.text = text
        self.pattern = re.compile(pattern)  # a single character class: no backtracking possible
        self.start = -1
        self.found = -1

    def __call__(self, start: int) -> int:
        if 0 <= self.start <= start and (self.found < 0 or start <= self.found):
            return self.found
        match = self.pattern.search(self.text, start)
        self.start, self.found = start, (match.start() if match else -1)
        return self.found


class _Scanner:
    """Searches over one paragraph text, built lazily and shared by every position of one pass."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._finders: dict[str, _Next] = {}
        self._closers: dict[str, list[int]] = {}
        self._ticks: dict[int, int] = {}
        self._links: dict[int, tuple[str, int] | None] = {}

    def next(self, pattern: str, start: int) -> int:
        finder = self._finders.get(pattern)
        if finder is None:
            finder = self._finders[pattern] = _Next(self.text, pattern)
        return finder(start)

    def closers(self, delimiter: str) -> list[int]:
        """Positions where *delimiter* can close a span, in order (independent of the opener)."""
        found = self._closers.get(delimiter)
        if found is None:
            found = self._closers[delimiter] = _closer_positions(self.text, delimiter)
        return found

    def code_end(self, start: int, ticks: int) -> int:
        """Start of the next run of *ticks* backticks after *start* (as ``str.find``), or -1."""
        text, needle = self.text, "`" * ticks
        remembered = self._ticks.get(ticks)
        if remembered is not None and remembered < 0:
            return -1  # searched from an earlier point and found none: none later either
        if remembered is not None and remembered >= start:
            return remembered
        found = text.find(needle, start)
        self._ticks[ticks] = found
        return found

    def link(self, bracket: int) -> tuple[str, int] | None:
        """(address, end) of ``](address "Titel")`` whose ``]`` is at *bracket*, remembered per ``]``."""
        if bracket not in self._links:
            self._links[bracket] = self._link_tail(bracket)
        return self._links[bracket]

    def _link_tail(self, bracket: int) -> tuple[str, int] | None:
        text = self.text
        if text[bracket + 1:bracket + 2] != "(" or self.next(r"\)", bracket + 2) < 0:
            return None
        opened = bracket + 2
        cursor = self._skip_space(opened)
        if text[cursor:cursor + 1] == "<":
            cursor += 1
        stop = self.next(r"[)\s>]", cursor)
        if stop < 0:
            return None
        url, cursor = text[cursor:stop], stop
        if text[cursor:cursor + 1] == ">":
            cursor += 1
        end = self._title_and_close(cursor)
        if end < 0 and opened < len(text) and text[opened].isspace():
            url, end = "", self._title_and_close(opened)  # ( "Titel") without an address
        return (url, end) if end >= 0 else None

    def _skip_space(self, start: int) -> int:
        found = self.next(r"\S", start)
        return len(self.text) if found < 0 else found

    def _title_and_close(self, cursor: int) -> int:
        """End after an optional `` "Titel"`` and the closing ``)`` at *cursor*, or -1."""
        text = self.text
        after_space = self._skip_space(cursor)
        if after_space > cursor and text[after_space:after_space + 1] == '"':
            closing_quote = self.next('"', after_space + 1)
            if closing_quote >= 0:
                end = self._skip_space(closing_quote + 1)
                if text[end:end + 1] == ")":
                    return end + 1
        if text[after_space:after_space + 1] == ")":
            return after_space + 1
        return -1


def _closer_positions(text: str, delimiter: str) -> list[int]:
    """Every position where *delimiter* may close emphasis: not after a space, not inside a longer run
    of markers, and for ``_`` not inside a word (``datei_name``)."""
    positions = []
    size = len(delimiter)
    marker = delimiter[0]
    start = text.find(delimiter, 1)
    while start >= 0:
        before = text[start - 1]
        after = text[start + size:start + size + 1]
        if not (before.isspace() or before == marker or (size < 3 and after == marker)
                or (marker == "_" and after.isalnum())):
            positions.append(start)
        start = text.find(delimiter, start + 1)
    return positions


def parse_inline(text: str, bold: bool = False, italic: bool = False, _depth: int = 0) -> list[Run]:
    """Inline emphasis, code, links and escapes of one paragraph."""
    runs: list[Run] = []
    plain: list[str] = []
    scanner = _Scanner(text)
    length = len(text)

    def emit_plain() -> None:
        if plain:
            runs.append(Run("".join(plain), bold, italic))
            plain.clear()

    tick_run_end = -1
    i = 0
    while i < length:
        char = text[i]
        if char == "\\" and i + 1 < length and text[i + 1] in _ESCAPABLE:
            plain.append(text[i + 1])
            i += 2
            continue
        if char == "`":
            if tick_run_end <= i:
                tick_run_end = i
                while tick_run_end < length and text[tick_run_end] == "`":
                    tick_run_end += 1
            ticks = tick_run_end - i
            if ticks > MAX_CODE_TICKS:
                plain.append(text[i:tick_run_end])
                i = tick_run_end
                continue
            closing = scanner.code_end(i + ticks, ticks)
            if closing > i:
                plain.append(text[i + ticks:closing].strip())
                i = closing + ticks
                continue
        if char in "![":
            opening = i + 1 if char == "!" else i
            link = None
            if text[opening:opening + 1] == "[":
                bracket = scanner.next(r"\]", opening + 1)
                link = scanner.link(bracket) if bracket >= 0 else None
            if link:
                label, url = text[opening + 1:bracket].strip(), link[0].strip()
                emit_plain()
                runs.extend(parse_inline(label, bold, italic, _depth + 1))
                if char != "!" and url and url != label:
                    runs.append(Run(f" ({url})", bold, italic))
                i = link[1]
                continue
        if char == "<" and text.startswith(_AUTOLINK_SCHEMES, i + 1):
            colon = text.find(":", i + 1)
            stop = scanner.next(r"[>\s]", colon + 1)
            if stop > colon + 1 and text[stop] == ">":
                plain.append(text[i + 1:stop])
                i = stop + 1
                continue
        if char in "*_" and _depth < MAX_NESTING:
            end = None
            for delimiter in (char * 3, char * 2, char):
                if text.startswith(delimiter, i):
                    end = _closing(text, i, delimiter, scanner)
                    if end is not None:
                        break
            if end is not None:
                emit_plain()
                inner = text[i + len(delimiter):end]
                strong = bold or len(delimiter) >= 2
                slanted = italic or len(delimiter) != 2
                runs.extend(parse_inline(inner, strong, slanted, _depth + 1))
                i = end + len(delimiter)
                continue
        plain.append(char)
        i += 1
    emit_plain()
    return _merge(runs)


def _closing(text: str, start: int, delimiter: str, scanner: _Scanner) -> int | None:
    """Index of the delimiter closing the one at *start*, or None if it is just a character."""
    after = start + len(delimiter)
    if after >= len(text) or text[after].isspace():
        return None
    if delimiter[0] == "_" and start > 0 and text[start - 1].isalnum():
        return None  # snake_case words stay as they are
    closers = scanner.closers(delimiter)
    index = bisect_right(closers, after)
    return closers[index] if index < len(closers) else None


def _merge(runs: list[Run]) -> list[Run]:
    """Neighbouring runs of one style become one (joined once, not piece by piece)."""
    groups: list[tuple[bool, bool, list[str]]] = []
    for run in runs:
        if not run.text:
            continue
        if groups and groups[-1][0] == run.bold and groups[-1][1] == run.italic:
            groups[-1][2].append(run.text)
        else:
            groups.append((run.bold, run.italic, [run.text]))
    return [Run("".join(parts), bold, italic) for bold, italic, parts in groups]
