"""Benchmark rows for handouts, measured as whole ``kurslotse handout`` commands on the demo data folder.

Each row runs the command a trainer runs (letterhead from the organisation settings) and prints
the lighter variant, an empty data folder, beside it; then the booklet of all shipped lessons and,
when LibreOffice is installed, the same handout converted from HTML by LibreOffice.

Also home of :func:`write_sample_lesson`, the generated lesson the benchmark and the tests share
(pictures made with Pillow, links, variants, exercises, key sentences, notes).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from app.bench import (
    BenchContext,
    ProcessRun,
    Row,
    demo_data_dir,
    german,
    median,
    run_process,
)

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


SHIPPED_LESSON = "qr-codes-scannen"  # the command the README shows


def _command(args: list[str], data_dir: Path) -> ProcessRun:
    """One ``kurslotse`` command, the way a trainer types it (``--daten`` picks the folder)."""
    return run_process([sys.executable, "-m", "app", "--daten", str(data_dir), *args])


def _medians(runs: list[ProcessRun]) -> tuple[float, float, float]:
    """(median wall seconds, median CPU seconds, highest peak MiB) of several runs."""
    return median([r.seconds for r in runs]), median([r.cpu_seconds for r in runs]), max(r.peak_mib for r in runs)


def _side_by_side(args: list[str], real: Path, light: Path, repeat: int) -> tuple[list[ProcessRun], list[ProcessRun]]:
    """The same command on the demo data folder and on an empty one, interleaved (same machine load)."""
    populated, empty = [], []
    for _ in range(repeat):
        populated.append(_command(args, real))
        empty.append(_command(args, light))
    return populated, empty


def rows(ctx: BenchContext) -> list[Row]:
    from app import paths
    from app.lessons.library import lesson_folders

    repeat = 3 if ctx.quick else 7
    work = ctx.fresh_dir("handout")
    data = demo_data_dir(ctx)
    empty = ctx.fresh_dir("handout-leer")
    lesson = write_sample_lesson(work / "lektionen", steps=10, links=3)
    version = median([_command(["--version"], data).seconds for _ in range(repeat)])
    result = []
    for label, target in ((f"»{SHIPPED_LESSON}« (mitgeliefert)", SHIPPED_LESSON),
                          ("10 Schritte mit Bildern, 3 Links", str(lesson))):
        populated, light = _side_by_side(["handout", target, "-o", str(work / "handout.pdf")], data, empty, repeat)
        seconds, cpu, peak = _medians(populated)
        light_seconds, _, light_peak = _medians(light)
        result.append(Row(f"Handout {label}, Demo-Datenordner", seconds, "s", 0.4, light_seconds,
                          "leichtere Variante: leerer Datenordner",
                          f"Median aus {repeat}; CPU {german(cpu)} s; leerer Ordner Spitze "
                          f"{german(light_peak, 0)} MiB; »kurslotse --version« {german(version)} s",
                          peak_mib=peak, peak_target_mib=80))
    shipped = [str(folder) for folder in lesson_folders(paths.shipped_lessons_dir())]
    if shipped:
        runs = [_command(["handout", *shipped, "-o", str(work / "kursheft.pdf")], data)
                for _ in range(max(2, repeat // 2))]
        seconds, cpu, peak = _medians(runs)
        result.append(Row(f"Kursheft: alle {len(shipped)} mitgelieferten Lektionen, Demo-Datenordner", seconds, "s",
                          2.0, version, "kurslotse --version",
                          f"Median aus {len(runs)}; CPU {german(cpu)} s", peak_mib=peak))
    result.append(_office_row(ctx, lesson, data, repeat))
    return result


def _office_row(ctx: BenchContext, lesson: Path, data: Path, repeat: int) -> Row:
    """What trainers use today: the same handout as HTML, converted to PDF by LibreOffice."""
    name = "Vergleich LibreOffice: dasselbe Handout als HTML → PDF"
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        return Row(name, float("nan"), "x", target=0.2, note="LibreOffice (soffice) ist nicht installiert")
    work = ctx.fresh_dir("handout-office")
    html = write_equivalent_html(lesson, work)
    profile = (work / "profil").as_uri()
    convert = [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(work),
               str(html)]
    run_process(convert)  # the first start sets up LibreOffice's profile folder: not measured
    office_runs, ours = [], []
    for _ in range(max(2, repeat // 2)):  # interleaved, as the other rows: both see the same machine load
        office_runs.append(run_process(convert))
        ours.append(_command(["handout", str(lesson), "-o", str(work / "kurslotse.pdf")], data))
    office_seconds, ours_seconds = median([r.seconds for r in office_runs]), median([r.seconds for r in ours])
    return Row("Verhältnis Kurslotse-Handout / LibreOffice-Umwandlung", ours_seconds / office_seconds, "x", target=0.2,
               note=f"Kurslotse {german(ours_seconds)} s, LibreOffice {german(office_seconds)} s "
                    f"(Spitze {german(max(r.peak_mib for r in office_runs), 0)} MiB); Median aus {len(ours)}")


def write_equivalent_html(lesson: Path, work: Path) -> Path:
    """The lesson as one HTML page: same text, the same pictures, one QR code picture per link."""
    import html
    import re

    import qrcode

    from app.lessons.library import load_library

    work.mkdir(parents=True, exist_ok=True)
    parsed = load_library([lesson.parent]).lessons[0]
    parts = [f"<html><head><meta charset='utf-8'><title>{html.escape(parsed.title)}</title></head><body>",
             f"<h1>{html.escape(parsed.title)}</h1>"]
    text = (lesson / "lektion.md").read_text(encoding="utf-8").split("---", 2)[-1]
    for line in text.splitlines():
        picture = re.match(r"!\[(.*)\]\((.+)\)", line.strip())
        if picture:
            parts.append(f"<p><img src='{(lesson / picture.group(2)).as_uri()}' alt='{html.escape(picture.group(1))}' "
                         "style='max-width:16cm;max-height:10cm'></p>")
        elif line.startswith("#"):
            level = min(6, len(line) - len(line.lstrip("#")))
            parts.append(f"<h{level}>{html.escape(line.lstrip('#').strip())}</h{level}>")
        elif line.strip():
            parts.append(f"<p>{html.escape(line.strip())}</p>")
    for number, link in enumerate(parsed.links):
        code = work / f"qr-{number}.png"
        qrcode.make(link.url).save(code)
        parts.append(f"<p><img src='{code.as_uri()}' width='120'> {html.escape(link.title)}: "
                     f"{html.escape(link.url)}</p>")
    target = work / "handout.html"
    target.write_text("\n".join(parts) + "</body></html>", encoding="utf-8")
    return target
