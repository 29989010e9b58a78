"""Linear-time scanners for the bits of Markdown the lesson checker looks at (links, pictures, words).

Lesson text comes from strangers, so no backtracking regular expression runs over it: a line of
a few kilobytes of ``[(`` once cost minutes. Every scanner here walks the text left to right;
searches for the next ``]``/``)``/``>`` are remembered (:class:`_Next`), so a thousand openers
that share one missing closer cost one search, not a thousand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCHEME_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SCHEME_REST = _SCHEME_FIRST | frozenset("0123456789+.-")


class _Next:
    """``text.find(char, start)`` for many starts, amortised O(1) when starts mostly grow."""

    def __init__(self, text: str, char: str) -> None:
        self.text = text
        self.char = char
        self.start = -1
        self.found = -1

    def __call__(self, start: int) -> int:
        # The last answer holds for every start between the last start and the position found.
        if self.start >= 0 and self.start <= start and (self.found < 0 or start <= self.found):
            return self.found
        self.start = start
        self.found = self.text.find(self.char, start)
        return self.found


class _NextSpace(_Next):
    """Like :class:`_Next`, for the next white-space character (one character class, no backtracking)."""

    _SPACE = re.compile(r"\s")

    def __call__(self, start: int) -> int:
        if self.start >= 0 and self.start <= start and (self.found < 0 or start <= self.found):
            return self.found
        self.start = start
        match = self._SPACE.search(self.text, start)
        self.found = match.start() if match else -1
        return self.found


@dataclass(frozen=True)
class Span:
    """Where a construct sits in a line (``start``/``end`` as in slicing) and the address it names."""

    start: int
    end: int
    url: str = ""
    url_start: int = 0


def inline_images(line: str) -> list[Span]:
    """``![alt](anything)`` anywhere in *line* (what the old ``!\\[[^\\]]*\\]\\([^)]*\\)`` found)."""
    found: list[Span] = []
    close_bracket, close_paren = _Next(line, "]"), _Next(line, ")")
    position = 0
    while True:
        start = line.find("![", position)
        if start < 0:
            return found
        bracket = close_bracket(start + 2)
        if bracket < 0:
            return found
        if bracket + 1 < len(line) and line[bracket + 1] == "(":
            paren = close_paren(bracket + 2)
            if paren < 0:
                return found
            found.append(Span(start, paren + 1))
            position = paren + 1
        else:
            position = start + 1


def remove_spans(line: str, spans: list[Span]) -> str:
    parts, last = [], 0
    for span in spans:
        parts.append(line[last:span.start])
        last = span.end
    parts.append(line[last:])
    return "".join(parts)


def markdown_links(line: str) -> list[Span]:
    """``[text](address …)`` not preceded by ``!``; ``url`` is the address up to a space, ``)`` or ``>``."""
    found: list[Span] = []
    close_bracket, close_paren = _Next(line, "]"), _Next(line, ")")
    position = 0
    length = len(line)
    while True:
        start = line.find("[", position)
        if start < 0:
            return found
        if start > 0 and line[start - 1] == "!":
            position = start + 1
            continue
        bracket = close_bracket(start + 1)
        if bracket < 0:
            return found
        if bracket + 1 >= length or line[bracket + 1] != "(":
            position = bracket + 1  # every "[" before this "]" ends at the same "]"
            continue
        paren = close_paren(bracket + 2)
        if paren < 0:
            return found
        cursor = bracket + 2
        while cursor < paren and line[cursor].isspace():
            cursor += 1
        if cursor < paren and line[cursor] == "<":
            cursor += 1
        url_start = cursor
        while cursor < paren and line[cursor] != ">" and not line[cursor].isspace():
            cursor += 1
        found.append(Span(start, paren + 1, line[url_start:cursor], url_start))
        position = paren + 1


def autolinks(line: str) -> list[Span]:
    """``<scheme:address>`` with no space inside."""
    found: list[Span] = []
    close_angle, next_space = _Next(line, ">"), _NextSpace(line, " ")
    position = 0
    length = len(line)
    while True:
        start = line.find("<", position)
        if start < 0:
            return found
        cursor = start + 1
        if cursor >= length or line[cursor] not in _SCHEME_FIRST:
            position = start + 1
            continue
        while cursor < length and line[cursor] in _SCHEME_REST:
            cursor += 1
        if cursor >= length or line[cursor] != ":":
            position = max(start + 1, cursor)  # the scheme letters cannot start another "<"
            continue
        end = close_angle(cursor)
        if end < 0:
            return found
        space = next_space(cursor)
        if 0 <= space < end:
            position = start + 1
            continue
        address = line[start + 1:end]
        found.append(Span(start, end + 1, address, start + 1))
        position = end + 1


@dataclass(frozen=True)
class ImageLine:
    alt: str
    target: str


def image_line(line: str) -> ImageLine | None:
    """A line holding only ``![alt](bilder/datei.svg "Titel")`` (title and ``<…>`` optional)."""
    text = line.strip()
    if not text.startswith("![") or not text.endswith(")"):
        return None
    bracket = text.find("]", 2)
    if bracket < 0 or bracket + 1 >= len(text) or text[bracket + 1] != "(":
        return None
    inner = text[bracket + 2:-1].lstrip()
    if inner.startswith("<"):
        inner = inner[1:]
    end = 0
    while end < len(inner) and inner[end] not in ")>" and not inner[end].isspace():
        end += 1
    target, rest = inner[:end], inner[end:]
    if not target:
        return None
    if rest.startswith(">"):
        rest = rest[1:]
    if rest.strip():
        title = rest.strip()
        if not rest[0].isspace() or len(title) < 2 or title[0] != '"' or title[-1] != '"' or '"' in title[1:-1]:
            return None
    return ImageLine(text[2:bracket], target)


def longest_word(line: str, skip: list[Span], address_limit: int = 500) -> str:
    """The longest run of non-space characters in *line*; addresses (inside *skip*, or a bare
    ``https://…`` of at most *address_limit* characters) are not counted."""
    longest = ""
    for word in remove_spans(line, sorted(skip, key=lambda span: span.start)).split():
        if "://" in word and len(word) <= address_limit:
            continue
        if len(word) > len(longest):
            longest = word
    return longest


def link_target_spans(line: str) -> list[Span]:
    """The address parts of links and autolinks (so a long address is not taken for a long word)."""
    spans = [Span(link.url_start, link.url_start + len(link.url)) for link in markdown_links(line) if link.url]
    spans += [Span(link.url_start, link.url_start + len(link.url)) for link in autolinks(line)]
    spans.sort(key=lambda span: span.start)
    merged: list[Span] = []
    for span in spans:
        if merged and span.start < merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged
