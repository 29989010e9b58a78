"""Benchmark rows for handouts, measured as whole ``kurslotse handout`` commands.

Also home of :func:`write_sample_lesson`, the generated lesson the benchmark and the tests share
(pictures made with Pillow, links, variants, exercises, key sentences, notes).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.bench import BenchContext, Row, median

SAMPLE_LINKS = (
    ("Video: Fotos machen", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("Hilfe von Google", "https://support.google.com/android/answer/9079644?hl=de"),
    ("Apple Support: Kamera", "https://support.apple.com/de-de/guide/iphone/iph2c5d2a6b3/ios"),
    ("Digital-Kompass", "https://www.digital-kompass.de/materialien"),
    ("Verbraucherzentrale", "https://www.verbraucherzentrale.de/wissen/digitale-welt"),
)
SAMPLE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 220">'
    '<rect x="6" y="6" width="388" height="208" rx="24" fill="#eef3ff" stroke="#000" stroke-width="5"/>'
    '<circle cx="110" cy="110" r="64" fill="#2a6fb0"/><rect x="210" y="60" width="150" height="100" fill="#f3c623"/>'
    "</svg>"
)


def _png(path: Path, size: tuple[int, int], colour: str) -> None:
    """A picture that looks like a phone screen: bands and frames (compresses well, decodes like a photo)."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    band = max(20, height // 18)
    for top in range(0, height, band):
        draw.rectangle([width // 25, top + band // 8, width - width // 25, top + band - band // 8],
                       outline="#223344", width=max(2, width // 200))
    draw.ellipse([width // 3, height // 3, 2 * width // 3, height // 3 + width // 3], fill="#2a6fb0")
    image.save(path, optimize=False, compress_level=1)


def write_sample_lesson(root: Path, *, steps: int = 10, links: int = 3, lesson_id: str = "probe-lektion",
                        large_pictures: bool = False) -> Path:
    """Write a lesson folder with *steps* steps (PNG and SVG pictures) and *links* links below *root*."""
    folder = Path(root) / lesson_id
    pictures = folder / "bilder"
    pictures.mkdir(parents=True, exist_ok=True)
    if large_pictures:
        _png(pictures / "hoch.png", (3000, 4000), "#dde8f0")
        _png(pictures / "quer.png", (4000, 2400), "#f0e6dd")
    else:
        _png(pictures / "hoch.png", (1080, 2340), "#dde8f0")
        _png(pictures / "quer.png", (1600, 900), "#f0e6dd")
    (pictures / "schema.svg").write_text(SAMPLE_SVG, encoding="utf-8")
    names = ("hoch.png", "schema.svg", "quer.png")
    blocks = []
    for number in range(1, steps + 1):
        parts = [
            f"## Schritt {number}: Die Kamera-App finden",
            "",
            "Wischen Sie vom unteren Rand nach oben. Dann sehen Sie **alle Apps**. "
            "Suchen Sie die App *Kamera* und tippen Sie einmal darauf.",
            "",
            "- Das Handy ruhig halten",
            "- Erst schauen, dann tippen <b>kein HTML</b>",
            "",
            f"![Bildschirm in Schritt {number}](bilder/{names[number % 3]})",
        ]
        if number % 3 == 0:
            parts += ["", "### Android", "Tippen Sie auf **Einstellungen** (das Zahnrad).",
                      "", "### iPhone", "Öffnen Sie die App *Einstellungen*."]
        if number % 4 == 0:
            parts += ["", "### Übung", "- Öffnen Sie die Kamera.", "- Machen Sie ein Foto vom Tisch."]
        if number % 5 == 0:
            parts += ["", "### Merksatz", "Das Zahnrad bedeutet immer: **Einstellungen**."]
        parts += ["", "### Notizen", f"Notiz für Schritt {number}: langsam zeigen, zweimal wiederholen."]
        blocks.append("\n".join(parts))
    link_lines = "".join(f"  - {title} | {url}\n" for title, url in SAMPLE_LINKS[:links])
    header = (
        "---\n"
        f"id: {lesson_id}\n"
        "titel: Fotos machen und verschicken\n"
        "beschreibung: Mit der Kamera ein Foto machen und es an die Familie schicken.\n"
        "dauer: 45\n"
        "stufe: Einsteiger\n"
        "thema: Fotos\n"
        "lernziele:\n"
        "  - Ich kann ein Foto machen.\n"
        "  - Ich kann ein Foto verschicken.\n"
        + ("links:\n" + link_lines if links else "")
        + "---\n\n"
    )
    (folder / "lektion.md").write_text(header + "\n\n".join(blocks) + "\n", encoding="utf-8")
    return folder


QT_START = "from PySide6.QtGui import QGuiApplication, QPdfWriter; QGuiApplication([])"


def _process(argv: list[str]) -> float:
    """Wall-clock seconds of one process (fails loudly if it fails)."""
    import time

    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} ist fehlgeschlagen: {result.stderr.strip()}")
    return elapsed


def _command(args: list[str], data_dir: Path) -> float:
    """Wall-clock seconds of one ``kurslotse`` command."""
    return _process([sys.executable, "-m", "app", "--daten", str(data_dir), *args])


def rows(ctx: BenchContext) -> list[Row]:
    from app import paths
    from app.lessons.library import lesson_folders

    repeat = 3 if ctx.quick else 7
    work = ctx.fresh_dir("handout")
    data = ctx.fresh_dir("handout-daten")
    lesson = write_sample_lesson(work / "lektionen", steps=10, links=3)
    baseline = median([_command(["--version"], data) for _ in range(repeat)])
    qt_start = median([_process([sys.executable, "-c", QT_START]) for _ in range(repeat)])
    note = f"Python+Qt-Start allein {qt_start:.3f} s; Median aus {repeat} Läufen"
    single = median([_command(["handout", str(lesson), "-o", str(work / "handout.pdf")], data)
                     for _ in range(repeat)])
    result = [Row("Handout: 10 Schritte mit Bildern, 3 Links (ganzer Befehl)", single, "s", 0.5, baseline,
                  "kurslotse --version", note)]
    shipped = [str(folder) for folder in lesson_folders(paths.shipped_lessons_dir())]
    if shipped:
        booklet = median([_command(["handout", *shipped, "-o", str(work / "kursheft.pdf")], data)
                          for _ in range(max(2, repeat // 2))])
        result.append(Row(f"Kursheft: alle {len(shipped)} mitgelieferten Lektionen (ganzer Befehl)", booklet, "s", 5.0,
                          baseline, "kurslotse --version", f"Median aus {max(2, repeat // 2)} Läufen"))
    return result
