"""The course booklet: cover, contents whose page numbers are right, every lesson and every QR code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_render_support import body_runs_too_small, decode_qr_codes, placed_blocks, quick_page_texts, text_runs

from app import paths
from app.bench.handout import write_sample_lesson
from app.lessons.library import load_library
from app.lessons.parser import parse_lesson
from app.render.booklet import build_booklet
from app.render.handout import HandoutOptions
from app.render.output import write_pdf


def _check_booklet(lessons, target: Path, *, pictures_with_codes: bool = False) -> list[str]:
    layout = write_pdf(build_booklet(lessons, HandoutOptions(course="Handy-Treff", trainer="Gisela Beispiel")), target)
    texts = quick_page_texts(target)
    assert len(texts) == layout.page_count
    cover = texts[0]
    # the contents start on the cover and continue on the next page when the library is large
    contents = " ".join(texts[:2]) if len(lessons) > 8 else cover
    assert cover.startswith("Kurslotse Kursheft – Handy-Treff") and "Seite 1 von" not in cover
    assert "Inhalt 1." in contents
    for number, lesson in enumerate(lessons, 1):
        match = re.search(re.escape(f"{number}. {lesson.title}") + r"[ .]*?(\d+)\b", contents)
        assert match, f"Eintrag {number} fehlt im Inhalt: {contents}"
        page = int(match.group(1))
        # the lesson starts on that page: running header and the title come first
        # (a long title is shortened with "…" in the running header, never in the heading)
        start = texts[page - 1][: 2 * len(lesson.title) + 20]
        assert start.startswith("Kurslotse ") and f" {lesson.title}" in start.removeprefix("Kurslotse"), start
        assert f"Seite {page} von {layout.page_count}" in texts[page - 1]
    urls = sorted(link.url for lesson in lessons for link in lesson.links)
    if pictures_with_codes:  # the QR lesson's pictures show example codes; count only the link codes
        boxes = _qr_boxes(layout)
        # only the pages the layout put a link code on (codes elsewhere are not counted anyway)
        codes = decode_qr_codes(target, pages={page for page, _box, _url in boxes})
        codes = [code for code in codes if any(page == code.page and _inside(code.centre_mm, box) and url == code.text
                                               for page, box, url in boxes)]
        assert len(boxes) == len(urls)
    else:
        codes = decode_qr_codes(target)
    assert sorted(code.text for code in codes) == urls
    runs = text_runs(target)
    assert all("Atkinson" in run.font for run in runs), {run.font for run in runs}
    assert body_runs_too_small(runs, [lesson.folder for lesson in lessons]) == []
    return texts


def _qr_boxes(layout):
    """(page, (left, top, right, bottom) in mm, url) of every QR code block the layout placed."""
    from app.render.qr import QrCode
    from app.render.units import to_mm

    body = layout.body
    boxes = []
    for number, block, y in placed_blocks(layout):
        if isinstance(block, QrCode):
            left, top = body.left(), body.top() + y
            side = block.side
            boxes.append((number, tuple(to_mm(v) for v in (left, top, left + side, top + side)), block.url))
    return boxes


def _inside(point, box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def test_booklet_of_generated_lessons(qapp, tmp_path: Path) -> None:
    lessons = [parse_lesson(write_sample_lesson(tmp_path, steps=steps, links=links, lesson_id=f"lektion-{steps}"))
               for steps, links in ((3, 1), (12, 3), (5, 0))]
    _check_booklet(lessons, tmp_path / "heft.pdf")


def test_booklet_of_all_shipped_lessons(qapp, tmp_path: Path) -> None:
    library = load_library([paths.shipped_lessons_dir()])
    lessons = [lesson for lesson in library.lessons if not lesson.is_broken]
    if not lessons:
        pytest.skip("noch keine mitgelieferten Lektionen")
    texts = _check_booklet(lessons, tmp_path / "alle.pdf", pictures_with_codes=True)
    for lesson in lessons:
        for number, step in enumerate(lesson.steps, 1):
            assert any(f"{number}. {step.title}" in page for page in texts), step.title
