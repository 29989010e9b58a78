"""Readability of projected text: the LIX index (Björnsson), which works for German.

LIX = words per sentence + percentage of long words (more than six letters).
Below 40 is easy reading (children's and young people's books); German newspapers reach 50–60.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-zÄÖÜäöüß0-9]+(?:[-'][A-Za-zÄÖÜäöüß0-9]+)*")
_SENTENCE_END = re.compile(r"[.!?:;]+(?=[\s\"“”«»)]|$)")
_MARKUP = re.compile(r"(\*\*|__|`|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|\[)")

#: Limits the shipped lessons keep (the checker warns above them).
LESSON_LIX_LIMIT = 40.0
STEP_LIX_LIMIT = 50.0
STEP_MIN_WORDS = 15  # shorter steps are too small for a meaningful index


@dataclass(frozen=True)
class Lix:
    words: int
    sentences: int
    long_words: int

    @property
    def value(self) -> float:
        if not self.words:
            return 0.0
        return self.words / max(self.sentences, 1) + 100 * self.long_words / self.words


def lix(text: str) -> Lix:
    """LIX of Markdown *text*; a paragraph or list item without final punctuation ends a sentence too."""
    words = 0
    sentences = 0
    long_words = 0
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)", text):
        plain = _MARKUP.sub(" ", block).strip()
        plain = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", plain)
        parts = [part for word in _WORD.findall(plain) for part in word.split("-") if part]
        if not parts:
            continue
        words += len(parts)
        long_words += sum(1 for part in parts if len(part) > 6)
        ends = len(_SENTENCE_END.findall(plain))
        sentences += ends + (0 if re.search(r"[.!?:;][\"“”«»)]*$", plain) else 1)
    return Lix(words=words, sentences=sentences, long_words=long_words)


def projected_text(step) -> str:
    """Everything of a step the audience reads (title, text, both variants, Übung, Merksatz)."""
    parts = [step.title + ".", step.text]
    parts += [variant.text for variant in step.variants.values()]
    parts += [step.exercise, step.key_sentence]
    return "\n\n".join(part for part in parts if part)
