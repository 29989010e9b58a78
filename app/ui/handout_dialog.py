"""Dialog »Handout drucken«: device choice, notes, then preview, print or save as PDF.

Everything slow (loading pictures, layout, painting a booklet onto a PDF or printer) runs in a
:class:`RenderJob` thread with a cancellable progress dialog. The print preview paints the
layout the job produced, in the GUI thread, with the same painter code as PDF and printer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.domain.lesson import Lesson
from app.ui.background_job import BackgroundJob, Work
from app.ui.look import with_icon
from app.render.booklet import build_booklet
from app.render.document import Document, Layout
from app.render.fonts import load_fonts
from app.render.handout import HandoutOptions, build_handout
from app.render.output import OutputError, check_target, layout_for, page_size, paint, prepare_printer, write_pdf

log = logging.getLogger(__name__)
MIN_DIALOG_PT = 14.0
PROGRESS_STEPS = 1000


class RenderJob(BackgroundJob):
    """A background job for handouts and booklets (an OutputError carries its German message)."""

    def __init__(self, work: Work, parent: QWidget | None = None, keep_alive: object = None) -> None:
        super().__init__(work, (OutputError,), "des Handouts", parent, keep_alive)


class HandoutDialog(QDialog):
    """Preview, print or save the handout of one lesson, or the booklet of several."""

    job_done = Signal(str)  # "ok", "abgebrochen" or "fehler" — for tests and the status line

    def __init__(self, lessons: Sequence[Lesson], parent: QWidget | None = None,
                 options: HandoutOptions | None = None, choices: Sequence[Lesson] = (),
                 plans: Sequence[tuple[str, Sequence[str]]] = ()) -> None:
        """*choices*: lessons the trainer may tick for a Kursheft (in the one lesson order);
        *plans*: (name, lesson ids) of course plans, each taken over with one click."""
        super().__init__(parent)
        if not lessons:
            raise ValueError("Mindestens eine Lektion wird gebraucht.")
        load_fonts()  # in the GUI thread, before any worker needs them
        self.lessons = list(lessons)
        self.choices = [lesson for lesson in choices if not lesson.is_broken]
        self.plans = [(name, list(ids)) for name, ids in plans]
        self.base_options = options or HandoutOptions()
        self.job: RenderJob | None = None
        self.progress: QProgressDialog | None = None
        self.preview_dialog: QPrintPreviewDialog | None = None
        self.last_layout: Layout | None = None
        self._preview_document: Document | None = None
        self._preview_printer: QPrinter | None = None
        self._saved_target: Path | None = None
        self._on_success: Callable[[object], None] = lambda result: None
        self.options_snapshot = self.base_options
        self._build_ui()

    # --- widgets ---------------------------------------------------------------------------

    @property
    def is_booklet(self) -> bool:
        return len(self.lessons) > 1

    def _build_ui(self) -> None:
        font = QFont(self.font())
        if font.pointSizeF() < MIN_DIALOG_PT:
            font.setPointSizeF(MIN_DIALOG_PT)
        self.setFont(font)

        layout = QVBoxLayout(self)
        self.heading = QLabel()
        title_font = QFont(font)
        title_font.setBold(True)
        title_font.setPointSizeF(font.pointSizeF() * 1.25)
        self.heading.setFont(title_font)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.details = QLabel()
        self.details.setWordWrap(True)
        layout.addWidget(self.details)
        if self.choices:
            layout.addWidget(self._build_lesson_choice())
        self._show_contents()

        devices = QGroupBox("Gerät der Teilnehmenden")
        devices.setAccessibleName("Gerät der Teilnehmenden")
        row = QHBoxLayout(devices)
        self.device_group = QButtonGroup(self)
        self.device_buttons: dict[str, QRadioButton] = {}
        for key, label, description in (
            ("android", "&Android", "Nur die Android-Fassung drucken"),
            ("iphone", "&iPhone", "Nur die iPhone-Fassung drucken"),
            ("beide", "&Beide", "Android- und iPhone-Fassung nacheinander drucken"),
        ):
            button = QRadioButton(label)
            button.setAccessibleName(label.replace("&", ""))
            button.setAccessibleDescription(description)
            self.device_group.addButton(button)
            self.device_buttons[key] = button
            row.addWidget(button)
        self.device_buttons[self._initial_device()].setChecked(True)
        layout.addWidget(devices)

        self.notes_box = QCheckBox("&Notizen für die Kursleitung mitdrucken")
        self.notes_box.setAccessibleName("Notizen für die Kursleitung mitdrucken")
        self.notes_box.setChecked(self.base_options.notes)
        layout.addWidget(self.notes_box)
        self.duplex_box = QCheckBox("&Beidseitig drucken: jede Lektion beginnt auf einer rechten Seite")
        self.duplex_box.setAccessibleName("Beidseitig drucken, jede Lektion beginnt auf einer rechten Seite")
        self.duplex_box.setToolTip("Nur für ein Kursheft: so lässt sich das gedruckte Heft in Lektionen aufteilen.")
        self.duplex_box.setChecked(self.base_options.duplex)
        self.duplex_box.setEnabled(self.is_booklet)
        layout.addWidget(self.duplex_box)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Meldung")
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        self.preview_button = QPushButton("&Vorschau")
        self.preview_button.setAccessibleName("Vorschau")
        self.preview_button.setAccessibleDescription("Zeigt die Seiten so, wie sie gedruckt werden")
        self.print_button = QPushButton("&Drucken …")
        self.print_button.setAccessibleName("Drucken")
        self.print_button.setAccessibleDescription("Drucker wählen und drucken")
        self.pdf_button = QPushButton("Als &PDF speichern …")
        self.pdf_button.setAccessibleName("Als PDF speichern")
        self.close_button = QPushButton("&Schließen")
        self.close_button.setAccessibleName("Schließen")
        for button in (self.preview_button, self.print_button, self.pdf_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        self.preview_button.setDefault(True)
        for button, name in ((self.preview_button, "eye"), (self.print_button, "printer"),
                             (self.pdf_button, "file-down"), (self.close_button, "x")):
            with_icon(button, name)
        layout.addLayout(buttons)

        self.preview_button.clicked.connect(self.show_preview)
        self.print_button.clicked.connect(self.print_document)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.reject)
        self.device_buttons[self._initial_device()].setFocus()

    def _build_lesson_choice(self) -> QGroupBox:
        """Tick several lessons, or take a course plan over with one click: the Kursheft."""
        box = QGroupBox("Lektionen im Heft (mehrere ankreuzen: Kursheft)")
        box_layout = QVBoxLayout(box)
        self.lesson_list = QListWidget()
        self.lesson_list.setAccessibleName("Lektionen für Handout oder Kursheft ankreuzen")
        chosen = {lesson.id for lesson in self.lessons}
        for lesson in self.choices:
            item = QListWidgetItem(lesson.title)
            item.setData(Qt.ItemDataRole.UserRole, lesson.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if lesson.id in chosen else Qt.CheckState.Unchecked)
            self.lesson_list.addItem(item)
        self.lesson_list.setMinimumHeight(140)
        self.lesson_list.itemChanged.connect(lambda _item: self._ticks_changed())
        box_layout.addWidget(self.lesson_list, 1)
        row = QHBoxLayout()
        self.plan_box = QComboBox()
        self.plan_box.setAccessibleName("Kursplan")
        for name, ids in self.plans:
            self.plan_box.addItem(name, ids)
        self.plan_button = QPushButton("Ganzen Kursplan übernehmen")
        self.plan_button.setAccessibleName("Alle Lektionen des gewählten Kursplans ankreuzen")
        self.plan_button.setAutoDefault(False)
        self.plan_button.clicked.connect(lambda: self.choose_plan(self.plan_box.currentData()))
        with_icon(self.plan_button, "book-open")
        if self.plans:
            row.addWidget(self.plan_box, 1)
            row.addWidget(self.plan_button)
            box_layout.addLayout(row)
        return box

    def choose_plan(self, lesson_ids: Sequence[str] | None) -> None:
        """Tick exactly the plan's lessons (in the plan's order for the booklet)."""
        if not lesson_ids:
            return
        self._plan_order = [lesson_id for lesson_id in lesson_ids]
        wanted = set(lesson_ids)
        self.lesson_list.blockSignals(True)
        for row in range(self.lesson_list.count()):
            item = self.lesson_list.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in wanted
                               else Qt.CheckState.Unchecked)
        self.lesson_list.blockSignals(False)
        self._ticks_changed(keep_plan_order=True)

    def _ticks_changed(self, keep_plan_order: bool = False) -> None:
        by_id = {lesson.id: lesson for lesson in self.choices}
        ticked = [self.lesson_list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.lesson_list.count())
                  if self.lesson_list.item(row).checkState() == Qt.CheckState.Checked]
        if keep_plan_order:
            order = {lesson_id: n for n, lesson_id in enumerate(getattr(self, "_plan_order", []))}
            ticked.sort(key=lambda lesson_id: order.get(lesson_id, len(order)))
        self.lessons = [by_id[lesson_id] for lesson_id in ticked if lesson_id in by_id]
        self._show_contents()

    def _show_contents(self) -> None:
        kind = "Kursheft" if self.is_booklet else "Handout"
        if hasattr(self, "duplex_box"):
            self.duplex_box.setEnabled(self.is_booklet)
        self.setWindowTitle(f"{kind} drucken – Kurslotse")
        self.setAccessibleName(f"{kind} drucken")
        if not self.lessons:
            self.heading.setText("Keine Lektion angekreuzt")
            self.details.setText("Bitte mindestens eine Lektion ankreuzen.")
        elif self.is_booklet:
            self.heading.setText(f"Kursheft mit {len(self.lessons)} Lektionen")
            titles = [lesson.title for lesson in self.lessons]
            self.details.setText(", ".join(titles) if self.choices else "\n".join(f"• {t}" for t in titles))
        else:
            lesson = self.lessons[0]
            self.heading.setText(f"Handout: {lesson.title}")
            self.details.setText(f"{len(lesson.steps)} Schritte, {len(lesson.links)} QR-Codes")
        if hasattr(self, "preview_button"):
            self._set_busy(self.job is not None)

    def _initial_device(self) -> str:
        devices = self.base_options.devices
        if len(devices) == 1:
            return devices[0].value
        return "beide"

    # --- what to render --------------------------------------------------------------------

    def device_choice(self) -> str:
        return next(key for key, button in self.device_buttons.items() if button.isChecked())

    def options(self) -> HandoutOptions:
        base = self.base_options
        return HandoutOptions.for_choice(
            self.device_choice(), notes=self.notes_box.isChecked(), organisation=base.organisation,
            logo_path=base.logo_path, course=base.course, date=base.date, trainer=base.trainer,
            duplex=self.is_booklet and self.duplex_box.isChecked(),
        )

    def build_document(self, cancelled: Callable[[], bool] | None = None) -> Document:
        """Runs in the worker thread: loads pictures and makes the QR codes."""
        options = self.options_snapshot
        if self.is_booklet:
            return build_booklet(self.lessons, options, cancelled)
        return build_handout(self.lessons[0], options, cancelled)

    def default_file_name(self) -> str:
        return "kursheft.pdf" if self.is_booklet else f"handout-{self.lessons[0].id}.pdf"

    # --- actions ---------------------------------------------------------------------------

    def save_pdf(self) -> None:
        from app.ui.save_location import ask_save_file

        target, _ = ask_save_file(self, "handout", "Als PDF speichern", self.default_file_name(), "PDF-Dateien (*.pdf)")
        if target is None:
            return
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            check_target(target)
        except OutputError as error:
            self._show_error(str(error))
            return

        def work(progress, cancelled):
            document = self.build_document(cancelled)
            return write_pdf(document, target, progress, cancelled)

        self._saved_target = target
        self._start(work, self._saved, "PDF wird gespeichert …")

    def show_preview(self) -> None:
        printer = self._new_printer()
        width, height = page_size(printer)

        def work(progress, cancelled):
            document = self.build_document(cancelled)
            return document, document.layout(width, height, progress, cancelled)

        self._preview_printer = printer
        self._start(work, self._open_preview, "Vorschau wird vorbereitet …")

    def print_document(self) -> None:
        printer = self._new_printer()
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Drucken")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return  # cancelled: nothing is printed, nothing changes

        def work(progress, cancelled):
            document = self.build_document(cancelled)
            prepare_printer(printer)
            layout = layout_for(document, printer, None, cancelled)
            paint(layout, printer, progress, cancelled)
            return layout

        self._start(work, self._printed, "Wird gedruckt …", keep_alive=printer)

    # --- job handling ----------------------------------------------------------------------

    def _new_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        printer.setDocName(self.default_file_name().removesuffix(".pdf"))
        prepare_printer(printer)
        return printer

    def _start(self, work, on_success: Callable[[object], None], label: str, keep_alive: object = None) -> None:
        if self.job is not None:
            return
        self.options_snapshot = self.options()  # read widgets here, never from the worker
        self._set_busy(True)
        job = RenderJob(work, self, keep_alive)
        self.job = job
        progress = QProgressDialog(label, "Abbrechen", 0, PROGRESS_STEPS, self)
        progress.setWindowTitle("Kurslotse")
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setAccessibleName(label)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.canceled.connect(job.cancel)  # the »Abbrechen« button or closing the window
        progress.rejected.connect(job.cancel)  # Esc
        self.progress = progress
        job.progressed.connect(self._progressed)
        self._on_success = on_success
        job.succeeded.connect(self._succeeded)  # a bound method: runs in the GUI thread
        job.failed.connect(self._failed)
        job.cancelled_.connect(self._cancelled)
        job.finished.connect(self._job_finished)
        job.start()

    def _succeeded(self, result: object) -> None:
        self._on_success(result)

    def _progressed(self, done: int, total: int) -> None:
        if self.progress is not None and total:
            self.progress.setValue(int(PROGRESS_STEPS * done / total))

    def _job_finished(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        if self.job is not None:
            self.job.deleteLater()
            self.job = None
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.preview_button, self.print_button, self.pdf_button):
            button.setEnabled(not busy and bool(self.lessons))

    def _saved(self, layout: Layout) -> None:
        target = self._saved_target
        self.last_layout = layout
        self._report(f"Gespeichert: {target} ({layout.page_count} Seiten).", layout.warnings)
        self.job_done.emit("ok")

    def _printed(self, layout: Layout) -> None:
        self.last_layout = layout
        self._report(f"An den Drucker geschickt: {layout.page_count} Seiten.", layout.warnings)
        self.job_done.emit("ok")

    def _open_preview(self, result: tuple[Document, Layout]) -> None:
        document, layout = result
        printer = self._preview_printer
        self.last_layout = layout
        self._preview_document = document
        self._report(f"Vorschau: {layout.page_count} Seiten.", layout.warnings)
        preview = QPrintPreviewDialog(printer, self)
        preview.setWindowTitle("Vorschau – Kurslotse")
        preview.paintRequested.connect(self._paint_preview)
        simplify_preview_toolbar(preview)
        self.preview_dialog = preview
        preview.open()
        self.job_done.emit("ok")

    def _paint_preview(self, printer: QPrinter) -> None:
        """Paint the job's layout; if the paper was changed in the preview, lay out again first."""
        prepare_printer(printer)
        layout = self.last_layout
        width, height = page_size(printer)
        if layout is None or self._preview_document is None:
            return
        if abs(layout.page_width - width) > 1 or abs(layout.page_height - height) > 1:
            layout = self._preview_document.layout(width, height)
            self.last_layout = layout
        paint(layout, printer)

    def _failed(self, message: str) -> None:
        self._show_error(message)
        self.job_done.emit("fehler")

    def _cancelled(self) -> None:
        self.status.setText("Abgebrochen. Es wurde nichts gespeichert oder gedruckt.")
        self.job_done.emit("abgebrochen")

    def _report(self, message: str, warnings: Sequence[str]) -> None:
        if warnings:
            message += "\nHinweise:\n" + "\n".join(f"• {warning}" for warning in warnings)
        self.status.setText(message)

    def _show_error(self, message: str) -> None:
        self.status.setText(message)
        QMessageBox.warning(self, "Kurslotse", message)

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
        super().reject()


PREVIEW_ACTIONS = ("Vorige Seite", "Nächste Seite", "Seite anpassen", "Vergrößern", "Verkleinern", "Drucken")


def simplify_preview_toolbar(preview: QPrintPreviewDialog) -> list[str]:
    """Qt's preview toolbar shows 20 bare symbols; keep the few a trainer needs, each with its German word."""
    shown = []
    for toolbar in preview.findChildren(QToolBar):
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        for action in toolbar.actions():
            text = action.text().replace("&", "")
            if action.isSeparator() or not text:
                continue
            keep = text in PREVIEW_ACTIONS
            action.setVisible(keep)
            if keep:
                shown.append(text)
    return shown


def open_handout_dialog(parent: QWidget | None, lessons: list[Lesson],
                        options: HandoutOptions | None = None, choices: Sequence[Lesson] = (),
                        plans: Sequence[tuple[str, Sequence[str]]] = ()) -> HandoutDialog:
    """Show the handout dialog for one lesson (handout) or several (booklet); returns it at once."""
    dialog = HandoutDialog(lessons, parent, options, choices, plans)
    dialog.open()
    return dialog
