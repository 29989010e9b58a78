"""The checker's "fits on the wall" estimate never promises more than the presenter can show."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QSize

from app.domain.contrast import LIGHT
from app.domain.lesson import Device, Picture, Step
from app.domain.projection import REFERENCE_SCREEN, estimate_fit, min_text_px
from app.ui.presenter.step_renderer import StepRenderer
from tests.lesson_factory import SVG

WORDS = ["Tippen", "Sie", "auf", "das", "Zahnrad", "Einstellungen", "und", "dann", "Anzeige", "Schriftgröße",
         "Bildschirm", "wischen", "Finger", "nach", "oben", "Telefon", "Lautstärke", "WhatsApp", "Nachricht", "die"]

sentences = st.lists(st.sampled_from(WORDS), min_size=2, max_size=14).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraphs = st.lists(sentences, min_size=1, max_size=4).map(" ".join)


@st.composite
def steps(draw):
    title = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=7).map(" ".join))
    body = "\n\n".join(draw(st.lists(paragraphs, min_size=0, max_size=3)))
    exercise_items = draw(st.lists(sentences, min_size=0, max_size=4))
    exercise = "\n".join(f"- {item}" for item in exercise_items)
    key_sentence = draw(st.one_of(st.just(""), sentences))
    with_picture = draw(st.booleans())
    return title, body or "Kurz.", exercise, key_sentence, with_picture


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=steps())
def test_estimate_fits_implies_no_overflow(qapp, tmp_path_factory, case):
    title, body, exercise, key_sentence, with_picture = case
    picture = None
    if with_picture:
        path = tmp_path_factory.mktemp("bild") / "bild.svg"
        path.write_text(SVG, encoding="utf-8")
        picture = Picture(path=path)
    step = Step(title=title, text=body, picture=picture, exercise=exercise, key_sentence=key_sentence)
    estimate = estimate_fit(title, body, [("Übung", exercise), ("Merksatz", key_sentence)], with_picture)
    layout = StepRenderer().layout(step, Device.ANDROID, QSize(*REFERENCE_SCREEN), 1.0, LIGHT)
    if estimate.fits:
        assert not layout.overflow, (estimate, case)
    assert layout.body_px >= min_text_px(REFERENCE_SCREEN[1]) - 0.01
