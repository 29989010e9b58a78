"""Soft hyphens for long German words in narrow cells, so a table header breaks »Einzel-veranstaltung«.

Qt breaks a word that does not fit anywhere, without a hyphen (»Einzelveranstaltun|g«). Before a
word reaches a narrow cell we mark the places where it may break with U+00AD; Qt breaks there
first and prints the hyphen. The rule is the simple one German pupils learn first: of the
consonants between two vowels only the last goes to the next line, or a whole onset like gr,
spr, schw (»Ein·zel·veran·stal·tung«, »Alters·gruppe«); ch, ck, sch, ph, th, qu count as one,
and no part is shorter than three letters.
Words that are already short, or have a hyphen or soft hyphen, are left alone.
"""

from __future__ import annotations

import re

SOFT_HYPHEN = "\u00ad"
MIN_WORD = 9
MIN_PART = 3
_VOWELS = set("aeiouäöüyAEIOUÄÖÜY")
_KEEP_TOGETHER = ("sch", "ch", "ck", "ph", "th", "qu")
_ONSETS = {"bl", "br", "dr", "fl", "fr", "gl", "gr", "kl", "kr", "pl", "pr", "tr", "schl", "schm", "schn",
           "schr", "schw", "sp", "spr", "st", "str", "zw", "chr"}
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+")


def _units(cluster: str) -> list[str]:
    """Consonant cluster as units that are never parted (sch, ch, ck, ph, th, qu; st at its end)."""
    units: list[str] = []
    index = 0
    while index < len(cluster):
        for group in _KEEP_TOGETHER:
            if cluster.startswith(group, index):
                units.append(group)
                index += len(group)
                break
        else:
            units.append(cluster[index])
            index += 1
    if len(units) >= 3 and units[-2:] == ["s", "t"]:
        units[-2:] = ["st"]
    return units


def hyphenate_word(word: str) -> str:
    """*word* with soft hyphens at its break points (see module docstring)."""
    if len(word) < MIN_WORD or "-" in word or SOFT_HYPHEN in word:
        return word
    lower = word.lower()
    cuts: list[int] = []
    index = 1
    while index < len(word):
        if lower[index - 1] in _VOWELS and lower[index] not in _VOWELS:
            end = index
            while end < len(word) and lower[end] not in _VOWELS:
                end += 1
            units = _units(lower[index:end])
            if end < len(word) and len(units) >= 2:
                moved = units[-1]  # only the last consonant moves to the next line …
                for count in range(len(units) - 1, 1, -1):  # … or a whole onset: »Alters·gruppe«
                    candidate = "".join(units[-count:])
                    if candidate in _ONSETS:
                        moved = candidate
                        break
                if "".join(units[-2:]) in _ONSETS and len("".join(units[-2:])) > len(moved):
                    moved = "".join(units[-2:])
                cut = end - len(moved)
                if MIN_PART <= cut <= len(word) - MIN_PART:
                    cuts.append(cut)
            index = end
        else:
            index += 1
    for cut in sorted(set(cuts), reverse=True):
        word = word[:cut] + SOFT_HYPHEN + word[cut:]
    return word


def hyphenate(text: str) -> str:
    """Every long word of *text* with soft hyphens."""
    return _WORD.sub(lambda match: hyphenate_word(match.group(0)), text)
