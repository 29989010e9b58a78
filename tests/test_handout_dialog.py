"""The handout dialog, driven like a trainer would: preview, print, save, cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QPushButton
from test_render_support import page_count, pdf_text, text_runs

import app.ui.handout_dialog as handout_dialog
from app.bench.handout import write_sample_lesson
from app.lessons.parser import parse_lesson
from app.ui.handout_dialog import HandoutDialog, open_handout_dialog


@pytest.fixture
def lessons(tmp_path: Path):
    return [parse_lesson(write_sample_lesson(tmp_path / "l", steps=steps, links=links, lesson_id=f"lektion-{steps}"))
            for steps, links in ((6, 2), (3, 1))]


@pytest.fixture
def dialog(qtbot, lessons) -> HandoutDialog:
    widget = open_handout_dialog(None, lessons[:1])
    qtbot.addWidget(widget)
    return widget


def _save_as(monkeypatch, target: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(target), "")))


def test_dialog_is_large_german_and_accessible(dialog: HandoutDialog) -> None:
    assert dialog.isVisible()
    assert dialog.font().pointSizeF() >= 14
    assert dialog.windowTitle() == "Handout drucken – Kurslotse"
    for button in (dialog.preview_button, dialog.print_button, dialog.pdf_button, dialog.close_button,
                   dialog.notes_box, *dialog.device_buttons.values()):
        assert button.accessibleName()
        assert "&" in button.text(), f"Tastenkürzel fehlt: {button.text()}"
        if button.isCheckable() and not button.isChecked() and button in dialog.device_buttons.values():
            continue  # a radio group is one Tab stop; the arrow keys move inside it
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus, button.text()
    assert dialog.device_choice() == "beide"


def test_keyboard_chooses_device_and_notes(qtbot, dialog: HandoutDialog) -> None:
    dialog.device_buttons["beide"].setFocus()
    qtbot.keyClick(dialog.device_buttons["beide"], Qt.Key.Key_Left)
    assert dialog.device_choice() == "iphone"
    qtbot.keyClick(dialog.notes_box, Qt.Key.Key_Space)
    options = dialog.options()
    assert [d.value for d in options.devices] == ["iphone"] and options.notes


def test_save_as_pdf(qtbot, dialog: HandoutDialog, monkeypatch, tmp_path: Path) -> None:
    target = tmp_path / "handout"  # without suffix: ".pdf" is added
    _save_as(monkeypatch, target)
    dialog.notes_box.setChecked(True)
    with qtbot.waitSignal(dialog.job_done, timeout=20000) as done:
        qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    assert done.args == ["ok"]
    written = tmp_path / "handout.pdf"
    assert page_count(written) == dialog.last_layout.page_count
    assert "Notiz für Schritt 1" in pdf_text(written)
    assert "Gespeichert" in dialog.status.text()
    qtbot.waitUntil(lambda: dialog.job is None)
    assert dialog.pdf_button.isEnabled()


def test_preview_and_pdf_come_from_the_same_renderer(qtbot, dialog: HandoutDialog, monkeypatch,
                                                     tmp_path: Path) -> None:
    target = tmp_path / "vergleich.pdf"
    _save_as(monkeypatch, target)
    with qtbot.waitSignal(dialog.job_done, timeout=20000):
        dialog.save_pdf()
    qtbot.waitUntil(lambda: dialog.job is None)
    with qtbot.waitSignal(dialog.job_done, timeout=20000) as done:
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert done.args == ["ok"]
    preview = dialog.preview_dialog
    assert preview is not None
    qtbot.addWidget(preview)
    widget = preview.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: widget.pageCount() > 0, timeout=20000)
    assert widget.pageCount() == page_count(target) == dialog.last_layout.page_count
    preview.close()


def test_cancelled_print_does_nothing(qtbot, dialog: HandoutDialog, monkeypatch) -> None:
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    started = []
    monkeypatch.setattr(dialog, "_start", lambda *args, **kwargs: started.append(args))
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert started == [] and dialog.job is None
    assert dialog.status.text() == ""


def test_print_goes_through_the_same_renderer(qtbot, dialog: HandoutDialog, monkeypatch, tmp_path: Path) -> None:
    printed = tmp_path / "drucker.pdf"

    def accept(self) -> QDialog.DialogCode:
        self.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        self.printer().setOutputFileName(str(printed))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    with qtbot.waitSignal(dialog.job_done, timeout=20000) as done:
        qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    assert done.args == ["ok"]
    assert page_count(printed) == dialog.last_layout.page_count
    assert "Schritt 1: Die Kamera-App finden" in pdf_text(printed)
    sizes = {round(run.size, 1) for run in text_runs(printed)}
    assert min(sizes) == 14.0 and 20.0 in sizes, "printer resolution is scaled away exactly"


def test_booklet_runs_off_the_ui_thread_and_can_be_cancelled(qtbot, lessons, monkeypatch, tmp_path: Path) -> None:
    booklet = HandoutDialog(lessons)
    qtbot.addWidget(booklet)
    booklet.show()
    assert "Kursheft" in booklet.windowTitle()
    original = handout_dialog.build_booklet
    threads = []

    def slow_build(lessons, options, cancelled):
        import threading
        import time

        threads.append(threading.current_thread())
        while not cancelled():  # waits until »Abbrechen« is pressed
            time.sleep(0.01)
        return original(lessons, options, cancelled)

    monkeypatch.setattr(handout_dialog, "build_booklet", slow_build)
    target = tmp_path / "heft.pdf"
    _save_as(monkeypatch, target)
    with qtbot.waitSignal(booklet.job_done, timeout=20000) as done:
        qtbot.mouseClick(booklet.pdf_button, Qt.MouseButton.LeftButton)
        assert booklet.progress is not None and not booklet.pdf_button.isEnabled()
        qtbot.waitUntil(lambda: bool(threads))
        booklet.progress.show()  # it appears by itself after 300 ms
        cancel_button = booklet.progress.findChild(QPushButton)
        assert cancel_button.text() == "Abbrechen"
        qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    assert done.args == ["abgebrochen"]
    assert threads[0] is not __import__("threading").main_thread()
    assert not target.exists()
    assert list(tmp_path.glob(".heft*")) == []
    assert "Abgebrochen" in booklet.status.text()


def test_booklet_saved_with_contents(qtbot, lessons, monkeypatch, tmp_path: Path) -> None:
    booklet = open_handout_dialog(None, lessons)
    qtbot.addWidget(booklet)
    target = tmp_path / "heft.pdf"
    _save_as(monkeypatch, target)
    with qtbot.waitSignal(booklet.job_done, timeout=20000) as done:
        booklet.save_pdf()
    assert done.args == ["ok"]
    assert "Inhalt" in pdf_text(target)


def test_unwritable_target_shows_a_message_and_writes_nothing(qtbot, dialog: HandoutDialog, monkeypatch,
                                                              tmp_path: Path) -> None:
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: shown.append(text)))
    _save_as(monkeypatch, tmp_path / "fehlt" / "x.pdf")
    qtbot.mouseClick(dialog.pdf_button, Qt.MouseButton.LeftButton)
    assert shown and "existiert nicht" in shown[0]
    assert dialog.job is None


def test_kursheft_of_several_ticked_lessons_and_a_plan_in_one_click(qtbot, lessons, monkeypatch,
                                                                       tmp_path: Path) -> None:
    plan = ("Kurs: Donnerstagsgruppe", [lessons[1].id, lessons[0].id])
    booklet = open_handout_dialog(None, lessons[:1], choices=lessons, plans=[plan])
    qtbot.addWidget(booklet)
    assert not booklet.is_booklet and booklet.heading.text().startswith("Handout: ")
    ticks = [booklet.lesson_list.item(r).checkState() for r in range(booklet.lesson_list.count())]
    assert ticks == [Qt.CheckState.Checked, Qt.CheckState.Unchecked]
    booklet.lesson_list.item(1).setCheckState(Qt.CheckState.Checked)  # a second lesson: a Kursheft
    assert booklet.is_booklet and booklet.heading.text() == "Kursheft mit 2 Lektionen"
    for row in range(2):
        booklet.lesson_list.item(row).setCheckState(Qt.CheckState.Unchecked)
    assert not booklet.print_button.isEnabled() and booklet.heading.text() == "Keine Lektion angekreuzt"
    qtbot.mouseClick(booklet.plan_button, Qt.MouseButton.LeftButton)  # the whole plan, one click
    assert [lesson.id for lesson in booklet.lessons] == plan[1]  # in the plan's order
    assert booklet.pdf_button.isEnabled() and booklet.windowTitle() == "Kursheft drucken – Kurslotse"
    target = tmp_path / "kursheft.pdf"
    _save_as(monkeypatch, target)
    with qtbot.waitSignal(booklet.job_done, timeout=20000) as done:
        booklet.save_pdf()
    assert done.args == ["ok"]
    text = pdf_text(target)
    assert "Inhalt" in text and text.index(lessons[1].title) < text.rindex(lessons[0].title)


def test_booklet_beidseitig_starts_every_lesson_on_a_right_hand_page(qtbot, lessons, monkeypatch, tmp_path: Path):
    import pypdf

    booklet = open_handout_dialog(None, lessons)
    qtbot.addWidget(booklet)
    assert booklet.duplex_box.isEnabled() and not booklet.options().duplex
    booklet.duplex_box.setChecked(True)
    assert booklet.options().duplex
    target = tmp_path / "heft-beidseitig.pdf"
    _save_as(monkeypatch, target)
    with qtbot.waitSignal(booklet.job_done, timeout=20000) as done:
        booklet.save_pdf()
    assert done.args == ["ok"]
    reader = pypdf.PdfReader(str(target))
    starts = [reader.get_destination_page_number(item) + 1 for item in reader.outline
              if not isinstance(item, list) and item.title in {lesson.title for lesson in lessons}]
    assert len(starts) == len(lessons)
    assert all(page % 2 == 1 for page in starts), starts  # odd page numbers are right-hand pages


def test_single_handout_has_no_beidseitig_choice(qtbot, dialog: HandoutDialog) -> None:
    assert not dialog.duplex_box.isEnabled()
    dialog.duplex_box.setChecked(True)
    assert not dialog.options().duplex
