"""Write lesson folders for tests: a valid lesson by default, with hooks to break it on purpose."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600" width="800" height="600">
<rect x="250" y="40" width="300" height="520" rx="40" fill="#ffffff" stroke="#1a1a1a" stroke-width="12"/>
<circle cx="400" cy="300" r="60" fill="#0b3a6e"/></svg>
"""

META = """---
id: {id}
titel: {title}
beschreibung: Eine Lektion für Tests.
dauer: 30
stufe: Einsteiger
thema: {topic}
geraete: android, iphone
lernziele:
  - Ich kann etwas.
links:
  - Hilfe von Google | https://support.google.com/android?hl=de
  - Hilfe von Apple | https://support.apple.com/de-de/iphone
---
"""

STEPS = """
## Das Telefon einschalten
Halten Sie die **Ein-Taste** gedrückt.

![Ein Telefon](bilder/telefon.svg)

### Android
Die Taste ist rechts an der Seite.

### iPhone
Die Taste ist rechts, beim iPhone heißt sie Seitentaste.

### Notizen
GEHEIMNOTIZ-fuer-Lotsen: Manche drücken zu kurz.

## Wischen üben
Legen Sie einen Finger auf den Bildschirm und ziehen Sie ihn nach oben.

### Übung
- Wischen Sie dreimal nach oben.
- Wischen Sie einmal nach unten.

### Merksatz
Wischen heißt: Finger auflegen und ziehen.

## Fertig
Sie haben es geschafft.
"""


def write_lesson(root: Path, lesson_id: str = "test-lektion", title: str = "Test-Lektion", topic: str = "Grundlagen",
                 body: str | None = None, meta: str | None = None, with_picture: bool = True) -> Path:
    folder = root / lesson_id
    (folder / "bilder").mkdir(parents=True, exist_ok=True)
    if with_picture:
        (folder / "bilder" / "telefon.svg").write_text(SVG, encoding="utf-8")
    text = (meta if meta is not None else META.format(id=lesson_id, title=title, topic=topic)) + (body if body is not None else STEPS)
    (folder / "lektion.md").write_text(text, encoding="utf-8")
    return folder


def write_png(path: Path, size: tuple[int, int], colour: str = "#336699") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path
