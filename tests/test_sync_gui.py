"""The »Abgleichen« dialog (sync in a background thread, progress, summary) and the »Konflikte« view."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from PySide6.QtCore import Qt

from app.domain.attendance import CourseInput
from app.services import courses
from app.sync import conflicts
from app.ui.sync.conflicts_dialog import ConflictsDialog
from app.ui.sync.dialog import SyncDialog
from tests.attendance_fixtures import db, no_leaked_listeners  # noqa: F401
from tests.sync_helpers import END, START, Laptop


@pytest.fixture
def pair(tmp_path):
    silvia = Laptop.create(tmp_path / "silvia", "silvia")
    hans = Laptop.create(tmp_path / "hans", "hans")
    shared = tmp_path / "stick"
    shared.mkdir()
    yield silvia, hans, shared
    silvia.close()
    hans.close()


def _run_sync(qtbot, dialog: SyncDialog) -> None:  # noqa: ANN001
    qtbot.mouseClick(dialog.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.thread is None and dialog.sync_button.isEnabled(), timeout=15000)


def test_sync_dialog_runs_in_background_and_shows_summary(qtbot, pair):
    silvia, hans, shared = pair
    silvia.add_course("Smartphone-Grundkurs", municipality="Nanzdietschweiler")
    silvia.add_person("Anna Müller")
    silvia.sync(shared)
    dialog = SyncDialog(hans.db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name_edit.setText("Laptop  Hans ")
    dialog.folder_edit.setText(str(shared))
    steps: list[tuple[int, int, str]] = []
    dialog.start()
    assert dialog.thread is not None and not dialog.close_button.isEnabled()
    dialog.thread.progressed.connect(lambda d, t, text: steps.append((d, t, text)))
    qtbot.waitUntil(lambda: dialog.thread is None, timeout=15000)
    text = dialog.summary.text()
    assert "dieses Gerät: »Laptop Hans«" in text
    assert "Gelesen: 1 neue Datei von 1 Gerät" in text
    assert "1 Kurs" in text and "1 Teilnehmende/r" in text
    assert "Abgelehnte Dateien: keine" in text
    assert dialog.progress.value() == dialog.progress.maximum()
    assert courses.list_courses(hans.db)[0].title == "Smartphone-Grundkurs"
    # the folder is remembered for next time
    again = SyncDialog(hans.db)
    qtbot.addWidget(again)
    assert again.folder_edit.text() == str(shared) and again.name_edit.text() == "Laptop Hans"
    _run_sync(qtbot, again)
    assert "Gelesen: nichts Neues" in again.summary.text()


def test_sync_dialog_reports_problems_in_german(qtbot, pair, tmp_path):
    _silvia, hans, shared = pair
    dialog = SyncDialog(hans.db)
    qtbot.addWidget(dialog)
    dialog.folder_edit.setText("")
    dialog.start()
    assert "Bitte zuerst den Abgleich-Ordner wählen" in dialog.summary.text()
    dialog.folder_edit.setText(str(tmp_path / "kein-stick"))
    _run_sync(qtbot, dialog)
    assert "gibt es nicht" in dialog.summary.text()
    broken = shared / ("ab" * 16) / "00000001.klsync"
    broken.parent.mkdir()
    broken.write_bytes(b"kaputt")
    dialog.folder_edit.setText(str(shared))
    _run_sync(qtbot, dialog)
    assert "Abgelehnte Dateien: 1" in dialog.summary.text()
    assert "00000001.klsync: Das ist keine Kurslotse-Abgleichdatei" in dialog.summary.text()


def test_conflicts_view_lists_and_reverses(qtbot, qtmodeltester, pair):
    silvia, hans, shared = pair
    course = silvia.add_course("Kurs")
    silvia.sync(shared)
    hans.sync(shared)
    courses.update_course(silvia.db, course, CourseInput(title="Kurs am Dienstag", start_date=START, end_date=END))
    time.sleep(0.002)
    hans_course = hans.id_of("courses", silvia.uuid_of("courses", course))
    courses.update_course(hans.db, hans_course, CourseInput(title="Kurs am Mittwoch", start_date=START, end_date=END))
    for laptop in (silvia, hans):
        laptop.sync(shared)
    sync_dialog = SyncDialog(hans.db)
    qtbot.addWidget(sync_dialog)
    assert sync_dialog.conflicts_button.text() == "Konflikte (1) …" and sync_dialog.conflicts_button.isEnabled()
    dialog = ConflictsDialog(hans.db)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 500)
    dialog.show()
    qtmodeltester.check(dialog.model)
    assert dialog.model.rowCount() == 1
    assert dialog.count_label.text() == "1 offener Konflikt"
    row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert row[:4] == ["Kurs »Kurs am Mittwoch«", "Titel", "Kurs am Mittwoch", "Kurs am Dienstag"]
    # the record's full name and the field are readable: column as wide as the text, resizable, said in words
    header = dialog.table.horizontalHeader()
    needed = dialog.table.fontMetrics().horizontalAdvance("Kurs »Kurs am Mittwoch«")
    assert header.sectionSize(0) >= needed
    assert header.sectionResizeMode(0) == header.ResizeMode.Interactive
    assert "Kurs »Kurs am Mittwoch« – Titel: jetzt gilt »Kurs am Mittwoch«" in dialog.detail.text()
    assert [dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == ["Wer oder was", "Angabe"]
    qtbot.mouseClick(dialog.take_button, Qt.MouseButton.LeftButton)
    assert courses.get_course(hans.db, hans_course).title == "Kurs am Dienstag"
    assert dialog.model.rowCount() == 0 and not dialog.take_button.isEnabled()
    assert "übernommen: »Kurs am Dienstag«" in dialog.message.text()
    assert conflicts.list_conflicts(hans.db) == []
    assert dialog.count_label.text() == "Keine offenen Konflikte."
    sync_dialog._show_conflict_count()
    assert sync_dialog.conflicts_button.text() == "Konflikte (0) …" and not sync_dialog.conflicts_button.isEnabled()


def test_abgleichen_count_refreshes_after_each_decision(qtbot, pair):
    silvia, hans, shared = pair
    course = silvia.add_course("Kurs")
    silvia.sync(shared)
    hans.sync(shared)
    courses.update_course(silvia.db, course, CourseInput(title="Kurs A", start_date=START, end_date=END))
    time.sleep(0.002)
    hans_course = hans.id_of("courses", silvia.uuid_of("courses", course))
    courses.update_course(hans.db, hans_course, CourseInput(title="Kurs B", start_date=START, end_date=END))
    for laptop in (silvia, hans):
        laptop.sync(shared)
    sync_dialog = SyncDialog(hans.db)
    qtbot.addWidget(sync_dialog)
    seen: list[str] = []

    def decide_inside(self) -> int:  # noqa: ANN001 - the real dialog, decided while it is open
        self.keep_current()
        seen.append(sync_dialog.conflicts_button.text())
        return 0

    with mock.patch.object(ConflictsDialog, "exec", decide_inside):
        sync_dialog.open_conflicts()
    assert seen == ["Konflikte (0) …"]  # refreshed by the decision itself, not only on closing


def test_course_list_has_an_abgleichen_button_that_opens_the_dialog(qtbot, db):
    from app.ui.courses.page import CoursesPage

    page = CoursesPage()
    qtbot.addWidget(page)
    assert page.ensure_loaded()
    button = next(b for b in page.list_view.findChildren(type(page.rescue_button))
                  if b.text() == "Abgleichen …")
    with mock.patch.object(SyncDialog, "exec", return_value=0) as shown:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert shown.called
    page.relay.detach()
