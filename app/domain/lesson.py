"""Plain data of a lesson (Lektion) and its steps; no Qt, no file access."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class Device(str, Enum):
    """Geräteart whose variant of a step is shown."""

    ANDROID = "android"
    IPHONE = "iphone"

    @property
    def label(self) -> str:
        return {"android": "Android", "iphone": "iPhone"}[self.value]


class Severity(str, Enum):
    ERROR = "fehler"
    WARNING = "warnung"


@dataclass(frozen=True)
class Problem:
    """One checker finding, printed as ``datei:zeile: Meldung``."""

    path: Path
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def format(self, base: Path | None = None) -> str:
        shown = self.path
        if base is not None:
            try:
                shown = self.path.relative_to(base)
            except ValueError:
                pass
        prefix = "Warnung: " if self.severity is Severity.WARNING else ""
        return f"{shown}:{self.line}: {prefix}{self.message}"


@dataclass(frozen=True)
class Picture:
    """A picture of a step: file inside the lesson folder plus its alt text."""

    path: Path
    alt: str = ""
    line: int = 0


@dataclass(frozen=True)
class Link:
    """A link with title; becomes a QR code on handouts."""

    title: str
    url: str
    line: int = 0


@dataclass
class Variant:
    """The Android- or iPhone-specific part of a step."""

    text: str = ""
    picture: Picture | None = None


@dataclass
class Step:
    """One step of a lesson: what is projected, what the trainer reads, what participants do."""

    title: str
    text: str = ""
    picture: Picture | None = None
    variants: dict[Device, Variant] = field(default_factory=dict)
    notes: str = ""
    exercise: str = ""
    key_sentence: str = ""
    line: int = 0

    def text_for(self, device: Device) -> str:
        """Projected Markdown for *device*: the common text followed by the device's variant."""
        variant = self.variants.get(device)
        parts = [self.text.strip()]
        if variant and variant.text.strip():
            parts.append(variant.text.strip())
        return "\n\n".join(part for part in parts if part)

    def picture_for(self, device: Device) -> Picture | None:
        variant = self.variants.get(device)
        if variant and variant.picture is not None:
            return variant.picture
        return self.picture

    @property
    def differs_by_device(self) -> bool:
        return any(v.text.strip() or v.picture for v in self.variants.values())

    def exercise_items(self) -> list[str]:
        """Exercise tasks: list items become separate tasks, otherwise the whole text is one."""
        items = []
        for raw in self.exercise.splitlines():
            line = raw.strip()
            for marker in ("- ", "* ", "+ "):
                if line.startswith(marker):
                    items.append(line[len(marker):].strip())
                    break
            else:
                stripped = line.split(". ", 1)
                if len(stripped) == 2 and stripped[0].isdigit():
                    items.append(stripped[1].strip())
                elif line and items:
                    items[-1] += " " + line
                elif line:
                    items.append(line)
        return items


LEVELS = ("Einsteiger", "Fortgeschrittene")


@dataclass
class Lesson:
    """A lesson loaded from ``lektion.md``; ``problems`` holds what the checker found."""

    id: str
    title: str
    folder: Path
    source: Path
    description: str = ""
    duration_minutes: int = 0
    level: str = ""
    topic: str = ""
    goals: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    devices: tuple[Device, ...] = (Device.ANDROID, Device.IPHONE)
    author: str = ""
    revision: str = ""
    steps: list[Step] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    user_lesson: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def is_broken(self) -> bool:
        """A broken lesson is listed with its error but cannot be presented."""
        return bool(self.errors) or not self.steps

    def summary(self) -> dict[str, object]:
        """Metadata as plain JSON-able data (``kurslotse lektionen liste --json``)."""
        return {
            "id": self.id,
            "titel": self.title,
            "beschreibung": self.description,
            "thema": self.topic,
            "stufe": self.level,
            "dauer_minuten": self.duration_minutes,
            "schritte": len(self.steps),
            "geraete": [d.value for d in self.devices],
            "links": [{"titel": link.title, "url": link.url} for link in self.links],
            "lernziele": list(self.goals),
            "ordner": str(self.folder),
            "eigene_lektion": self.user_lesson,
            "fehler": [p.format() for p in self.errors],
        }
