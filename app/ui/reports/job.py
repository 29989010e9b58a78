"""Report work off the GUI thread: the shared background job, named for reports."""

from __future__ import annotations

from PySide6.QtCore import QObject

from app.ui.background_job import BackgroundJob, Work


class ReportJob(BackgroundJob):
    """A background job whose unexpected errors are reported as failures of the report."""

    def __init__(self, work: Work, known_errors: tuple[type[BaseException], ...] = (),
                 parent: QObject | None = None) -> None:
        super().__init__(work, known_errors, "des Berichts", parent)
