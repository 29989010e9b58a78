"""Main window: the lesson library with search, filters and preview; starts the presenter.

The window is painted first and filled right after (the start is measured against a bare Qt
window): the lessons are read in a worker thread, the menu icons are drawn, and the lesson
parser is imported only then. Nothing the trainer sees a moment later differs.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import __app_name__, __version__, paths
from app.domain.lesson import LEVELS, Device
from app.lessons.ordering import positions_of_templates, sort_lessons, teaching_order
from app.settings import Settings
from app.ui.flow_layout import FlowLayout
from app.ui.library_model import LessonFilter, LessonListModel
from app.ui.look import colours, icon, mark_primary, with_icon

if TYPE_CHECKING:
    from app.domain.lesson import Lesson

log = logging.getLogger(__name__)
ALL = "Alle"
LESSON_TIME_LIMIT_S = 5.0  # a lesson that takes longer to read is listed with ⚠ and skipped

KEY_HELP = """<h2>Tastenkürzel</h2>
<h3>Hauptfenster</h3>
<table cellpadding="4">
<tr><td><b>F5</b></td><td>gewählte Lektion präsentieren</td></tr>
<tr><td><b>Strg+F</b></td><td>Suche</td></tr>
<tr><td><b>Strg+P</b></td><td>Handout drucken oder als PDF speichern</td></tr>
<tr><td><b>Strg+R</b></td><td>Lektionen neu laden</td></tr>
<tr><td><b>Strg+,</b></td><td>Einstellungen</td></tr>
</table>
<h3>Während der Präsentation (auch mit Präsentationsfernbedienung)</h3>
<table cellpadding="4">
<tr><td><b>Weiter</b></td><td>Pfeil rechts/unten, Bild runter, Leertaste, Eingabe, N</td></tr>
<tr><td><b>Zurück</b></td><td>Pfeil links/oben, Bild hoch, Rücktaste, P</td></tr>
<tr><td><b>B</b> oder <b>.</b></td><td>schwarzes Bild (nochmal: zurück)</td></tr>
<tr><td><b>W</b> oder <b>,</b></td><td>weißes Bild</td></tr>
<tr><td><b>Pos1 / Ende</b></td><td>erster / letzter Schritt</td></tr>
<tr><td><b>G</b> oder <b>Zahl + Eingabe</b></td><td>zu einem Schritt springen</td></tr>
<tr><td><b>Z</b></td><td>Bild vergrößert zeigen</td></tr>
<tr><td><b>A</b></td><td>zwischen Android und iPhone wechseln</td></tr>
<tr><td><b>S</b></td><td>Bildschirme tauschen</td></tr>
<tr><td><b>Tab</b></td><td>nur ein Bildschirm: zwischen Wand und Lotsenansicht wechseln</td></tr>
<tr><td><b>Strg+Plus / Strg+Minus</b></td><td>Schrift größer / kleiner</td></tr>
<tr><td><b>Strg+0</b></td><td>Schrift an der Wand wieder normal (100 %)</td></tr>
<tr><td><b>Esc</b></td><td>Präsentation beenden</td></tr>
</table>"""


TITLE_BAR_PX = 32  # window frame and title bar the window manager adds around the window


def first_window_size(width: int, height: int, available_width: int, available_height: int) -> tuple[int, int]:
    """The wished size shrunk to the available screen area, leaving room for the title bar."""
    return min(width, available_width - 8), min(height, available_height - TITLE_BAR_PX)


class _NoLessonsYet:
    """The library until the first read has finished: no lessons, no problems.

    It answers what the window asks of :class:`app.lessons.library.Library`, so the lesson parser
    is imported by the worker thread after the first paint instead of before it.
    """

    def __init__(self) -> None:
        self.lessons: list[Lesson] = []
        self.problems: list = []
        self.templates: list = []
        self.topics: list[str] = []

    def by_id(self, lesson_id: str) -> None:  # noqa: ARG002 - same call as Library.by_id
        return None


class MainWindow(QMainWindow):
    """Library on the left, preview on the right, a large button to start presenting."""

    library_loaded = Signal()

    def __init__(self, settings: Settings | None = None, load_now: bool = False) -> None:
        super().__init__()
        self.settings = settings or Settings.load()
        self.library = _NoLessonsYet()
        self.session = None
        self._start_checks: QThread | None = None  # the start backup's worker (see run_start_checks)
        self._courses_page: QWidget | None = None
        self._lazy_tabs: dict[QWidget, tuple[str, str, str]] = {}  # placeholder -> (module, class, title)
        self.setWindowTitle(__app_name__)
        self.setMinimumSize(800, 540)  # fits a 1280×720 screen with taskbar and title bar

        self.model = LessonListModel(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Lektion suchen …")
        self.search.setAccessibleName("Lektion suchen")
        self.search.setClearButtonEnabled(True)
        self.topic_box = self._combo("Thema")
        self.level_box = self._combo("Stufe")
        self.device_filter = self._combo("Gerät")
        self.device_filter.addItems([ALL, "Android", "iPhone"])
        self.level_box.addItems([ALL, *LEVELS])
        self.topic_box.addItem(ALL)

        self.list_view = QListView()
        self.list_view.setModel(self.model)
        self.list_view.setAccessibleName("Lektionen")
        self.list_view.setUniformItemSizes(True)
        self.list_view.setSpacing(2)
        self.list_view.activated.connect(lambda _index: self.start_presentation())
        self.list_view.selectionModel().currentChanged.connect(lambda *_: self._show_preview())

        self.preview = QTextBrowser()
        self.preview.setAccessibleName("Vorschau der Lektion")
        self.preview.setOpenLinks(False)

        self.present_device = QComboBox()
        self.present_device.setAccessibleName("Gerät für die Projektion")
        self.present_device.addItem("Projektion für Android", Device.ANDROID.value)
        self.present_device.addItem("Projektion für iPhone", Device.IPHONE.value)
        self.present_device.setCurrentIndex(0 if self.settings.device != "iphone" else 1)
        self.present_button = QPushButton("Präsentation starten (F5)")
        self.present_button.setAccessibleName("Präsentation starten")
        self.present_button.setMinimumHeight(64)
        big = self.present_button.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        big.setBold(True)
        self.present_button.setFont(big)
        with_icon(self.present_button, "play", colours().on_accent, 32)
        mark_primary(self.present_button)
        self.present_button.clicked.connect(self.start_presentation)
        self.handout_button = with_icon(QPushButton("Handout oder Kursheft …"), "printer")
        self.handout_button.setAccessibleName("Handout drucken oder als PDF speichern")
        self.handout_button.setMinimumHeight(48)
        self.present_device.setMinimumHeight(48)
        self.handout_button.clicked.connect(self.open_handout)

        self.status_label = QLabel("Lektionen werden geladen …")
        self.statusBar().addWidget(self.status_label, 1)

        self.setCentralWidget(self._build_central())
        self._build_menus()
        self.search.textChanged.connect(self.apply_filter)
        for box in (self.topic_box, self.level_box, self.device_filter):
            box.currentIndexChanged.connect(self.apply_filter)
        self._restore_geometry()
        self._load_after_first_paint = not load_now
        if load_now:
            self._draw_menu_icons()
            self.reload_library()

    def event(self, event: QEvent) -> bool:
        # The window appears first (fast start on old laptops); the lessons are read right after.
        if getattr(self, "_load_after_first_paint", False) and event.type() == QEvent.Type.Paint:
            self._load_after_first_paint = False
            QTimer.singleShot(0, self._after_first_paint)
        return super().event(event)

    def _after_first_paint(self) -> None:
        self.load_library_in_background()
        self._draw_menu_icons()  # while the worker reads the lessons; menus are closed until now anyway

    # --- construction ---------------------------------------------------------------------
    def _combo(self, name: str) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName(f"Filter {name}")
        box.setToolTip(f"Nach {name} filtern")
        return box

    def _build_central(self) -> QWidget:
        filters = QHBoxLayout()
        for label, box in (("&Thema:", self.topic_box), ("St&ufe:", self.level_box), ("&Gerät:", self.device_filter)):
            caption = QLabel(label)
            caption.setBuddy(box)
            filters.addWidget(caption)
            filters.addWidget(box, 1)
        search_label = QLabel("&Suche:")
        search_label.setBuddy(self.search)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(search_label)
        left_layout.addWidget(self.search)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.list_view, 1)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.preview, 1)
        options = FlowLayout()  # side by side, one below the other on a narrow window
        options.addWidget(self.present_device)
        options.addWidget(self.handout_button)
        right_layout.addLayout(options)
        right_layout.addWidget(self.present_button)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Bereiche")
        self.tabs.addTab(splitter, "&Lektionen")
        # Pages that need the database are built when first opened: the program starts faster.
        for package, module, cls, title in (("app.ui.courses", "app.ui.courses.page", "CoursesPage", "&Kurse"),
                                            ("app.ui.reports", "app.ui.reports.page", "ReportsPage", "&Berichte")):
            if importlib.util.find_spec(package) is not None:
                placeholder = QWidget()
                self._lazy_tabs[placeholder] = (module, cls, title)
                self.tabs.addTab(placeholder, title)
        self.tabs.currentChanged.connect(self._ensure_page)
        return self.tabs

    def _build_menus(self) -> None:
        self._menu_icons: list[tuple[QAction, str]] = []
        file_menu = self.menuBar().addMenu("&Datei")
        self._action(file_menu, "&Einstellungen …", "Ctrl+,", self.open_settings, "settings")
        file_menu.addSeparator()
        # "Ctrl+Q" written out: the platform's standard Quit key is empty on Windows
        self._action(file_menu, "&Beenden", "Ctrl+Q", self.close, "log-out")
        lessons = self.menuBar().addMenu("&Lektionen")
        self._action(lessons, "&Präsentieren", "F5", self.start_presentation, "play")
        self._action(lessons, "&Handout oder Kursheft …", "Ctrl+P", self.open_handout, "printer")
        self._action(lessons, "&Suchen", "Ctrl+F", self._focus_search, "search")
        self._action(lessons, "Lektionen &prüfen …", "", self.show_problems, "triangle-alert")
        self._action(lessons, "Lektion &bearbeiten …", "Ctrl+E", self.edit_lesson, "pencil")
        self._action(lessons, "N&eue Lektion …", "Ctrl+Shift+N", self.new_lesson, "")
        self._action(lessons, "Lektion &weitergeben …", "", self.open_export_dialog, "")
        self._action(lessons, "Lektionen &einlesen …", "", self.open_import_dialog, "")
        self._action(lessons, "&Neu laden", "Ctrl+R", self.load_library_in_background, "refresh-cw")
        help_menu = self.menuBar().addMenu("&Hilfe")
        self._action(help_menu, "&Tastenkürzel", "F1", self.show_keys, "keyboard")
        self._action(help_menu, f"Ü&ber {__app_name__}", "", self.show_about, "info")
        from app.ui.demo_launcher import install_demo_menu

        install_demo_menu(self, help_menu)

    def _action(self, menu, text: str, shortcut, slot, icon_name: str = "") -> QAction:
        action = QAction(text, self)
        if icon_name:  # drawn after the first paint (each icon is an SVG rendered at five sizes)
            self._menu_icons.append((action, icon_name))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _draw_menu_icons(self) -> None:
        pending, self._menu_icons = self._menu_icons, []
        for action, icon_name in pending:
            action.setIcon(icon(icon_name))

    def run_start_checks(self) -> None:
        """Take the rolling start backup in a worker thread (once); its questions come afterwards."""
        if self._start_checks is None:
            from app.ui.start_checks import start_checks_in_background

            self._start_checks = start_checks_in_background(self)

    def wait_for_start_checks(self) -> None:
        """Return once the start backup is written: nothing may change the database before it exists."""
        if self._start_checks is not None:
            self._start_checks.wait()

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search.setFocus()
        self.search.selectAll()

    def _ensure_page(self, index: int) -> None:
        placeholder = self.tabs.widget(index)
        if placeholder not in self._lazy_tabs:
            return
        module_name, class_name, title = self._lazy_tabs.pop(placeholder)
        self.wait_for_start_checks()  # these pages open the database and can change it
        try:
            page = getattr(importlib.import_module(module_name), class_name)(self)
        except Exception:  # noqa: BLE001 - the lesson part must keep working
            log.exception("Bereich %s konnte nicht geöffnet werden", title)
            self._lazy_tabs[placeholder] = (module_name, class_name, title)
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, title.replace("&", ""),
                                f"Dieser Bereich konnte nicht geöffnet werden.\nEinzelheiten: {paths.log_file()}")
            return
        if hasattr(page, "present_requested"):
            page.present_requested.connect(self.present_lessons)
        if hasattr(page, "booklet_requested"):
            page.booklet_requested.connect(self.open_booklet)
        if class_name == "CoursesPage":
            self._courses_page = page
        self.tabs.blockSignals(True)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, page, title)
        self.tabs.setCurrentIndex(index)
        self.tabs.blockSignals(False)
        placeholder.deleteLater()

    # --- library --------------------------------------------------------------------------
    def reload_library(self) -> None:
        """Read the lessons now, for callers that need them at once (the window's own loads use the background)."""
        from app.lessons.library import load_library

        # Picture contents are checked by "Lektionen prüfen"; here only their presence, to start fast.
        self._apply_library(load_library([paths.shipped_lessons_dir()], self.settings.user_lesson_dirs(),
                                          check_pictures=False, lesson_time_limit=LESSON_TIME_LIMIT_S))

    def load_library_in_background(self) -> None:
        """Read the lessons in a worker thread with a progress line; menus and settings stay usable meanwhile.

        A lesson that takes longer than :data:`LESSON_TIME_LIMIT_S` is listed as broken (⚠) and skipped.
        """
        from app.lessons.library import load_library
        from app.ui.background_job import BackgroundJob

        if getattr(self, "_library_job", None) is not None:
            self._reload_again = True  # e.g. settings changed while loading: load once more afterwards
            return
        shipped, user = [paths.shipped_lessons_dir()], self.settings.user_lesson_dirs()
        job = BackgroundJob(lambda progress, _cancelled: load_library(shipped, user, check_pictures=False, progress=progress,
                                                                     lesson_time_limit=LESSON_TIME_LIMIT_S),
                            what="der Lektionsliste", parent=self)
        job.progressed.connect(lambda done, total: self.status_label.setText(f"Lektionen werden geladen … {done} von {total}"))
        job.succeeded.connect(self._apply_library)
        job.failed.connect(self.status_label.setText)
        job.finished.connect(self._library_job_done)
        self._library_job = job
        self.status_label.setText("Lektionen werden geladen …")
        job.start()

    def _library_job_done(self) -> None:
        job, self._library_job = self._library_job, None
        if job is not None:
            job.deleteLater()
        if getattr(self, "_reload_again", False):
            self._reload_again = False
            self.load_library_in_background()

    def _apply_library(self, library) -> None:  # noqa: ANN001 - app.lessons.library.Library
        current = self.current_lesson()
        self.library = library
        topic = self.topic_box.currentText()
        self.topic_box.blockSignals(True)
        self.topic_box.clear()
        self.topic_box.addItems([ALL, *self.library.topics])
        self.topic_box.setCurrentText(topic if topic in self.library.topics else ALL)
        self.topic_box.blockSignals(False)
        self.apply_filter()
        if current is not None:
            self.select_lesson(current.id)
        broken = sum(1 for lesson in self.library.lessons if lesson.is_broken)
        text = f"{len(self.library.lessons)} Lektionen geladen"
        if broken:
            text += f", davon {broken} mit Fehlern (Menü Lektionen → Lektionen prüfen)"
        for problem in self.library.problems:
            text += f" · {problem.path}: {problem.message}"
        self.status_label.setText(text)
        self.library_loaded.emit()

    def open_export_dialog(self) -> None:
        from app.ui.lesson_packages import ExportLessonsDialog

        lesson = self.current_lesson()
        dialog = ExportLessonsDialog(self.library.lessons, lesson.id if lesson else "", self)
        if dialog.exec() and dialog.written is not None:
            self.status_label.setText(f"Paket gespeichert: {dialog.written}")

    def open_import_dialog(self) -> None:
        from app.lessons.package import own_lesson_folder
        from app.ui.lesson_packages import ImportLessonsDialog

        dialog = ImportLessonsDialog(self.library.lessons, lambda: own_lesson_folder(self.settings),
                                     paths.shipped_lessons_dir(), self)
        if dialog.exec() and dialog.result_ids:
            self.load_library_in_background()
            self.status_label.setText(f"Eingelesen: {', '.join(dialog.result_ids)}")

    def current_filter(self) -> LessonFilter:
        device = {"Android": Device.ANDROID, "iPhone": Device.IPHONE}.get(self.device_filter.currentText())
        topic = self.topic_box.currentText()
        level = self.level_box.currentText()
        return LessonFilter(self.search.text(), "" if topic == ALL else topic, "" if level == ALL else level, device)

    def apply_filter(self) -> None:
        current = self.current_lesson()
        rule = self.current_filter()
        positions = self._template_positions()
        accepted = [lesson for lesson in self.library.lessons if rule.accepts(lesson)]
        self.model.set_rows(sort_lessons(accepted, positions, lambda item: item.id, lambda item: item.title))
        if current is not None and self.model.row_of(current.id) >= 0:
            self.select_lesson(current.id)
        elif self.model.rowCount() > 0:
            self.list_view.setCurrentIndex(self.model.index(0))
        self._show_preview()

    def select_lesson(self, lesson_id: str) -> bool:
        row = self.model.row_of(lesson_id)
        if row < 0:
            return False
        from PySide6.QtCore import QItemSelectionModel

        self.list_view.selectionModel().setCurrentIndex(
            self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        return True

    def current_lesson(self) -> Lesson | None:
        index = self.list_view.currentIndex()
        return self.model.lesson(index.row()) if index.isValid() else None

    def _show_preview(self) -> None:
        lesson = self.current_lesson()
        if lesson is None:
            self.preview.setHtml("<p>Keine Lektion passt zur Suche.</p>" if self.library.lessons else "")
            self.present_button.setEnabled(False)
            self.handout_button.setEnabled(False)
            return
        from app.ui.lesson_preview import lesson_preview_html

        self.preview.setHtml(lesson_preview_html(lesson))
        self.present_button.setEnabled(not lesson.is_broken)
        self.handout_button.setEnabled(not lesson.is_broken)

    # --- presenting -----------------------------------------------------------------------
    def start_presentation(self, lesson: Lesson | None = None, start_index: int = 0) -> bool:
        lesson = lesson or self.current_lesson()
        if lesson is None:
            return False
        if lesson.is_broken:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, "Lektion fehlerhaft",
                                    f"Die Lektion »{lesson.title}« hat Fehler und kann nicht gezeigt werden.\n"
                                    "Einzelheiten stehen in der Vorschau.")
            return False
        if self.session is not None:
            self.session.end()
        from app.ui.presenter.session import PresentationSession

        device = Device(self.present_device.currentData())
        self.session = PresentationSession(
            lesson,
            device=device,
            theme=self.settings.theme,
            font_scale=self.settings.font_scale,
            start_index=start_index,
            preferred_audience=self.settings.audience_screen,
            swapped=self.settings.swap_screens,
            parent=self,
        )
        self.session.finished.connect(self._presentation_finished)
        self.session.screen_choice_changed.connect(self._remember_screens)
        self.session.start()
        self.settings.device = device.value
        return True

    def present_lessons(self, lesson_ids: list) -> None:
        """Called from a course's Termin: present the first planned lesson that exists."""
        for lesson_id in lesson_ids:
            lesson = self.library.by_id(str(lesson_id))
            if lesson is not None and not lesson.is_broken:
                self.tabs.setCurrentIndex(0)
                self.select_lesson(lesson.id)
                self.start_presentation(lesson)
                return
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.information(self, "Keine Lektion", "Für diesen Termin ist keine vorhandene Lektion geplant.")

    def _remember_screens(self, name: str, swapped: bool) -> None:
        if self.session and self.session.placement and not self.session.placement.single_screen:
            self.settings.audience_screen = name if not swapped else self.settings.audience_screen
            self.settings.swap_screens = swapped

    def _presentation_finished(self) -> None:
        session = self.session
        self.session = None
        if session is not None:
            self.settings.font_scale = session.controller.font_scale
            session.deleteLater()
        self._save_settings()
        self.raise_()
        self.activateWindow()

    # --- dialogs --------------------------------------------------------------------------
    def open_handout(self) -> None:
        lesson = self.current_lesson()
        if lesson is None or lesson.is_broken:
            return
        try:
            from app.ui.handout_dialog import open_handout_dialog
        except ModuleNotFoundError:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, "Handout", "Handouts sind in dieser Version noch nicht verfügbar.")
            return
        from app.render.handout import HandoutOptions
        from app.services.print_settings import organisation_for_print

        organisation, logo = organisation_for_print()
        open_handout_dialog(self, [lesson], HandoutOptions(organisation=organisation, logo_path=logo),
                            self.ordered_lessons(), self._lesson_plans())

    def open_booklet(self, lesson_ids: list) -> None:
        """A course's lesson plan as a Kursheft: the dialog opens with the plan ticked."""
        by_id = {lesson.id: lesson for lesson in self.library.lessons if not lesson.is_broken}
        lessons = [by_id[str(lesson_id)] for lesson_id in lesson_ids if str(lesson_id) in by_id]
        if not lessons:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, "Kursheft", "Im Kursplan steht keine Lektion, die es hier gibt.")
            return
        from app.render.handout import HandoutOptions
        from app.services.print_settings import organisation_for_print
        from app.ui.handout_dialog import open_handout_dialog

        organisation, logo = organisation_for_print()
        open_handout_dialog(self, lessons, HandoutOptions(organisation=organisation, logo_path=logo),
                            self.ordered_lessons(), self._lesson_plans())

    def ordered_lessons(self) -> list[Lesson]:
        """Every lesson of the library in the one lesson order (course template, then title)."""
        return sort_lessons(self.library.lessons, self._template_positions(), lambda item: item.id,
                            lambda item: item.title)

    def _template_positions(self) -> dict[str, int]:
        return positions_of_templates(getattr(self.library, "templates", []))

    def _lesson_plans(self) -> list[tuple[str, list[str]]]:
        """Course plans for »Ganzen Kursplan übernehmen«: the course templates and the courses' plans."""
        plans = [(f"Kursvorlage: {template.title}",
                  list(dict.fromkeys(i for session in template.sessions for i in session.lesson_ids)))
                 for template in teaching_order(getattr(self.library, "templates", []))]
        page = self._courses_page
        if page is not None and getattr(page, "db", None) is not None:
            try:
                from app.services import courses

                for summary in courses.list_courses(page.db)[:40]:
                    detail = courses.get_course(page.db, summary.id)
                    if detail.planned_lessons:
                        plans.append((f"Kurs: {detail.title}", list(detail.planned_lessons)))
            except Exception:  # noqa: BLE001 - the lessons' own plans still work without the courses
                log.exception("Kurspläne nicht lesbar")
        return plans

    def open_settings(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            dialog.apply_to(self.settings)
            self._save_settings()
            from app.ui.look import apply_ui_font

            apply_ui_font(self.settings.ui_font_pt)
            self.reload_library()

    def show_problems(self) -> None:
        from app.lessons.library import load_library

        full = load_library([paths.shipped_lessons_dir()], self.settings.user_lesson_dirs(), check_pictures=True)
        problems = full.all_problems()
        if not problems:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self, "Lektionen prüfen", "Alle Lektionen sind in Ordnung.")
            return
        from app.ui.problems_dialog import ProblemsDialog

        ProblemsDialog(problems, self).exec()

    def edit_lesson(self) -> None:
        """Lektion bearbeiten: a shipped lesson is copied into the own lesson folder first (issue 19)."""
        from app.ui.editor.launch import edit_lesson

        edit_lesson(self)

    def new_lesson(self) -> None:
        from app.ui.editor.launch import new_lesson

        new_lesson(self)

    def show_keys(self) -> None:
        from app.ui.keys_dialog import KeysDialog

        KeysDialog(KEY_HELP, self).exec()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            f"Über {__app_name__}",
            f"<h2>{__app_name__} {__version__}</h2><p>Begleiter für Smartphone-Kurse mit Seniorinnen und Senioren: "
            "Lektionen projizieren, Handouts drucken, Anwesenheit festhalten.</p>"
            f"<p>Datenordner: {paths.data_dir()}</p>",
        )

    # --- settings -------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            try:
                if self.restoreGeometry(QByteArray.fromHex(self.settings.window_geometry.encode())):
                    self._fit_on_screen()
                    return
            except (ValueError, TypeError):
                pass
        self.resize(1200, 800)
        self._fit_on_screen()

    def _fit_on_screen(self) -> None:
        """The whole window (title bar and status bar included) on the available screen."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        width, height = first_window_size(self.width(), self.height(), area.width(), area.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        if not area.contains(frame):
            self.move(max(area.left(), min(frame.left(), area.right() - frame.width())),
                      max(area.top(), min(frame.top(), area.bottom() - frame.height())))

    def _save_settings(self) -> None:
        self.settings.window_geometry = bytes(self.saveGeometry().toHex()).decode()
        self.settings.device = self.present_device.currentData()
        try:
            self.settings.save()
        except OSError as error:
            log.warning("Einstellungen nicht gespeichert: %s", error)
            self.status_label.setText(f"Einstellungen konnten nicht gespeichert werden: {error.strerror}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.__dict__.get("_lesson_editors"):  # open lesson editors ask about unsaved changes first
            from app.ui.editor.launch import close_editors

            if not close_editors(self):  # »Abbrechen« in an editor keeps both windows open
                event.ignore()
                return
        if self.session is not None:
            self.session.end()
        job = getattr(self, "_library_job", None)
        if job is not None:  # a QThread must not be destroyed while it runs
            job.wait(int(LESSON_TIME_LIMIT_S * 1000) + 2000)
        self.wait_for_start_checks()
        self._save_settings()
        super().closeEvent(event)
