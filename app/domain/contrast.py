"""WCAG contrast ratio and the colour themes of the projection (all pairs ≥ 7:1, level AAA)."""

from __future__ import annotations

from dataclasses import dataclass

AAA_RATIO = 7.0


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    a, b = luminance(foreground), luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Theme:
    """Colours of the audience window."""

    name: str
    label: str
    background: str
    text: str
    accent_text: str  # step title
    box_background: str  # Merksatz box
    box_text: str
    exercise_background: str
    exercise_text: str
    muted_text: str  # "Schritt 3 von 9"

    def pairs(self) -> dict[str, tuple[str, str]]:
        return {
            "Text": (self.text, self.background),
            "Titel": (self.accent_text, self.background),
            "Merksatz": (self.box_text, self.box_background),
            "Übung": (self.exercise_text, self.exercise_background),
            "Fußzeile": (self.muted_text, self.background),
        }


LIGHT = Theme(
    name="hell",
    label="Hell (schwarz auf weiß)",
    background="#ffffff",
    text="#000000",
    accent_text="#0b3a6e",
    box_background="#fff1a8",
    box_text="#000000",
    exercise_background="#e3f0ff",
    exercise_text="#000000",
    muted_text="#333333",
)
DARK = Theme(
    name="dunkel",
    label="Dunkel (weiß auf schwarz)",
    background="#000000",
    text="#ffffff",
    accent_text="#ffe066",
    box_background="#3a3000",
    box_text="#ffffff",
    exercise_background="#0b2545",
    exercise_text="#ffffff",
    muted_text="#d0d0d0",
)
THEMES = {theme.name: theme for theme in (LIGHT, DARK)}


def theme(name: str) -> Theme:
    return THEMES.get(name, LIGHT)
