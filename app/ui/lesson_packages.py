"""Dialogs »Lektion weitergeben …« and »Lektionen einlesen …«: lesson packages with one click each way.

The work is :mod:`app.lessons.package` (checks, plan, install); these dialogs only choose files,
show what the package holds (new / newer / same / shipped) and report the result in German.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.lesson import Lesson
from app.lessons.package import SUFFIX, Package, PackageError, PlannedLesson, export_package, install, plan_import, read_package

FILE_FILTER = f"Kurslotse-Lektionspakete (*{SUFFIX})"


def _buttons(ok_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
    return buttons


class ExportLessonsDialog(QDialog):
    """Choose lessons (the current one is ticked) and a file; »Weitergeben« writes the package."""

    def __init__(self, lessons: list[Lesson], selected: str = "", parent: QWidget | None = None,
                 folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lektion weitergeben")
        self.resize(640, 520)
        self.lessons = [lesson for lesson in lessons if not lesson.is_broken]
        self.written: Path | None = None
        intro = QLabel("Die gewählten Lektionen werden mit ihren Bildern in eine Paketdatei gepackt. Die Datei können "
                       "Sie per USB-Stick, E-Mail oder geteiltem Ordner weitergeben; andere lesen sie mit "
                       "»Lektionen einlesen …« ein.")
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Lektionen zum Weitergeben")
        for lesson in self.lessons:
            item = QListWidgetItem(f"{lesson.title} ({lesson.id})")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if lesson.id == selected else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, lesson.id)
            self.list.addItem(item)
        self.target = QLineEdit(str((folder or Path.home()) / f"{selected or 'lektionen'}{SUFFIX}"))
        self.target.setAccessibleName("Paketdatei")
        choose = QPushButton("Ort wählen …")
        choose.clicked.connect(self._choose_target)
        row = QHBoxLayout()
        row.addWidget(self.target, 1)
        row.addWidget(choose)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Meldung")
        self.buttons = _buttons("Weitergeben")
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(QLabel("Paketdatei:"))
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def chosen(self) -> list[Lesson]:
        ids = {self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())
               if self.list.item(row).checkState() == Qt.CheckState.Checked}
        return [lesson for lesson in self.lessons if lesson.id in ids]

    def _choose_target(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Paket speichern", self.target.text(), FILE_FILTER)
        if name:
            self.target.setText(name)

    def export(self) -> None:
        chosen = self.chosen()
        if not chosen:
            self.message.setText("Bitte mindestens eine Lektion ankreuzen.")
            return
        target = Path(self.target.text().strip()).expanduser()
        if not target.parent.is_dir():
            self.message.setText(f"Den Ordner »{target.parent}« gibt es nicht. Bitte mit »Ort wählen …« einen Ordner wählen.")
            return
        try:
            export_package(chosen, target)
        except PackageError as error:
            self.message.setText(str(error))
            return
        self.written = target if target.suffix.lower() == SUFFIX else target.with_name(target.name + SUFFIX)
        self.accept()


class ImportLessonsDialog(QDialog):
    """Choose a package, see what it holds, »Einlesen« installs into the trainer's own lesson folder."""

    installed = Signal(list)
    checked = Signal(bool)  # the chosen package passed every check (True) or was refused (False)

    def __init__(self, library_lessons: list[Lesson], own_folder, shipped_folder: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lektionen einlesen")
        self.resize(720, 520)
        self.library_lessons = library_lessons
        self.own_folder = own_folder  # a Path, or a callable giving it (so settings change only on install)
        self.shipped_folder = shipped_folder
        self.package: Package | None = None
        self.plan: list[PlannedLesson] = []
        self.result_ids: list[str] = []
        intro = QLabel("Wählen Sie eine Paketdatei (.kurslotse). Sie wird vollständig geprüft, bevor etwas "
                       "eingelesen wird. Mitgelieferte Lektionen werden nie ersetzt.")
        intro.setWordWrap(True)
        self.path = QLineEdit()
        self.path.setAccessibleName("Paketdatei")
        self.path.setReadOnly(True)
        choose = QPushButton("Paket wählen …")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        self.list = QListWidget()
        self.list.setAccessibleName("Lektionen im Paket")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Meldung")
        self.buttons = _buttons("Einlesen")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.accepted.connect(self.install)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self._job = None
        self._closed = False
        self.finished.connect(lambda _result: self._finish())

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Lektionspaket öffnen", str(Path.home()), FILE_FILTER)
        if name:
            self.open_package(Path(name))

    def open_package(self, path: Path) -> None:
        """Check *path* in a worker thread (a big package takes seconds); ``checked`` tells the outcome."""
        from app.ui.background_job import BackgroundJob

        self._close_package()
        self.path.setText(str(path))
        self.list.clear()
        self.plan = []
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.message.setText("Das Paket wird geprüft …")
        job = BackgroundJob(lambda _progress, _cancelled: read_package(path), (PackageError,), "der Paketprüfung", self)
        job.succeeded.connect(self._show_package)
        job.failed.connect(self._refused)
        job.finished.connect(lambda: self._job_done(job))
        self._job = job
        job.start()

    def _job_done(self, job) -> None:  # noqa: ANN001 - BackgroundJob
        if self._job is job:
            self._job = None
        job.deleteLater()

    def _refused(self, message: str) -> None:
        self.message.setText(f"Das Paket wird nicht eingelesen: {message}")
        self.checked.emit(False)

    def _show_package(self, package: Package) -> None:
        if self._closed:  # the dialog was closed while the package was checked
            package.close()
            return
        self.package = package
        self.plan = plan_import(package, self.library_lessons)
        for item in self.plan:
            entry = QListWidgetItem(("Wird eingelesen: " if item.will_install() else "Bleibt wie es ist: ") + item.describe())
            if item.will_install():
                font = entry.font()
                font.setBold(True)
                entry.setFont(font)
            self.list.addItem(entry)
        count = sum(1 for item in self.plan if item.will_install())
        if count:
            self.message.setText(f"{count} von {len(self.plan)} Lektionen werden eingelesen (fett gedruckt).")
        else:
            self.message.setText("Nichts Neues: alle Lektionen des Pakets sind schon vorhanden, älter oder mitgeliefert.")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(count))
        self.checked.emit(True)

    def install(self) -> None:
        if self.package is None:
            return
        target = self.own_folder() if callable(self.own_folder) else Path(self.own_folder)
        try:
            self.result_ids = install(self.package, self.plan, target, self.shipped_folder)
        except PackageError as error:
            self.message.setText(str(error))
            return
        self.installed.emit(self.result_ids)
        self.accept()

    def _finish(self) -> None:
        self._closed = True
        if self._job is not None and self._job.isRunning():
            self._job.wait()  # its package (a temporary folder) is closed right below
        self._close_package()

    def _close_package(self) -> None:
        if self.package is not None:
            self.package.close()
            self.package = None
