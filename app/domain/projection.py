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
#: Average glyph advance relative to the pixel size (Atkinson Hyperlegible measures 0.44 for
#: German sentences, bold 0.48; the margin covers word-wrap waste and bold words).
AVERAGE_CHAR_WIDTH = 0.50
TITLE_CHAR_WIDTH = 0.53
#: Space below each paragraph, and padding/gaps around Übung and Merksatz boxes (× pixel size).
BLOCK_SPACING = 0.35
BOX_PADDING = 0.45
GAP = 0.6
FOOTER_FRACTION = 0.032
#: Real text layout (list indents, bold words, line breaks) needs a little more than the estimate;
#: tests/test_projection_fit.py checks that "fits" here never overflows in the presenter.
ESTIMATE_SAFETY = 1.15
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


def boxed_markdown(label: str, markdown: str) -> str:
    """Box text with its label: inline before a sentence, on its own line before a list."""
    first = markdown.lstrip().split("\n", 1)[0]
    if re.match(r"^([-*+]|\d+[.)])\s", first):
        return f"**{label}:**\n\n{markdown}"
    return f"**{label}:** {markdown}"


def _chars(width: float, px: float, factor: float = AVERAGE_CHAR_WIDTH) -> int:
    return max(8, int(width / (px * factor)))


def _text_height(markdown: str, width: float, px: float) -> float:
    blocks = plain_lines(markdown)
    lines = sum(wrapped_line_count(block, _chars(width, px)) for block in blocks)
    return lines * px * LINE_SPACING + len(blocks) * px * BLOCK_SPACING


def estimate_fit(
    title: str,
    body_markdown: str,
    boxes: list[tuple[str, str]],
    has_picture: bool,
    screen: tuple[int, int] = REFERENCE_SCREEN,
) -> FitEstimate:
    """Estimate whether a step fits on *screen* at the minimum text size.

    Mirrors the presenter's layout (title, body beside the picture, Übung/Merksatz boxes
    across the full width) without needing Qt, so the checker can run anywhere.
    """
    width, height = screen
    px = min_text_px(height)
    margin = height * MARGIN_FRACTION
    content_w = width - 2 * margin
    content_h = height - 2 * margin - height * FOOTER_FRACTION * 1.6
    title_px = px * TITLE_SCALE
    title_lines = wrapped_line_count(title, _chars(content_w, title_px, TITLE_CHAR_WIDTH))
    used = title_lines * title_px * LINE_SPACING + title_px * BLOCK_SPACING + px * GAP
    if body_markdown.strip():
        body_w = content_w * TEXT_SHARE_WITH_PICTURE if has_picture else content_w
        used += _text_height(body_markdown, body_w, px)
    for label, markdown in boxes:
        if markdown.strip():
            inner = content_w - 2 * px * BOX_PADDING
            used += _text_height(boxed_markdown(label, markdown), inner, px) + 2 * px * BOX_PADDING + px * GAP
    line = px * LINE_SPACING
    used *= ESTIMATE_SAFETY
    return FitEstimate(lines_needed=round(used / line, 1), lines_available=round(content_h / line, 1))
