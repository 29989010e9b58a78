"""The lesson editor window: header form, steps, live wall/handout preview and checker, drafts, undo.

Every edit goes through :class:`~app.lessons.editing.LessonDocument`, so ``lektion.md`` stays the
single source of truth and only the edited span of the file changes. Each edit is one entry on a
QUndoStack (the text before and after; typing in one field merges into one entry). A moment after
each change the draft is autosaved to the data folder and the preview jobs run off the UI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPixmap, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFrame, QHBoxLayout, QInputDialog, QLabel, QListWidget,
                               QListWidgetItem, QMainWindow, QMessageBox, QPlainTextEdit, QPushButton, QScrollArea,
                               QSplitter, QTabWidget, QToolBar, QVBoxLayout, QWidget)

from app.domain.lesson import Device, Problem, Severity
from app.lessons import markup
from app.lessons.editing import PICTURE_FIELDS, EditError, LessonDocument, PictureRef, rename_lesson
from app.lessons.parser import LESSON_FILE
from app.ui.background_job import BackgroundJob
from app.ui.editor import drafts
from app.ui.editor.forms import HeaderForm, StepForm
from app.ui.flow_layout import FlowLayout
from app.ui.editor.preview import (WALL_SIZES, HandoutPreview, HandoutRequest, PreviewRequest, PreviewResult,
                                   check_draft, remove_preview_folder, render_check, render_wall)

log = logging.getLogger(__name__)
PREVIEW_PAUSE_MS = 40  # after the last key; the wall or handout preview follows within ~150 ms (see README)
CHECK_PAUSE_MS = 250
DRAFT_PAUSE_MS = 1000
MERGE_PAUSE_S = 2.0  # typing after a longer pause is its own undo step
class _TextChange(QUndoCommand):
    """The whole text before and after one edit; typing in one field merges until a pause of MERGE_PAUSE_S."""

    def __init__(self, editor: LessonEditor, before: str, after: str, key: str) -> None:
        super().__init__("Änderung")
        self.editor, self.before, self.after, self.key = editor, before, after, key
        self._first = True
        self.last = time.monotonic()

    def id(self) -> int:  # noqa: A003 - QUndoCommand API
        return 19

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, _TextChange) or other.key != self.key or not self.key.startswith("tippen:") \
                or other.last - self.last > MERGE_PAUSE_S:
            return False
        self.after, self.last = other.after, other.last
        return True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.editor._restore(self.after)

    def undo(self) -> None:
        self.editor._restore(self.before)


class LessonEditor(QMainWindow):
    """Edits the lesson in *folder* (a trainer's own lesson; shipped lessons are copied first)."""

    saved = Signal(Path)
    preview_ready = Signal()
    closed = Signal()

    def __init__(self, folder: Path, parent: QWidget | None = None, note: str = "") -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.folder = Path(folder)
        self.path = self.folder / LESSON_FILE
        self.document = LessonDocument.load(self.path)
        self.saved_text = self.document.text
        self.step_index = 0
        self._loading = False
        self._closing_ok = False
        self.problems: list[Problem] = []
        self.last_result: PreviewResult | None = None
        self._jobs: dict[str, BackgroundJob | None] = {"wand": None, "begleitblatt": None, "pruefung": None}
        self._handout = HandoutPreview()
        self._base_lesson = None  # the lesson the checker read last: the handout preview's header, links, steps
        self._pending: set[str] = set()
        self._renderer = None
        self._pictures_changed = False
        # hooks a test can replace: modal questions and file choosers
        self.ask: Callable[[str, str], bool] = self._ask
        self.ask_close: Callable[[], str] = self._ask_close
        self.choose_file: Callable[[str, str], str] = self._choose_file
        self.choose_target: Callable[[str, str, str], str] = self._choose_target
        self.run_markup: Callable[[markup.MarkedPicture], markup.MarkedPicture | None] = self._run_markup
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text
        # ids of the other known lessons → titles (the main window sets it from its library)
        self.taken_ids: Callable[[], dict[str, str]] = dict

        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._build()
        self._preview_timer = self._timer(PREVIEW_PAUSE_MS, self._start_visible_preview)
        self._check_timer = self._timer(CHECK_PAUSE_MS, lambda: self._start("pruefung"))
        self._draft_timer = self._timer(DRAFT_PAUSE_MS, self.autosave)
        application = QCoreApplication.instance()
        if application is not None:  # the program ends without asking (e.g. logout): the last keys go into the draft
            application.aboutToQuit.connect(self.autosave)
        for text_box in self.findChildren(QPlainTextEdit):
            text_box.installEventFilter(self)
        self._load_all()
        if note:
            self.show_note(note)
        self._offer_draft()
        self._update_title()
        self.schedule_preview()

    # --- building ------------------------------------------------------------------------------
    def _timer(self, ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    def _build(self) -> None:
        toolbar = QToolBar("Lektion")
        toolbar.setObjectName("editor-werkzeuge")
        self.addToolBar(toolbar)
        self.save_action = toolbar.addAction("Speichern", self.save)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.undo_action = toolbar.addAction("Rückgängig", self.undo_stack.undo)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = toolbar.addAction("Wiederholen", self.undo_stack.redo)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        for action, signal, can in ((self.undo_action, self.undo_stack.canUndoChanged, self.undo_stack.canUndo),
                                    (self.redo_action, self.undo_stack.canRedoChanged, self.undo_stack.canRedo)):
            action.setEnabled(can())
            signal.connect(action.setEnabled)
        toolbar.addSeparator()
        self.share_action = toolbar.addAction("Weitergeben …", self.share)
        self.share_action.setToolTip("Die gespeicherte Lektion als Paket (.kurslotse) für andere Lotsen speichern")
        self.close_action = toolbar.addAction("Schließen", self.close)

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(6, 6, 6, 6)
        self.banner = QFrame()
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        banner_layout = QHBoxLayout(self.banner)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.recover_button = QPushButton("Entwurf wiederherstellen")
        self.recover_button.clicked.connect(self.recover_draft)
        self.discard_button = QPushButton("Entwurf verwerfen")
        self.discard_button.clicked.connect(self.discard_offered_draft)
        self.banner_close = QPushButton("Ausblenden")
        self.banner_close.clicked.connect(self.banner.hide)
        for widget in (self.banner_text, self.recover_button, self.discard_button, self.banner_close):
            banner_layout.addWidget(widget, 1 if widget is self.banner_text else 0)
        self.banner.hide()
        outer.addWidget(self.banner)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_steps())
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Lektion bearbeiten")
        self.step_form = StepForm()
        self.step_form.field_edited.connect(self._edit_step)
        self.step_form.alt_edited.connect(self._edit_alt)
        self.step_form.add_picture.connect(self.choose_picture)
        self.step_form.mark_picture.connect(self.mark_screenshot)
        self.step_form.remove_picture.connect(self.remove_picture)
        self.step_form.files_dropped.connect(lambda section, file: self.add_picture_file(Path(file), section))
        self.header_form = HeaderForm()
        self.header_form.value_edited.connect(self._edit_header)
        self.header_form.list_edited.connect(self._edit_header_list)
        self.header_form.rename_requested.connect(lambda: self.change_id())
        # short names for the widgets a trainer types into (tests and jump-to-problem use them)
        self.step_title, self.section_texts = self.step_form.title, self.step_form.section_texts
        self.box_texts, self.picture_rows = self.step_form.box_texts, self.step_form.picture_rows
        self.header_fields, self.header_lists = self.header_form.fields, self.header_form.lists
        self.duration = self.header_form.duration
        self.tabs.addTab(self._scrolled(self.step_form), "Schritt")
        self.tabs.addTab(self._scrolled(self.header_form), "Kopf der Lektion")
        splitter.addWidget(self.tabs)
        splitter.addWidget(self._build_preview())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 2)
        splitter.setSizes([200, 560, 420])
        self.splitter = splitter
        self._sized = False
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        self.status = self.statusBar()
        self.resize(1300, 700)

    @staticmethod
    def _scrolled(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(widget)
        area.setFrameShape(QFrame.Shape.NoFrame)
        return area

    def _build_steps(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Schritte")
        self.step_list = QListWidget()
        self.step_list.setAccessibleName("Schritte der Lektion")
        self.step_list.setDragDropMode(QListWidget.DragDropMode.InternalMove)
        self.step_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.step_list.setMinimumWidth(170)
        self.step_list.currentRowChanged.connect(self.select_step)
        self.step_list.model().rowsMoved.connect(self._rows_moved)
        label.setBuddy(self.step_list)
        layout.addWidget(label)
        layout.addWidget(self.step_list, 1)
        row = QHBoxLayout()
        self.add_step_button = QPushButton("Neuer Schritt")
        self.add_step_button.setAccessibleName("Neuen Schritt anlegen")
        self.add_step_button.clicked.connect(lambda: self.add_step())
        self.remove_step_button = QPushButton("Löschen")
        self.remove_step_button.setAccessibleName("Ausgewählten Schritt löschen")
        self.remove_step_button.clicked.connect(self.remove_step)
        row.addWidget(self.add_step_button)
        row.addWidget(self.remove_step_button)
        layout.addLayout(row)
        row = QHBoxLayout()
        self.up_button = QPushButton("Nach oben")
        self.up_button.setAccessibleName("Schritt nach oben schieben")
        self.up_button.clicked.connect(lambda: self.move_step(self.step_index, self.step_index - 1))
        self.down_button = QPushButton("Nach unten")
        self.down_button.setAccessibleName("Schritt nach unten schieben")
        self.down_button.clicked.connect(lambda: self.move_step(self.step_index, self.step_index + 1))
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        layout.addLayout(row)
        return box

    def _build_preview(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        choices = FlowLayout()  # wraps onto a second line with a large font instead of widening the pane
        self.preview_device = QComboBox()
        self.preview_device.addItem("Android", Device.ANDROID.value)
        self.preview_device.addItem("iPhone", Device.IPHONE.value)
        self.preview_device.setAccessibleName("Vorschau für Gerät")
        self.preview_theme = QComboBox()
        self.preview_theme.addItem("Hell", "hell")
        self.preview_theme.addItem("Dunkel", "dunkel")
        self.preview_theme.setAccessibleName("Vorschau hell oder dunkel")
        self.preview_size = QComboBox()
        self.preview_size.addItems(list(WALL_SIZES))
        self.preview_size.setCurrentIndex(1)
        self.preview_size.setAccessibleName("Bildschirmgröße der Wand")
        for combo in (self.preview_device, self.preview_theme, self.preview_size):
            combo.currentIndexChanged.connect(lambda _i: self.schedule_preview(check=False))
            choices.addWidget(combo)
        layout.addLayout(choices)
        self.preview_tabs = QTabWidget()
        self.wall_label = QLabel("Vorschau wird erstellt …")
        self.wall_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.wall_label.setMinimumSize(QSize(300, 170))
        self.wall_label.setAccessibleName("Vorschau: so sieht der Schritt an der Wand aus")
        self.handout_label = QLabel("Begleitblatt wird erstellt …")
        self.handout_label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.handout_label.setAccessibleName("Vorschau: die Seite des Begleitblatts mit diesem Schritt")
        self.preview_tabs.addTab(self.wall_label, "Wand")
        self.preview_tabs.addTab(self._scrolled(self.handout_label), "Begleitblatt")
        self.preview_tabs.currentChanged.connect(lambda _i: self.schedule_preview(check=False))
        layout.addWidget(self.preview_tabs, 3)
        caption = QLabel("&Prüfung:")
        self.problem_list = QListWidget()
        self.problem_list.setWordWrap(True)
        self.problem_list.setAccessibleName("Meldungen der Prüfung; Doppelklick oder Eingabe springt zur Stelle")
        self.problem_list.itemActivated.connect(self.jump_to_problem)
        self.problem_list.itemClicked.connect(self.jump_to_problem)
        caption.setBuddy(self.problem_list)
        layout.addWidget(caption)
        layout.addWidget(self.problem_list, 2)
        return box

    def showEvent(self, event) -> None:  # noqa: N802, ANN001
        """Share the width once the window has its real size: steps 15 %, form 52 %, preview 33 %."""
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            width = max(self.splitter.width(), 600)
            self.splitter.setSizes([round(width * 0.15), round(width * 0.52), round(width * 0.33)])

    def eventFilter(self, watched, event) -> bool:  # noqa: N802, ANN001
        """Strg+Z / Strg+Y in a text box go to the editor's undo history, not to the box's own."""
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            undo = event.matches(QKeySequence.StandardKey.Undo)
            redo = event.matches(QKeySequence.StandardKey.Redo)
            if undo or redo:
                event.accept()  # the key press comes here instead of triggering the box's own undo
                if event.type() == QEvent.Type.KeyPress:
                    (self.undo_stack.undo if undo else self.undo_stack.redo)()
                return True
        return super().eventFilter(watched, event)

    # --- loading widgets from the document ------------------------------------------------------
    def _load_all(self) -> None:
        self._loading = True
        try:
            self.header_form.load(self.document, self.folder.name)
            titles = self.document.step_titles()
            self.step_list.blockSignals(True)
            self.step_list.clear()
            for number, title in enumerate(titles, 1):
                item = QListWidgetItem(f"{number}. {title}")
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsDragEnabled)
                self.step_list.addItem(item)
            self.step_index = min(self.step_index, max(len(titles) - 1, 0))
            self.step_list.setCurrentRow(self.step_index if titles else -1)
            self.step_list.blockSignals(False)
            self._load_step()
        finally:
            self._loading = False

    def _load_step(self) -> None:
        count = len(self.document.steps())
        self.step_form.load(self.document, self.step_index)
        self.remove_step_button.setEnabled(count > 0)
        self.up_button.setEnabled(0 < self.step_index < count)
        self.down_button.setEnabled(self.step_index < count - 1)

    # --- editing ----------------------------------------------------------------------------------
    def _apply(self, key: str, change: Callable[[LessonDocument], None]) -> bool:
        """Run *change* on the document; record it for undo; True if the text changed."""
        before = self.document.text
        try:
            change(self.document)
        except EditError as error:
            self.document.text = before
            self.show_note(str(error))
            return False
        after = self.document.text
        if after == before:
            return False
        self.undo_stack.push(_TextChange(self, before, after, key))
        self._changed()
        return True

    def _edit_step(self, name: str, value: str) -> None:
        if self._loading or not (0 <= self.step_index < len(self.document.steps())):
            return
        index = self.step_index
        if self._apply(f"tippen:{index}:{name}", lambda doc: doc.set_field(index, name, value)) and name == "titel":
            item = self.step_list.item(index)
            if item is not None:
                item.setText(f"{index + 1}. {' '.join(value.split())}")

    def _edit_alt(self, name: str, alt: str) -> None:
        if self._loading:
            return
        index = self.step_index
        ref = self.document.picture(index, name)
        if ref is not None:
            self._apply(f"tippen:{index}:{name}:alt", lambda doc: doc.set_picture(index, name, PictureRef(ref.target, alt)))

    def _edit_header(self, key: str, value: str) -> None:
        if not self._loading:
            self._apply(f"tippen:kopf:{key}", lambda doc: doc.set_header_value(key, value))

    def _edit_header_list(self, key: str, values: list) -> None:
        if not self._loading:
            self._apply(f"tippen:kopf:{key}", lambda doc: doc.set_header_list(key, [str(v) for v in values]))

    def select_step(self, row: int) -> None:
        if row < 0 or self._loading:
            return
        self.step_index = row
        self._load_step()
        self.schedule_preview(check=False)

    def add_step(self, title: str = "Neuer Schritt") -> int:
        after = self.step_index if self.document.steps() else None
        created: list[int] = []
        self._apply("schritt-neu", lambda doc: created.append(doc.add_step(title, "Was an der Wand steht.", after)))
        if created:
            self.step_index = created[0]
            self._load_all()
            self.step_title.setFocus()
            self.step_title.selectAll()
            return created[0]
        return self.step_index

    def remove_step(self) -> None:
        steps = self.document.steps()
        if not steps:
            return
        title = steps[self.step_index].title
        if not self.ask("Schritt löschen", f"Den Schritt »{title}« löschen? (Rückgängig mit Strg+Z)"):
            return
        index = self.step_index
        self._apply("schritt-weg", lambda doc: doc.remove_step(index))
        self.step_index = max(0, index - 1) if index >= len(self.document.steps()) else index
        self._load_all()

    def move_step(self, source: int, target: int) -> None:
        if not (0 <= target < len(self.document.steps())):
            return
        self._apply("schritt-schieben", lambda doc: doc.move_step(source, target))
        self.step_index = target
        self._load_all()

    def _rows_moved(self, _parent, start: int, _end: int, _dest, row: int) -> None:  # noqa: ANN001
        if self._loading:
            return
        target = row - 1 if row > start else row
        QTimer.singleShot(0, lambda: self.move_step(start, target))

    def _restore(self, text: str) -> None:
        """Undo/redo: put back a whole text and show it."""
        self.document.text = text
        self._load_all()
        self._changed()

    def _changed(self) -> None:
        self._update_title()
        self._draft_timer.start()
        self.schedule_preview()

    # --- pictures ---------------------------------------------------------------------------------
    def _choose_file(self, title: str, pattern: str) -> str:
        return QFileDialog.getOpenFileName(self, title, str(Path.home()), pattern)[0]

    def choose_picture(self, section: str) -> None:
        path = self.choose_file("Bild auswählen", "Bilder (*.png *.jpg *.jpeg *.svg)")
        if path:
            self.add_picture_file(Path(path), section)

    def add_picture_file(self, path: Path, section: str) -> None:
        if section not in PICTURE_FIELDS or not self.document.steps():
            return
        try:
            target = markup.import_picture(path, self.folder)
        except markup.MarkupError as error:
            self.show_note(str(error))
            return
        self.set_picture(section, target, self._alt_for(section, path.stem))

    def _alt_for(self, section: str, fallback: str) -> str:
        ref = self.document.picture(self.step_index, section)
        return ref.alt if ref and ref.alt else fallback.replace("-", " ").replace("_", " ")

    def set_picture(self, section: str, target: str, alt: str) -> None:
        self._pictures_changed = True  # the file behind a name may be new: the wall preview reads it again
        index = self.step_index
        self._apply(f"bild:{index}:{section}", lambda doc: doc.set_picture(index, section, PictureRef(target, alt)))
        self._load_step()

    def remove_picture(self, section: str) -> None:
        index = self.step_index
        self._apply(f"bild:{index}:{section}", lambda doc: doc.set_picture(index, section, None))
        self._load_step()

    def _run_markup(self, picture: markup.MarkedPicture) -> markup.MarkedPicture | None:
        from app.ui.editor.markup_dialog import MarkupDialog

        dialog = MarkupDialog(picture, self)
        return dialog.picture if dialog.exec() == MarkupDialog.DialogCode.Accepted else None

    def mark_screenshot(self, section: str) -> None:
        """Open the current picture's overlay again, or a new screenshot, in the marking tool."""
        if not self.document.steps():
            return
        current = self.document.picture(self.step_index, section)
        overlay = markup.overlay_for(self.folder, current.target) if current else None
        try:  # every file is read with the lesson loader's checks (regular file, size, inside the folder)
            if overlay is not None:
                picture = markup.read_overlay(self.folder, overlay)
                name = overlay.stem
            else:
                path = self.choose_file("Bildschirmfoto auswählen", "Bildschirmfotos (*.png *.jpg *.jpeg)")
                if not path:
                    return
                picture = markup.open_screenshot(markup.read_source(Path(path)))
                from app.lessons.editing import slug
                name = markup.free_name(self.folder, slug(Path(path).stem) or "bildschirmfoto")
        except markup.MarkupError as error:
            self.show_note(str(error))
            return
        result = self.run_markup(picture)
        if result is not None:
            self.attach_marked(section, result, name)

    def attach_marked(self, section: str, picture: markup.MarkedPicture, name: str, alt: str = "") -> str:
        """Store a marked screenshot in ``bilder/`` and make it the picture of *section*; returns the target."""
        try:
            _, target = markup.save(picture, self.folder, name)
        except markup.MarkupError as error:
            self.show_note(str(error))
            return ""
        self.set_picture(section, target.as_posix(), alt or self._alt_for(section, "Bildschirmfoto: hier tippen"))
        self.schedule_preview()
        return target.as_posix()

    # --- preview and checker ---------------------------------------------------------------------
    def schedule_preview(self, check: bool = True) -> None:
        self._preview_timer.start()
        if check:
            self._check_timer.start()

    def _request(self, handout: bool) -> PreviewRequest:
        size = WALL_SIZES.get(self.preview_size.currentText(), (1280, 720))
        return PreviewRequest(self.folder, self.document.to_bytes(), self.step_index,
                              Device(self.preview_device.currentData() or Device.ANDROID.value),
                              self.preview_theme.currentData() or "hell", size, handout)

    def handout_visible(self) -> bool:
        return self.preview_tabs.currentIndex() == 1

    def _start_visible_preview(self) -> None:
        """Only the preview tab in view is painted while typing; the other one follows when it is shown."""
        self._start("begleitblatt" if self.handout_visible() else "wand")

    def _start(self, kind: str) -> None:
        if self._jobs.get(kind) is not None:
            self._pending.add(kind)
            return
        request = self._request(handout=False)
        if kind == "begleitblatt":
            if self._base_lesson is None:  # the first checker result starts it
                return
            handout = HandoutRequest(self._base_lesson, request.text, request.step, self.folder)
            preview = self._handout
            job = BackgroundJob(lambda _p, _c: preview.render(handout), what="der Begleitblatt-Vorschau", parent=self)
        elif kind == "wand":
            request.pictures_changed, self._pictures_changed = self._pictures_changed, False
            if self._renderer is None:
                from app.ui.presenter.step_renderer import StepRenderer
                self._renderer = StepRenderer()
            renderer = self._renderer
            job = BackgroundJob(lambda _p, _c: render_wall(request, renderer), what="der Vorschau", parent=self)
        else:
            job = BackgroundJob(lambda _p, _c: render_check(request), what="der Prüfung", parent=self)
        self._jobs[kind] = job
        job.succeeded.connect(lambda result, k=kind: self._show_result(k, result))
        job.failed.connect(lambda message, k=kind: self._job_failed(k, message))
        job.finished.connect(lambda k=kind: self._job_done(k))
        job.start()

    def _job_done(self, kind: str) -> None:
        job = self._jobs.get(kind)
        self._jobs[kind] = None
        if job is not None:
            job.deleteLater()
        if kind in self._pending:
            self._pending.discard(kind)
            self._start(kind)
        elif not any(self._jobs.values()) and not self._pending and not self._preview_timer.isActive() \
                and not self._check_timer.isActive():
            self.preview_ready.emit()

    def _job_failed(self, kind: str, message: str) -> None:
        self.status.showMessage(message, 8000)

    def _show_result(self, kind: str, result: PreviewResult | None) -> None:
        if kind == "wand":
            if result is not None and result.wall is not None:
                self.wall_label.setPixmap(QPixmap.fromImage(result.wall).scaledToWidth(
                    max(280, min(self.wall_label.width(), result.wall.width())),
                    Qt.TransformationMode.SmoothTransformation))
            else:
                self.wall_label.setText("Die Lektion hat noch keinen Schritt.")
            return
        if kind == "begleitblatt":
            if result is not None and result.handout is not None:  # None: steps changed, the checker brings a new base
                room = self.preview_tabs.width() - 24  # the whole page width in view, no sideways scrolling
                page = QPixmap.fromImage(result.handout)
                if 200 <= room < page.width():
                    page = page.scaledToWidth(room, Qt.TransformationMode.SmoothTransformation)
                self.handout_label.setPixmap(page)
                self.preview_tabs.setTabText(1, f"Begleitblatt (Seite {result.handout_page + 1} "
                                                f"von {result.handout_pages})")
            return
        self.last_result = result
        self.problems = result.problems
        self._show_problems()
        if result.lesson is not None and result.lesson.steps:
            self._base_lesson = result.lesson
            if self.handout_visible():
                self._start("begleitblatt")
        elif result.lesson is not None:
            self._base_lesson = None
            self.handout_label.setText("Die Lektion hat noch keinen Schritt.")

    def _show_problems(self) -> None:
        self.problem_list.clear()
        if not self.problems:
            item = QListWidgetItem("Keine Meldungen: die Lektion ist in Ordnung.")
            item.setData(Qt.ItemDataRole.UserRole, 0)
            self.problem_list.addItem(item)
            return
        for problem in self.problems:
            kind = "Warnung" if problem.severity is Severity.WARNING else "Fehler"
            item = QListWidgetItem(f"{kind}, Zeile {problem.line}: {problem.message}")
            item.setData(Qt.ItemDataRole.UserRole, problem.line)
            item.setToolTip(problem.message)
            self.problem_list.addItem(item)

    def jump_to_problem(self, item: QListWidgetItem) -> None:
        """Select the step and the field the message is about and put the cursor there."""
        line = int(item.data(Qt.ItemDataRole.UserRole) or 0)
        if line <= 0:
            return
        step, name = self.document.field_at_line(line)
        if step is None:
            self.tabs.setCurrentIndex(1)
            self.header_form.focus_key(name)
            return
        self.tabs.setCurrentIndex(0)
        self.step_list.setCurrentRow(step)
        self.step_index = step
        self._load_step()
        self.step_form.focus_field(name, self.document.row_in_field(line))

    def wait_idle(self) -> bool:
        """True when no preview job is running or waiting (for tests and for closing)."""
        return not any(self._jobs.values()) and not self._pending and not self._preview_timer.isActive() \
            and not self._check_timer.isActive()

    # --- saving, drafts, closing ------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return self.document.text != self.saved_text

    def _clean_changed(self, _clean: bool) -> None:
        self._update_title()

    def _update_title(self) -> None:
        star = "*" if self.modified else ""
        self.setWindowTitle(f"{star}Lektion bearbeiten – {self.document.header_value('titel') or self.folder.name}")

    def save(self) -> bool:
        try:  # the checker on exactly this text (the list beside may be a moment behind the typing)
            lesson, _ = check_draft(self.folder, self.document.to_bytes())
            self.problems = list(lesson.problems)
            self._show_problems()
        except OSError as error:
            log.warning("Prüfung vor dem Speichern nicht möglich: %s", error)
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        if errors and not self.ask("Lektion hat Fehler",
                                   f"Die Prüfung meldet {len(errors)} Fehler. Eine Lektion mit Fehlern lässt sich nicht "
                                   "präsentieren. Trotzdem speichern?"):
            return False
        try:
            self.document.save(self.path)
        except EditError as error:
            self.show_note(str(error))
            return False
        self.saved_text = self.document.text
        self.undo_stack.setClean()
        drafts.discard_draft(self.folder)
        self._update_title()
        self.status.showMessage(f"Gespeichert: {self.path}", 5000)
        self.saved.emit(self.folder)
        return True

    def _ask_text(self, title: str, label: str, value: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, label, text=value)
        return text if ok else None

    def change_id(self, new_id: str | None = None) -> bool:
        """Give the lesson a new id; the folder is renamed with it and the lesson is saved."""
        current = self.document.header_value("id") or self.folder.name
        if new_id is None:
            new_id = self.ask_text("Kennung ändern", "Neue Kennung (nur a–z, Ziffern und Bindestriche; "
                                                     "der Ordner der Lektion bekommt denselben Namen):", current)
            if new_id is None:
                return False
        if self.modified and not self.ask("Kennung ändern", "Dabei wird die Lektion mit allen Änderungen gespeichert. "
                                                            "Fortfahren?"):
            return False
        for timer in (self._preview_timer, self._check_timer, self._draft_timer):
            timer.stop()
        for job in self._jobs.values():  # they read the old folder
            if job is not None:
                job.wait(10000)
        old = self.folder
        try:
            folder = rename_lesson(old, self.document, new_id, self.taken_ids())
        except EditError as error:
            self.show_note(str(error))
            self.schedule_preview()
            return False
        drafts.discard_draft(old)
        remove_preview_folder(old)
        self.folder, self.path = folder, folder / LESSON_FILE
        self.document = LessonDocument.load(self.path)
        self.saved_text = self.document.text
        self.undo_stack.clear()  # an undo across the rename would bring back the old id in the new folder
        self._base_lesson = None
        self._load_all()
        self._update_title()
        self.banner.hide()
        self.status.showMessage(f"Neue Kennung »{new_id.strip()}«; die Lektion liegt jetzt in {folder}.", 10000)
        self.saved.emit(folder)
        self.schedule_preview()
        return True

    def _choose_target(self, title: str, suggested: str, pattern: str) -> str:
        return QFileDialog.getSaveFileName(self, title, str(Path.home() / suggested), pattern)[0]

    def share(self, target: str | None = None) -> Path | None:
        """Save, then write the lesson as a package another trainer imports (checked before it is written)."""
        from app.lessons.package import SUFFIX, PackageError, export_package
        from app.lessons.parser import parse_lesson

        if self.modified and not self.save():
            return None
        name = self.document.header_value("id") or self.folder.name
        target = target or self.choose_target("Lektion weitergeben", f"{name}{SUFFIX}", f"Lektionspakete (*{SUFFIX})")
        if not target:
            return None
        path = Path(target)
        if path.suffix != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        lesson = parse_lesson(self.folder)
        if lesson.errors:
            self.show_note(f"Die Lektion hat {len(lesson.errors)} Fehler (siehe Prüfung); so wird sie nicht weitergegeben.")
            return None
        try:
            export_package([lesson], path)
        except (PackageError, OSError) as error:
            self.show_note(f"Das Paket wurde nicht geschrieben: {error}")
            return None
        self.status.showMessage(f"Paket gespeichert: {path} – auf einen USB-Stick kopieren oder per E-Mail schicken.", 10000)
        return path

    def autosave(self) -> None:
        if self.modified:
            drafts.save_draft(self.folder, self.document.text)
        else:
            drafts.discard_draft(self.folder)

    def _offer_draft(self) -> None:
        draft = drafts.load_draft(self.folder)
        if draft is None:
            return
        if draft.text == self.document.text:
            drafts.discard_draft(self.folder)
            return
        self._draft = draft
        self.banner_text.setText(f"Es gibt einen nicht gespeicherten Entwurf dieser Lektion vom {draft.saved_text} "
                                 "(zum Beispiel nach einem Absturz).")
        self.recover_button.show()
        self.discard_button.show()
        self.banner.show()

    def recover_draft(self) -> None:
        draft = getattr(self, "_draft", None)
        if draft is None:
            return
        before = self.document.text
        self.document.text = draft.text
        self.undo_stack.push(_TextChange(self, before, draft.text, "entwurf"))
        self._load_all()
        self._changed()
        self.banner.hide()
        self.status.showMessage("Entwurf wiederhergestellt. Zum Behalten »Speichern« wählen.", 8000)

    def discard_offered_draft(self) -> None:
        drafts.discard_draft(self.folder)
        self.banner.hide()

    def show_note(self, text: str) -> None:
        self.banner_text.setText(text)
        self.recover_button.hide()
        self.discard_button.hide()
        self.banner.show()

    def _ask(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def close_question(self) -> str:
        """The German text of the question asked when the window closes with unsaved changes."""
        title = self.document.header_value("titel") or self.folder.name
        return (f"Die Lektion »{title}« hat Änderungen, die noch nicht gespeichert sind.\n\n"
                "Speichern: die Änderungen kommen in die Lektion.\n"
                "Verwerfen: die Änderungen gehen verloren.\n"
                "Abbrechen: der Editor bleibt offen (der Entwurf ist gesichert).")

    def _ask_close(self) -> str:
        box = QMessageBox(QMessageBox.Icon.Question, "Änderungen speichern?", self.close_question(), parent=self)
        save = box.addButton("Speichern", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("Verwerfen", QMessageBox.ButtonRole.DestructiveRole)
        cancel = box.addButton("Abbrechen", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        box.exec()
        clicked = box.clickedButton()
        return "speichern" if clicked is save else "verwerfen" if clicked is discard else "abbrechen"

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.modified:
            self._draft_timer.stop()
            self.autosave()  # written before the question: a crash or power cut while it is open loses nothing
            answer = self.ask_close()
            if answer == "abbrechen" or (answer == "speichern" and not self.save()):
                self.status.showMessage("Nicht geschlossen: die Änderungen sind als Entwurf gesichert.", 8000)
                event.ignore()
                return
            if answer == "verwerfen":
                drafts.discard_draft(self.folder)
        for timer in (self._preview_timer, self._check_timer, self._draft_timer):
            timer.stop()
        for job in self._jobs.values():
            if job is not None:
                job.cancel()
                job.wait(5000)
        remove_preview_folder(self.folder)
        event.accept()
        self.closed.emit()
