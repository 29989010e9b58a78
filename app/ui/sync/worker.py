"""The sync running off the UI thread; progress and the result come back as queued signals."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal

from app import paths
from app.storage.database import Database, DatabaseError

log = logging.getLogger(__name__)


class SyncThread(QThread):
    """Runs ``synchronise`` once; emits ``progressed``, then ``succeeded`` (report) or ``failed`` (message)."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)  # app.sync.service.SyncReport
    failed = Signal(str)

    def __init__(self, db: Database, folder: Path, passphrase: str | None, parent: QObject | None = None, *,
                 accept_future: bool = False, renew_id: bool = False) -> None:
        super().__init__(parent)
        self.db = db
        self.folder = folder
        self.passphrase = passphrase
        self.accept_future = accept_future  # apply files stamped more than a day ahead (the trainer agreed)
        self.renew_id = renew_id  # this database is a copy: take a new device id (the trainer agreed)

    def run(self) -> None:  # noqa: D102 - QThread override
        from app.sync.service import SyncError, synchronise

        try:
            report = synchronise(self.db, self.folder, self.passphrase, progress=self.progressed.emit, announce=False,
                                 accept_future=self.accept_future, renew_id=self.renew_id)
        except (SyncError, DatabaseError) as error:
            self.failed.emit(str(error))
            return
        except Exception:  # noqa: BLE001 - no traceback for the trainer; details go to the log
            log.exception("Abgleich fehlgeschlagen")
            self.failed.emit(f"Der Abgleich ist fehlgeschlagen. Einzelheiten stehen in {paths.log_file()}")
            return
        self.succeeded.emit(report)
