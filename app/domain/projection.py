"""How large projected text must be, and whether a step fits on the wall at that size.

The presenter and the lesson checker share these numbers, so a step the checker accepts
is never shown below the legible minimum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Body text on the wall is never smaller than this share of the screen height
#: (4.5 % of 1080 px = 49 px, about 6 cm letter height on a 2.5 m high picture).
MIN_TEXT_HEIGHT_FRACTION = 0.045
#: Body text is never larger than this share (short steps would otherwise shout).
MAX_TEXT_HEIGHT_FRACTION = 0.085
#: Margin on every side, as a share of the screen height.
MARGIN_FRACTION = 0.05
#: Title font size relative to body text.
TITLE_SCALE = 1.35
LINE_SPACING = 1.3
#: Width of the text column when the step has a picture beside it.
TEXT_SHARE_WITH_PICTURE = 0.55
#: Average glyph advance relative to the font's pixel size (sans-serif, German text).
AVERAGE_CHAR_WIDTH = 0.52
#: The checker measures against a common 16:10 beamer; wider screens only have more room.
REFERENCE_SCREEN = (1280, 800)

_MARKUP = re.compile(r"(\*\*|__|\*|_|`|\[|\]\([^)]*\))")


def min_text_px(screen_height: int) -> float:
    return screen_height * MIN_TEXT_HEIGHT_FRACTION


def plain_lines(markdown: str) -> list[str]:
    """Paragraphs and list items of *markdown* as plain text, one entry per rendered block."""
    blocks: list[str] = []
    current: list[str] = []
    for raw in markdown.splitlines():
        line = raw.strip()
        is_item = bool(re.match(r"^([-*+]|\d+[.)])\s+", line))
        if not line or is_item:
            if current:
                blocks.append(" ".join(current))
                current = []
            if is_item:
                current.append(re.sub(r"^([-*+]|\d+[.)])\s+", "   ", line))
            continue
        current.append(line.lstrip("#").strip())
    if current:
        blocks.append(" ".join(current))
    return [_MARKUP.sub("", block) for block in blocks if block.strip()]


def wrapped_line_count(text: str, chars_per_line: int) -> int:
    """Lines needed to show *text* with greedy word wrapping at *chars_per_line*."""
    chars_per_line = max(chars_per_line, 8)
    lines = 1
    used = 0
    for word in text.split():
        length = len(word)
        while length > chars_per_line:  # a word longer than a line is broken
            if used:
                lines += 1
            lines += 1
            length -= chars_per_line
            used = 0
        needed = length if used == 0 else used + 1 + length
        if needed > chars_per_line:
            lines += 1
            used = length
        else:
            used = needed
    return lines


@dataclass(frozen=True)
class FitEstimate:
    lines_needed: float
    lines_available: float

    @property
    def fits(self) -> bool:
        return self.lines_needed <= self.lines_available


def estimate_fit(
    body_markdown: str,
    extra_blocks: list[str],
    has_picture: bool,
    screen: tuple[int, int] = REFERENCE_SCREEN,
) -> FitEstimate:
    """Estimate whether body text plus boxes (Übung, Merksatz) fit at the minimum size."""
    width, height = screen
    px = min_text_px(height)
    margin = height * MARGIN_FRACTION
    text_width = width - 2 * margin
    if has_picture:
        text_width *= TEXT_SHARE_WITH_PICTURE
    chars = int(text_width / (px * AVERAGE_CHAR_WIDTH))
    line_height = px * LINE_SPACING
    title_height = px * TITLE_SCALE * LINE_SPACING
    footer = px * 0.8
    usable = height - 2 * margin - title_height - px * 0.6 - footer
    available = usable / line_height
    needed = 0.0
    blocks = plain_lines(body_markdown)
    for block in blocks:
        needed += wrapped_line_count(block, chars)
    needed += 0.4 * max(0, len(blocks) - 1)
    for extra in extra_blocks:
        extra_lines = plain_lines(extra)
        if not extra_lines:
            continue
        # a box: padding above/below plus its lines (box text is not beside the picture)
        needed += 0.8 + sum(wrapped_line_count(b, int((width - 2 * margin) / (px * AVERAGE_CHAR_WIDTH)) - 4) for b in extra_lines)
    return FitEstimate(lines_needed=round(needed, 1), lines_available=round(available, 1))
