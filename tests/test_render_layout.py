"""Pagination rules of the renderer, checked on laid-out pages (no PDF needed)."""

from __future__ import annotations

import random

import pytest
from PySide6.QtGui import QImage

from app.render.blocks import Box, Checklist, Lines, TableOfContents
from app.render.document import EPSILON, Anchor, Block, Document, PageBreak
from app.render.pictures import LoadedPicture, PictureBlock
from app.render.text import BODY, Text, heading
from app.render.units import mm

A4 = (mm(210), mm(297))
WORDS = "Tippen Sie auf das Zahnrad und dann auf Töne oder Anzeige oder Sicherheit".split()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + "."


def _picture(width: int, height: int) -> LoadedPicture:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(0xDDDDDD)
    return LoadedPicture("bild.png", "", width, height, image=image)


def _random_document(seed: int) -> Document:
    rng = random.Random(seed)
    document = Document()
    for number in range(rng.randint(8, 25)):
        document.add(heading(f"{number + 1}. Schritt", 2))
        for _ in range(rng.randint(0, 3)):
            document.add(Text(_sentence(rng, rng.randint(5, 160)), BODY))
        if rng.random() < 0.6:
            document.add(PictureBlock(_picture(rng.randint(200, 2000), rng.randint(200, 3000))))
        if rng.random() < 0.3:
            document.add(Box(Text(_sentence(rng, 20), BODY, space_before=0, space_after=0)))
        if rng.random() < 0.3:
            document.add(heading("Übung", 3), Checklist([_sentence(rng, 8) for _ in range(rng.randint(1, 6))]))
    document.add(heading("Meine Notizen", 2), Lines(5, fill=True))
    return document


@pytest.mark.parametrize("seed", range(12))
def test_pages_keep_the_rules(qapp, seed: int) -> None:
    document = _random_document(seed)
    layout = document.layout(*A4)
    body = layout.body
    pictures_seen = []
    for page in layout.pages:
        assert page.placed, "no empty pages"
        for placed in page.placed:
            assert placed.y >= -EPSILON
            assert placed.y + placed.block.height <= body.height() + EPSILON, "nothing runs below the body"
            if isinstance(placed.block, PictureBlock):
                pictures_seen.append(placed.block)
        last = page.placed[-1].block
        if page is not layout.pages[-1]:
            assert not last.keep_with_next, "a heading never ends a page"
    originals = [b for b in document.blocks if isinstance(b, PictureBlock)]
    assert len(pictures_seen) == len(originals), "every picture placed exactly once, never split"
    assert all(any(p is o for o in originals) for p in pictures_seen)


def test_long_text_is_cut_between_lines_without_single_lines(qapp) -> None:
    text = Text(" ".join(["Dies ist ein langer Absatz über das Smartphone."] * 300), BODY)
    layout = Document().add(text).layout(*A4)
    assert layout.page_count >= 3
    parts = [page.placed[0].block for page in layout.pages]
    line_height = BODY.size * BODY.line_height * 10
    for part in parts:
        assert part.height >= 2 * line_height - EPSILON, "at least two lines on every page"
    assert sum(part.height for part in parts) == pytest.approx(text.lines.height)


class _Fixed(Block):
    def __init__(self, height: float) -> None:
        self.fixed = height

    def measure(self, width: float, page_height: float) -> float:
        self.width, self.height = width, self.fixed
        return self.height


def test_heading_moves_to_the_next_page_with_its_picture(qapp) -> None:
    body_height = Document().layout(*A4).body.height()
    # 40 mm left: room for the heading, not for the picture even shrunk to its minimum
    document = Document().add(_Fixed(body_height - mm(40)), heading("Mit Bild", 2), PictureBlock(_picture(1000, 1400)))
    layout = document.layout(*A4)
    assert layout.page_count == 2
    assert len(layout.pages[0].placed) == 1
    first, second = (placed.block for placed in layout.pages[1].placed)
    assert isinstance(first, Text) and first.keep_with_next
    assert isinstance(second, PictureBlock)


def test_a_picture_shrinks_a_little_rather_than_leaving_the_page_empty(qapp) -> None:
    body_height = Document().layout(*A4).body.height()
    picture = PictureBlock(_picture(1000, 1400), max_height=mm(110))
    document = Document().add(_Fixed(body_height - mm(95)), picture)
    layout = document.layout(*A4)
    assert layout.page_count == 1
    assert mm(110) * 0.6 <= picture.height <= mm(95)


def test_table_of_contents_points_to_the_pages_of_its_anchors(qapp) -> None:
    document = Document()
    document.add(TableOfContents([("Erste", "a"), ("Zweite", "b")]))
    document.add(PageBreak(), Anchor("a"), heading("Erste", 1), Text(" ".join(["Wort"] * 900), BODY))
    document.add(PageBreak(), Anchor("b"), heading("Zweite", 1))
    layout = document.layout(*A4)
    assert layout.anchors["a"] == 2
    assert layout.anchors["b"] == layout.page_count
    assert layout.page_count >= 4


def test_a_huge_picture_shrinks_to_fit_a_page(qapp) -> None:
    picture = PictureBlock(_picture(400, 4000), max_height=mm(1000))
    layout = Document().add(picture).layout(*A4)
    assert layout.page_count == 1
    assert picture.height <= layout.body.height()


def test_layout_made_in_a_finished_worker_thread_paints_in_this_thread(qapp, tmp_path) -> None:
    """The preview paints in the GUI thread what a worker laid out; the worker's fonts are gone by then."""
    import threading

    from PySide6.QtGui import QPdfWriter

    from app.render.output import page_size, paint, prepare_pdf_writer

    target = tmp_path / "faden.pdf"
    writer = QPdfWriter(str(target))
    prepare_pdf_writer(writer)
    size = page_size(writer)
    result = {}

    def work() -> None:
        document = _random_document(3)
        document.add(TableOfContents([("Eintrag", "x")]), Anchor("x"),
                     Text("- eins\n- zwei **fett** und *kursiv*", BODY, is_markdown=True))
        result["layout"] = document.layout(*size)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    layout = result["layout"]
    assert paint(layout, writer) == layout.page_count
    del writer
    from test_render_support import pdf_text

    text = pdf_text(target)
    assert "1. Schritt" in text and "eins" in text and "fett und kursiv" in text
