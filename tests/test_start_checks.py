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


def test_the_window_takes_the_start_backup_in_a_worker_and_the_courses_page_waits_for_it(qtbot, db, monkeypatch):
    """The copy runs off the UI thread; the page that can change the database opens it only after the copy."""
    import sqlite3
    import threading

    from app.domain.attendance import CourseInput
    from app.settings import Settings
    from app.ui.main_window import MainWindow

    courses.create_course(db, CourseInput(title="Vor dem Start angelegt"))
    path = db.path
    context.close()
    start_backup._taken_for.discard(path)
    copied_on: list[int] = []
    original = backups.rolling_start_backup

    def slow_copy(db_path):  # noqa: ANN001, ANN202 - same call as backups.rolling_start_backup
        copied_on.append(threading.get_ident())
        threading.Event().wait(0.3)  # a large database on an old laptop: the page must not overtake the copy
        return original(db_path)

    monkeypatch.setattr(backups, "rolling_start_backup", slow_copy)
    window = MainWindow(Settings())
    qtbot.addWidget(window)
    window.run_start_checks()
    window.run_start_checks()  # once per window
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index("&Kurse"))  # builds the page: waits for the copy first
    starts = [info for info in backups.list_backups(path) if info.reason == "start"]
    assert len(starts) == 1
    assert copied_on == [copied_on[0]] and copied_on[0] != threading.get_ident()
    assert window._courses_page is not None and window._courses_page.ensure_loaded()
    assert len(copied_on) == 1  # the page's own open did not copy a second time
    connection = sqlite3.connect(f"{starts[0].path.as_uri()}?mode=ro", uri=True)
    try:
        titles_in_backup = [row[0] for row in connection.execute("SELECT title FROM courses")]
    finally:
        connection.close()
    assert titles_in_backup == ["Vor dem Start angelegt"]
    window._courses_page.deleteLater()
    context.close()


def test_the_question_after_a_worker_backup_comes_on_the_ui_thread(qtbot, db):
    """Demo rows found by the worker: the window asks afterwards; »Später« keeps everything."""
    from app.services import demo

    demo.fill(db, years=1)
    path = db.path
    context.close()
    start_backup._taken_for.discard(path)
    window = QWidget()
    qtbot.addWidget(window)
    shown = _answer("Später")
    job = start_checks.start_checks_in_background(window)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=10000)
    assert "Demo-Daten" in shown[0]
    assert job.isFinished()
    assert [info.reason for info in backups.list_backups(path)] == ["start"]
    assert start_checks.real_database_has_demo_rows()  # »Später« removed nothing
