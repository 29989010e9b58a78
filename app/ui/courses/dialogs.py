"""Dialogs to create and change courses and Termine; bad input is explained in German and nothing saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.attendance import (
    CourseDetail,
    CourseFormat,
    CourseInput,
    InputError,
    TerminInput,
    TerminStatus,
    TerminView,
    format_date,
    format_time,
    parse_date,
    parse_time,
)
from app.lessons.ordering import positions_of_templates, sort_lessons
from app.services import courses, lesson_titles, organisation
from app.storage.database import Database, DatabaseError
from app.ui.courses.widgets import LessonPicker, message_label, show_message
from app.ui.look import mark_primary


def _line(text: str, accessible: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(accessible)
    edit.setPlaceholderText(placeholder)
    return edit


def _optional_date(edit: QLineEdit, what: str) -> dt.date | None:
    return parse_date(edit.text(), what) if edit.text().strip() else None


def _optional_time(edit: QLineEdit, what: str) -> dt.time | None:
    return parse_time(edit.text(), what) if edit.text().strip() else None


def collect(*steps: Callable[[], object]) -> list[object]:
    """Run every parsing step; all their German messages together, or all their values."""
    values, errors = [], []
    for step in steps:
        try:
            values.append(step())
        except InputError as error:
            errors.extend(error.messages)
            values.append(None)
    if errors:
        raise InputError(errors)
    return values


def template_box(accessible: str) -> QComboBox:
    """Choice of a Kursvorlage; item data is the PlanTemplate (``None``: no template)."""
    box = QComboBox()
    box.setAccessibleName(accessible)
    box.addItem("keine Vorlage", None)
    for template in lesson_titles.templates():
        box.addItem(f"{template.title} ({len(template.sessions)} Termine)", template)
    return box


def _template_positions() -> dict[str, int]:
    """Lesson positions from the shipped and the trainer's course templates (small files, read quickly)."""
    from app import paths
    from app.lessons.course_templates import load_templates
    from app.settings import Settings

    try:
        roots = [paths.shipped_lessons_dir(), *Settings.load().user_lesson_dirs()]
        return positions_of_templates(load_templates(roots))
    except OSError:
        return {}


def available_lessons() -> list[tuple[str, str]]:
    """(id, title) of every known lesson in the one lesson order (course template, then title)."""
    positions = _template_positions()
    items = [(info.id, info.title) for info in lesson_titles.catalogue().values()]
    return sort_lessons(items, positions, lambda item: item[0], lambda item: item[1])


class FormDialog(QDialog):
    """A form with an error area; ``save()`` stores or raises InputError, which keeps the dialog open."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(640)
        self.form = QFormLayout()
        self.message = message_label("Hinweise zur Eingabe")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Speichern")
        self.ok_button.setAccessibleName("Speichern")
        mark_primary(self.ok_button)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Abbrechen")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # The form scrolls when the screen is low (1280×720 with large fonts); buttons stay visible.
        form_box = QWidget()
        form_box.setLayout(self.form)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidget(form_box)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setMinimumHeight(200)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form_scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.saved_id: int | None = None

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        """First shown: as large as the form wants, up to the free screen (Qt alone stops at 2/3 of it)."""
        if not getattr(self, "_sized", False):
            self._sized = True
            screen = self.screen()
            if screen is not None:
                area = screen.availableGeometry()
                hint = self.sizeHint()
                self.resize(min(hint.width(), area.width() - 8), min(hint.height(), area.height() - 40))
        super().showEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override: as large as the whole form, the screen permitting
        hint = super().sizeHint()
        content = self.form_scroll.widget().sizeHint()
        extra = self.message.sizeHint().height() + self.buttons.sizeHint().height() + 60
        return QSize(max(hint.width(), content.width() + 40, 780), max(hint.height(), content.height() + extra))

    # Each form defines ``save()``: store the input or raise InputError (Qt classes cannot use ABCMeta).
    save: Callable[[], None]

    def accept(self) -> None:
        try:
            self.save()
        except InputError as error:
            show_message(self.message, "\n".join(error.messages))
            return
        except DatabaseError as error:  # not stored (server gone, disk full): the entries stay in the form
            show_message(self.message, str(error))
            return
        super().accept()


class CourseDialog(FormDialog):
    """New course, or change an existing one."""

    def __init__(self, db: Database, course: CourseDetail | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Kurs bearbeiten" if course else "Neuer Kurs", parent)
        self.db = db
        self.course_id = course.id if course else None
        data = course.as_input() if course else CourseInput(title="")
        self.title_edit = _line(data.title, "Titel des Kurses", "z. B. Smartphone-Grundkurs Android")
        self.format_box = QComboBox()
        self.format_box.setAccessibleName("Art der Veranstaltung")
        for fmt in CourseFormat:
            self.format_box.addItem(fmt.label, fmt.value)
        self.format_box.setCurrentIndex(self.format_box.findData(data.format.value))
        self.town_box = QComboBox()
        self.town_box.setEditable(True)
        self.town_box.setAccessibleName("Ortsgemeinde")
        self.town_box.addItems(organisation.municipality_names(db))
        self.town_box.setCurrentText(data.municipality)
        self.place_edit = _line(data.place, "Ort", "z. B. Dorfgemeinschaftshaus")
        self.start_edit = _line(format_date(data.start_date), "Beginn des Zeitraums", "TT.MM.JJJJ")
        self.end_edit = _line(format_date(data.end_date), "Ende des Zeitraums", "TT.MM.JJJJ")
        self.trainers_edit = _line(", ".join(data.trainers), "Trainerinnen und Trainer, mit Komma getrennt",
                                   ", ".join(organisation.trainer_names(db)[:2]) or "Vorname Name, Vorname Name")
        self.lessons = LessonPicker("Geplante Lektionen (ankreuzen, Reihenfolge mit Alt+Pfeil)")
        self.lessons.set_lessons(available_lessons(), data.planned_lessons)
        self.template_box = template_box("Kursvorlage übernehmen")
        self.template_box.currentIndexChanged.connect(self._apply_template)
        self.note_edit = _line(data.note, "Notiz zum Kurs")
        if self.template_box.count() > 1:
            self.form.addRow("&Vorlage:", self.template_box)
        self.form.addRow("&Titel:", self.title_edit)
        self.form.addRow("&Art:", self.format_box)
        self.form.addRow("&Ortsgemeinde:", self.town_box)
        self.form.addRow("O&rt:", self.place_edit)
        self.form.addRow("&Beginn:", self.start_edit)
        self.form.addRow("&Ende:", self.end_edit)
        self.form.addRow("Trai&ner:", self.trainers_edit)
        self.form.addRow("&Lektionen:", self.lessons)
        self.form.addRow("Noti&z:", self.note_edit)

    def _apply_template(self) -> None:
        """A Kursvorlage fills the lesson plan (and the title, if still empty)."""
        template = self.template_box.currentData()
        if template is None:
            return
        self.lessons.set_lessons(available_lessons(), template.lessons)
        if not self.title_edit.text().strip():
            self.title_edit.setText(template.title)

    def course_input(self) -> CourseInput:
        dates = collect(
            lambda: _optional_date(self.start_edit, "Beginn"), lambda: _optional_date(self.end_edit, "Ende")
        )
        return CourseInput(
            title=self.title_edit.text(), format=CourseFormat(self.format_box.currentData()),
            municipality=self.town_box.currentText(), place=self.place_edit.text(),
            start_date=dates[0], end_date=dates[1],  # type: ignore[arg-type]
            trainers=[name for name in self.trainers_edit.text().split(",") if name.strip()],
            planned_lessons=self.lessons.chosen(), note=self.note_edit.text(),
        )

    def save(self) -> None:
        data = self.course_input()
        if self.course_id is None:
            self.saved_id = courses.create_course(self.db, data)
        else:
            courses.update_course(self.db, self.course_id, data)
            self.saved_id = self.course_id


class TerminDialog(FormDialog):
    """New Termin of a course, or change one; a series of weekly Termine when *series* is set."""

    def __init__(self, db: Database, course: CourseDetail, termin: TerminView | None = None,
                 series: bool = False, parent: QWidget | None = None) -> None:
        title = "Terminserie anlegen" if series else ("Termin bearbeiten" if termin else "Neuer Termin")
        super().__init__(title, parent)
        self.db, self.course, self.termin, self.series = db, course, termin, series
        default_date = termin.date if termin else max(dt.date.today(), course.start_date or dt.date.min)
        self.date_edit = _line(format_date(default_date), "Datum" if not series else "Datum des ersten Termins",
                               "TT.MM.JJJJ")
        self.start_edit = _line(format_time(termin.start) if termin else "14:00", "Beginn (Uhrzeit)", "HH:MM")
        self.end_edit = _line(format_time(termin.end) if termin else "16:00", "Ende (Uhrzeit)", "HH:MM")
        self.place_edit = _line(termin.place if termin else "", "Ort des Termins", course.place or "wie beim Kurs")
        self.form.addRow("&Datum:" if not series else "&Erster Termin:", self.date_edit)
        self.form.addRow("&Beginn:", self.start_edit)
        self.form.addRow("&Ende:", self.end_edit)
        self.form.addRow("&Ort:", self.place_edit)
        if series:
            self.count_box = QSpinBox()
            self.count_box.setAccessibleName("Anzahl der Termine")
            self.count_box.setRange(1, courses.MAX_SERIES)
            self.count_box.setValue(max(1, len(course.planned_lessons)) if course.planned_lessons else 6)
            self.every_box = QComboBox()
            self.every_box.setAccessibleName("Abstand der Termine")
            for label, days in (("jede Woche", 7), ("alle 2 Wochen", 14), ("alle 4 Wochen", 28), ("jeden Tag", 1)):
                self.every_box.addItem(label, days)
            self.plan_box = template_box("Lektionen verteilen")
            self.plan_box.setItemText(0, "eine Lektion je Termin aus dem Kursplan")
            self.plan_box.currentIndexChanged.connect(self._plan_chosen)
            self.form.addRow("&Anzahl:", self.count_box)
            self.form.addRow("Ab&stand:", self.every_box)
            self.form.addRow("&Lektionen:", self.plan_box)
        else:
            self.status_box = QComboBox()
            self.status_box.setAccessibleName("Status des Termins")
            for status in TerminStatus:
                self.status_box.addItem(status.label, status.value)
            self.status_box.setCurrentIndex(self.status_box.findData((termin.status if termin else TerminStatus.PLANNED).value))
            self.lessons = LessonPicker("Lektionen an diesem Termin")
            chosen = list(termin.lessons) if termin else []
            self.lessons.set_lessons(available_lessons(), chosen)
            self.note_edit = _line(termin.note if termin else "", "Notiz zum Termin")
            self.form.addRow("&Status:", self.status_box)
            self.form.addRow("&Lektionen:", self.lessons)
            self.form.addRow("&Notiz:", self.note_edit)
        self.saved_ids: list[int] = []

    def _plan_chosen(self) -> None:
        template = self.plan_box.currentData()
        if template is not None:
            self.count_box.setValue(len(template.sessions))

    def termin_input(self) -> TerminInput:
        values = collect(
            lambda: parse_date(self.date_edit.text(), "Datum"),
            lambda: _optional_time(self.start_edit, "Beginn"),
            lambda: _optional_time(self.end_edit, "Ende"),
        )
        data = TerminInput(date=values[0], start=values[1], end=values[2], place=self.place_edit.text())  # type: ignore[arg-type]
        if not self.series:
            data.status = TerminStatus(self.status_box.currentData())
            data.lessons = self.lessons.chosen()
            data.note = self.note_edit.text()
        return data

    def save(self) -> None:
        data = self.termin_input()
        if self.series:
            template = self.plan_box.currentData()
            groups = [list(session) for session in template.sessions] if template is not None else None
            self.saved_ids = courses.add_weekly_termine(
                self.db, self.course.id, data, self.count_box.value(), self.every_box.currentData(), groups
            )
        elif self.termin is None:
            self.saved_ids = [courses.add_termin(self.db, self.course.id, data)]
        else:
            courses.update_termin(self.db, self.termin.id, data)
            self.saved_ids = [self.termin.id]
