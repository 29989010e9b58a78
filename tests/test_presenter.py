"""The presenter driven like a trainer with a remote: keys, black screen, devices, screens, hot-plug."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QMarginsF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter

from app.domain.contrast import AAA_RATIO, THEMES, contrast_ratio
from app.domain.lesson import Device
from app.domain.projection import MIN_TEXT_HEIGHT_FRACTION
from app.lessons.parser import parse_lesson
from app.ui.presenter.controller import Blank
from app.ui.presenter.session import PresentationSession
from tests.lesson_factory import write_lesson, write_png

FULL_HD = QSize(1920, 1080)


@pytest.fixture
def lesson(tmp_path):
    return parse_lesson(write_lesson(tmp_path))


@pytest.fixture
def session(qtbot, lesson):
    created = PresentationSession(lesson, device=Device.ANDROID)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    yield created
    created.end()


def render(session: PresentationSession, size: QSize = FULL_HD) -> QImage:
    image = QImage(size, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    session.audience.paint_on(painter, size)
    painter.end()
    return image


def audience_text(session: PresentationSession) -> str:
    """Everything the audience window paints, as text extracted from a real PDF of it."""
    buffer = io.BytesIO()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    device = QBuffer(data)
    device.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(device)
    writer.setPageLayout(QPageLayout(QPageSize(QSizeF(1920, 1080), QPageSize.Unit.Point), QPageLayout.Orientation.Portrait, QMarginsF()))
    writer.setResolution(72)
    painter = QPainter(writer)
    session.audience.paint_on(painter, QSize(1920, 1080))
    painter.end()
    device.close()
    buffer.write(bytes(data))
    buffer.seek(0)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(buffer).pages).split())


def press(qtbot, widget, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)


@pytest.mark.parametrize("key", [Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Space,
                                 Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_N])
def test_next_keys(qtbot, session, key):
    press(qtbot, session.audience, key)
    assert session.controller.index == 1
    press(qtbot, session.console, key)
    assert session.controller.index == 2
    press(qtbot, session.audience, key)  # at the end it stays on the last step
    assert session.controller.index == 2


@pytest.mark.parametrize("key", [Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace, Qt.Key.Key_P])
def test_previous_keys(qtbot, session, key):
    session.controller.go_to(2)
    press(qtbot, session.audience, key)
    assert session.controller.index == 1
    press(qtbot, session.console, key)
    assert session.controller.index == 0
    press(qtbot, session.console, key)
    assert session.controller.index == 0


def test_home_and_end(qtbot, session):
    press(qtbot, session.audience, Qt.Key.Key_End)
    assert session.controller.index == 2
    press(qtbot, session.audience, Qt.Key.Key_Home)
    assert session.controller.index == 0


@pytest.mark.parametrize(("key", "blank", "colour"), [
    (Qt.Key.Key_B, Blank.BLACK, "#000000"), (Qt.Key.Key_Period, Blank.BLACK, "#000000"),
    (Qt.Key.Key_W, Blank.WHITE, "#ffffff"), (Qt.Key.Key_Comma, Blank.WHITE, "#ffffff"),
])
def test_black_and_white_screen(qtbot, session, key, blank, colour):
    render(session)  # the first paint may still be loading the picture
    step_image = render(session)
    press(qtbot, session.audience, key)
    assert session.controller.blank is blank
    image = render(session)
    expected = QColor(colour).rgb()
    for x, y in ((0, 0), (960, 540), (1919, 1079), (300, 200), (1500, 900)):
        assert image.pixel(x, y) == expected
    press(qtbot, session.audience, key)
    assert session.controller.blank is Blank.NONE
    # RGB888 drops the unused alpha byte of RGB32, which may hold anything
    step_pixels = step_image.convertToFormat(QImage.Format.Format_RGB888)
    assert image.convertToFormat(QImage.Format.Format_RGB888) != step_pixels  # the blank screen hid the step
    assert render(session).convertToFormat(QImage.Format.Format_RGB888) == step_pixels  # the same step is back


def test_next_after_black_screen_brings_back_the_same_step(qtbot, session):
    press(qtbot, session.audience, Qt.Key.Key_B)
    press(qtbot, session.audience, Qt.Key.Key_Right)
    assert session.controller.blank is Blank.NONE
    assert session.controller.index == 0


def test_goto_by_number_and_enter(qtbot, session):
    press(qtbot, session.audience, Qt.Key.Key_3)
    press(qtbot, session.audience, Qt.Key.Key_Return)
    assert session.controller.index == 2


def test_g_asks_for_a_step(qtbot, session, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getInt", staticmethod(lambda *args, **kwargs: (2, True)))
    press(qtbot, session.console, Qt.Key.Key_G)
    assert session.controller.index == 1


def test_z_magnifies_the_picture(qtbot, session):
    press(qtbot, session.audience, Qt.Key.Key_Z)
    assert session.controller.zoomed
    image = render(session)
    # the phone outline of the picture now spans most of the height
    dark_rows = [y for y in range(0, 1080, 10) if QColor(image.pixel(960, y)).lightness() < 80]
    assert dark_rows and max(dark_rows) - min(dark_rows) > 700
    press(qtbot, session.audience, Qt.Key.Key_Z)
    assert not session.controller.zoomed


def test_z_on_a_step_without_picture_does_nothing(qtbot, session):
    session.controller.go_to(1)
    press(qtbot, session.audience, Qt.Key.Key_Z)
    assert not session.controller.zoomed


def test_escape_ends_the_presentation(qtbot, session):
    with qtbot.waitSignal(session.finished, timeout=1000):
        press(qtbot, session.audience, Qt.Key.Key_Escape)


def test_ctrl_plus_and_minus_change_font_but_never_below_minimum(qtbot, session):
    session.controller.go_to(1)
    before = session.renderer.layout(session.controller.step, Device.ANDROID, FULL_HD, session.controller.font_scale, session.controller.theme).body_px
    press(qtbot, session.audience, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    smaller = session.renderer.layout(session.controller.step, Device.ANDROID, FULL_HD, session.controller.font_scale, session.controller.theme).body_px
    assert smaller < before
    for _ in range(20):
        press(qtbot, session.audience, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    smallest = session.renderer.layout(session.controller.step, Device.ANDROID, FULL_HD, session.controller.font_scale, session.controller.theme).body_px
    assert smallest >= 1080 * MIN_TEXT_HEIGHT_FRACTION
    for _ in range(3):
        press(qtbot, session.audience, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert session.controller.font_scale > 0.5


def test_notes_never_reach_the_audience(qtbot, session):
    for device in (Device.ANDROID, Device.IPHONE):
        session.controller.set_device(device)
        for index in range(len(session.controller.steps)):
            session.controller.go_to(index)
            text = audience_text(session)
            assert session.controller.step.title.split()[0] in text
            assert "GEHEIMNOTIZ" not in text
    session.controller.go_to(0)
    assert "GEHEIMNOTIZ" in session.console.notes.toPlainText()


def test_android_iphone_switch_changes_the_projected_text(qtbot, session):
    android = audience_text(session)
    assert "rechts an der Seite" in android and "Seitentaste" not in android
    qtbot.mouseClick(session.console.iphone_button, Qt.MouseButton.LeftButton)
    assert session.controller.device is Device.IPHONE
    iphone = audience_text(session)
    assert "Seitentaste" in iphone and "rechts an der Seite" not in iphone
    press(qtbot, session.audience, Qt.Key.Key_A)
    assert session.controller.device is Device.ANDROID
    assert session.console.android_button.isChecked()


def test_console_shows_current_next_and_jumps_from_step_list(qtbot, session):
    console = session.console
    assert console.position.text() == "Schritt 1 von 3"
    assert console.next_preview.step().title == "Wischen üben"
    item = console.step_list.item(2)
    rect = console.step_list.visualItemRect(item)
    qtbot.mouseClick(console.step_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert session.controller.index == 2
    assert console.position.text() == "Schritt 3 von 3"
    assert console.next_preview.step() is None
    assert "Tempo" in console.pace.text()


def test_raw_html_is_shown_as_text(qtbot, tmp_path):
    lesson = parse_lesson(write_lesson(tmp_path, body="\n## HTML\nVorsicht <b>fett</b> <script>alert(1)</script>\n"))
    created = PresentationSession(lesson)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    layout = created.renderer.layout(lesson.steps[0], Device.ANDROID, FULL_HD, 1.0, created.controller.theme)
    assert "<script>alert(1)</script>" in layout.body.toPlainText()
    assert "<b>fett</b>" in layout.body.toPlainText()
    created.end()


def test_huge_picture_becomes_a_placeholder_quickly(qtbot, tmp_path):
    folder = write_lesson(tmp_path, body="\n## Riesenbild\nText\n![x](bilder/gross.png)\n")
    write_png(folder / "bilder" / "gross.png", (6000, 6000))
    lesson = parse_lesson(folder, check_pictures=False)
    created = PresentationSession(lesson)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    start = time.perf_counter()
    render(created)
    assert time.perf_counter() - start < 2
    created.end()


def test_body_text_fills_the_screen_and_respects_minimum(qtbot, tmp_path):
    long_text = " ".join(["Tippen Sie auf das Zahnrad und dann auf Anzeige."] * 12)
    lesson = parse_lesson(write_lesson(tmp_path, body=f"\n## Kurz\nEin Satz.\n\n## Lang\n{long_text}\n"))
    created = PresentationSession(lesson)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    theme = created.controller.theme
    short = created.renderer.layout(lesson.steps[0], Device.ANDROID, FULL_HD, 1.0, theme)
    long = created.renderer.layout(lesson.steps[1], Device.ANDROID, FULL_HD, 1.0, theme)
    assert short.body_px > long.body_px >= 1080 * MIN_TEXT_HEIGHT_FRACTION
    assert not short.overflow
    created.end()


def test_every_theme_meets_wcag_aaa():
    for theme in THEMES.values():
        for name, (foreground, background) in theme.pairs().items():
            assert contrast_ratio(foreground, background) >= AAA_RATIO, (theme.name, name)


def test_contrast_ratio_known_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_dark_theme_paints_dark_background(qtbot, session):
    session.controller.set_theme("dunkel")
    assert render(session).pixel(5, 5) == QColor("#000000").rgb()
    session.controller.set_theme("hell")
    assert render(session).pixel(5, 5) == QColor("#ffffff").rgb()


# --- screens ------------------------------------------------------------------------------------

def screens_by_name():
    return {screen.name(): screen for screen in QGuiApplication.screens()}


def test_two_screens_audience_on_projector_console_on_laptop(qtbot, session):
    screens = screens_by_name()
    assert set(screens) == {"Beamer", "Laptop"}
    primary = QGuiApplication.primaryScreen()
    projector = next(s for s in screens.values() if s is not primary)
    assert session.audience.isVisible() and session.audience.isFullScreen()
    assert session.audience.screen() is projector
    assert session.audience.geometry() == projector.geometry()
    assert session.console.isVisible()
    assert session.console.screen() is primary
    assert bool(session.audience.windowFlags() & Qt.WindowType.FramelessWindowHint)


def test_s_swaps_screens(qtbot, session):
    primary = QGuiApplication.primaryScreen()
    press(qtbot, session.console, Qt.Key.Key_S)
    assert session.audience.screen() is primary
    assert session.console.screen() is not primary
    press(qtbot, session.console, Qt.Key.Key_S)
    assert session.audience.screen() is not primary


def test_projector_unplugged_and_plugged_in_again(qtbot, lesson):
    primary_name = QGuiApplication.primaryScreen().name()
    all_names = [screen.name() for screen in QGuiApplication.screens()]
    connected = list(all_names)

    def connected_screens():  # fresh QScreen objects each time, as Qt reports them
        return [screen for screen in QGuiApplication.screens() if screen.name() in connected]

    created = PresentationSession(lesson, screens=connected_screens)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    assert created.console.isVisible()

    connected[:] = [primary_name]  # projector unplugged
    created._screens_changed()
    qtbot.waitUntil(lambda: created.placement is not None and created.placement.single_screen, timeout=2000)
    assert created.audience.isVisible() and created.audience.screen().name() == primary_name
    assert not created.console.isVisible()
    press(qtbot, created.audience, Qt.Key.Key_Tab)  # single screen: Tab shows the console
    assert created.console.isVisible()
    press(qtbot, created.console, Qt.Key.Key_Tab)
    assert not created.console.isVisible()

    connected[:] = all_names  # plugged in again
    created._screens_changed()
    qtbot.waitUntil(lambda: not created.placement.single_screen, timeout=2000)
    assert created.audience.screen().name() != primary_name
    assert created.console.isVisible()

    connected[:] = []  # a moment with no screen at all must not crash
    created.place_windows()
    created.end()


def test_audience_window_keeps_tab_for_itself(qtbot, session):
    assert session.audience.focusNextPrevChild(True) is False


def test_missing_picture_is_a_placeholder_on_the_wall(qtbot, tmp_path):
    lesson = parse_lesson(write_lesson(tmp_path, with_picture=False))
    assert any("fehlt" in p.message for p in lesson.errors)
    assert lesson.steps[0].picture is not None  # kept, so the wall can say which file is missing
    created = PresentationSession(lesson)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    text = audience_text(created)
    assert "Bild nicht verfügbar" in text and "telefon.svg" in text
    created.end()


def test_bold_last_word_does_not_make_the_whole_text_bold(qtbot, tmp_path):
    from PySide6.QtGui import QTextCursor

    lesson = parse_lesson(write_lesson(tmp_path, body="\n## Fett\nNur das letzte Wort ist **fett**\n"))
    created = PresentationSession(lesson)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    layout = created.renderer.layout(lesson.steps[0], Device.ANDROID, FULL_HD, 1.0, created.controller.theme)
    cursor = QTextCursor(layout.body)
    cursor.setPosition(2)
    assert not cursor.charFormat().font().bold()
    cursor.setPosition(len("Nur das letzte Wort ist ") + 2)
    assert cursor.charFormat().font().bold()
    created.end()


def test_device_badge_on_steps_with_device_variants(qtbot, session):
    session.controller.go_to(0)  # "Das Telefon einschalten" has Android and iPhone variants
    assert "Android" in audience_text(session).split()
    press(qtbot, session.audience, Qt.Key.Key_A)
    text = audience_text(session)
    assert "iPhone" in text.split() and "Seitentaste" in text
    session.controller.go_to(2)  # "Fertig": the same for every phone, no badge
    assert "iPhone" not in audience_text(session).split()
    # the badge sits below the content: it never covers the step's text or picture
    layout = session.renderer.layout(session.controller.steps[0], Device.IPHONE, FULL_HD, 1.0, session.controller.theme)
    image = QImage(FULL_HD, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    badge = session.renderer.paint_device_badge(painter, Device.IPHONE, FULL_HD, session.controller.theme)
    painter.end()
    assert badge.top() >= layout.content.bottom() and badge.height() >= 1080 * 0.045


def test_ctrl_plus_minus_change_the_wall_visibly_or_say_why(qtbot, session):
    c = session.controller

    def body_px() -> float:
        size = session.console.current.audience_size  # the projector's size
        return session.renderer.layout(c.step, c.device, size, c.font_scale, c.theme).body_px

    c.go_to(0)
    for _ in range(12):
        before, scale_before = body_px(), c.font_scale
        press(qtbot, session.audience, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
        if body_px() <= before:  # nothing visible: scale untouched and the console says why
            assert c.font_scale == scale_before and session.console.scale_note.text().startswith("Größer geht")
            break
    else:
        pytest.fail("Strg+Plus never reached a limit")
    for _ in range(30):
        before = body_px()
        press(qtbot, session.audience, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
        if body_px() >= before:
            assert session.console.scale_note.text() == "Kleiner geht nicht: das ist die kleinste gut lesbare Schrift."
            break
        assert body_px() < before  # every press that is accepted shows
    assert body_px() >= session.console.current.audience_size.height() * MIN_TEXT_HEIGHT_FRACTION
    # the console shows the scale; a reset brings it back to normal
    assert session.console.scale_label.text() == f"Schrift {c.scale_percent} %" and c.scale_percent < 100
    assert "auf" in session.console.scale_note.text() or "Kleiner" in session.console.scale_note.text()
    qtbot.mouseClick(session.console.reset_button, Qt.MouseButton.LeftButton)
    assert c.font_scale == 1.0 and session.console.scale_label.text() == "Schrift 100 %"
    assert not session.console.reset_button.isEnabled()


def test_a_scale_kept_from_last_time_is_shown_not_silent(qtbot, lesson):
    created = PresentationSession(lesson, device=Device.ANDROID, font_scale=0.8)
    qtbot.addWidget(created.audience)
    qtbot.addWidget(created.console)
    created.start()
    try:
        assert created.console.scale_label.text() == "Schrift 80 %"
        assert "auf 80 % gestellt" in created.console.scale_note.text()
        press(qtbot, created.console, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
        assert created.controller.font_scale == 1.0
    finally:
        created.end()


def test_wall_text_glyphs_are_cached_up_to_4k_title_size(monkeypatch):
    from app.ui.presenter import GLYPH_CACHE_ENV, cache_wall_glyphs

    monkeypatch.delenv(GLYPH_CACHE_ENV, raising=False)
    cache_wall_glyphs()
    # a 4K title: 2160 px · 8.5 % · 1.35 = 248 px; Qt's default limit is 64 px
    assert int(os.environ[GLYPH_CACHE_ENV]) >= 248
    monkeypatch.setenv(GLYPH_CACHE_ENV, "100")  # the user's own setting wins
    cache_wall_glyphs()
    assert os.environ[GLYPH_CACHE_ENV] == "100"


def test_an_unprepared_step_paints_the_same_wall_as_a_prepared_one(qtbot, session):
    c = session.controller
    c.go_to(1)
    size = session.audience.size()
    session.renderer.clear()  # a jump nobody prepared: painted straight onto the window
    cold = session.audience.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert session.renderer.cached_frame(c.step, c.device, size, c.font_scale, c.theme, c.step_label) is None
    session.renderer.frame(c.step, c.device, size, c.font_scale, c.theme, c.step_label)
    assert session.renderer.cached_frame(c.step, c.device, size, c.font_scale, c.theme, c.step_label) is not None
    prepared = session.audience.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert cold.size() == prepared.size() == size
    assert cold == prepared
