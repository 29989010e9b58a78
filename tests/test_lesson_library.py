"""The shipped library must stay a complete beginners' course; this test stops it from silently shrinking."""

from __future__ import annotations

import re

import pytest

from app import paths
from app.domain.lesson import Device
from app.domain.readability import LESSON_LIX_LIMIT, STEP_LIX_LIMIT, lix, projected_text
from app.lessons.library import load_library

REQUIRED_TOPICS = {  # the beginners' course of issue 7, by lesson id
    "smartphone-kennenlernen", "einstellungen-leichter", "wlan-und-mobile-daten", "telefonieren-und-kontakte",
    "whatsapp-nachrichten", "videoanrufe", "kamera-und-fotos", "apps-installieren", "qr-codes-scannen",
    "betrug-erkennen", "handy-sicher-machen", "im-internet-suchen", "karten-und-navigation", "bus-und-bahn",
    "notfall-und-gesundheit", "digitale-doerfer", "online-verwaltung",
}


@pytest.fixture(scope="module")
def library():
    return load_library([paths.shipped_lessons_dir()])


def test_library_size_and_topics(library):
    ids = {lesson.id for lesson in library.lessons}
    assert len(library.lessons) >= 16
    assert REQUIRED_TOPICS <= ids
    assert not library.all_problems()


def test_every_lesson_is_complete(library):
    for lesson in library.lessons:
        where = lesson.id
        assert 6 <= len(lesson.steps) <= 15, where
        assert set(lesson.devices) == {Device.ANDROID, Device.IPHONE}, where
        assert any(step.differs_by_device for step in lesson.steps), f"{where}: keine Android/iPhone-Varianten"
        assert any(step.exercise for step in lesson.steps), f"{where}: keine Übung"
        assert any(step.key_sentence for step in lesson.steps), f"{where}: kein Merksatz"
        with_notes = sum(1 for step in lesson.steps if step.notes.strip())
        assert with_notes >= len(lesson.steps) // 2, f"{where}: zu wenige Notizen"
        assert 1 <= len(lesson.links) <= 4, where
        assert all(link.url.startswith("https://") for link in lesson.links), where
        assert lesson.goals and lesson.description and lesson.topic and lesson.duration_minutes, where


def test_every_lesson_has_its_own_illustrations(library):
    for lesson in library.lessons:
        pictures = {picture.path for step in lesson.steps
                    for picture in [step.picture, *(v.picture for v in step.variants.values())] if picture}
        svgs = [p for p in pictures if p.suffix == ".svg"]
        assert len(svgs) >= 3, f"{lesson.id}: {len(svgs)} SVG-Bilder"
        for svg in svgs:
            text = svg.read_text(encoding="utf-8")
            assert svg.is_relative_to(lesson.folder.resolve())
            assert "<image" not in text and "xlink:href=\"http" not in text, f"{svg}: eingebettete/entfernte Bilder"
            assert re.search(r"<rect[^>]*fill=\"#fff(fff)?\"", text), f"{svg}: kein weißer Hintergrund"


def test_plain_language(library):
    for lesson in library.lessons:
        texts = [projected_text(step) for step in lesson.steps]
        assert lix("\n\n".join(texts)).value <= LESSON_LIX_LIMIT, lesson.id
        for step, text in zip(lesson.steps, texts, strict=True):
            score = lix(text)
            assert score.words < 15 or score.value <= STEP_LIX_LIMIT, (lesson.id, step.title, score.value)


def test_beginners_course_template_orders_every_lesson(library):
    template = library.template_by_id("smartphone-einsteigerkurs")
    assert template is not None and not template.problems
    assert len(template.sessions) == 8
    planned = [lesson_id for session in template.sessions for lesson_id in session.lesson_ids]
    assert len(planned) == len(set(planned))
    assert REQUIRED_TOPICS <= set(planned)
