"""The lesson editor, driven through its widgets: a lesson built from nothing, marked screenshot, checker,
wall, handout with QR codes; copy-on-edit of shipped lessons; undo; a crash while typing and the draft."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QColor

from app import paths
from app.domain.contrast import LIGHT
from app.domain.lesson import Device
from app.lessons.editing import create_lesson
from app.lessons.library import load_library
from app.lessons.parser import parse_lesson
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
LINK = "https://www.digital-kompass.de/"


def _screenshot(path: Path) -> Path:
    """A phone-sized screenshot: a name at the top (to be hidden) and a blue button (to be circled)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1080, 2340), "#f4f4f4")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(ROOT / "ressourcen" / "schriften" / "AtkinsonHyperlegible-Bold.ttf"), 90)
    draw.text((80, 200), "Erika Muster 0171 555", fill="#000000", font=font)
    draw.rectangle((340, 1700, 740, 1900), fill="#1a73e8")
    image.save(path)
    return path


def _wait_preview(qtbot, editor, timeout: int = 15000) -> None:
    qtbot.waitUntil(lambda: editor.wait_idle() and editor.last_result is not None, timeout=timeout)


def _type(qtbot, widget, text: str) -> None:
    """Replace the text of a line edit key by key (QTest knows only ASCII keys; others are typed as input)."""
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
        else:
            widget.insert(char)


def _set_plain(widget, text: str) -> None:
    widget.selectAll()
    widget.insertPlainText(text)  # like typing or pasting: goes through textChanged


def _main_window(qtbot, own: Path):
    from app.ui.main_window import MainWindow

    window = MainWindow(Settings(user_lesson_dir=str(own)), load_now=False)
    qtbot.addWidget(window)
    return window


def test_a_lesson_from_nothing_with_a_marked_screenshot(qtbot, tmp_path: Path):
    from app.ui.editor.launch import new_lesson
    from app.ui.editor.markup_dialog import MarkupDialog
    from app.lessons import markup

    own = tmp_path / "eigene"
    own.mkdir()
    window = _main_window(qtbot, own)
    editor = new_lesson(window, title="Fotos verschicken")
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    assert editor.folder == own / "fotos-verschicken"
    assert editor.step_list.count() == 1

    # header through the form
    editor.tabs.setCurrentIndex(1)
    _type(qtbot, editor.header_fields["beschreibung"], "Ein Foto an die Familie schicken.")
    editor.duration.setValue(45)
    _set_plain(editor.header_lists["lernziele"], "Ich kann ein Foto verschicken.")
    _set_plain(editor.header_lists["links"], f"Digital-Kompass | {LINK}")

    # the first step, the common text and the two device tabs
    editor.tabs.setCurrentIndex(0)
    _type(qtbot, editor.step_title, "Die Galerie öffnen")
    _set_plain(editor.section_texts["text"], "Tippen Sie auf das Bild mit dem Kreis.")
    _set_plain(editor.section_texts["android"], "Die App heißt Galerie.")
    _set_plain(editor.section_texts["iphone"], "Die App heißt Fotos.")
    _set_plain(editor.box_texts["merksatz"], "Erst ansehen, dann tippen.")

    # mark a screenshot: a numbered tap, a circle and a blur over the name, through the dialog's canvas
    shot = _screenshot(tmp_path / "bildschirmfoto.png")
    dialog = MarkupDialog(markup.open_screenshot(shot.read_bytes()))
    qtbot.addWidget(dialog)
    dialog.resize(500, 900)
    dialog.show()
    canvas = dialog.canvas
    rect = canvas.image_rect()

    def at(x: float, y: float) -> QPoint:  # picture pixels of the 1080 × 2340 screenshot → canvas
        scale = rect.width() / 1080
        return QPoint(round(rect.x() + x * scale), round(rect.y() + y * scale))

    qtbot.mouseClick(dialog.tool_buttons["nummer"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=at(540, 1800))
    qtbot.mouseClick(dialog.tool_buttons["kreis"], Qt.MouseButton.LeftButton)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=at(300, 1650))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=at(780, 1950))
    qtbot.mouseClick(dialog.tool_buttons["unschaerfe"], Qt.MouseButton.LeftButton)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=at(40, 180))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=at(1060, 330))
    kinds = [mark.kind for mark in dialog.picture.marks]
    assert kinds == ["nummer", "kreis"]  # the blur went into the raster itself
    assert dialog.picture.marks[0].number == 1
    target = editor.attach_marked("text", dialog.picture, "galerie", alt="Bildschirmfoto: hier tippen")
    assert target.startswith("bilder/galerie.")
    assert (editor.folder / "bilder" / "galerie.svg").is_file() and (editor.folder / "bilder" / "galerie.png").is_file()

    # a second step with an exercise
    editor.add_step()
    _type(qtbot, editor.step_title, "Das Foto senden")
    _set_plain(editor.section_texts["text"], "Tippen Sie auf Teilen und wählen Sie eine Person.")
    _set_plain(editor.box_texts["uebung"], "- Schicken Sie ein Foto an sich selbst.")
    assert editor.step_list.count() == 2

    _wait_preview(qtbot, editor)
    assert editor.problems == [], [p.message for p in editor.problems]
    assert editor.problem_list.item(0).text().startswith("Keine Meldungen")
    assert not editor.wall_label.pixmap().isNull()
    assert editor.save()
    assert not editor.modified

    # the library, the strict checker, the wall and the handout see the new lesson
    library = load_library([], [own])
    lesson = library.by_id("fotos-verschicken")
    assert lesson is not None and lesson.problems == [], lesson.problems
    assert [step.title for step in lesson.steps] == ["Die Galerie öffnen", "Das Foto senden"]
    assert lesson.steps[0].variants[Device.IPHONE].text == "Die App heißt Fotos."
    assert lesson.duration_minutes == 45
    picture = lesson.steps[0].picture
    assert picture is not None and picture.path.name.startswith("galerie.")

    from app.cli import main as cli_main

    assert cli_main(["lektionen", "pruefen", str(editor.folder), "--streng"]) == 0

    from app.ui.presenter.step_renderer import StepRenderer

    frame = StepRenderer().frame(lesson.steps[0], Device.ANDROID, QSize(1280, 720), 1.0, LIGHT)
    core = QColor(markup.CORE)
    marked = sum(1 for x in range(0, 1280, 4) for y in range(0, 720, 4)
                 if _close(frame.pixelColor(x, y), core))
    assert marked > 20, "die Markierung ist an der Wand nicht zu sehen"

    _check_blur_is_in_the_stored_files(editor.folder / "bilder")
    _check_handout(lesson, tmp_path / "handout.pdf")

    # shared with a colleague: the package holds the lesson with its pictures and imports cleanly
    from app.lessons.package import install, plan_import, read_package

    (tmp_path / "weitergeben").mkdir()
    package = editor.share(str(tmp_path / "weitergeben" / "fotos"))
    assert package is not None, editor.banner_text.text()
    assert package == tmp_path / "weitergeben" / "fotos.kurslotse"
    colleague = tmp_path / "kollegin"
    with read_package(package) as opened:
        plan = plan_import(opened, [])
        install(opened, plan, colleague)
    theirs = parse_lesson(colleague / "fotos-verschicken")
    assert theirs.problems == [] and theirs.steps[0].picture.path.is_file()


def _close(colour: QColor, other: QColor, slack: int = 40) -> bool:
    return (abs(colour.red() - other.red()) < slack and abs(colour.green() - other.green()) < slack
            and abs(colour.blue() - other.blue()) < slack)


def _check_blur_is_in_the_stored_files(folder: Path) -> None:
    """The name area of the stored raster (PNG and the picture inside the SVG) holds no near-black text pixels."""
    from PIL import Image

    from app.lessons import markup

    overlay = markup.read_svg((folder / "galerie.svg").read_bytes())
    for data in ((folder / "galerie.png").read_bytes(), overlay.raster):
        with Image.open(io.BytesIO(data)) as image:
            grey = image.convert("L")
            scale = grey.width / 1080
            box = (round(80 * scale), round(210 * scale), round(1000 * scale), round(300 * scale))
            darkest = grey.crop(box).getextrema()[0]
            assert darkest > 60, f"Name noch lesbar (dunkelster Wert {darkest})"


def _check_handout(lesson, target: Path) -> None:
    import pypdfium2 as pdfium
    import zxingcpp

    from app.render.handout import build_handout
    from app.render.output import write_pdf

    write_pdf(build_handout(lesson), target)
    document = pdfium.PdfDocument(str(target))
    try:
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
        images = [document[i].render(scale=150 / 72).to_pil().convert("L") for i in range(len(document))]
    finally:
        document.close()
    joined = "\n".join(texts)
    assert "Die Galerie öffnen" in joined and "Erst ansehen, dann tippen." in joined
    codes = [code.text for image in images for code in zxingcpp.read_barcodes(image)
             if code.format == zxingcpp.BarcodeFormat.QRCode]
    assert codes == [LINK]


def test_edit_on_a_shipped_lesson_makes_a_copy(qtbot, tmp_path: Path):
    from app.ui.editor.launch import edit_lesson

    own = tmp_path / "eigene"
    own.mkdir()
    window = _main_window(qtbot, own)
    window.library = load_library([ROOT / "lektionen"], [own], check_pictures=False)
    shipped = window.library.by_id("qr-codes-scannen")
    before = (shipped.folder / "lektion.md").read_bytes()
    editor = edit_lesson(window, shipped)
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    assert editor.folder == own / "qr-codes-scannen-eigene"
    assert editor.banner.isVisible() and "Kopie" in editor.banner_text.text()
    _set_plain(editor.box_texts["notizen"], "Meine eigene Notiz.")
    assert editor.save()
    assert (shipped.folder / "lektion.md").read_bytes() == before
    copy = parse_lesson(editor.folder)
    assert copy.id == "qr-codes-scannen-eigene" and copy.steps[0].notes == "Meine eigene Notiz."
    assert "Kopie der Lektion »qr-codes-scannen«" in (editor.folder / "lektion.md").read_text(encoding="utf-8")
    assert window.library.by_id("qr-codes-scannen-eigene") is not None  # reloaded after saving
    editor.show()
    again = edit_lesson(window, window.library.by_id("qr-codes-scannen-eigene"))
    assert again is editor  # an own lesson is edited in place, and never in two windows at once


def test_undo_redo_and_reorder_change_only_the_text(qtbot, tmp_path: Path):
    from app.ui.editor.window import LessonEditor

    folder = create_lesson(tmp_path, "Reihenfolge", set())
    editor = LessonEditor(folder)
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    original = editor.document.text
    _type(qtbot, editor.step_title, "Eins")
    editor.add_step("Zwei")
    assert [editor.step_list.item(i).text() for i in range(2)] == ["1. Eins", "2. Zwei"]
    editor.move_step(1, 0)
    assert editor.document.step_titles() == ["Zwei", "Eins"]
    editor.undo_action.trigger()
    assert editor.document.step_titles() == ["Eins", "Zwei"]
    editor.undo_action.trigger()
    editor.undo_action.trigger()  # the typed title was one entry, not one per key
    assert editor.document.text == original and not editor.modified
    editor.redo_action.trigger()
    assert editor.document.step_titles() == ["Eins"]
    # Strg+Z in a text box undoes through the editor's history (all keys typed into one field at once)
    editor.show()
    editor.activateWindow()
    qtbot.waitExposed(editor)
    box = editor.box_texts["merksatz"]
    box.setFocus()
    qtbot.keyClicks(box, "Kurz")
    assert editor.document.field(0, "merksatz") == "Kurz"
    qtbot.keyClick(box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.document.field(0, "merksatz") == "" and box.toPlainText() == ""
    # drag and drop in the list reorders the steps in the file
    editor.add_step("Drei")
    model = editor.step_list.model()
    assert model.moveRow(model.index(-1, -1).parent(), 1, model.index(-1, -1).parent(), 0)
    qtbot.waitUntil(lambda: editor.document.step_titles() == ["Drei", "Eins"], timeout=2000)


def test_a_checker_message_jumps_to_its_field(qtbot, tmp_path: Path):
    from app.ui.editor.window import LessonEditor

    folder = create_lesson(tmp_path, "Sprung", set())
    editor = LessonEditor(folder)
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    editor.ask = lambda *_: False
    editor.show()
    editor.add_step("Zweiter Schritt")
    _set_plain(editor.section_texts["text"], "")  # an empty step is an error
    editor.step_list.setCurrentRow(0)
    _wait_preview(qtbot, editor)
    errors = [i for i in range(editor.problem_list.count()) if "Leerer Schritt" in editor.problem_list.item(i).text()]
    assert errors, [editor.problem_list.item(i).text() for i in range(editor.problem_list.count())]
    editor.problem_list.itemClicked.emit(editor.problem_list.item(errors[0]))
    assert editor.step_index == 1 and editor.step_list.currentRow() == 1
    assert not editor.save()  # with errors it asks first; the answer was no
    assert editor.modified


@pytest.mark.parametrize("font_pt", [14.0, 17.5])  # 17.5 pt: the 125 % font of the fit test
def test_the_editor_fits_a_small_laptop_and_names_its_inputs(qtbot, tmp_path: Path, font_pt: float):
    from PySide6.QtWidgets import QAbstractButton, QApplication, QLineEdit, QPlainTextEdit, QScrollArea

    from app.ui.editor.window import LessonEditor

    app = QApplication.instance()
    old_font = app.font()
    font = app.font()
    font.setPointSizeF(font_pt)
    app.setFont(font)
    try:
        folder = create_lesson(tmp_path, "Klein", set())
        editor = LessonEditor(folder)
        qtbot.addWidget(editor)
        editor.ask_close = lambda: "verwerfen"
        editor.resize(1366, 768 - 60)
        editor.show()
        qtbot.waitExposed(editor)
        assert editor.minimumSizeHint().width() <= 1366 and editor.minimumSizeHint().height() <= 768 - 60
        form_area = next(a for a in editor.findChildren(QScrollArea) if a.widget() is editor.step_form)
        assert not form_area.horizontalScrollBar().isVisible()  # nothing of the step form is cut off sideways
    finally:
        app.setFont(old_font)
    unnamed = [w for w in editor.findChildren(QLineEdit) + editor.findChildren(QPlainTextEdit)
               if w.isVisible() and not w.accessibleName() and w.objectName() != "qt_spinbox_lineedit"
               and not w.parent().inherits("QComboBox")]
    assert unnamed == []
    assert all(b.text() or b.accessibleName() for b in editor.findChildren(QAbstractButton) if b.isVisible())


_CRASH_SCRIPT = r"""
import sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.ui.editor.window import LessonEditor
from app.ui.editor import drafts
editor = LessonEditor(Path(sys.argv[1]))
editor.show()
edit = editor.section_texts["text"]
edit.setFocus()
edit.selectAll()
for char in "Getippt vor dem Absturz.":
    edit.insertPlainText(char)
    app.processEvents()
deadline = time.time() + 20
while drafts.load_draft(editor.folder) is None or "Absturz." not in drafts.load_draft(editor.folder).text:
    app.processEvents()
    time.sleep(0.02)
    if time.time() > deadline:
        sys.exit(3)
print("bereit", flush=True)
time.sleep(60)
"""


def test_a_crash_while_typing_leaves_a_draft_that_is_recovered(qtbot, tmp_path: Path, data_dir: Path):
    from app.ui.editor.window import LessonEditor

    folder = create_lesson(tmp_path, "Absturz", set())
    before = (folder / "lektion.md").read_bytes()
    env = dict(os.environ, **{paths.ENV_DATA_DIR: str(data_dir), "QT_QPA_PLATFORM": "offscreen",
                              "PYTHONPATH": str(ROOT)})
    process = subprocess.Popen([sys.executable, "-c", _CRASH_SCRIPT, str(folder)], stdout=subprocess.PIPE,
                               env=env, cwd=str(ROOT), text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    try:
        reader.join(90)  # a hanging child must not hang the test run
        assert lines and lines[0].strip() == "bereit", f"Editor-Prozess: {lines}, Ende {process.poll()}"
    finally:
        process.kill()  # the crash: no closeEvent, no saving
        process.wait(10)
    assert (folder / "lektion.md").read_bytes() == before  # nothing was saved to the lesson itself

    editor = LessonEditor(folder)
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    editor.show()
    assert editor.banner.isVisible() and editor.recover_button.isVisible()
    assert "Entwurf" in editor.banner_text.text()
    qtbot.mouseClick(editor.recover_button, Qt.MouseButton.LeftButton)
    assert editor.section_texts["text"].toPlainText() == "Getippt vor dem Absturz."
    assert editor.modified
    assert editor.save()
    assert parse_lesson(folder).steps[0].text == "Getippt vor dem Absturz."
    from app.ui.editor import drafts

    assert drafts.load_draft(folder) is None
    from app.ui.editor.preview import preview_folder

    assert preview_folder(folder).exists()
    editor.close()
    assert not preview_folder(folder).parent.exists()  # the preview copy goes with the editor


def test_marked_svg_is_checker_clean_when_embedded_pictures_are_allowed(tmp_path: Path):
    """The overlay SVG passes the print checks; the lesson points at it once the checker allows data: pictures."""
    from app.lessons import markup
    from app.lessons.svg_checks import check_svg

    picture = markup.open_screenshot(_screenshot(tmp_path / "s.png").read_bytes())
    picture.marks = [markup.Mark("nummer", 300, 1000, number=1), markup.Mark("pfeil", 100, 300, 300, 950),
                     markup.Mark("kreis", 200, 900, 420, 1100), markup.Mark("kreis", -50, -50, 30, 30),
                     markup.Mark("pfeil", -10, -10, 2000, 3000), markup.Mark("nummer", 0, 5000, number=2)]
    stored, target = markup.save(picture, tmp_path / "lektion", "bild")
    svg = (tmp_path / "lektion" / "bilder" / "bild.svg").read_bytes()
    assert len(svg) <= 1_000_000
    assert check_svg(svg) == []
    assert markup.read_svg(svg).marks == stored.marks
    assert target.as_posix() == ("bilder/bild.svg" if markup.svg_accepted(svg) else "bilder/bild.png")


@pytest.mark.parametrize("bad", [b"", b"kein Bild", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20])
def test_a_broken_screenshot_gets_a_german_message(bad: bytes):
    from app.lessons import markup

    with pytest.raises(markup.MarkupError, match="kein lesbares"):
        markup.open_screenshot(bad)


def test_a_dropped_photo_is_scaled_into_bilder(qtbot, tmp_path: Path):
    from PIL import Image
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from app.ui.editor.window import LessonEditor

    folder = create_lesson(tmp_path, "Bilder", set())
    editor = LessonEditor(folder)
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    photo = tmp_path / "Urlaub Foto.jpg"
    Image.new("RGB", (4000, 3000), "#336699").save(photo, quality=80)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(photo))])
    target = editor.section_texts["iphone"]
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    target.dropEvent(drop)
    ref = editor.document.picture(0, "iphone")
    assert ref is not None and ref.target == "bilder/urlaub-foto.jpg"
    with Image.open(folder / ref.target) as stored:
        assert max(stored.size) == 1600
    assert editor.picture_rows["iphone"].name.text() == "urlaub-foto.jpg"
    # a file that is no picture changes nothing and says why
    before = editor.document.text
    (tmp_path / "brief.txt").write_text("Hallo", encoding="utf-8")
    editor.add_picture_file(tmp_path / "brief.txt", "text")
    assert editor.document.text == before and "kein PNG-, JPEG- oder SVG-Bild" in editor.banner_text.text()


def test_the_lessons_menu_opens_the_editor_on_a_copy(qtbot, tmp_path: Path):
    from PySide6.QtGui import QKeySequence

    own = tmp_path / "eigene"
    own.mkdir()
    window = _main_window(qtbot, own)
    texts = {action.text().replace("&", ""): action for menu in window.menuBar().actions() if menu.menu()
             for action in menu.menu().actions()}
    assert texts["Lektion bearbeiten …"].shortcut() == QKeySequence("Ctrl+E")
    assert texts["Neue Lektion …"].shortcut() == QKeySequence("Ctrl+Shift+N")
    window.reload_library()
    assert window.select_lesson("kamera-und-fotos")
    texts["Lektion bearbeiten …"].trigger()
    editors = window.__dict__.get("_lesson_editors", [])
    assert len(editors) == 1 and editors[0].folder == own / "kamera-und-fotos-eigene"
    editors[0].ask_close = lambda: "verwerfen"
    qtbot.addWidget(editors[0])
    assert window.library.by_id("kamera-und-fotos-eigene") is not None


def test_marks_can_be_placed_with_the_keyboard(qtbot, tmp_path: Path):
    from app.lessons import markup
    from app.ui.editor.markup_dialog import MarkupDialog

    dialog = MarkupDialog(markup.open_screenshot(_screenshot(tmp_path / "s.png").read_bytes()))
    qtbot.addWidget(dialog)
    canvas = dialog.canvas
    width, height = dialog.picture.width, dialog.picture.height
    assert (canvas.point.x(), canvas.point.y()) == (width / 2, height / 2)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)  # tool »Nummer« is chosen first
    qtbot.keyClick(dialog.tool_buttons["pfeil"], Qt.Key.Key_Space)
    assert canvas.tool == "pfeil"
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    number, arrow = dialog.picture.marks
    assert number.kind == "nummer" and number.number == 1 and (number.x1, number.y1) == (width / 2, height / 2)
    assert arrow.kind == "pfeil" and arrow.y2 - arrow.y1 == pytest.approx(max(width, height) / 10)
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    assert [m.kind for m in dialog.picture.marks] == ["nummer"]


def test_a_marked_screenshot_opens_again_with_its_marks(qtbot, tmp_path: Path):
    from app.lessons import markup
    from app.ui.editor.window import LessonEditor

    folder = create_lesson(tmp_path, "Wieder", set())
    editor = LessonEditor(folder)
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    shot = _screenshot(tmp_path / "Mein Foto.png")
    editor.choose_file = lambda *_: str(shot)
    seen: list[list[markup.Mark]] = []

    def add_number(picture: markup.MarkedPicture) -> markup.MarkedPicture:
        seen.append(list(picture.marks))
        mark = markup.Mark("nummer", 100, 100 * (len(picture.marks) + 1), number=picture.next_number())
        return markup.MarkedPicture(picture.raster, picture.mime, picture.width, picture.height, [*picture.marks, mark])

    editor.run_markup = add_number
    editor.mark_screenshot("android")
    ref = editor.document.picture(0, "android")
    assert ref is not None and ref.target in ("bilder/mein-foto.png", "bilder/mein-foto.svg")
    png_before = (folder / "bilder" / "mein-foto.png").read_bytes()
    editor.mark_screenshot("android")  # the overlay is opened again, not a new file chosen
    assert [len(marks) for marks in seen] == [0, 1]
    overlay = markup.read_svg((folder / "bilder" / "mein-foto.svg").read_bytes())
    assert [m.number for m in overlay.marks] == [1, 2]
    assert (folder / "bilder" / "mein-foto.png").read_bytes() != png_before
    assert sorted(p.name for p in (folder / "bilder").iterdir()) == ["mein-foto.png", "mein-foto.svg"]


def test_typing_after_a_pause_is_its_own_undo_step(qtbot, tmp_path: Path, monkeypatch):
    from app.ui.editor import window as window_module
    from app.ui.editor.window import LessonEditor

    clock = [1000.0]
    monkeypatch.setattr(window_module.time, "monotonic", lambda: clock[0])
    editor = LessonEditor(create_lesson(tmp_path, "Pause", set()))
    qtbot.addWidget(editor)
    editor.ask_close = lambda: "verwerfen"
    box = editor.box_texts["merksatz"]
    qtbot.keyClicks(box, "Erst")
    clock[0] += 1.0  # a short pause: still the same step
    qtbot.keyClicks(box, " dann")
    clock[0] += 5.0  # a long pause: a new step
    qtbot.keyClicks(box, " jetzt")
    assert editor.document.field(0, "merksatz") == "Erst dann jetzt"
    editor.undo_action.trigger()
    assert editor.document.field(0, "merksatz") == "Erst dann"
    editor.undo_action.trigger()
    assert editor.document.field(0, "merksatz") == ""
