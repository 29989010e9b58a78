"""Print or save the Anwesenheitsliste and Teilnahmebescheinigungen (through the shared renderer).

The documents are a few pages and render in well under a second, so they are built in the GUI
thread; preview, printer and PDF all use the renderer's one ``paint`` function.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.domain.attendance import InputError
from app.render.attendance_sheets import build_certificates, build_signature_sheet
from app.render.document import Document
from app.render.output import OutputError, layout_for, paint, prepare_printer, write_pdf
from app.services import documents
from app.storage.database import Database
from app.ui.courses.widgets import OK_STYLE, big_button, message_label, show_message

log = logging.getLogger(__name__)


MAX_FILE_NAME = 100  # with a Documents folder in front, Windows paths stay well below 260 characters


def file_name(*parts: str) -> str:
    """A file name without characters Windows or USB sticks dislike, at most MAX_FILE_NAME long.

    A long course title is shortened, never the kind of document or the date beside it.
    """
    cleaned = [re.sub(r"[^\w.-]+", "_", part).strip("_") for part in parts if part]
    cleaned = [part for part in cleaned if part]
    excess = len("-".join(cleaned)) + len(".pdf") - MAX_FILE_NAME
    if excess > 0:
        longest = max(range(len(cleaned)), key=lambda index: len(cleaned[index]))
        cleaned[longest] = cleaned[longest][:max(len(cleaned[longest]) - excess, 1)].rstrip("_.-")
    return "-".join(cleaned) + ".pdf"


class DocumentDialog(QDialog):
    """A finished document: »Vorschau und Drucken …« or »Als PDF speichern …«."""

    def __init__(self, document: Document, default_name: str, summary: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.default_name = default_name
        self.setWindowTitle(document.title)
        text = QLabel(summary)
        text.setWordWrap(True)
        self.message = message_label("Meldung")
        buttons = QHBoxLayout()
        buttons.addWidget(big_button("Vorschau und Drucken …", "Vorschau zeigen und drucken", self.preview))
        buttons.addWidget(big_button("Als PDF speichern …", "Als PDF-Datei speichern", self.save_pdf))
        buttons.addStretch(1)
        buttons.addWidget(big_button("Schließen", "Fenster schließen", self.reject))
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        if document.warnings:
            show_message(self.message, "\n".join(document.warnings))

    def save_pdf(self) -> None:
        from app.ui.save_location import ask_save_file

        target, _ = ask_save_file(self, "liste", "Als PDF speichern", self.default_name, "PDF-Dateien (*.pdf)")
        if target is not None:
            self.save_pdf_to(target if target.suffix.lower() == ".pdf" else target.with_name(target.name + ".pdf"))

    def save_pdf_to(self, target: Path) -> bool:
        try:
            layout = write_pdf(self.document, target)
        except OutputError as error:
            show_message(self.message, str(error))
            return False
        show_message(self.message, f"Gespeichert: {target} ({layout.page_count} Seiten)", OK_STYLE)
        return True

    def preview(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        prepare_printer(printer)
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setWindowTitle(f"Vorschau: {self.document.title}")
        dialog.paintRequested.connect(self.paint_on)
        dialog.exec()

    def paint_on(self, printer: QPrinter) -> None:
        try:
            paint(layout_for(self.document, printer), printer)
        except OutputError as error:
            show_message(self.message, str(error))


def signature_sheet(parent: QWidget, db: Database, termin_id: int) -> DocumentDialog | None:
    """Open the print dialog for the Anwesenheitsliste of *termin_id*."""
    try:
        data = documents.signature_sheet(db, termin_id)
    except InputError as error:
        _explain(parent, error)
        return None
    document = build_signature_sheet(data)
    summary = (f"Anwesenheitsliste für »{data.course_title}« am {data.date.strftime('%d.%m.%Y')}: "
               f"{len(data.names)} Namen und {data.empty_rows} leere Zeilen für spontan Dazugekommene.")
    dialog = DocumentDialog(document, file_name("Anwesenheitsliste", data.course_title, data.date.isoformat()),
                            summary, parent)
    dialog.open()
    return dialog


def certificates(parent: QWidget, db: Database, course_id: int, person_ids: list[int] | None) -> DocumentDialog | None:
    """Open the print dialog for certificates of the chosen people (``None``: everyone who attended)."""
    try:
        items = documents.certificates(db, course_id, person_ids)
    except InputError as error:
        _explain(parent, error)
        return None
    document = build_certificates(items)
    who = items[0].person_name if len(items) == 1 else f"{len(items)} Personen"
    dialog = DocumentDialog(document, file_name("Teilnahmebescheinigung", items[0].course_title,
                                                items[0].person_name if len(items) == 1 else "alle"),
                            f"Teilnahmebescheinigung für {who} (je eine Seite).", parent)
    dialog.open()
    return dialog


def _explain(parent: QWidget, error: InputError) -> None:
    label = getattr(parent, "message", None)
    if isinstance(label, QLabel):
        show_message(label, "\n".join(error.messages))
