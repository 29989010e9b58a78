"""Turning and cutting a screenshot in the marking tool: the picture and its marks move together."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from app.lessons import markup


def _shot(width: int = 300, height: int = 600) -> markup.MarkedPicture:
    """A tall screenshot: a red square at the top left (x 20–60, y 30–70), the rest white."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), "#ffffff")
    ImageDraw.Draw(image).rectangle((20, 30, 59, 69), fill="#ff0000")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return markup.open_screenshot(buffer.getvalue())


def _pixel(picture: markup.MarkedPicture, x: int, y: int) -> tuple[int, int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(picture.raster)) as image:
        return image.convert("RGB").getpixel((x, y))


def test_a_quarter_turn_clockwise_moves_pixels_and_marks_together():
    picture = _shot()
    picture.marks.extend([markup.Mark("nummer", 40, 50, number=1), markup.Mark("pfeil", 100, 500, 40, 50)])
    turned = markup.rotate(picture)
    assert (turned.width, turned.height) == (600, 300)
    # clockwise: the top-left corner goes to the top right; (x, y) → (600 − y, x)
    assert _pixel(turned, 600 - 50, 40) == (255, 0, 0)
    assert _pixel(turned, 50, 40) == (255, 255, 255)
    number, arrow = turned.marks
    assert (number.x1, number.y1, number.number) == (550, 40, 1)
    assert (arrow.x1, arrow.y1, arrow.x2, arrow.y2) == (100, 100, 550, 40)
    # four quarter turns give the picture back
    back = markup.rotate(markup.rotate(markup.rotate(turned)))
    assert (back.width, back.height) == (300, 600) and back.marks == picture.marks
    assert _pixel(back, 40, 50) == (255, 0, 0)


def test_a_crop_keeps_the_box_and_the_marks_inside_it():
    picture = _shot()
    picture.marks.extend([markup.Mark("nummer", 40, 50, number=1), markup.Mark("kreis", 200, 400, 260, 460),
                          markup.Mark("pfeil", 250, 550, 45, 45)])
    cut = markup.crop(picture, 10, 20, 150, 220)
    assert (cut.width, cut.height) == (140, 200)
    assert _pixel(cut, 30, 30) == (255, 0, 0)  # the red square moved by (−10, −20)
    assert _pixel(cut, 100, 150) == (255, 255, 255)
    assert [(m.kind, m.x1, m.y1) for m in cut.marks] == [("nummer", 30, 30), ("pfeil", 240, 530)]
    assert (cut.marks[1].x2, cut.marks[1].y2) == (35, 25)  # the arrow's tip is inside: it stays
    # a box dragged from bottom right to top left and beyond the edge works the same
    assert (markup.crop(picture, 150, 220, -50, -50).width, markup.crop(picture, 150, 220, -50, -50).height) == (150, 220)
    with pytest.raises(markup.MarkupError, match="Der Ausschnitt ist zu klein"):
        markup.crop(picture, 10, 10, 30, 300)


def test_the_marking_tool_turns_cuts_and_takes_it_back(qtbot, tmp_path: Path):
    from app.ui.editor.markup_dialog import MarkupDialog

    dialog = MarkupDialog(_shot())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.rotate_button, Qt.MouseButton.LeftButton)
    assert (dialog.picture.width, dialog.picture.height) == (600, 300)
    assert dialog.canvas.picture_size == (600, 300)
    qtbot.mouseClick(dialog.tool_buttons["zuschneiden"], Qt.MouseButton.LeftButton)
    canvas = dialog.canvas
    rect = canvas.image_rect()
    start = QPoint(round(rect.x() + rect.width() / 2), round(rect.y()) + 2)
    end = QPoint(round(rect.right()) - 2, round(rect.bottom()) - 2)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    assert 280 <= dialog.picture.width <= 300 and 280 <= dialog.picture.height <= 300  # the right half
    assert _pixel(dialog.picture, dialog.picture.width - 40, 40) == (255, 0, 0)
    # a tiny frame is refused with a German note and changes nothing
    size = (dialog.picture.width, dialog.picture.height)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(8, 8))
    assert (dialog.picture.width, dialog.picture.height) == size
    assert "Der Ausschnitt ist zu klein" in dialog.note.text()
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert (dialog.picture.width, dialog.picture.height) == (300, 600)
    assert not dialog.undo_button.isEnabled()


def test_a_cut_and_turned_screenshot_is_stored_like_any_marked_one(tmp_path: Path):
    from app.lessons.editing import create_lesson

    folder = create_lesson(tmp_path, "Zuschnitt", set())
    picture = markup.rotate(markup.crop(_shot(), 0, 0, 200, 300))
    picture.marks.append(markup.Mark("nummer", 150, 100, number=1))
    stored, target = markup.save(picture, folder, "zuschnitt")
    again = markup.read_svg((folder / "bilder" / "zuschnitt.svg").read_bytes())
    assert (again.width, again.height) == (300, 200) and again.marks == stored.marks
    assert target.as_posix() in ("bilder/zuschnitt.svg", "bilder/zuschnitt.png")


def _marks(width: int, height: int):
    from hypothesis import strategies as st

    x = st.integers(0, width)
    y = st.integers(0, height)
    mark = st.one_of(st.builds(lambda a, b: markup.Mark("nummer", a, b, number=1), x, y),
                     st.builds(lambda k, a, b, c, d: markup.Mark(k, a, b, c, d), st.sampled_from(["kreis", "pfeil"]),
                               x, y, x, y))
    return st.lists(mark, max_size=5)


def test_turning_back_and_forth_changes_nothing():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=25, deadline=2000)
    @given(st.integers(40, 90), st.integers(40, 90), st.data())
    def check(width: int, height: int, data) -> None:  # noqa: ANN001
        picture = _shot(width, height)
        picture.marks.extend(data.draw(_marks(width, height)))
        there = markup.rotate(picture)
        assert (there.width, there.height) == (height, width)
        back = markup.rotate(there, clockwise=False)
        assert (back.width, back.height) == (width, height) and back.marks == picture.marks
        assert _pixel(back, 0, 0) == _pixel(picture, 0, 0)
        # every mark stays on the turned picture
        assert all(0 <= m.x1 <= height and 0 <= m.y1 <= width for m in there.marks)

    check()
