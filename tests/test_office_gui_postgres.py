"""The real main window on the project office's PostgreSQL database (issue #18: »the GUI pages« on a server).

One demo-filled server database per module is only read (course list, course page, Berichte, backups,
screenshots); a second one takes the writes (check-in, person dialog, Auskunft, erasure, sync export).
What a window stored is read back through a second, independent connection. The server login has a
password, and no window title, status bar, label or message may show it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)
from sqlalchemy import create_engine
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import paths
from app.domain.indicators import quarter_period
from app.reports import build_report
from app.services import context, demo, people
from app.settings import Settings
from app.storage.database import open_database
from app.ui.main_window import MainWindow
from tests.attendance_fixtures import fill_demo, no_leaked_listeners  # noqa: F401
from tests.report_fixtures import DEMO_LESSONS, LESSONS, TODAY, count
from tests.test_attendance_screens import _with_modal

WAIT_MS = 30000
QUARTER = quarter_period(2025, 3)


# --------------------------------------------------------------------------- databases

def _demo_database(pg_server) -> str:  # noqa: ANN001
    url = pg_server.create_database("gui")
    database = open_database(url)
    try:
        demo.fill(database, years=2, seed=4711, today=TODAY, lesson_ids=list(DEMO_LESSONS))
    finally:
        database.close()
    return url


@pytest.fixture(scope="module")
def read_url(pg_server) -> Iterator[str]:  # noqa: ANN001
    """The demo data on the server; tests using it only read."""
    url = _demo_database(pg_server)
    yield url
    pg_server.drop_database(url)


@pytest.fixture(scope="module")
def write_url(pg_server) -> Iterator[str]:  # noqa: ANN001
    """The same demo data in a second server database; each test writes to people/Termine of its own."""
    url = _demo_database(pg_server)
    yield url
    pg_server.drop_database(url)


def _peek(url: str, statement: str, **params: object) -> list[tuple]:
    """Rows read through a separate connection (not the window's engine)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sql(statement), params)]
    finally:
        engine.dispose()


def _on(url: str | None) -> None:
    context.close()
    paths.set_database_url(url)


@contextmanager
def _the_window_on(url: str) -> Iterator[str]:
    """The program's database is *url* while the block runs; afterwards the default again."""
    _on(url)
    try:
        yield url
    finally:
        context.close()
        paths.set_database_url(None)


@pytest.fixture
def on_read(read_url: str) -> Iterator[str]:
    with _the_window_on(read_url) as url:
        yield url


@pytest.fixture
def on_write(write_url: str) -> Iterator[str]:
    with _the_window_on(write_url) as url:
        yield url


# --------------------------------------------------------------------------- the window

def _window(qtbot) -> MainWindow:  # noqa: ANN001
    window = MainWindow(Settings(), load_now=False)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def _close(window: MainWindow) -> None:
    reports = _tab(window, "&Berichte", build=False)
    if reports is not None and hasattr(reports, "wait_for_job"):
        reports.wait_for_job()
    for page in (window._courses_page, reports):
        if page is not None:
            page.deleteLater()
    window.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _tab(window: MainWindow, title: str, build: bool = True) -> QWidget | None:
    index = [window.tabs.tabText(i) for i in range(window.tabs.count())].index(title)
    if build:
        window.tabs.setCurrentIndex(index)
    page = window.tabs.widget(index)
    return None if page in window._lazy_tabs else page


@pytest.fixture
def office_window(qtbot) -> Iterator[MainWindow]:  # noqa: ANN001
    window = _window(qtbot)
    yield window
    _close(window)


@pytest.fixture
def office_window_on(qtbot) -> Iterator[Callable[[str], MainWindow]]:  # noqa: ANN001
    """The window on a database chosen by the test (e.g. a fresh ``pg_url``)."""
    opened: list[MainWindow] = []

    def open_on(url: str | None) -> MainWindow:
        _on(url)  # None: the address from the environment
        opened.append(_window(qtbot))
        return opened[-1]

    yield open_on
    for window in opened:
        _close(window)
    context.close()
    paths.set_database_url(None)


def _courses(qtbot, window: MainWindow):  # noqa: ANN001, ANN202
    page = _tab(window, "&Kurse")
    qtbot.waitUntil(lambda: page.list_view is not None and page.stack.currentWidget() is page.list_view,
                    timeout=WAIT_MS)
    assert page.db is not None and page.db.is_server
    return page


def _password(url: str) -> str:
    secret = make_url(url).password
    assert secret and len(secret) >= 8
    return secret


def _texts(widget: QWidget) -> list[str]:
    """Everything a person can read in *widget*: title, labels, buttons, fields, tooltips, status bar."""
    found = [widget.windowTitle(), widget.toolTip()]
    for child in widget.findChildren(QWidget):
        found += [child.windowTitle(), child.toolTip(), child.accessibleName(), child.accessibleDescription()]
        if isinstance(child, QLabel | QAbstractButton):
            found.append(child.text())
        if isinstance(child, QLineEdit):
            found += [child.text(), child.placeholderText()]
    status = getattr(widget, "statusBar", None)
    if callable(status):
        found.append(status().currentMessage())
    return found


def _assert_no_password(widget: QWidget, url: str) -> None:
    secret = _password(url)
    leaked = [text for text in _texts(widget) if secret in text]
    assert leaked == []


# --------------------------------------------------------------------------- reading pages

def test_course_list_and_a_course_page_on_the_server(qtbot, on_read, office_window):
    page = _courses(qtbot, office_window)
    titles = _peek(on_read, "SELECT id, title FROM courses WHERE deleted = FALSE ORDER BY id")
    # the demo: 2 courses a year over 2 years, a Veranstaltung a year, 2 Sprechstunden
    assert len(titles) == 8
    model = page.list_view.table.model()
    shown = {model.index(row, column).data() for row in range(model.rowCount())
             for column in range(model.columnCount())}
    assert model.rowCount() == 8
    assert {title for _id, title in titles} <= shown
    current = next(course_id for course_id, title in titles if title == "Smartphone-Kurs aktuell")
    page.list_view.select(current)
    qtbot.keyClick(page.list_view.table, Qt.Key.Key_Return)
    view = page.course_view
    assert page.stack.currentWidget() is view
    termine = _peek(on_read, "SELECT count(*) FROM termine WHERE course_id = :c AND deleted = FALSE", c=current)[0][0]
    enrolled = _peek(on_read, "SELECT count(*) FROM enrolments WHERE course_id = :c AND deleted = FALSE",
                     c=current)[0][0]
    assert termine > 3 and enrolled > 3
    assert view.termin_model.rowCount() == termine
    assert view.people_model.rowCount() == enrolled
    assert "Anwesenheitsquote" in view.stats_label.text()
    _assert_no_password(office_window, on_read)
    office_window.grab().save("/tmp/kurslotse-pg-kurs.png")


def test_berichte_page_computes_a_quarter_like_sqlite_and_an_independent_count(qtbot, on_read, office_window,
                                                                               tmp_path):
    page = _tab(office_window, "&Berichte")
    qtbot.waitUntil(lambda: page.db is not None and page.report is not None, timeout=WAIT_MS)
    page.wait_for_job()
    assert page.db.is_server
    page.set_period(QUARTER)
    qtbot.waitUntil(lambda: page.report is not None and page.report.data.period == QUARTER, timeout=WAIT_MS)
    page.wait_for_job()
    values = page.report.data.total.values
    overview = {row[0]: row[1] for row in page.model.rows}
    counted = count(page.db, QUARTER.start, QUARTER.end)  # plain SQL rows, no report code
    assert counted.held > 5 and counted.attendances > 20
    assert values["termine_held"] == counted.held == overview["Termine stattgefunden"]
    assert values["attendances"] == counted.attendances
    assert values["persons"] == len(counted.persons)
    assert values["new_persons"] == counted.new
    assert values["enrolments"] == counted.enrolments
    assert values["drop_in_anonymous"] == counted.drop_in_anonymous
    assert values["clock_hours"] == round(counted.minutes / 60, 2)
    # the same demo in a laptop's SQLite file gives the same figures
    laptop = open_database(f"sqlite:///{tmp_path / 'laptop.sqlite3'}")
    try:
        fill_demo(laptop, years=2, seed=4711, today=TODAY, lesson_ids=list(DEMO_LESSONS))
        on_sqlite = build_report(laptop, QUARTER, lessons=LESSONS).data
    finally:
        laptop.close()
    assert on_sqlite.total.values == values
    assert [row.values for row in on_sqlite.by_municipality] == [row.values for row in page.report.data.by_municipality]
    assert page.town_box.count() == 4  # »alle« and the three demo villages
    _assert_no_password(office_window, on_read)
    office_window.grab().save("/tmp/kurslotse-pg-berichte.png")


def test_backup_dialog_on_the_server_shows_the_note_and_copies_nothing(qtbot, read_url, office_window_on, data_dir,
                                                                       monkeypatch):
    on_read = read_url
    context.close()
    monkeypatch.setenv(paths.ENV_DATABASE_URL, read_url)  # this time the address comes as $KURSLOTSE_DATENBANK
    page = _courses(qtbot, office_window_on(None))
    seen: dict[str, object] = {}

    def look(dialog: QDialog) -> None:
        seen["texts"] = _texts(dialog)
        seen["buttons"] = {b.text(): b.isEnabled() for b in dialog.findChildren(QPushButton)}
        dialog.backup_now()
        seen["after"] = dialog.message.text()

    _with_modal(qtbot, page.list_view.backups_requested.emit, look)
    joined = " ".join(seen["texts"])
    assert "Sicherungen sind dort Aufgabe des Servers" in joined
    assert "***@127.0.0.1" in joined and _password(on_read) not in joined
    assert seen["buttons"]["Jetzt sichern"] is False and seen["buttons"]["Wiederherstellen …"] is False
    assert seen["after"].startswith("Die Datenbank liegt auf einem Datenbank-Server")
    assert list(data_dir.glob("**/*.sqlite3")) == []  # no file made on this computer


# --------------------------------------------------------------------------- writing pages

def test_check_in_on_the_server_is_read_back_by_a_second_connection(qtbot, on_write, office_window):
    page = _courses(qtbot, office_window)
    course = _peek(on_write, "SELECT id FROM courses WHERE title = 'Smartphone-Kurs aktuell'")[0][0]
    termin = _peek(on_write, "SELECT id FROM termine WHERE course_id = :c AND date = :d",
                   c=course, d=TODAY)[0][0]
    before = dict(_peek(on_write, "SELECT participant_id, status FROM attendances "
                                  "WHERE termin_id = :t AND deleted = FALSE", t=termin))
    page.show_checkin(termin)
    view = page.checkin_view
    assert page.stack.currentWidget() is view
    person, tile = next((pid, tile) for pid, tile in view.tiles.items() if pid not in before)
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert tile.isChecked() and tile.text().endswith("– anwesend")
    stored = dict(_peek(on_write, "SELECT participant_id, status FROM attendances "
                                  "WHERE termin_id = :t AND deleted = FALSE", t=termin))
    assert stored == {**before, person: "present"}
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)  # a second tap takes it back
    stored = dict(_peek(on_write, "SELECT participant_id, status FROM attendances "
                                  "WHERE termin_id = :t AND deleted = FALSE", t=termin))
    assert stored == before
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    _assert_no_password(office_window, on_write)


def test_person_dialog_creates_and_edits_on_the_server(qtbot, on_write, office_window):
    from app.ui.courses.person_dialog import ParticipantDialog

    page = _courses(qtbot, office_window)
    course = _peek(on_write, "SELECT id FROM courses WHERE title = 'Smartphone-Kurs aktuell'")[0][0]
    dialog = ParticipantDialog(page.db, course_id=course, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name_edit, "Otto Quirin")
    qtbot.keyClicks(dialog.year_edit, "1944")
    for box in dialog.consent_boxes.values():
        box.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.message.text()
    rows = _peek(on_write, "SELECT id, birth_year, phone FROM participants WHERE name = 'Otto Quirin'")
    assert len(rows) == 1 and rows[0][1:] == (1944, "")
    person = rows[0][0]
    assert _peek(on_write, "SELECT count(*) FROM enrolments WHERE participant_id = :p AND course_id = :c "
                           "AND deleted = FALSE", p=person, c=course) == [(1,)]
    assert sorted(kind for kind, in _peek(on_write, "SELECT kind FROM consents WHERE participant_id = :p",
                                          p=person)) == ["contact", "data_storage", "photos"]

    edit = ParticipantDialog(page.db, person=people.get_participant(page.db, person), today=TODAY)
    qtbot.addWidget(edit)
    edit.show()
    assert edit.windowTitle() == "Person bearbeiten" and edit.name_edit.text() == "Otto Quirin"
    edit.phone_edit.setText("06381 424242")
    edit.year_edit.setText("19x4")
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    assert "Geburtsjahr" in edit.message.text() and edit.isVisible()  # refused, nothing stored
    assert _peek(on_write, "SELECT phone FROM participants WHERE id = :p", p=person) == [("",)]
    edit.year_edit.setText("1945")
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    assert edit.result() == QDialog.DialogCode.Accepted, edit.message.text()
    assert _peek(on_write, "SELECT phone, birth_year FROM participants WHERE id = :p",
                 p=person) == [("06381 424242", 1945)]
    _assert_no_password(edit, on_write)


def test_auskunft_and_erasure_from_the_person_dialog_on_the_server(qtbot, on_write, office_window, tmp_path,
                                                                   monkeypatch):
    from pypdf import PdfReader

    from app.ui.courses.person_dialog import ParticipantDialog

    page = _courses(qtbot, office_window)
    person, name = _peek(on_write, "SELECT p.id, p.name FROM participants p JOIN attendances a "
                                   "ON a.participant_id = p.id WHERE a.status = 'present' AND p.deleted = FALSE "
                                   "AND p.name <> 'Otto Quirin' ORDER BY p.id LIMIT 1")[0]
    visits = _peek(on_write, "SELECT count(*) FROM attendances WHERE participant_id = :p AND deleted = FALSE",
                   p=person)[0][0]
    assert _logged(on_write, name) > 0  # the demo's change log holds the name before the erasure
    dialog = ParticipantDialog(page.db, person=people.get_participant(page.db, person), today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.write_auskunft(tmp_path / "auskunft.json"), dialog.message.text()
    data = json.loads((tmp_path / "auskunft.json").read_text(encoding="utf-8"))
    assert data["person"]["name"] == name
    assert dialog.write_auskunft(tmp_path / "auskunft.pdf"), dialog.message.text()
    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(tmp_path / "auskunft.pdf").pages).split())
    assert name in pdf_text

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a: shown.append(f"{title}\n{text}"))
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert "1 Person gelöscht" in shown[0]
    assert "WAL-Archiv und die Sicherungen des Servers" in shown[0]  # what the server still keeps
    assert _password(on_write) not in shown[0]
    assert _peek(on_write, "SELECT name, phone, email, birth_year FROM participants WHERE id = :p",
                 p=person) == [("Gelöschte Person", "", "", None)]
    # the attendances stay for the statistics
    assert _peek(on_write, "SELECT count(*) FROM attendances WHERE participant_id = :p AND deleted = FALSE",
                 p=person) == [(visits,)]
    assert _logged(on_write, name) == 0  # the change log holds the name no more either


def _logged(url: str, text: str) -> int:
    """How often *text* occurs in the change log's values (as stored, JSON text)."""
    forms = {json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    return sum(_peek(url, f"SELECT count(*) FROM {table} WHERE value LIKE :t", t=f"%{form}%")[0][0]
               for table in ("sync_ops", "sync_fields", "sync_conflicts") for form in forms)


def test_retention_dialog_erases_the_ticked_person_on_the_server(qtbot, on_write, office_window, monkeypatch):
    page = _courses(qtbot, office_window)
    shown: dict[str, object] = {}
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)

    def erase_first(dialog: QDialog) -> None:
        shown["summary"] = dialog.summary.text()
        shown["count"] = dialog.people_list.count()
        if dialog.people_list.count() == 0:
            return
        for row in range(1, dialog.people_list.count()):
            dialog.people_list.item(row).setCheckState(Qt.CheckState.Unchecked)
        shown["chosen"] = dialog.checked_ids()
        qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
        shown["message"] = dialog.message.text()
        shown["texts"] = _texts(dialog)

    _with_modal(qtbot, page.list_view.privacy_requested.emit, erase_first)
    # the demo ends in spring 2026; by the default period some people have been inactive for long
    assert shown["count"] > 0, shown["summary"]
    [chosen] = shown["chosen"]
    assert "1 Person gelöscht" in shown["message"]
    assert "WAL-Archiv" in shown["message"]
    assert _password(on_write) not in " ".join(shown["texts"])
    assert _peek(on_write, "SELECT name FROM participants WHERE id = :p", p=chosen) == [("Gelöschte Person",)]


def test_sync_dialog_imports_a_laptop_and_exports_the_offices_correction(qtbot, pg_url, office_window_on,
                                                                       tmp_path):
    """The office's way: a laptop's folder comes in, a correction made in the office goes out to the laptop.

    (A demo database is refused for sync on purpose, so this runs on a fresh server database.)
    """
    from app.ui.courses.person_dialog import ParticipantDialog
    from tests.sync_helpers import Laptop

    shared = tmp_path / "stick"
    shared.mkdir()
    laptop = Laptop.create(tmp_path / "laptop", "silvia")
    try:
        course = laptop.add_course("Smartphone-Grundkurs Glan", municipality="Glan-Münchweiler")
        anna = laptop.add_person("Anna Kessler", course_id=course, birth_year=1947)
        laptop.sync(shared)
        window = office_window_on(pg_url)
        page = _courses(qtbot, window)
        seen: list[dict[str, object]] = []

        def run(dialog: QDialog) -> None:
            dialog.name_edit.setText("Projektbüro Kusel")
            dialog.folder_edit.setText(str(shared))
            dialog.start()
            qtbot.waitUntil(lambda: dialog.thread is None and dialog.sync_button.isEnabled(), timeout=WAIT_MS)
            seen.append({"summary": dialog.summary.text(), "texts": _texts(dialog)})

        _with_modal(qtbot, page.list_view.sync_requested.emit, run)
        summary = seen[0]["summary"]
        assert "dieses Gerät: »Projektbüro Kusel«" in summary, summary
        assert "Gelesen: 1 neue Datei von 1 Gerät" in summary and "Abgelehnte Dateien: keine" in summary
        assert _peek(pg_url, "SELECT title FROM courses WHERE deleted = FALSE") == [("Smartphone-Grundkurs Glan",)]
        office_anna = _peek(pg_url, "SELECT id, birth_year FROM participants WHERE name = 'Anna Kessler'")
        assert [row[1] for row in office_anna] == [1947]
        assert page.list_view.table.model().rowCount() == 1  # the list shows what came in

        # a correction in the office: Anna was born in 1946
        edit = ParticipantDialog(page.db, person=people.get_participant(page.db, office_anna[0][0]), today=TODAY)
        qtbot.addWidget(edit)
        edit.year_edit.setText("1946")
        qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
        assert edit.result() == QDialog.DialogCode.Accepted, edit.message.text()

        _with_modal(qtbot, page.list_view.sync_requested.emit, run)
        assert "Abgelehnte Dateien: keine" in seen[1]["summary"], seen[1]["summary"]
        for shown in seen:
            assert _password(pg_url) not in " ".join(shown["texts"])
        laptop.sync(shared)
        assert people.get_participant(laptop.db, anna).birth_year == 1946
    finally:
        laptop.close()


# --------------------------------------------------------------------------- a server that cannot be reached

def test_unreachable_server_database_is_explained_without_the_password(qtbot, pg_url, office_window_on, data_dir):
    from app.logsetup import setup_logging

    setup_logging()
    wrong = pg_url.replace(f":{_password(pg_url)}@", ":Falsch-Geheim-42@")
    window = office_window_on(wrong)
    page = _tab(window, "&Kurse")
    qtbot.waitUntil(lambda: page._loaded and page.db is None, timeout=WAIT_MS)
    assert page.status.text().startswith("Die Kursdaten können nicht geöffnet werden.")
    assert "Anmeldung abgelehnt: Benutzername oder Passwort stimmen nicht" in page.status.text()
    assert ":***@127.0.0.1" in page.status.text()
    assert not page.rescue_button.isVisible()  # no file backups to restore on a server
    reports = _tab(window, "&Berichte")
    qtbot.waitUntil(lambda: "Anmeldung abgelehnt" in reports.message.text(), timeout=WAIT_MS)
    _assert_no_password(window, wrong)
    log = (data_dir / "kurslotse.log").read_text(encoding="utf-8")
    assert "Falsch-Geheim-42" not in log and ":***@127.0.0.1" in log


def test_server_going_away_mid_session_stores_nothing_and_says_so(qtbot, on_write, office_window, data_dir,
                                                                   monkeypatch):
    import sys

    from sqlalchemy.exc import OperationalError

    from app.logsetup import setup_logging
    from app.ui.application import _install_excepthook
    from app.ui.courses.dialogs import CourseDialog
    from app.ui.courses.person_dialog import ParticipantDialog

    setup_logging()
    page = _courses(qtbot, office_window)
    course = _peek(on_write, "SELECT id FROM courses WHERE title = 'Smartphone-Kurs aktuell'")[0][0]
    termin = _peek(on_write, "SELECT id FROM termine WHERE course_id = :c AND date = :d", c=course, d=TODAY)[0][0]
    page.show_checkin(termin)
    view = page.checkin_view
    marked = dict(_peek(on_write, "SELECT participant_id, status FROM attendances WHERE termin_id = :t "
                                  "AND deleted = FALSE", t=termin))
    person, tile = next((pid, t) for pid, t in reversed(view.tiles.items()) if pid not in marked)
    edit = ParticipantDialog(page.db, person=people.get_participant(page.db, person), today=TODAY)
    qtbot.addWidget(edit)
    new_course = CourseDialog(page.db)
    qtbot.addWidget(new_course)
    name = on_write.rpartition("/")[2]
    admin = create_engine(on_write.rpartition("/")[0] + "/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:  # the server stops taking this database's connections, open ones end
            conn.execute(sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})
        qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
        assert view.message.text().startswith("Die Verbindung zum Datenbank-Server ist abgebrochen.")
        assert not tile.isChecked() and not tile.text().endswith("– anwesend")  # does not look stored
        edit.show()
        edit.note_edit.setText("ruft zurück")
        qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
        assert edit.isVisible() and edit.note_edit.text() == "ruft zurück"  # the entry is not lost
        assert edit.message.text().startswith("Die Verbindung zum Datenbank-Server ist abgebrochen.")
        new_course.show()
        new_course.title_edit.setText("Sprechstunde Rathaus")
        qtbot.mouseClick(new_course.ok_button, Qt.MouseButton.LeftButton)
        assert new_course.isVisible()
        assert new_course.message.text().startswith("Die Verbindung zum Datenbank-Server ist abgebrochen.")
        _assert_no_password(office_window, on_write)
        _assert_no_password(edit, on_write)
        # a page that only reads meets the same trouble; the window's error handler names it in German
        with pytest.raises(OperationalError) as reading:
            page.show_course(course)
        boxes: list[tuple[str, str, str]] = []
        for kind in ("warning", "critical"):
            monkeypatch.setattr(QMessageBox, kind, lambda _p, title, text, *a, kind=kind: boxes.append((kind, title, text)))
        monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
        _install_excepthook()
        sys.excepthook(reading.type, reading.value, reading.tb)
        [(kind, title, text)] = boxes
        assert (kind, title) == ("warning", "Problem mit der Datenbank")
        assert text.startswith("Die Verbindung zum Datenbank-Server ist abgebrochen.") and "Server läuft" in text
    finally:
        with admin.connect() as conn:
            conn.execute(sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
    assert _peek(on_write, "SELECT count(*) FROM attendances WHERE termin_id = :t AND participant_id = :p "
                           "AND deleted = FALSE", t=termin, p=person) == [(0,)]
    assert _peek(on_write, "SELECT count(*) FROM courses WHERE title = 'Sprechstunde Rathaus'") == [(0,)]
    # the server is back: the same tap and the same save now work without reopening anything
    qtbot.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert tile.isChecked()
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    assert edit.result() == QDialog.DialogCode.Accepted, edit.message.text()
    assert _peek(on_write, "SELECT a.status, p.note FROM attendances a JOIN participants p ON p.id = a.participant_id "
                           "WHERE a.termin_id = :t AND a.participant_id = :p AND a.deleted = FALSE",
                 t=termin, p=person) == [("present", "ruft zurück")]
    log = (data_dir / "kurslotse.log").read_text(encoding="utf-8")
    assert _password(on_write) not in log
