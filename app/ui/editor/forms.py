"""The two forms of the lesson editor: the lesson's header and one step (text, Android/iPhone, boxes, pictures).

The forms only show values and say what the trainer changed (signals); the editor window turns
each change into an edit of the :class:`~app.lessons.editing.LessonDocument`. ``load`` fills a
form from the document without emitting anything.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSpinBox, QTabWidget, QVBoxLayout, QWidget)

from app.domain.lesson import LEVELS, Device
from app.lessons.editing import LessonDocument
from app.ui.flow_layout import FlowLayout

SECTION_TABS = (("text", "Für alle"), ("android", "Android"), ("iphone", "iPhone"))
TEXT_BOXES = (("uebung", "Ü&bung", "Jede Zeile »- …« wird eine Aufgabe mit Kästchen."),
              ("merksatz", "&Merksatz", "Ein kurzer Satz, den sich alle merken."),
              ("notizen", "&Notizen", "Nur für Sie: erscheinen nicht an der Wand."))
HEADER_LISTS = (("lernziele", "Lernziele", "Ein Lernziel je Zeile, z. B. »Ich kann …«"),
                ("links", "Links", "Je Zeile: Titel | https://adresse (wird ein QR-Code)"),
                ("quellen", "Quellen", "Je Zeile: https://adresse (geprüft JJJJ-MM-TT)"),
                ("voraussetzungen", "Voraussetzungen", "Je Zeile die id einer Lektion"))
TOPICS = ("Grundlagen", "Einstellungen", "Kommunikation", "Fotos", "Apps", "Sicherheit", "Internet", "Unterwegs",
          "Gesundheit", "Dorf & Verwaltung")


def _text_box(name: str, hint: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setUndoRedoEnabled(False)  # Strg+Z goes to the editor's one undo history
    box.setAccessibleName(name)
    box.setPlaceholderText(hint)
    return box


def _set_text(widget: QLineEdit | QPlainTextEdit, value: str) -> None:
    """Only when different, so the cursor of the box being typed in stays where it is."""
    if isinstance(widget, QLineEdit):
        if widget.text() != value:
            widget.setText(value)
    elif widget.toPlainText() != value:
        widget.setPlainText(value)


class PictureRow(QWidget):
    """Picture of one section: file name, description (alt text), add / mark / remove."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.name = QLabel("Kein Bild")
        self.alt = QLineEdit()
        self.alt.setPlaceholderText("Was zeigt das Bild? (für alle, die es nicht sehen)")
        self.alt.setAccessibleName(f"Bildbeschreibung {label}")
        self.add = QPushButton("Bild …")
        self.add.setAccessibleName(f"Bild hinzufügen {label}")
        self.mark = QPushButton("Bildschirmfoto markieren …")
        self.mark.setAccessibleName(f"Bildschirmfoto markieren {label}")
        self.remove = QPushButton("Entfernen")
        self.remove.setAccessibleName(f"Bild entfernen {label}")
        buttons = FlowLayout()
        for button in (self.add, self.mark, self.remove):
            buttons.addWidget(button)
        caption = QLabel("Bildbeschreibung:")
        caption.setBuddy(self.alt)
        layout.addWidget(self.name, 0, 0, 1, 2)
        layout.addLayout(buttons, 1, 0, 1, 2)
        layout.addWidget(caption, 2, 0)
        layout.addWidget(self.alt, 2, 1)
        layout.setColumnStretch(1, 1)


class StepText(QPlainTextEdit):
    """A text box that also takes picture files dropped on it."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setTabChangesFocus(True)
        self.setUndoRedoEnabled(False)

    def dragEnterEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802, ANN001
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802, ANN001
        urls = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if urls:
            event.acceptProposedAction()
            self.files_dropped.emit(urls)
        else:
            super().dropEvent(event)


class StepForm(QWidget):
    """Title, the common text and the Android/iPhone texts (tabs, each with a picture), Übung, Merksatz, Notizen."""

    field_edited = Signal(str, str)  # field name, new text
    alt_edited = Signal(str, str)  # section, picture description
    add_picture = Signal(str)
    mark_picture = Signal(str)
    remove_picture = Signal(str)
    files_dropped = Signal(str, str)  # section, first file

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.title = QLineEdit()
        self.title.setAccessibleName("Titel des Schritts")
        self.title.textEdited.connect(lambda text: self._emit("titel", text))
        form.addRow("&Titel:", self.title)
        layout.addLayout(form)
        self.section_tabs = QTabWidget()
        self.section_tabs.setAccessibleName("Text für alle, Android oder iPhone")
        self.section_texts: dict[str, StepText] = {}
        self.picture_rows: dict[str, PictureRow] = {}
        for name, label in SECTION_TABS:
            page = QWidget()
            page_layout = QVBoxLayout(page)
            text = StepText()
            text.setAccessibleName(f"Text {label}")
            text.setPlaceholderText("Was an der Wand steht (kurz: höchstens etwa 30 Wörter mit Bild)."
                                    if name == "text" else f"Nur für {label}: erscheint nach dem Text für alle.")
            text.textChanged.connect(lambda n=name, t=text: self._emit(n, t.toPlainText()))
            text.files_dropped.connect(lambda files, n=name: self.files_dropped.emit(n, files[0]))
            row = PictureRow(label)
            row.alt.textEdited.connect(lambda value, n=name: None if self._loading else self.alt_edited.emit(n, value))
            row.add.clicked.connect(lambda _=False, n=name: self.add_picture.emit(n))
            row.mark.clicked.connect(lambda _=False, n=name: self.mark_picture.emit(n))
            row.remove.clicked.connect(lambda _=False, n=name: self.remove_picture.emit(n))
            page_layout.addWidget(text, 1)
            page_layout.addWidget(row)
            self.section_texts[name] = text
            self.picture_rows[name] = row
            self.section_tabs.addTab(page, label)
        layout.addWidget(self.section_tabs, 2)
        self.box_texts: dict[str, QPlainTextEdit] = {}
        for name, label, hint in TEXT_BOXES:
            caption = QLabel(f"{label}:")
            text = _text_box(label.replace("&", ""), hint)
            text.setMinimumHeight(60)
            text.setMaximumHeight(90)
            caption.setBuddy(text)
            text.textChanged.connect(lambda n=name, t=text: self._emit(n, t.toPlainText()))
            layout.addWidget(caption)
            layout.addWidget(text, 1)
            self.box_texts[name] = text

    def _emit(self, name: str, value: str) -> None:
        if not self._loading:
            self.field_edited.emit(name, value)

    def load(self, document: LessonDocument, index: int) -> None:
        self._loading = True
        try:
            has_step = 0 <= index < len(document.steps())
            for widget in (self.title, self.section_tabs, *self.box_texts.values()):
                widget.setEnabled(has_step)
            if not has_step:
                return
            _set_text(self.title, document.field(index, "titel"))
            for name, edit in [*self.section_texts.items(), *self.box_texts.items()]:
                _set_text(edit, document.field(index, name))
            for name, row in self.picture_rows.items():
                ref = document.picture(index, name)
                row.name.setText(Path(ref.target).name if ref else "Kein Bild")
                _set_text(row.alt, ref.alt if ref else "")
                row.alt.setEnabled(ref is not None)
                row.remove.setEnabled(ref is not None)
        finally:
            self._loading = False

    def focus_field(self, name: str, row: int = 0) -> None:
        """Put the cursor at the start of line *row* of a field (where a checker message points)."""
        if name == "titel":
            self.title.setFocus()
            return
        if name in self.section_texts:
            self.section_tabs.setCurrentIndex([n for n, _ in SECTION_TABS].index(name))
        box = self.section_texts.get(name) or self.box_texts.get(name)
        if box is None:
            return
        block = box.document().findBlockByNumber(max(0, min(row, box.blockCount() - 1)))
        cursor = box.textCursor()
        cursor.setPosition(block.position())
        box.setTextCursor(cursor)
        box.ensureCursorVisible()
        box.setFocus()


class HeaderForm(QWidget):
    """The lesson's header (Kopf): title, description, duration, level, topic, devices, stand and the lists."""

    value_edited = Signal(str, str)  # header key, value ("" removes the key)
    list_edited = Signal(str, list)  # header key, entries
    rename_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        form = QFormLayout(self)
        self.lesson_id = QLabel()
        self.lesson_id.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rename_button = QPushButton("Kennung ändern …")
        self.rename_button.setAccessibleName("Kennung der Lektion ändern (benennt auch den Ordner um)")
        self.rename_button.clicked.connect(self.rename_requested)
        id_row = QHBoxLayout()
        id_row.addWidget(self.lesson_id, 1)
        id_row.addWidget(self.rename_button)
        form.addRow("Kennung (id):", id_row)
        self.fields: dict[str, QLineEdit] = {}
        for key, label in (("titel", "&Titel"), ("beschreibung", "&Beschreibung"), ("autor", "&Autor")):
            edit = QLineEdit()
            edit.setAccessibleName(label.replace("&", ""))
            edit.textEdited.connect(lambda value, k=key: self._emit(k, value))
            self.fields[key] = edit
            form.addRow(f"{label}:", edit)
        self.duration = QSpinBox()
        self.duration.setRange(5, 480)
        self.duration.setSuffix(" Minuten")
        self.duration.setAccessibleName("Dauer in Minuten")
        self.duration.valueChanged.connect(lambda value: self._emit("dauer", str(value)))
        form.addRow("&Dauer:", self.duration)
        self.level = QComboBox()
        self.level.addItems(list(LEVELS))
        self.level.setAccessibleName("Stufe")
        self.level.currentTextChanged.connect(lambda value: self._emit("stufe", value))
        form.addRow("S&tufe:", self.level)
        self.topic = QComboBox()
        self.topic.setEditable(True)
        self.topic.addItems(list(TOPICS))
        self.topic.setAccessibleName("Thema")
        self.topic.currentTextChanged.connect(lambda value: self._emit("thema", value))
        form.addRow("T&hema:", self.topic)
        devices = QHBoxLayout()
        self.device_boxes = {Device.ANDROID: QCheckBox("Android"), Device.IPHONE: QCheckBox("iPhone")}
        for box in self.device_boxes.values():
            box.setAccessibleName(f"Lektion für {box.text()}")
            box.toggled.connect(lambda _on, b=box: self._devices_toggled(b))
            devices.addWidget(box)
        form.addRow("Geräte:", devices)
        stand_row = QHBoxLayout()
        self.stand = QLineEdit()
        self.stand.setPlaceholderText("JJJJ-MM-TT")
        self.stand.setAccessibleName("Stand: zuletzt geprüft am")
        self.stand.textEdited.connect(lambda value: self._emit("stand", value))
        today = QPushButton("Heute")
        today.setAccessibleName("Stand auf heute setzen")
        today.clicked.connect(self._stand_today)
        stand_row.addWidget(self.stand, 1)
        stand_row.addWidget(today)
        stand_label = QLabel("&Stand:")  # a row of a layout gets no buddy by itself: the & would show
        stand_label.setBuddy(self.stand)
        form.addRow(stand_label, stand_row)
        self.lists: dict[str, QPlainTextEdit] = {}
        for key, label, hint in HEADER_LISTS:
            edit = _text_box(label, hint)
            edit.setMaximumHeight(90)
            edit.textChanged.connect(lambda k=key, e=edit: None if self._loading else
                                     self.list_edited.emit(k, e.toPlainText().split("\n")))
            self.lists[key] = edit
            form.addRow(f"{label}:", edit)

    def _emit(self, key: str, value: str) -> None:
        if not self._loading:
            self.value_edited.emit(key, value)

    def _devices_toggled(self, box: QCheckBox) -> None:
        if self._loading:
            return
        chosen = [device.value for device, item in self.device_boxes.items() if item.isChecked()]
        if not chosen:  # a lesson is for at least one kind of phone
            self._loading = True
            box.setChecked(True)
            self._loading = False
            return
        self.value_edited.emit("geraete", ", ".join(chosen))

    def _stand_today(self) -> None:
        self.stand.setText(dt.date.today().isoformat())
        self._emit("stand", self.stand.text())

    def load(self, document: LessonDocument, folder_name: str) -> None:
        self._loading = True
        try:
            self.lesson_id.setText(document.header_value("id") or folder_name)
            for key, edit in self.fields.items():
                _set_text(edit, document.header_value(key))
            duration = "".join(ch for ch in document.header_value("dauer") if ch.isdigit())
            self.duration.setValue(int(duration) if duration else 30)
            level = document.header_value("stufe")
            if level:
                self.level.setCurrentText(next((lvl for lvl in LEVELS if lvl.lower() == level.lower()), level))
            self.topic.setCurrentText(document.header_value("thema"))
            devices = document.header_value("geraete").lower()
            for device, box in self.device_boxes.items():
                box.setChecked(not devices or device.value in devices or (device is Device.IPHONE and "ios" in devices))
            _set_text(self.stand, document.header_value("stand"))
            for key, edit in self.lists.items():
                _set_text(edit, "\n".join(document.header_list(key)))
        finally:
            self._loading = False

    def focus_key(self, key: str) -> None:
        widget = self.fields.get(key) or self.lists.get(key) or {
            "dauer": self.duration, "stufe": self.level, "thema": self.topic, "stand": self.stand,
            "geraete": self.device_boxes[Device.ANDROID]}.get(key, self.fields["titel"])
        widget.setFocus()
