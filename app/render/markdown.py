"""The small Markdown of lesson texts, turned into plain paragraphs with bold/italic runs (no Qt).

Supported: paragraphs, hard line breaks, ``**fett**``/``__fett__``, ``*kursiv*``/``_kursiv_``,
``- `` / ``* `` / ``+ `` bullet lists and ``1.`` numbered lists (nested by indentation),
```code``` (printed as plain text), links ``[Text](https://…)`` printed as ``Text (https://…)``
because paper cannot be clicked, ``<https://…>`` autolinks, ``\\`` escapes, and ``#`` headings
inside a text printed as bold paragraphs. Raw HTML is never interpreted: it is printed as the
characters the trainer typed. Anything not understood stays visible as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LINE_SEPARATOR = "\u2028"  # QTextLayout breaks the line here without starting a new paragraph

_BULLET = re.compile(r"^(\s*)([-*+])\s+(.*)$")
_NUMBER = re.compile(r"^(\s*)(\d{1,3})[.)]\s+(.*)$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_ESCAPABLE = "\\`*_{}[]()#+-.!<>|~"


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
        if _FENCE.match(line):
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
        if _RULE.match(line):
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            start(bold=True)
            buffer.append(heading.group(1))
            flush()
            list_indents.clear()
            continue
        quote = _QUOTE.match(line)
        if quote:
            line = quote.group(1)
        item = _BULLET.match(line) or _NUMBER.match(line)
        if item:
            indent = len(item.group(1))
            while list_indents and indent < list_indents[-1]:
                list_indents.pop()
            if not list_indents or indent > list_indents[-1] + 1:
                list_indents.append(indent)
            marker = "•" if item.re is _BULLET else f"{int(item.group(2))}."
            start(marker=marker, level=min(len(list_indents) - 1, 3))
            buffer.append(item.group(3))
            continue
        if current is None:
            list_indents.clear()
            start()
        buffer.append(line.strip() if not line.endswith("  ") else line.strip() + "  ")
    flush()
    return paragraphs


def _join_lines(lines: list[str]) -> str:
    """Soft line breaks become spaces; two trailing spaces or a backslash force a line break."""
    text = ""
    for index, line in enumerate(lines):
        last = index == len(lines) - 1
        if line.endswith("  ") and not last:
            text += line.rstrip() + LINE_SEPARATOR
        elif line.endswith("\\") and not line.endswith("\\\\") and not last:
            text += line[:-1].rstrip() + LINE_SEPARATOR
        else:
            text += line.rstrip() + ("" if last else " ")
    return text


def parse_inline(text: str, bold: bool = False, italic: bool = False) -> list[Run]:
    """Inline emphasis, code, links and escapes of one paragraph."""
    runs: list[Run] = []
    plain: list[str] = []

    def emit_plain() -> None:
        if plain:
            runs.append(Run("".join(plain), bold, italic))
            plain.clear()

    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPABLE:
            plain.append(text[i + 1])
            i += 2
            continue
        if char == "`":
            ticks = len(text[i:]) - len(text[i:].lstrip("`"))
            closing = text.find("`" * ticks, i + ticks)
            if closing > i:
                plain.append(text[i + ticks:closing].strip())
                i = closing + ticks
                continue
        if char in "![":
            link = _LINK.match(text, i)
            if link:
                label, url = link.group(1).strip(), link.group(2).strip()
                emit_plain()
                if char == "!":
                    runs.extend(parse_inline(label, bold, italic))
                else:
                    runs.extend(parse_inline(label, bold, italic))
                    if url and url != label:
                        runs.append(Run(f" ({url})", bold, italic))
                i = link.end()
                continue
        if char == "<":
            auto = _AUTOLINK.match(text, i)
            if auto:
                plain.append(auto.group(1))
                i = auto.end()
                continue
        if char in "*_":
            end = None
            for delimiter in (char * 3, char * 2, char):
                if text.startswith(delimiter, i):
                    end = _closing(text, i, delimiter)
                    if end is not None:
                        break
            if end is not None:
                emit_plain()
                inner = text[i + len(delimiter):end]
                strong = bold or len(delimiter) >= 2
                slanted = italic or len(delimiter) != 2
                runs.extend(parse_inline(inner, strong, slanted))
                i = end + len(delimiter)
                continue
        plain.append(char)
        i += 1
    emit_plain()
    return _merge(runs)


def _closing(text: str, start: int, delimiter: str) -> int | None:
    """Index of the delimiter closing the one at *start*, or None if it is just a character."""
    after = start + len(delimiter)
    if after >= len(text) or text[after].isspace():
        return None
    if delimiter[0] == "_" and start > 0 and text[start - 1].isalnum():
        return None  # snake_case words stay as they are
    search = after
    while True:
        end = text.find(delimiter, search)
        if end < 0:
            return None
        if end > after and not text[end - 1].isspace():
            if text[end - 1] == delimiter[0]:
                search = end + 1  # the tail of a longer run of markers
                continue
            if text[end + len(delimiter):end + len(delimiter) + 1] == delimiter[0] and len(delimiter) < 3:
                search = end + 1  # a longer run of markers: this one closes further right
                continue
            if len(delimiter) == 1 and text[end:end + 2] == delimiter * 2:
                search = end + 2  # "**" inside a "*" span belongs to a bold span
                continue
            if delimiter[0] == "_" and end + len(delimiter) < len(text) and text[end + len(delimiter)].isalnum():
                search = end + 1
                continue
            return end
        search = end + 1


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if merged and merged[-1].bold == run.bold and merged[-1].italic == run.italic:
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        else:
            merged.append(run)
    return merged
