"""One word per thing: avoided words on the wall, and terms shown before they are explained."""

from __future__ import annotations

from app.domain.lesson import Severity
from app.lessons import glossary
from app.lessons.parser import parse_lesson
from tests.lesson_factory import write_lesson

ENTRIES = glossary.parse_glossary("""# Glossar

```
## Beispiel im Codeblock
Nicht verwenden: zählt nicht
```

## Startbildschirm
Bedeutung: Die Seite mit den Apps.
Nicht verwenden: Home-Bildschirm, Homescreen

## WLAN
Nicht verwenden: WLan, WiFi

## TAN
Bedeutung: Geheimzahl für einen Auftrag.
Erklären: ja

## NFC
Erklären: ja
""")

BODY = """
## Zurück zum Home-Bildschirm
Wischen Sie nach oben. Im WLAN geht es schneller als im WLan.

### Notizen
Homescreen sagen viele – hier in den Notizen ist das erlaubt.

## Die Seite ablegen
Teilen → „Zum Home-Bildschirm“ tippen. Dann liegt sie auf dem Startbildschirm.

![Taste mit der Aufschrift WiFi](bilder/taste.svg)

## Auftrag freigeben
Geben Sie die TAN ein.

## Was ist eine TAN?
Eine **TAN** ist eine Geheimzahl für einen einzigen Auftrag.

## Ausweis an das Handy halten
**NFC** (Funk über wenige Zentimeter) liest den Ausweis.

### Merksatz
Mit NFC geht es kontaktlos.
"""

SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600"><rect width="800" height="600" fill="#ffffff"/>
<text x="10" y="60" font-size="40">WiFi</text></svg>"""


def make(tmp_path):
    folder = write_lesson(tmp_path, body=BODY, with_picture=False)
    (folder / "bilder" / "taste.svg").write_text(SVG, encoding="utf-8")
    return folder


def test_entries_are_read_from_markdown():
    assert [entry.term for entry in ENTRIES] == ["Startbildschirm", "WLAN", "TAN", "NFC"]
    assert ENTRIES[0].avoid == ["Home-Bildschirm", "Homescreen"]
    assert [entry.explain for entry in ENTRIES] == [False, False, True, True]


def test_avoided_words_and_unexplained_terms(tmp_path):
    folder = make(tmp_path)
    lesson = parse_lesson(folder)
    found = glossary.check(lesson, ENTRIES)
    assert all(problem.severity is Severity.WARNING for problem in found)
    summary = sorted((problem.line, problem.message.split("«")[0].lstrip("»")) for problem in found)
    # title »Home-Bildschirm« and »WLan« (case matters: »WLAN« is right) at step 1 (line 16);
    # »WiFi« inside the SVG picture of step 2 (picture line 25); the TAN used at line 27 before its
    # explanation at line 30. Notes, quoted labels, the menu path and NFC (explained) are not reported.
    assert summary == [(16, "Home-Bildschirm"), (16, "WLan"), (25, "WiFi"), (27, "TAN")]


def test_shipped_glossary_has_the_issue_words():
    entries = {entry.term: entry for entry in glossary.shipped_glossary()}
    assert "Tastenfeld" in entries["Zahlenfeld"].avoid
    assert "Home-Bildschirm" in entries["Startbildschirm"].avoid
    assert "Ein/Aus-Taste" in entries["Seitentaste"].avoid
    assert "Stummmodus" in entries["Lautlos"].avoid
    assert entries["TAN"].explain and entries["NFC"].explain and entries["Bildschirm-Timeout"].explain


def test_parser_reports_glossary_warnings(tmp_path):
    lesson = parse_lesson(make(tmp_path))  # uses the shipped glossary: »Home-Bildschirm« is avoided there too
    assert any("Home-Bildschirm" in problem.message and problem.line == 16 for problem in lesson.problems)
