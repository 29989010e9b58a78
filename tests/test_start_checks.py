"""A damaged database found at start: the window says so and restores the newest good backup in one click."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.services import context, courses
from app.storage import backups, start_backup
from app.ui import start_checks
from tests.attendance_fixtures import db, no_leaked_listeners  # noqa: F401
from tests.test_backup_verified import _corrupt_courses_page, _fill


def _answer(*button_texts: str) -> list[str]:
    """Click the buttons with these texts in the next message boxes; returns the texts the boxes showed."""
    shown: list[str] = []
    pending = list(button_texts)

    def press() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                shown.append(widget.text() + " " + widget.informativeText())
                wanted = pending.pop(0)
                for button in widget.buttons():
                    if button.text().replace("&", "") == wanted:
                        button.click()
                        break
                else:
                    widget.buttons()[0].click()
                if pending:
                    QTimer.singleShot(50, press)
                return
        QTimer.singleShot(50, press)

    QTimer.singleShot(50, press)
    return shown


def _damaged_database_and_window(qtbot, data_dir, courses_count: int):  # noqa: ANN001, ANN202
    """A database with a good manual backup, then a corrupt page; and a parent window for the dialogs."""
    context.close()
    path = data_dir / "kurslotse.sqlite3"
    _fill(path, courses_count)
    backups.create_backup(path, "manual")
    _corrupt_courses_page(path)
    start_backup._taken_for.discard(path)
    window = QWidget()
    qtbot.addWidget(window)
    return path, window


def test_damaged_database_is_explained_and_the_good_backup_restored(qtbot, data_dir):
    path, window = _damaged_database_and_window(qtbot, data_dir, 20)
    shown = _answer("Sicherung wiederherstellen", "OK")
    start_checks.take_start_backup(window)
    assert "beschädigt" in shown[0] and "unbeschädigte Sicherung" in shown[0]
    assert "wiederhergestellt" in shown[1]
    assert backups.database_problem(path) is None
    assert len(courses.list_courses(context.database())) == 20
    assert len(backups.set_aside_files(path)) == 1  # the damaged state is kept aside, not deleted
    context.close()


def test_later_changes_nothing(qtbot, data_dir):
    path, window = _damaged_database_and_window(qtbot, data_dir, 5)
    _answer("Später")
    start_checks.take_start_backup(window)
    assert backups.database_problem(path) is not None  # nothing was replaced
    assert backups.set_aside_files(path) == []


def test_demo_rows_of_an_older_version_are_offered_for_removal(qtbot, db):
    """The real database holds demo records (older versions wrote them there): one click removes them."""
    from app.domain.attendance import CourseInput
    from app.services import demo

    demo.fill(db, years=1)
    mine = courses.create_course(db, CourseInput(title="Mein echter Kurs"))
    path = db.path
    context.close()
    start_backup._taken_for.discard(path)
    assert start_checks.real_database_has_demo_rows()
    window = QWidget()
    qtbot.addWidget(window)
    shown = _answer("Demo-Daten entfernen", "OK")
    start_checks.take_start_backup(window)
    assert "Demo-Daten" in shown[0] and "Entfernt:" in shown[1]
    assert [course.id for course in courses.list_courses(context.database())] == [mine]
    assert not start_checks.real_database_has_demo_rows()
    assert any(info.reason == "demo" for info in backups.list_backups(path))
    context.close()


def test_the_demo_window_itself_is_not_asked(qtbot, db):
    from app import paths
    from app.services import demo

    demo.fill(db, years=1)
    context.close()
    paths.enter_demo()
    try:
        assert not start_checks.real_database_has_demo_rows()
    finally:
        paths.leave_demo(None)
