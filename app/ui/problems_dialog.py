"""Lists what the lesson checker found, one line per problem, as ``datei:zeile: Meldung``."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QVBoxLayout, QWidget

from app.domain.lesson import Problem, Severity


class ProblemsDialog(QDialog):
    def __init__(self, problems: list[Problem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Lektionen prüfen")
        self.resize(900, 500)
        errors = sum(1 for p in problems if p.severity is Severity.ERROR)
        summary = QLabel(f"{errors} Fehler, {len(problems) - errors} Warnungen. Fehlerhafte Lektionen können nicht gezeigt werden.")
        summary.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Gefundene Probleme")
        self.list.setWordWrap(True)
        self.list.addItems([p.format() for p in problems])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Schließen")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
