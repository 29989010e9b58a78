"""SVG print checks: colours that vanish on a black-and-white printer, tiny picture text, clipped drawing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import paths
from app.lessons import svg_checks
from app.lessons.parser import parse_lesson
from app.lessons.svg_checks import check_svg, contrast
from tests.lesson_factory import write_lesson

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 600" width="800" height="600">\n'
FONT = 'font-family="Atkinson Hyperlegible"'


def svg(*body: str) -> bytes:
    return (HEAD + '<rect x="0" y="0" width="800" height="600" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n").encode()


def kinds(data: bytes) -> list[str]:
    return [finding.kind for finding in check_svg(data)]


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    # the orange of the issue: WCAG calculators give 3.0:1 on white
    assert contrast((0xE0, 0x7B, 0x00), (255, 255, 255)) == pytest.approx(3.0, abs=0.02)
    assert contrast((0x76, 0x76, 0x76), (255, 255, 255)) == pytest.approx(4.54, abs=0.02)


def test_orange_box_with_white_text_is_reported_with_line_and_ratio() -> None:
    data = svg('<rect x="100" y="100" width="600" height="200" fill="#e07b00"/>',
               f'<text x="400" y="220" {FONT} font-size="60" fill="#ffffff" text-anchor="middle">Gesponsert</text>')
    findings = check_svg(data)
    assert [(f.line, f.kind, f.part) for f in findings] == [(3, "midtone", "fill"), (4, "contrast", "text")]
    assert "#e07b00" in findings[0].message and "3,0:1" in findings[0].message
    assert findings[1].background_line == 3


def test_dark_colours_and_pale_fills_inside_dark_outlines_pass() -> None:
    data = svg('<rect x="100" y="100" width="600" height="200" fill="#dbe7fb" stroke="#1a1a1a" stroke-width="6"/>',
               f'<text x="400" y="220" {FONT} font-size="60" fill="#1a1a1a" text-anchor="middle">Weiter</text>',
               '<line x1="120" y1="280" x2="680" y2="280" stroke="#1f5fbf" stroke-width="8"/>',
               '<rect x="100" y="350" width="300" height="150" fill="#1f5fbf"/>',
               f'<text x="250" y="450" {FONT} font-size="50" fill="#ffffff" text-anchor="middle">OK</text>')
    assert check_svg(data) == []


def test_mid_tone_fill_is_reported_even_inside_a_dark_outline() -> None:
    # #5b8bd9 (3.4:1 on white) turns white or black by chance on a black-and-white printer
    data = svg('<rect x="100" y="100" width="600" height="200" fill="#5b8bd9" stroke="#1a1a1a" stroke-width="6"/>')
    assert [(f.kind, f.part) for f in check_svg(data)] == [("midtone", "fill")]


def test_light_grey_line_and_pale_shape_without_outline_are_reported() -> None:
    data = svg('<line x1="100" y1="100" x2="700" y2="100" stroke="#9aa4ae" stroke-width="8"/>',
               '<circle cx="400" cy="300" r="100" fill="#dfe4ea"/>')
    assert [(f.line, f.part) for f in check_svg(data)] == [(3, "stroke"), (4, "fill")]


def test_background_is_the_shape_under_the_element_not_the_page() -> None:
    # black line on a dark red field: both print black
    data = svg('<rect x="100" y="100" width="600" height="400" fill="#c62828" stroke="#1a1a1a" stroke-width="6"/>',
               '<line x1="200" y1="300" x2="600" y2="300" stroke="#1a1a1a" stroke-width="8"/>')
    findings = check_svg(data)
    assert [(f.line, f.background_line) for f in findings] == [(4, 3)]


def test_picture_text_under_12_pt_at_smallest_handout_size() -> None:
    # 800 × 600 units at 80 % of the 150 × 110 mm box: 117.3 mm wide, 12 pt = 4.23 mm = 28.9 units
    small = svg(f'<text x="100" y="100" {FONT} font-size="27" fill="#1a1a1a">klein</text>')
    large = svg(f'<text x="100" y="100" {FONT} font-size="30" fill="#1a1a1a">groß</text>')
    assert kinds(small) == ["text_size"]
    assert kinds(large) == []
    scaled = svg(f'<g transform="scale(0.5)"><text x="100" y="100" {FONT} font-size="50" fill="#1a1a1a">x</text></g>')
    assert kinds(scaled) == ["text_size"]


def test_generic_font_family_is_reported() -> None:
    data = svg('<text x="100" y="100" font-family="sans-serif" font-size="40" fill="#1a1a1a">Text</text>')
    assert kinds(data) == ["font"]


def test_drawing_outside_the_frame_is_reported_also_through_transforms() -> None:
    inside = svg('<circle cx="400" cy="300" r="100" fill="#1a1a1a"/>')
    below = svg('<path d="M 300 500 C 300 650 500 650 500 500 Z" fill="#1a1a1a"/>')
    moved = svg('<g transform="translate(700,0)"><rect x="0" y="100" width="200" height="100" fill="#1a1a1a"/></g>')
    assert kinds(inside) == []
    assert kinds(below) == ["frame"]
    assert kinds(moved) == ["frame"]


def shipped_findings(shipped_lessons: Path, wanted) -> tuple[int, list[str]]:  # noqa: ANN001
    problems = []
    checked = 0
    for lesson_file in sorted(shipped_lessons.glob("*/lektion.md")):
        for picture in sorted((lesson_file.parent / "bilder").glob("*.svg")):
            checked += 1
            for finding in check_svg(picture.read_bytes()):
                if wanted(finding.kind):
                    problems.append(f"{picture.relative_to(shipped_lessons)}:{finding.line}: {finding.message}")
    return checked, problems


def test_shipped_lesson_pictures_have_no_print_problems(shipped_lessons: Path) -> None:
    """Every SVG a shipped lesson uses is clean: contrast, text size, font and frame."""
    checked, problems = shipped_findings(shipped_lessons, lambda kind: kind != "midtone")
    assert checked >= 140
    assert problems == []


def test_shipped_lesson_pictures_have_no_mid_tones(shipped_lessons: Path) -> None:
    """No fill between a pale tint and a dark tone: it would print white or black by chance."""
    _checked, problems = shipped_findings(shipped_lessons, lambda kind: kind == "midtone")
    assert problems == []


def test_checker_warns_for_own_lessons_and_refuses_for_shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_lesson(tmp_path / "eigene")
    (folder / "bilder" / "telefon.svg").write_bytes(
        svg(f'<text x="100" y="300" {FONT} font-size="60" fill="#e69f00">Werbung</text>'))
    lesson = parse_lesson(folder)
    messages = [(p.severity.name, p.message) for p in lesson.problems if "SVG-Zeile" in p.message]
    assert len(messages) == 1
    assert messages[0][0] == "WARNING" and "#e69f00" in messages[0][1] and "bilder/telefon.svg" in messages[0][1]

    monkeypatch.setattr(paths, "shipped_lessons_dir", lambda: tmp_path / "eigene")
    assert svg_checks.is_shipped(folder)
    lesson = parse_lesson(folder)
    severities = [p.severity.name for p in lesson.problems if "SVG-Zeile" in p.message]
    assert severities == ["ERROR"]
