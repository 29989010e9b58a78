"""The "Kurse" page of the main window: list → course → check-in; opens the database when first shown.

Importing this module loads no SQLAlchemy: the program's cold start stays fast, the database
(with its automatic start backup) is opened only when the trainer first looks at the courses.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from app import paths

log = logging.getLogger(__name__)


class CoursesPage(QWidget):
    """Course list, course page and check-in screen; ``present_requested`` carries a Termin's lesson ids."""

    present_requested = Signal(list)
    booklet_requested = Signal(list)  # a course's lesson plan as a Kursheft

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Kurse")
        self.db = None
        self.relay = None
        self.list_view = None
        self.course_view = None
        self.checkin_view = None
        self._loaded = False
        self._return_to_course = False
        self.status = QLabel("Die Kursdaten werden geöffnet …")
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setAccessibleName("Zustand des Kursbereichs")
        self.rescue_button = QPushButton("Sicherungen ansehen und wiederherstellen …")
        self.rescue_button.setAccessibleName("Sicherungen ansehen und wiederherstellen")
        self.rescue_button.setMinimumHeight(56)
        self.rescue_button.clicked.connect(self.open_backups)
        self.rescue_button.hide()
        waiting = QWidget()
        waiting_layout = QVBoxLayout(waiting)
        waiting_layout.addStretch(1)
        waiting_layout.addWidget(self.status)
        waiting_layout.addWidget(self.rescue_button, 0, Qt.AlignmentFlag.AlignCenter)
        waiting_layout.addStretch(1)
        self.stack = QStackedWidget()
        self.stack.addWidget(waiting)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        if not self._loaded:
            QTimer.singleShot(0, self.ensure_loaded)  # paint "wird geöffnet" first

    def ensure_loaded(self) -> bool:
        """Open the database (with the rolling start backup) and build the views; once."""
        if self._loaded:
            return self.db is not None
        self._loaded = True
        try:
            from app.services import context
            from app.storage.backups import BackupError
            from app.storage.database import DatabaseError

            try:
                self.db = context.database(start_backup=True)
            except (DatabaseError, BackupError) as error:
                self.status.setText(f"Die Kursdaten können nicht geöffnet werden.\n\n{error}")
                from app import server_database

                # a server's backups are its own (the IT's) business: no file backups to offer here
                self.rescue_button.setVisible(not server_database.uses_server())
                return False
            self._build_views()
        except Exception:  # noqa: BLE001 - no traceback for the trainer; details go to the log
            log.exception("Kursbereich konnte nicht geladen werden")
            self.db = None
            self.status.setText(
                f"Die Kursdaten können nicht geöffnet werden. Einzelheiten stehen in {paths.log_file()}"
            )
            return False
        self.rescue_button.hide()
        self.show_list()
        return True

    def _build_views(self) -> None:
        from app.ui.courses.checkin_view import CheckInView
        from app.ui.courses.course_list import CourseListView
        from app.ui.courses.course_view import CourseView
        from app.ui.courses.relay import DataChangedRelay

        self.relay = DataChangedRelay(self)
        self.list_view = CourseListView(self.db, self.relay)
        self.course_view = CourseView(self.db, self.relay)
        self.checkin_view = CheckInView(self.db, self.relay)
        for view in (self.list_view, self.course_view, self.checkin_view):
            self.stack.addWidget(view)
        self.list_view.open_course.connect(self.show_course)
        self.list_view.open_checkin.connect(lambda termin_id: self.show_checkin(termin_id, from_course=False))
        self.list_view.backups_requested.connect(self.open_backups)
        self.list_view.organisation_requested.connect(self.open_organisation)
        self.list_view.privacy_requested.connect(self.open_privacy)
        self.list_view.sync_requested.connect(self.open_sync)
        self.course_view.back_requested.connect(self.show_list)
        self.course_view.open_checkin.connect(lambda termin_id: self.show_checkin(termin_id, from_course=True))
        self.course_view.present_requested.connect(self.present_requested)
        self.course_view.booklet_requested.connect(self.booklet_requested)
        self.checkin_view.back_requested.connect(self._leave_checkin)
        self.checkin_view.present_requested.connect(self.present_requested)

    # ------------------------------------------------------------------ navigation

    def show_list(self) -> None:
        if self.ensure_loaded():
            self.stack.setCurrentWidget(self.list_view)

    def show_course(self, course_id: int) -> None:
        if self.ensure_loaded():
            self.course_view.load(course_id)
            self.stack.setCurrentWidget(self.course_view)

    def show_checkin(self, termin_id: int, from_course: bool = True) -> None:
        if self.ensure_loaded():
            self._return_to_course = from_course
            self.checkin_view.load(termin_id)
            self.stack.setCurrentWidget(self.checkin_view)

    def _leave_checkin(self) -> None:
        desk = self.checkin_view.desk
        if desk is not None and self._return_to_course:
            self.show_course(desk.course_id)
        else:
            self.show_list()

    # ------------------------------------------------------------------ dialogs

    def open_backups(self) -> None:
        from app.ui.courses.backup_dialog import BackupDialog

        dialog = BackupDialog(self)
        dialog.exec()
        if dialog.restored and self.db is None:  # the database could not be opened before: try again
            self._loaded = False
            self.ensure_loaded()

    def open_organisation(self) -> None:
        from app.ui.courses.organisation_dialog import OrganisationDialog

        OrganisationDialog(self.db, self).exec()

    def open_privacy(self) -> None:
        from app.ui.courses.privacy_dialog import PrivacyDialog

        PrivacyDialog(self.db, self).exec()

    def open_sync(self) -> None:
        from app.ui.sync.dialog import SyncDialog

        SyncDialog(self.db, self).exec()
