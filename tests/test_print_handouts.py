"""Handouts on a black-and-white office printer for a reader with poor eyesight (issue 14).

One booklet of every shipped lesson is rendered once per module (it carries every handout's
content) and checked: no step parted from its picture, device parts marked, one typeface,
metadata and bookmarks, and every picture and box still carries ink after 1-bit thresholding.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageFilter
from pypdf import PdfReader
from test_render_support import decode_qr_codes, page_texts, placed_blocks, quick_page_texts, render_pages, text_runs

from app.lessons.parser import parse_lesson
from app.render.blocks import Box
from app.render.booklet import build_booklet
from app.render.handout import HandoutOptions, build_handout
from app.render.keep import DeviceLabel, DevicePart
from app.render.output import write_pdf
from app.render.pictures import PictureBlock
from app.render.qr import QrCode, align_codes
from app.render.text import HEADING, Text
from app.render.units import to_mm

ROOT = Path(__file__).resolve().parent.parent
DPI = 60
STEP_HEADING = re.compile(r"^\d+\. ")


def shipped_lessons():
    """The lessons in the repository (folders other helpers are still writing are not tracked yet)."""
    listed = subprocess.run(["git", "ls-files", "lektionen/*/lektion.md"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.split()
    folders = sorted({(ROOT / name).parent for name in listed}) or sorted(p.parent for p in (ROOT / "lektionen").glob("*/lektion.md"))
    return [parse_lesson(folder, check_pictures=False) for folder in folders]


@pytest.fixture(scope="module")
def booklet(qapp, tmp_path_factory):
    lessons = shipped_lessons()
    target = tmp_path_factory.mktemp("heft") / "kursheft.pdf"
    options = HandoutOptions(course="Handy-Treff", trainer="Gisela Beispiel", duplex=True)
    layout = write_pdf(build_booklet(lessons, options), target)
    return lessons, layout, target


def _text_of(block: Text) -> str:
    return "".join(run.text for paragraph in block.paragraphs for run in paragraph.runs)


def split_steps(layout) -> list[str]:
    """Steps whose heading, first text or first picture landed on different pages; device labels alone."""
    problems = []
    current = None  # [title, heading page, first text page, first picture page]
    steps = []
    pending_label = None
    for page, block, _y in placed_blocks(layout):
        if isinstance(block, Text) and block.style == HEADING and STEP_HEADING.match(_text_of(block)):
            current = {"title": _text_of(block), "heading": page, "text": None, "picture": None}
            steps.append(current)
            continue
        if isinstance(block, DeviceLabel):
            pending_label = (block.text, page)
            continue
        if pending_label and not isinstance(block, DevicePart):
            if block.height > 0 and page != pending_label[1]:
                problems.append(f"Gerätebezeichnung »{pending_label[0]}« allein auf Seite {pending_label[1]}")
            pending_label = None
        if current is None:
            continue
        if isinstance(block, Text) and current["text"] is None and block.style != HEADING:
            current["text"] = page
        if isinstance(block, PictureBlock) and current["picture"] is None:
            current["picture"] = page
    for step in steps:
        pages = {step["heading"], *(p for p in (step["text"], step["picture"]) if p is not None)}
        if len(pages) > 1:
            problems.append(f"Schritt »{step['title']}« verteilt auf Seiten {sorted(pages)}")
    return problems


def test_no_step_is_parted_from_its_text_or_picture(booklet) -> None:
    lessons, layout, _target = booklet
    assert sum(len(lesson.steps) for lesson in lessons) >= 130
    assert split_steps(layout) == []


def test_no_step_is_parted_in_device_only_handouts(qapp) -> None:
    from app.render.output import a4_layout
    from app.render.units import mm

    size = a4_layout().fullRect().size()
    problems = []
    for lesson in shipped_lessons():
        for choice in ("android", "iphone"):
            layout = build_handout(lesson, HandoutOptions.for_choice(choice)).layout(mm(size.width()), mm(size.height()))
            problems += [f"{lesson.id} ({choice}): {p}" for p in split_steps(layout)]
    assert problems == []


def test_every_lesson_starts_on_a_right_hand_page_when_duplex(booklet) -> None:
    lessons, layout, target = booklet
    starts = [layout.anchors[f"lektion-{index}"] for index in range(len(lessons))]
    assert all(page % 2 == 1 for page in starts), starts
    texts = quick_page_texts(target)
    for lesson, page in zip(lessons, starts):
        assert lesson.title in texts[page - 1]


def test_only_the_bundled_typeface_and_no_ligatures(booklet) -> None:
    _lessons, _layout, target = booklet
    reader = PdfReader(str(target))
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).lstrip("/"))
    assert fonts and all(name.startswith("AtkinsonHyperlegible") for name in fonts), fonts
    text = "\n".join(quick_page_texts(target))
    assert not any("\ufb00" <= char <= "\ufb06" for char in text)  # ﬀ ﬁ ﬂ … would break search
    assert "öffnen" in text or "Öffnen" in text


def test_metadata_language_and_a_bookmark_per_lesson(booklet) -> None:
    lessons, layout, target = booklet
    reader = PdfReader(str(target))
    assert reader.metadata.title == "Kursheft – Handy-Treff"
    assert reader.metadata.author == "Gisela Beispiel"
    assert reader.trailer["/Root"]["/Lang"] == "de-DE"
    marks = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    for index, lesson in enumerate(lessons):
        assert marks[lesson.title] == layout.anchors[f"lektion-{index}"] - 1


def test_addresses_beside_the_codes_are_clickable(booklet) -> None:
    lessons, _layout, target = booklet
    reader = PdfReader(str(target))
    uris = {annotation.get_object()["/A"]["/URI"] for page in reader.pages for annotation in page.get("/Annots") or []}
    wanted = {link.url for lesson in lessons for link in lesson.links}
    assert wanted <= uris


def _ink(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int]:
    """(pixels clearly darker than paper in grey, pixels black after a 50 % threshold) in *box*.

    Pale tints (lighter than 200 of 255) print white by design (see app/lessons/svg_checks.py)
    and are not counted as ink that must survive.
    """
    crop = image.crop(box).convert("L")
    histogram = crop.histogram()
    return sum(histogram[:200]), sum(histogram[:128])


def vanishing_blocks(layout, target: Path, dpi: int = DPI) -> list[str]:
    """Pictures, boxes, codes and charts whose ink mostly disappears on a black-and-white printer."""
    from app.render.attendance_sheets import Certificate
    from app.render.blocks import Table
    from app.render.charts import BarChart

    images = render_pages(target, dpi)
    body = layout.body
    scale = dpi / 720
    problems = []
    for page, block, y in placed_blocks(layout):
        if not isinstance(block, PictureBlock | Box | QrCode | BarChart | DevicePart | Table | Certificate):
            continue
        left = body.left()
        box = (int(left * scale), int((body.top() + y) * scale), int((left + block.width) * scale) + 1,
               int((body.top() + y + block.height) * scale) + 1)
        grey, black = _ink(images[page - 1], box)
        name = getattr(getattr(block, "picture", None), "name", type(block).__name__)
        if black == 0 or black < 0.35 * grey:
            problems.append(f"Seite {page}: {name} behält nur {black} von {grey} Punkten Tinte")
    return problems


def test_every_picture_and_box_keeps_its_ink_in_one_bit(booklet) -> None:
    _lessons, layout, target = booklet
    assert vanishing_blocks(layout, target) == []


def test_the_one_bit_check_catches_an_orange_box(qapp, tmp_path) -> None:
    """The check itself: the old orange »Gesponsert = Werbung« box (white text on #e07b00) vanishes."""
    from tests.lesson_factory import write_lesson

    folder = write_lesson(tmp_path / "l")
    (folder / "bilder" / "telefon.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600">'
        '<rect x="40" y="150" width="720" height="300" rx="30" fill="#e07b00"/>'
        '<text x="400" y="330" font-size="80" fill="#ffffff" text-anchor="middle">Gesponsert</text></svg>',
        encoding="utf-8")
    target = tmp_path / "orange.pdf"
    layout = write_pdf(build_handout(parse_lesson(folder)), target)
    assert any("telefon.svg" in problem for problem in vanishing_blocks(layout, target))
    # the picture's text names no font: it still prints in the bundled face, no second font
    assert all("AtkinsonHyperlegible" in run.font for run in text_runs(target)), {run.font for run in text_runs(target)}


def test_device_parts_are_marked_and_a_device_only_handout_drops_the_other(qapp, tmp_path) -> None:
    lesson = next(item for item in shipped_lessons() if item.id == "einstellungen-leichter")
    both = tmp_path / "beide.pdf"
    write_pdf(build_handout(lesson, HandoutOptions()), both)
    text = " ".join(page_texts(both))
    assert "Auf dem Android-Handy" in text and "Auf dem iPhone" in text
    iphone = tmp_path / "iphone.pdf"
    write_pdf(build_handout(lesson, HandoutOptions.for_choice("iphone")), iphone)
    text = " ".join(page_texts(iphone))
    assert "Android" not in text and "Samsung" not in text
    codes = {code.text for code in decode_qr_codes(iphone)}
    assert "https://support.apple.com/de-de/iphone" in codes
    assert not any("android" in code or "samsung" in code for code in codes)


def test_qr_modules_stay_large_for_long_addresses_and_codes_line_up(qapp, tmp_path) -> None:
    short = QrCode("https://bsi.bund.de/", "Kurz")
    long = QrCode("https://www.verbraucherzentrale.de/wissen/digitale-welt/phishingradar/"
                  "phishingradar-aktuelle-warnungen-6059?utm_source=handout&utm_medium=papier&x=" + "a" * 60, "Lang")
    for code in (short, long):
        assert to_mm(code.module_size) >= 0.8
    align_codes([short, long])
    assert short.text_x == long.text_x >= long.side


def test_codes_decode_from_a_blurred_phone_photo(qapp, tmp_path) -> None:
    """30 % of a 150 dpi rendering, slightly blurred: what a phone photo of the page resolves."""
    import zxingcpp

    from tests.lesson_factory import META, STEPS, write_lesson

    urls = ["https://support.google.com/android?hl=de",
            "https://www.verbraucherzentrale.de/wissen/digitale-welt/phishingradar/phishingradar-aktuelle-warnungen-6059"]
    meta = META.replace("  - Hilfe von Google | https://support.google.com/android?hl=de\n",
                        "".join(f"  - Link {n} | {url}\n" for n, url in enumerate(urls)))
    folder = write_lesson(tmp_path / "qr", meta=meta.format(id="qr", title="QR", topic="Grundlagen"), body=STEPS)
    target = tmp_path / "qr.pdf"
    write_pdf(build_handout(parse_lesson(folder)), target)
    found = set()
    for image in render_pages(target, 150):
        small = image.convert("L").resize((int(image.width * 0.3), int(image.height * 0.3)), Image.LANCZOS)
        small = small.filter(ImageFilter.GaussianBlur(0.6))
        found |= {code.text for code in zxingcpp.read_barcodes(small, formats=zxingcpp.BarcodeFormat.QRCode)}
    assert set(urls) <= found


def test_no_page_holds_only_note_lines(booklet) -> None:
    from app.render.blocks import Lines

    _lessons, layout, _target = booklet
    for number, page in enumerate(layout.pages, 1):
        if not page.placed:
            continue  # the blank left-hand page before a lesson in a duplex booklet
        kinds = {type(block).__name__ for _page, block, _y in placed_blocks_of_page(page)}
        assert kinds - {"Group", "Lines", "Text"} or not any(
            isinstance(block, Lines) for _p, block, _y in placed_blocks_of_page(page)), f"Seite {number}: nur Notizlinien"


def placed_blocks_of_page(page):
    from types import SimpleNamespace

    return placed_blocks(SimpleNamespace(pages=[page]))


def test_pdf_finishing_falls_back_to_pypdf_for_a_foreign_structure(qapp, monkeypatch) -> None:
    """When the hand-written update cannot be appended (a structure not like Qt's), pypdf finishes the PDF."""
    import io

    from app.render import output
    from app.render.document import Document, Section

    document = Document(title="Probe")
    document.author = "Kursleitung Probe"
    document.add(Section("Erster Teil"), Text("Eins"))
    monkeypatch.setattr(output, "_append_update", lambda *args: None)
    data, _layout = output.render_pdf_bytes(document)
    reader = PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "de-DE"
    assert [item.title for item in reader.outline] == ["Erster Teil"]
    assert reader.metadata.author == "Kursleitung Probe"
