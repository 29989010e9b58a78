"""A lesson folder from a stranger: special files, pictures that reach outside, links that lie.

Every class of attack is generated (hypothesis) rather than taken from a fixed list, and every
refusal must name the file and line and come back quickly — never hang.
"""

from __future__ import annotations

import os
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.lessons.parser import parse_lesson
from app.lessons.urls import url_problem, url_warning
from tests.lesson_factory import META, SVG, write_lesson, write_png

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
POSIX_ONLY = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero exist only on POSIX systems")


def picture_lesson(root: Path, name: str, lesson_id: str = "bild-lektion") -> Path:
    return write_lesson(root, lesson_id=lesson_id, body=f"\n## Bild\nSo sieht es aus.\n\n![Bild]({name})\n")


def line_of(folder: Path, needle: str) -> int:
    lines = (folder / "lektion.md").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def errors_with(lesson, text: str) -> list:
    return [p for p in lesson.errors if text in p.message]


# --- only regular files ------------------------------------------------------------------------


@POSIX_ONLY
@pytest.mark.timeout(20)
def test_fifo_as_lesson_file_is_refused_at_once(tmp_path):
    folder = tmp_path / "fifo-lektion"
    folder.mkdir()
    os.mkfifo(folder / "lektion.md")
    start = time.perf_counter()
    lesson = parse_lesson(folder)
    assert time.perf_counter() - start < 1
    (problem,) = lesson.errors
    assert "Pipe (FIFO)" in problem.message and problem.format().startswith(f"{folder / 'lektion.md'}:1: ")


@POSIX_ONLY
@pytest.mark.timeout(20)
def test_lesson_file_linked_to_dev_zero_or_proc_is_refused(tmp_path):
    for name, target, expected in (("null", "/dev/zero", "Gerät"), ("proc", "/proc/self/status", "Systemdatei")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "lektion.md").symlink_to(target)
        start = time.perf_counter()
        lesson = parse_lesson(folder)
        assert time.perf_counter() - start < 1
        assert errors_with(lesson, expected), lesson.problems


@POSIX_ONLY
@pytest.mark.timeout(30)
@SETTINGS
@given(name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=1, max_size=12),
       suffix=st.sampled_from([".svg", ".png", ".jpg"]))
def test_fifo_as_picture_is_refused_by_checker_handout_and_wall(qapp, tmp_path_factory, name, suffix):
    from PySide6.QtCore import QSize

    from app.render.pictures import load_picture
    from app.ui.presenter.step_renderer import PictureCache

    root = tmp_path_factory.mktemp("fifo")
    reference = f"bilder/{name}{suffix}"
    folder = picture_lesson(root, reference)
    os.mkfifo(folder / reference)
    start = time.perf_counter()
    lesson = parse_lesson(folder)
    (problem,) = errors_with(lesson, "keine normale Datei")
    assert problem.line == line_of(folder, reference)
    # the renderers are handed the path directly (as for a lesson nobody checked)
    assert not load_picture(folder / reference).ok
    cache = PictureCache()
    assert cache.natural_size(folder / reference) is None
    assert cache.image(folder / reference, QSize(200, 100)) is None
    assert time.perf_counter() - start < 2


@POSIX_ONLY
@pytest.mark.timeout(20)
def test_picture_linked_to_a_device_never_reaches_a_renderer(qapp, tmp_path):
    from app.render.pictures import load_picture

    folder = picture_lesson(tmp_path, "bilder/null.png")
    (folder / "bilder" / "null.png").symlink_to("/dev/zero")
    lesson = parse_lesson(folder)
    assert errors_with(lesson, "verlässt den Lektionsordner")
    loaded = load_picture(folder / "bilder" / "null.png")
    assert not loaded.ok and "Gerät" in loaded.problem


# --- pictures are self-contained -----------------------------------------------------------------

SECRET_COLOUR = (255, 0, 0)

_targets = st.one_of(
    st.builds(lambda name: f"/tmp/{name}.png", st.text("abcxyz", min_size=1, max_size=8)),
    st.builds(lambda depth, name: "../" * depth + f"{name}.png", st.integers(0, 4), st.text("abcxyz", min_size=1, max_size=8)),
    st.builds(lambda scheme, name: f"{scheme}{name}.svg", st.sampled_from(["file:///", "http://", "https://", "FILE:/"]),
              st.text("abcxyz", min_size=1, max_size=8)),
    st.just("data:image/png;base64,iVBORw0KGgo="),
)


def _svg_with(kind: str, target: str) -> str:
    head = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">'
    body = {
        "image": f'<image href="{target}" width="100" height="100"/>',
        "image-xlink": f'<image xlink:href="{target}" width="100" height="100"/>',
        "use": f'<use href="{target}#a"/>',
        "style-attr": f'<rect width="10" height="10" style="fill: url(\'{target}\')"/>',
        "fill-attr": f'<rect width="10" height="10" fill="url({target}#g)"/>',
        "style-element": f'<style>rect {{ fill: url("{target}"); }}</style><rect width="5" height="5"/>',
        "import": f'<style>@import "{target}";</style>',
        "feimage": f'<filter id="f"><feImage href="{target}"/></filter>',
    }[kind]
    return head + body + "</svg>"


@SETTINGS
@given(kind=st.sampled_from(["image", "image-xlink", "use", "style-attr", "fill-attr", "style-element", "import",
                             "feimage"]), target=_targets)
def test_svg_reaching_outside_is_refused_and_never_rendered(qapp, tmp_path_factory, kind, target):
    from app.render.pictures import load_picture
    from app.ui.presenter.step_renderer import PictureCache

    folder = picture_lesson(tmp_path_factory.mktemp("ref"), "bilder/ref.svg")
    (folder / "bilder" / "ref.svg").write_text(_svg_with(kind, target), encoding="utf-8")
    lesson = parse_lesson(folder)
    refused = [p for p in lesson.errors if "ref.svg" in p.message and ("außerhalb" in p.message or "Stylesheet" in p.message)]
    assert refused and refused[0].line == line_of(folder, "bilder/ref.svg")
    assert not load_picture(folder / "bilder" / "ref.svg").ok
    assert PictureCache().natural_size(folder / "bilder" / "ref.svg") is None


def test_references_inside_the_document_are_fine(tmp_path):
    folder = picture_lesson(tmp_path, "bilder/intern.svg")
    (folder / "bilder" / "intern.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100">'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient>'
        '<circle id="c" r="10" cx="50" cy="50"/></defs>'
        '<rect width="100" height="100" fill="url(#g)"/><use xlink:href="#c"/></svg>', encoding="utf-8")
    assert not parse_lesson(folder).errors


def _red_pixels(image) -> int:
    from PySide6.QtGui import QColor

    count = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            colour = QColor(image.pixel(x, y))
            if colour.red() > 200 and colour.green() < 60 and colour.blue() < 60:
                count += 1
    return count


def test_local_picture_never_reaches_the_wall_or_the_handout(qapp, tmp_path):
    """A red 'private photo' outside the lesson, named by absolute and relative path: nothing red appears."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage, QPainter

    from app.domain.contrast import theme
    from app.domain.lesson import Device
    from app.render.handout import build_handout
    from app.render.output import write_pdf
    from app.ui.presenter.step_renderer import StepRenderer

    secret = write_png(tmp_path / "privat" / "foto.png", (300, 300), "#ff0000")
    folder = write_lesson(tmp_path / "lektionen", lesson_id="leck", body=(
        "\n## Absolut\nDas Bild.\n\n![Bild](bilder/absolut.svg)\n\n## Relativ\nDas Bild.\n\n![Bild](bilder/relativ.svg)\n"))
    for name, target in (("absolut", str(secret)), ("relativ", "../../../privat/foto.png")):
        (folder / "bilder" / f"{name}.svg").write_text(_svg_with("image", target), encoding="utf-8")
    lesson = parse_lesson(folder, check_pictures=False)  # as the window loads: contents not checked
    renderer = StepRenderer()
    for step in lesson.steps:
        frame = QImage(QSize(640, 400), QImage.Format.Format_RGB32)
        painter = QPainter(frame)
        renderer.paint(painter, step, Device.ANDROID, QSize(640, 400), 1.0, theme("hell"))
        painter.end()
        assert _red_pixels(frame) == 0
    pdf = tmp_path / "handout.pdf"
    write_pdf(build_handout(lesson), pdf)
    from PIL.ImageQt import ImageQt

    from tests.test_render_support import render_pages

    pages = render_pages(pdf, dpi=30)  # pypdfium2: no system PDF tool needed
    assert pages
    for page in pages:
        assert _red_pixels(QImage(ImageQt(page.convert("RGB")))) == 0


@SETTINGS
@given(encoding=st.sampled_from(["utf-16", "utf-16-le", "utf-16-be"]), declared=st.booleans(),
       depth=st.integers(1, 4))
def test_entities_are_found_in_utf16_svgs(qapp, tmp_path_factory, encoding, declared, depth):
    from app.render.pictures import load_picture

    folder = picture_lesson(tmp_path_factory.mktemp("utf16"), "bilder/bombe.svg")
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "&a{i - 1};&a{i - 1};">' for i in range(1, depth + 1))
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}"?>' if declared else ""
    text = f'{declaration}<!DOCTYPE svg [{entities}]><svg xmlns="http://www.w3.org/2000/svg"><text>&a{depth};</text></svg>'
    (folder / "bilder" / "bombe.svg").write_bytes(text.encode(encoding))
    lesson = parse_lesson(folder)
    assert errors_with(lesson, "Entity"), lesson.problems
    assert not load_picture(folder / "bilder" / "bombe.svg").ok


def test_clean_utf16_svg_is_accepted(tmp_path):
    folder = picture_lesson(tmp_path, "bilder/utf16.svg")
    (folder / "bilder" / "utf16.svg").write_bytes(SVG.encode("utf-16"))
    assert not parse_lesson(folder).errors


@SETTINGS
@given(fraction=st.floats(0.2, 0.9), kind=st.sampled_from(["png", "jpg"]),
       size=st.tuples(st.integers(40, 300), st.integers(40, 300)))
def test_cut_off_png_and_jpeg_are_refused(tmp_path_factory, fraction, kind, size):
    import random

    from PIL import Image

    folder = picture_lesson(tmp_path_factory.mktemp("cut"), f"bilder/foto.{kind}")
    path = folder / "bilder" / f"foto.{kind}"
    noise = random.Random(size[0] * 1000 + size[1])
    image = Image.new("RGB", size)
    image.putdata([(noise.randrange(256), noise.randrange(256), noise.randrange(256)) for _ in range(size[0] * size[1])])
    image.save(path, "PNG" if kind == "png" else "JPEG", quality=90)
    whole = path.read_bytes()
    assert not parse_lesson(folder).errors
    path.write_bytes(whole[: int(len(whole) * fraction)])
    assert errors_with(parse_lesson(folder), "kein lesbares Bild")


# --- links that show what they do ------------------------------------------------------------------

# NUL refuses the whole file; a tab ends an autolink (it is then plain text), checked by url_problem below
_hidden = st.characters(categories=["Cc", "Cf"]).filter(lambda ch: ch not in "\n\r\x00\t")


@SETTINGS
@given(hidden=_hidden, position=st.integers(8, 40), where=st.sampled_from(["header", "body", "autolink"]))
def test_control_and_bidi_characters_in_links_are_refused(tmp_path_factory, hidden, position, where):
    url = "https://www.verbraucherzentrale.de/wissen/digitale-welt"
    url = url[:position] + hidden + url[position:]
    assert url_problem(url) is not None and f"U+{ord(hidden):04X}" in url_problem(url)
    root = tmp_path_factory.mktemp("bidi")
    if where == "header":
        meta = META.format(id="bidi", title="Bidi", topic="Test").replace(
            "https://support.apple.com/de-de/iphone", url)
        folder = write_lesson(root, lesson_id="bidi", meta=meta)
        needle = "Hilfe von Apple"
    else:
        link = f"[Verbraucherzentrale]({url})" if where == "body" else f"<{url}>"
        folder = write_lesson(root, lesson_id="bidi", body=f"\n## Link\nMehr dazu: {link} bitte.\n")
        needle = "Mehr dazu"
    problems = [p for p in parse_lesson(folder).errors if "Steuerzeichen" in p.message and f"U+{ord(hidden):04X}" in p.message]
    assert problems and problems[0].line == line_of(folder, needle)
    assert hidden not in problems[0].message  # the message itself cannot be reordered


_latin = "abcdefghijklmnopqrstuvwxyz"
_lookalikes = "аеорсхуіј"  # Cyrillic letters that look Latin


@SETTINGS
@given(word=st.text(_latin, min_size=3, max_size=12), fake=st.sampled_from(_lookalikes), position=st.integers(0, 11),
       tld=st.sampled_from(["de", "com", "org"]))
def test_mixed_script_hosts_are_warned_with_punycode(tmp_path_factory, word, fake, position, tld):
    position = min(position, len(word))
    host = f"{word[:position]}{fake}{word[position:]}.{tld}"
    url = f"https://{host}/hilfe"
    assert url_problem(url) is None
    warning = url_warning(url)
    assert warning is not None and "xn--" in warning and host.encode("idna").decode() in warning
    folder = write_lesson(tmp_path_factory.mktemp("idn"), lesson_id="idn",
                          body=f"\n## Link\nHier: [Hilfe]({url})\n")
    lesson = parse_lesson(folder)
    assert any("xn--" in p.message for p in lesson.warnings) and not lesson.is_broken


@SETTINGS
@given(word=st.text("äöüßabcdefghijklmnopqrstuvwxyz", min_size=3, max_size=12))
def test_single_script_german_domains_are_not_warned(word):
    assert url_warning(f"https://{word}.de/") is None


@SETTINGS
@given(port=st.one_of(st.integers(65536, 10**7), st.just(0), st.text("abc-+ ", min_size=1, max_size=4)))
def test_bad_ports_are_refused(port):
    problem = url_problem(f"https://www.example.de:{port}/pfad")
    assert problem is not None and ("Port" in problem or "Leerzeichen" in problem)


@SETTINGS
@given(port=st.integers(1, 65535))
def test_real_ports_are_allowed(port):
    assert url_problem(f"https://www.example.de:{port}/pfad") is None


def test_message_names_the_code_point():
    assert "U+0009" in url_problem("https://bank.de/\tx")
    problem = url_problem("https://bank.de/\u202eexe.moc")
    assert "U+202E" in problem and unicodedata.category("\u202e") == "Cf"


@POSIX_ONLY
@pytest.mark.timeout(20)
def test_fifo_as_course_template_is_refused(tmp_path):
    from app.lessons.library import load_library

    write_lesson(tmp_path, lesson_id="gute-lektion")
    (tmp_path / "kursvorlagen").mkdir()
    os.mkfifo(tmp_path / "kursvorlagen" / "kurs.md")
    library = load_library([tmp_path])
    problems = [p for p in library.all_problems() if "Pipe (FIFO)" in p.message]
    assert problems and problems[0].format().startswith(f"{tmp_path / 'kursvorlagen' / 'kurs.md'}:1: ")
    assert not library.by_id("gute-lektion").is_broken


def test_a_screenshot_embedded_in_the_svg_itself_is_allowed_only_when_it_decodes(tmp_path):
    """Marked phone screenshots (lesson editor) embed the PNG as data: – nothing outside the file is named."""
    import base64
    import io

    from PIL import Image

    from app.lessons import svg_safety

    buffer = io.BytesIO()
    Image.new("RGB", (40, 80), (30, 90, 160)).save(buffer, format="PNG")
    good = base64.b64encode(buffer.getvalue()).decode("ascii")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 80"><image width="40" height="80" '
           'href="data:image/png;base64,{}"/></svg>')
    svg_safety.check(svg.format(good).encode("utf-8"))  # accepted: raises nothing
    for bad in (good[: len(good) // 2], "iVBORw0KGgo=", "nichtbase64!!"):
        with pytest.raises(svg_safety.SvgRefused):
            svg_safety.check(svg.format(bad).encode("utf-8"))
    with pytest.raises(svg_safety.SvgRefused):  # another kind of data stays refused
        svg_safety.check(svg.replace("image/png", "image/svg+xml").format(good).encode("utf-8"))
