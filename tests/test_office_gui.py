"""The window on the project office's server database: backups are the server's job, erasure says what it keeps."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from app import paths, server_database
from app.services.erasure import ErasureReport

OFFICE_URL = "postgresql+psycopg://kreis:Geh3im-Kusel@db.kreis-kusel.de/kurse"


def test_backup_dialog_on_a_server_copies_nothing_and_says_why(qtbot, data_dir):
    from app.ui.courses.backup_dialog import BackupDialog

    paths.set_database_url(OFFICE_URL)
    dialog = BackupDialog(confirm=False)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = " ".join(label.text() for label in dialog.findChildren(type(dialog.message)))
    assert "Sicherungen sind dort Aufgabe des Servers" in texts
    assert "postgresql+psycopg://kreis:***@db.kreis-kusel.de/kurse" in texts and "Geh3im" not in texts
    buttons = {button.text(): button.isEnabled() for button in dialog.findChildren(QPushButton)}
    assert buttons["Jetzt sichern"] is False and buttons["Wiederherstellen …"] is False
    assert buttons["Schließen"] is True
    assert dialog.list.item(0).text() == "Keine Sicherungen in Kurslotse: Der Datenbank-Server sichert selbst."
    for action in (dialog.backup_now, dialog.restore_selected):  # even if called: the note, no file, no error
        action()
        assert dialog.message.text().startswith("Die Datenbank liegt auf einem Datenbank-Server")
    assert list(data_dir.glob("**/*.sqlite3")) == []
    dialog.grab().save("/tmp/kurslotse-sicherungen-server.png")


def test_erasure_lines_name_the_servers_archive_only_on_a_server():
    report = ErasureReport(erased=[12])
    on_laptop = server_database.erasure_lines(report, on_server=False)
    on_server = server_database.erasure_lines(report, on_server=True)
    assert on_server[:-1] == on_laptop
    assert "WAL-Archiv und die Sicherungen des Servers" in on_server[-1]
    assert server_database.erasure_lines(ErasureReport(already_erased=[12]), on_server=True) == \
        ["Schon früher gelöscht: Nr. 12."]


def test_server_addresses_are_told_apart_from_sqlite_files():
    assert server_database.is_server_url(OFFICE_URL)
    assert server_database.is_server_url("postgresql://kreis@db/kurse")
    assert not server_database.is_server_url("sqlite:////home/silvia/kurslotse.sqlite3")
    assert not server_database.is_server_url("sqlite+pysqlite:///C:/Daten/kurslotse.sqlite3")
