"""The written handout PDF, read back: titles, addresses, QR codes, font sizes, margins, placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_render_support import MM, body_runs_too_small, decode_qr_codes, page_objects, page_texts, pdf_text, text_runs

from app.bench.handout import write_sample_lesson
from app.domain.lesson import Device
from app.lessons.parser import parse_lesson
from app.render.handout import HandoutOptions, build_handout
from app.render.output import write_pdf

STYLE_MARGINS = dict(left=20.0, top=14.0, right=16.0, bottom=14.0)  # PageStyle defaults, mm


@pytest.fixture(scope="module")
def sample_lesson(tmp_path_factory):
    folder = write_sample_lesson(tmp_path_factory.mktemp("lektionen"), steps=10, links=3)
    lesson = parse_lesson(folder)
    assert not lesson.errors, lesson.errors
    return lesson


@pytest.fixture(scope="module")
def handout_pdf(qapp, sample_lesson, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("pdf") / "handout.pdf"
    options = HandoutOptions(course="Smartphone-Treff", trainer="Gisela Beispiel")
    layout = write_pdf(build_handout(sample_lesson, options), target)
    assert layout.warnings == []
    return target


def test_text_contains_every_step_title_and_every_url(sample_lesson, handout_pdf: Path) -> None:
    text = pdf_text(handout_pdf)
    joined = text.replace(" ", "")
    for number, step in enumerate(sample_lesson.steps, 1):
        assert f"{number}. {step.title}" in text
    for link in sample_lesson.links:
        assert link.title in text
        assert link.url in joined, f"{link.url} fehlt (Zeilenumbrüche ausgenommen)"
    assert "Seite 1 von" in text
    assert "Smartphone-Treff" in text and "Gisela Beispiel" in text


def test_every_qr_code_decodes_to_its_link(sample_lesson, handout_pdf: Path) -> None:
    codes = decode_qr_codes(handout_pdf, dpi=150)
    assert len(codes) == len(sample_lesson.links) == 3
    assert sorted(code.text for code in codes) == sorted(link.url for link in sample_lesson.links)
    for code in codes:
        assert code.ec_level in ("M", "Q", "H")
        assert code.width_mm >= 25
        assert code.quiet_zone_ok


def test_body_text_is_at_least_14pt_and_headings_at_least_18pt(sample_lesson, handout_pdf: Path) -> None:
    runs = text_runs(handout_pdf)
    assert len(runs) > 100
    assert all("AtkinsonHyperlegible" in run.font for run in runs), {run.font for run in runs}
    too_small = body_runs_too_small(runs, [sample_lesson.folder])
    assert not too_small, too_small[:5]
    body = [run for run in runs if "Wischen" in run.text]
    assert body and all(run.size == pytest.approx(14, abs=0.01) for run in body)
    titles = [f"{n}. {step.title}" for n, step in enumerate(sample_lesson.steps, 1)]
    heading_runs = [run for run in runs if any(run.text and title.startswith(run.text) for title in titles)]
    assert len(heading_runs) >= len(titles)
    assert all(run.size >= 18 for run in heading_runs)


def test_trainer_notes_only_when_asked(qapp, sample_lesson, tmp_path: Path) -> None:
    plain, with_notes = tmp_path / "ohne.pdf", tmp_path / "mit.pdf"
    write_pdf(build_handout(sample_lesson, HandoutOptions()), plain)
    write_pdf(build_handout(sample_lesson, HandoutOptions(notes=True)), with_notes)
    assert "Notiz für Schritt 1" not in pdf_text(plain)
    assert "Notiz für Schritt 1: langsam zeigen" in pdf_text(with_notes)


def test_device_choice_prints_the_right_variant(qapp, sample_lesson, tmp_path: Path) -> None:
    android, both = tmp_path / "android.pdf", tmp_path / "beide.pdf"
    write_pdf(build_handout(sample_lesson, HandoutOptions(devices=(Device.ANDROID,))), android)
    write_pdf(build_handout(sample_lesson, HandoutOptions.for_choice("beide")), both)
    android_text, both_text = pdf_text(android), pdf_text(both)
    assert "Tippen Sie auf Einstellungen (das Zahnrad)" in android_text
    assert "Öffnen Sie die App Einstellungen" not in android_text
    assert "Für: Android" in android_text
    for expected in ("Auf dem Android-Handy:", "Auf dem iPhone:", "Öffnen Sie die App Einstellungen",
                     "Tippen Sie auf Einstellungen (das Zahnrad)", "Für: Android und iPhone"):
        assert expected in both_text


def test_raw_html_and_markdown_marks_are_not_interpreted_or_shown(handout_pdf: Path) -> None:
    text = pdf_text(handout_pdf)
    assert "<b>kein HTML</b>" in text
    assert "**" not in text and "alle Apps" in text


def test_forty_steps_with_large_pictures_stay_inside_the_margins(qapp, tmp_path: Path) -> None:
    folder = write_sample_lesson(tmp_path, steps=40, links=5, large_pictures=True)
    lesson = parse_lesson(folder)
    assert not lesson.errors
    target = tmp_path / "lang.pdf"
    document = build_handout(lesson, HandoutOptions(notes=True))
    layout = write_pdf(document, target)
    assert layout.page_count > 20

    width, height = 210 * MM, 297 * MM
    left, right = STYLE_MARGINS["left"] * MM, width - STYLE_MARGINS["right"] * MM
    bottom, top = STYLE_MARGINS["bottom"] * MM, height - STYLE_MARGINS["top"] * MM
    body = layout.body  # layout units (1/720 in) from the top → PDF points from the bottom
    body_top, body_bottom = height - body.top() / 10, height - body.bottom() / 10
    header_bottom = height - (STYLE_MARGINS["top"] + 12) * MM
    footer_top = (STYLE_MARGINS["bottom"] + 8) * MM
    slack = 0.6
    objects = page_objects(target)
    assert objects
    for obj in objects:
        where = f"Seite {obj.page}: {obj.kind} {obj.left:.1f},{obj.bottom:.1f}–{obj.right:.1f},{obj.top:.1f}"
        assert left - slack <= obj.left and obj.right <= right + slack, where
        assert bottom - slack <= obj.bottom and obj.top <= top + slack, where
        in_body = obj.bottom >= body_bottom - slack and obj.top <= body_top + slack
        in_header = obj.bottom >= header_bottom - slack
        in_footer = obj.top <= footer_top + slack
        assert in_body or in_header or in_footer, f"ragt in Kopf- oder Fußzeile: {where}"

    # a picture is never split: each PNG step picture is drawn exactly once
    png_steps = sum(1 for step in lesson.steps if step.picture and step.picture.path.suffix == ".png")
    assert sum(1 for obj in objects if obj.kind == "image") == png_steps
    texts = page_texts(target)
    for number, step in enumerate(lesson.steps, 1):
        assert any(f"{number}. {step.title}" in page for page in texts)
    assert len(decode_qr_codes(target)) == 5


def test_missing_and_damaged_pictures_become_placeholders(qapp, tmp_path: Path) -> None:
    folder = write_sample_lesson(tmp_path, steps=6, links=1)
    lesson = parse_lesson(folder)
    (folder / "bilder" / "hoch.png").unlink()
    (folder / "bilder" / "quer.png").write_bytes(b"\x89PNG\r\n\x1a\n kaputt")
    (folder / "bilder" / "schema.svg").write_text("<svg><unclosed", encoding="utf-8")
    target = tmp_path / "platzhalter.pdf"
    document = build_handout(lesson, HandoutOptions())
    layout = write_pdf(document, target)
    text = pdf_text(target)
    for name in ("hoch.png", "quer.png", "schema.svg"):
        assert f"Bild fehlt: {name}" in text
        assert any(name in warning and "Platzhalter" in warning for warning in layout.warnings)
    assert len(layout.warnings) == len(lesson.steps)
    assert len(decode_qr_codes(target)) == 1


def test_organisation_logo_and_name_in_the_header(qapp, sample_lesson, tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (300, 100), "#114488").save(logo)
    target = tmp_path / "logo.pdf"
    options = HandoutOptions(organisation="Land L(i)eben Kusel", logo_path=logo)
    write_pdf(build_handout(sample_lesson, options), target)
    first = page_texts(target)[0]
    assert first.startswith("Land L(i)eben Kusel")
    images_on_first_page = [o for o in page_objects(target) if o.page == 1 and o.kind == "image"]
    assert any(o.top > (297 - 14 - 12) * MM for o in images_on_first_page), "Logo im Kopf"
