"""The marking tool and picture import read files like the lesson loader does: hostile files get a German
message and change nothing (FIFOs, devices, huge files, decompression bombs, paths and symlinks out of the
lesson folder, SVG entities and outside references, broken bytes)."""

from __future__ import annotations

import base64
import io
import os
import struct
import sys
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.lessons import markup
from app.lessons.editing import EditError, LessonDocument, create_lesson

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero exist on POSIX only")


def _png(width: int = 40, height: int = 30, colour: str = "#1a73e8") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _claiming(data: bytes, width: int, height: int) -> bytes:
    """A PNG whose header claims *width* × *height* (CRC fixed): a decompression bomb as seen from the header."""
    ihdr = bytearray(data[12:29])  # b"IHDR" + 13 bytes of data
    ihdr[4:12] = struct.pack(">II", width, height)
    crc = struct.pack(">I", zlib.crc32(bytes(ihdr)) & 0xFFFFFFFF)
    return data[:12] + bytes(ihdr) + crc + data[33:]


def _lesson(tmp_path: Path) -> Path:
    return create_lesson(tmp_path / "eigene", "Sicher", set())


def _bilder(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "bilder").iterdir()) if (folder / "bilder").is_dir() else []


# --- files the trainer chooses ------------------------------------------------------------------


@posix_only
def test_a_fifo_named_like_a_picture_is_refused_without_blocking(tmp_path: Path):
    folder = _lesson(tmp_path)
    fifo = tmp_path / "foto.png"
    os.mkfifo(fifo)
    start = time.monotonic()
    with pytest.raises(markup.MarkupError, match="Pipe"):
        markup.import_picture(fifo, folder)
    with pytest.raises(markup.MarkupError, match="Pipe"):
        markup.read_source(fifo)
    assert time.monotonic() - start < 2
    assert _bilder(folder) == []


@posix_only
def test_a_symlink_to_a_device_is_judged_as_the_device(tmp_path: Path):
    folder = _lesson(tmp_path)
    link = tmp_path / "endlos.jpg"
    link.symlink_to("/dev/zero")
    with pytest.raises(markup.MarkupError, match="Gerät"):
        markup.import_picture(link, folder)
    assert _bilder(folder) == []


def test_a_file_over_30_mb_is_not_read(tmp_path: Path):
    folder = _lesson(tmp_path)
    big = tmp_path / "riesig.jpg"
    with big.open("wb") as handle:
        handle.truncate(31_000_000)  # sparse: no 31 MB written, but that is its size
    with pytest.raises(markup.MarkupError, match="zu groß"):
        markup.import_picture(big, folder)
    big_svg = tmp_path / "riesig.svg"
    big_svg.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * 1_000_001 + b"</svg>")
    with pytest.raises(markup.MarkupError, match="zu groß"):
        markup.import_picture(big_svg, folder)
    assert _bilder(folder) == []


@pytest.mark.parametrize(("width", "height"), [(50_000, 50_000), (13_000, 100), (7000, 7000)])
def test_a_decompression_bomb_is_refused_from_its_header(tmp_path: Path, width: int, height: int):
    """Over 40 million pixels or over 12,000 pixels on a side: refused before one pixel is decoded."""
    folder = _lesson(tmp_path)
    bomb = tmp_path / "bombe.png"
    bomb.write_bytes(_claiming(_png(), width, height))
    start = time.monotonic()
    with pytest.raises(markup.MarkupError, match=f"{width}×{height} Pixeln zu groß"):
        markup.import_picture(bomb, folder)
    with pytest.raises(markup.MarkupError, match="zu groß"):
        markup.open_screenshot(bomb.read_bytes())
    assert time.monotonic() - start < 1.5
    assert _bilder(folder) == []


def test_other_formats_and_cut_off_files_get_a_german_reason(tmp_path: Path):
    from PIL import Image

    folder = _lesson(tmp_path)
    gif = tmp_path / "animiert.png"
    Image.new("P", (20, 20)).save(gif, "GIF")
    with pytest.raises(markup.MarkupError, match="sondern GIF"):
        markup.import_picture(gif, folder)
    cut = tmp_path / "abgeschnitten.png"
    cut.write_bytes(_png(400, 300, "#123456")[:-40])
    with pytest.raises(markup.MarkupError, match="beschädigt oder unvollständig"):
        markup.import_picture(cut, folder)
    assert _bilder(folder) == []


# --- files named by the lesson ------------------------------------------------------------------


def _overlay() -> bytes:
    picture = markup.open_screenshot(_png(60, 120))
    picture.marks.append(markup.Mark("kreis", 10, 10, 50, 50))
    return markup.build_svg(picture)


def test_an_overlay_outside_the_lesson_folder_is_not_opened(tmp_path: Path):
    folder = _lesson(tmp_path)
    outside = tmp_path / "draussen"
    outside.mkdir()
    (outside / "geheim.svg").write_bytes(_overlay())
    assert markup.overlay_for(folder, "../draussen/geheim.png") is None
    assert markup.overlay_for(folder, str(outside / "geheim.png")) is None
    with pytest.raises(markup.MarkupError, match="verlässt den Lektionsordner"):
        markup.read_in_lesson(folder, "../draussen/geheim.svg")
    with pytest.raises(markup.MarkupError, match="relativ zum Lektionsordner"):
        markup.read_in_lesson(folder, str(outside / "geheim.svg"))
    # a real overlay inside the folder opens
    (folder / "bilder").mkdir(exist_ok=True)
    (folder / "bilder" / "eigen.svg").write_bytes(_overlay())
    overlay = markup.overlay_for(folder, "bilder/eigen.png")
    assert overlay == folder / "bilder" / "eigen.svg"
    assert [m.kind for m in markup.read_overlay(folder, overlay).marks] == ["kreis"]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need extra rights on Windows")
def test_symlinks_in_the_lesson_folder_are_not_followed(tmp_path: Path):
    folder = _lesson(tmp_path)
    outside = tmp_path / "draussen"
    outside.mkdir()
    (outside / "geheim.svg").write_bytes(_overlay())
    (folder / "bilder").mkdir(exist_ok=True)
    (folder / "bilder" / "link.svg").symlink_to(outside / "geheim.svg")
    assert markup.overlay_for(folder, "bilder/link.png") is None
    with pytest.raises(markup.MarkupError, match="verlässt den Lektionsordner"):
        markup.read_in_lesson(folder, "bilder/link.svg")
    (folder / "bilder" / "intern.svg").symlink_to(folder / "bilder" / "link.svg")
    with pytest.raises(markup.MarkupError):
        markup.read_in_lesson(folder, "bilder/intern.svg")
    # a bilder/ folder that leads outside gets nothing written into it
    other = _lesson(tmp_path / "zwei")
    if (other / "bilder").is_dir():
        (other / "bilder").rmdir()
    (other / "bilder").symlink_to(outside, target_is_directory=True)
    before = sorted(p.name for p in outside.iterdir())
    with pytest.raises(markup.MarkupError, match="Verknüpfung nach außerhalb"):
        markup.save(markup.open_screenshot(_png()), other, "foto")
    source = tmp_path / "foto.png"
    source.write_bytes(_png())
    with pytest.raises(markup.MarkupError, match="Verknüpfung nach außerhalb"):
        markup.import_picture(source, other)
    assert sorted(p.name for p in outside.iterdir()) == before


@pytest.mark.parametrize(("svg", "reason"), [
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><desc id="kurslotse-markierungen">&b;</desc></svg>', "Entity"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     b'<desc id="kurslotse-markierungen">{}</desc><image xlink:href="file:///etc/passwd"/></svg>', "außerhalb"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><desc id="kurslotse-markierungen">{}</desc>'
     b'<image href="data:image/png;base64,' + base64.b64encode(_claiming(_png(), 60_000, 60_000)) + b'"/></svg>',
     "außerhalb"),  # a data: picture that does not decode completely counts as an outside reference
    (b"\x00\x01\x02 kein svg", "kein"),
])
def test_hostile_overlays_are_refused_with_a_reason(svg: bytes, reason: str):
    with pytest.raises(markup.MarkupError, match=reason):
        markup.read_svg(svg)


def test_an_overlay_over_one_megabyte_is_not_parsed(tmp_path: Path):
    folder = _lesson(tmp_path)
    (folder / "bilder").mkdir(exist_ok=True)
    (folder / "bilder" / "gross.svg").write_bytes(b"<svg><desc id='kurslotse-markierungen'>" + b"x" * 1_000_100)
    assert markup.overlay_for(folder, "bilder/gross.png") is None
    with pytest.raises(markup.MarkupError, match="größer als 1 MB"):
        markup.read_svg((folder / "bilder" / "gross.svg").read_bytes())


@posix_only
def test_the_editor_does_not_open_a_lesson_file_that_is_a_fifo(tmp_path: Path):
    folder = tmp_path / "lektion"
    folder.mkdir()
    os.mkfifo(folder / "lektion.md")
    with pytest.raises(EditError, match="Pipe"):
        LessonDocument.load(folder / "lektion.md")


def test_the_editor_shows_the_reason_and_changes_nothing(qtbot, tmp_path: Path):
    from app.ui.editor.window import LessonEditor

    folder = _lesson(tmp_path)
    editor = LessonEditor(folder)
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    bomb = tmp_path / "bombe.png"
    bomb.write_bytes(_claiming(_png(), 50_000, 50_000))
    before = editor.document.text
    editor.add_picture_file(bomb, "text")
    assert editor.document.text == before and not editor.modified
    assert "50000×50000 Pixeln zu groß" in editor.banner_text.text()
    editor.choose_file = lambda _title, _pattern: str(bomb)
    editor.mark_screenshot("text")
    assert "50000×50000 Pixeln zu groß" in editor.banner_text.text()
    assert editor.document.text == before and _bilder(folder) == []


# --- any bytes ---------------------------------------------------------------------------------

_VALID_PNG = _png(30, 50)
_VALID_OVERLAY = _overlay()


def _mutated(base: bytes):
    return st.lists(st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), max_size=8).map(
        lambda edits: bytes(_apply(base, edits)))


def _apply(base: bytes, edits: list[tuple[int, int]]) -> bytearray:
    data = bytearray(base)
    for position, value in edits:
        data[position] = value
    return data


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), _mutated(_VALID_PNG), st.integers(1, len(_VALID_PNG)).map(
    lambda n: _VALID_PNG[:n])))
def test_any_screenshot_bytes_give_a_picture_or_a_german_message(data: bytes):
    try:
        picture = markup.open_screenshot(data)
    except markup.MarkupError as error:
        assert str(error).startswith("Das Bildschirmfoto ")
    else:
        assert 0 < picture.width <= markup.MAX_SIDE and 0 < picture.height <= markup.MAX_SIDE


@settings(max_examples=40, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_mutated(_VALID_OVERLAY), st.integers(1, len(_VALID_OVERLAY)).map(lambda n: _VALID_OVERLAY[:n])))
def test_any_overlay_bytes_give_marks_or_a_german_message(data: bytes):
    try:
        picture = markup.read_svg(data)
    except markup.MarkupError as error:
        assert str(error).startswith(("Die Markierungsdatei", "Das eingebettete", "Dieses SVG", "Die Markierungen"))
    else:
        assert 0 < picture.width <= 4000 and 0 < picture.height <= 4000  # the checker's side limit
