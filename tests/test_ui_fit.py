"""Every page and dialog fits a 1366×768 and a 1280×720 laptop, also with the font at 125 %.

For each size the window gets the screen minus a 40-pixel taskbar and a 32-pixel title bar; each
dialog must fit that area. Then no button or label may be smaller than its size hint (cut or
elided text), nothing may lie outside the window, and no label may show a literal »&«.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QDialog,
    QLabel,
    QTabBar,
    QWidget,
)

from app.settings import Settings
from app.ui.look import apply_look
from app.ui.main_window import KEY_HELP, MainWindow, first_window_size
from tests.attendance_fixtures import db, make_course, no_leaked_listeners  # noqa: F401

TASKBAR, TITLE_BAR = 40, 32
SCREENS = [(1366, 768), (1280, 720)]
FONTS = [14.0, 17.5]  # the program's default and the same at 125 % (Windows "Skalierung 125 %")
NAMES = tuple(f"{first} {last}" for first, last in zip(
    ("Anna", "Bernd", "Clara", "Dieter", "Erika", "Franz", "Gisela", "Heinz", "Ingrid", "Jürgen", "Karin", "Lothar",
     "Margarete", "Norbert", "Ottilie", "Peter"),
    ("Müller", "Schmidt", "Weber", "Becker", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
     "Neumann", "Schwarzenbeck-Oberhausen", "Zimmermann", "Krämer", "Braun"), strict=True))


def _in_scrolled_area(widget: QWidget, root: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, (QAbstractScrollArea, QAbstractItemView)):
            return True
        parent = parent.parentWidget()
    return False


def problems_in(root: QWidget) -> list[str]:
    """Cut, elided or off-window texts and literal ampersands among *root*'s visible widgets."""
    found = []
    for widget in root.findChildren(QWidget):
        if widget.window() is not root or not widget.isVisibleTo(root) or _in_scrolled_area(widget, root):
            continue
        name = f"{type(widget).__name__} »{getattr(widget, 'text', lambda: '')()}«"
        corner = widget.mapTo(root, QPoint(0, 0))
        if corner.x() + widget.width() > root.width() + 1 or corner.y() + widget.height() > root.height() + 1:
            found.append(f"{name} liegt außerhalb des Fensters ({corner.x()},{corner.y()} {widget.width()}×"
                         f"{widget.height()} in {root.width()}×{root.height()})")
        if isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.sizeHint()
            if widget.width() < hint.width() - 1 or widget.height() < hint.height() - 1:
                found.append(f"{name} abgeschnitten: {widget.width()}×{widget.height()} < {hint.width()}×{hint.height()}")
        elif isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
            if widget.wordWrap():
                need = widget.heightForWidth(widget.width())
                if widget.height() < need - 1:
                    found.append(f"{name} abgeschnitten: Höhe {widget.height()} < {need}")
            elif widget.width() < widget.sizeHint().width() - 1:
                found.append(f"{name} abgeschnitten: Breite {widget.width()} < {widget.sizeHint().width()}")
            text = widget.text().replace("&&", "")
            if "&" in text and widget.buddy() is None and "<" not in text:
                found.append(f"{name} zeigt ein »&«")
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                if widget.tabRect(index).width() < widget.tabSizeHint(index).width() - 1:
                    found.append(f"Reiter »{widget.tabText(index)}« abgeschnitten")
    return found


@pytest.fixture(params=[(w, h, pt) for (w, h) in SCREENS for pt in FONTS],
                ids=lambda p: f"{p[0]}x{p[1]}-{p[2]:g}pt")
def screen(request, qtbot) -> Iterator[tuple[int, int]]:  # noqa: ANN001
    app = QApplication.instance()
    before = QFont(app.font())
    apply_look(app, "hell")
    font = QFont(app.font())
    font.setPointSizeF(request.param[2])
    app.setFont(font)
    yield request.param[0], request.param[1]
    app.setFont(before)


def _available(screen: tuple[int, int]) -> QSize:
    return QSize(screen[0] - 8, screen[1] - TASKBAR - TITLE_BAR)


def _settle(qtbot, widget: QWidget) -> None:  # noqa: ANN001
    for _ in range(3):
        QApplication.processEvents()
    widget.layout().activate() if widget.layout() else None
    qtbot.wait(5)


def _check_dialog(qtbot, dialog: QWidget, area: QSize, what: str) -> list[str]:  # noqa: ANN001
    qtbot.addWidget(dialog)
    dialog.show()
    _settle(qtbot, dialog)
    minimum = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
    found = []
    if minimum.width() > area.width() or minimum.height() > area.height():
        found.append(f"{what}: passt nicht auf den Bildschirm (mindestens {minimum.width()}×{minimum.height()}, "
                     f"frei {area.width()}×{area.height()})")
    wished = dialog.sizeHint().expandedTo(dialog.size())
    dialog.resize(min(wished.width(), area.width()), min(wished.height(), area.height()))
    _settle(qtbot, dialog)
    found += [f"{what}: {problem}" for problem in problems_in(dialog)]
    dialog.close()
    return found


def test_first_window_fits_the_available_screen(qtbot):
    assert first_window_size(1200, 800, 1366, 728) == (1200, 696)
    assert first_window_size(1200, 800, 1280, 680) == (1200, 648)
    window = MainWindow(Settings(), load_now=False)
    qtbot.addWidget(window)
    area = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    assert window.height() + TITLE_BAR <= area.height() and window.width() <= area.width()


def test_a_remembered_window_larger_than_the_screen_is_brought_back_onto_it(qtbot):
    big = MainWindow(Settings(), load_now=False)
    qtbot.addWidget(big)
    big.setGeometry(0, 0, 1900, 1200)  # saved on a large monitor, opened on the laptop
    saved = bytes(big.saveGeometry().toHex()).decode()
    window = MainWindow(Settings(window_geometry=saved), load_now=False)
    qtbot.addWidget(window)
    area = (window.screen() or QGuiApplication.primaryScreen()).availableGeometry()
    assert window.width() <= area.width() and window.height() + TITLE_BAR <= area.height()


def test_every_page_and_dialog_fits(qtbot, db, screen, tmp_path):  # noqa: ANN001
    area = _available(screen)
    setup = make_course(db, names=NAMES, first=dt.date.today())
    window = MainWindow(Settings(), load_now=True)
    qtbot.addWidget(window)
    window.resize(area)
    window.show()
    qtbot.waitExposed(window)
    found: list[str] = []
    # --- the pages of the main window
    _settle(qtbot, window)
    found += [f"Lektionen: {p}" for p in problems_in(window)]
    window.tabs.setCurrentIndex(1)
    page = window._courses_page
    assert page is not None and page.ensure_loaded()
    _settle(qtbot, window)
    found += [f"Kursliste: {p}" for p in problems_in(window)]
    page.show_course(setup.course_id)
    for index in range(page.course_view.tabs.count()):
        page.course_view.tabs.setCurrentIndex(index)
        _settle(qtbot, window)
        found += [f"Kurs/{page.course_view.tabs.tabText(index)}: {p}" for p in problems_in(window)]
    page.show_checkin(setup.termin_ids[0])
    qtbot.waitUntil(lambda: len(page.checkin_view.tiles) == len(NAMES))
    page.checkin_view.finish_button.setEnabled(True)
    _settle(qtbot, window)
    found += [f"Check-in: {p}" for p in problems_in(window)]
    window.tabs.setCurrentIndex(2)
    reports = window.tabs.currentWidget()
    qtbot.waitUntil(lambda: getattr(reports, "job", None) is None, timeout=60000)  # computed off the UI thread
    _settle(qtbot, window)
    found += [f"Berichte: {p}" for p in problems_in(window)]
    # --- the dialogs
    from app.services import courses, people
    from app.ui.courses.backup_dialog import BackupDialog
    from app.ui.courses.dialogs import CourseDialog, TerminDialog
    from app.ui.courses.organisation_dialog import OrganisationDialog
    from app.ui.courses.person_dialog import ParticipantDialog
    from app.ui.courses.privacy_dialog import PrivacyDialog
    from app.ui.handout_dialog import HandoutDialog
    from app.ui.settings_dialog import SettingsDialog
    from app.ui.sync.conflicts_dialog import ConflictsDialog
    from app.ui.sync.dialog import SyncDialog

    course = courses.get_course(db, setup.course_id)
    termin = courses.get_termin(db, setup.termin_ids[0])
    person = people.get_participant(db, setup.person_ids[12])
    lessons = window.ordered_lessons()
    from app.ui.keys_dialog import KeysDialog

    dialogs = {
        "Einstellungen": lambda: SettingsDialog(Settings(), window),
        "Neuer Kurs": lambda: CourseDialog(db, parent=window),
        "Kurs bearbeiten": lambda: CourseDialog(db, course, parent=window),
        "Termin": lambda: TerminDialog(db, course, termin, parent=window),
        "Terminserie": lambda: TerminDialog(db, course, series=True, parent=window),
        "Neue Person": lambda: ParticipantDialog(db, course_id=setup.course_id, parent=window),
        "Person bearbeiten": lambda: ParticipantDialog(db, person=person, parent=window),
        "Datenschutz": lambda: PrivacyDialog(db, window),
        "Abgleichen": lambda: SyncDialog(db, window),
        "Konflikte": lambda: ConflictsDialog(db, window),
        "Sicherungen": lambda: BackupDialog(window),
        "Organisation": lambda: OrganisationDialog(db, window),
        "Handout": lambda: HandoutDialog(lessons[:1], window, choices=lessons,
                                         plans=window._lesson_plans()),
        "Tastenkürzel": lambda: KeysDialog(KEY_HELP, window),
    }
    from app.ui.presenter.session import PresentationSession

    session = PresentationSession(lessons[0], parent=window)
    session.start()
    console = session.console
    console.showNormal()
    console.resize(area)
    _settle(qtbot, console)
    found += [f"Lotsenansicht: {p}" for p in problems_in(console)]
    minimum = console.minimumSizeHint()
    if minimum.width() > area.width() or minimum.height() > area.height():
        found.append(f"Lotsenansicht: mindestens {minimum.width()}×{minimum.height()}")
    session.end()
    for what, make in dialogs.items():
        dialog = make()
        assert isinstance(dialog, QDialog)
        found += _check_dialog(qtbot, dialog, area, what)
    assert not found, "\n".join(found)
