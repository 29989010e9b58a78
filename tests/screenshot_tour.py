"""Screenshot tour: every page and dialog at 1366×768, light and dark, from the current program.

    .venv/bin/python tests/screenshot_tour.py                 # all shots, both themes → /tmp/kurslotse-tour
    .venv/bin/python tests/screenshot_tour.py --readme        # also refresh the README pictures in ressourcen/bilder

Runs on Qt's offscreen platform with one 1366×768 laptop screen and a 1920×1080 projector, in a
fresh temporary data folder with the demo data and a course of 16 people checked in today.
The window gets the screen minus a taskbar (40 px) and a title bar (32 px), as on the laptop.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1366, 768
WINDOW = (WIDTH, HEIGHT - 40 - 32)
README_SHOTS = {  # shot name -> README picture (light theme)
    "hauptfenster": "screenshot-hauptfenster.png",
    "kurse": "screenshot-kurse.png",
    "checkin": "screenshot-checkin.png",
    "lotsenansicht": "screenshot-lotsenansicht.png",
    "wand": "screenshot-wand.png",
}
QUEUE = ("Anna Müller", "Bernd Schmidt", "Clara Weber", "Dieter Becker", "Erika Hoffmann", "Franz Schäfer",
         "Gisela Koch", "Heinz Bauer", "Ingrid Richter", "Jürgen Klein", "Karin Wolf", "Lothar Neumann",
         "Margarete Schwarzenbeck", "Norbert Zimmermann")


def _prepare_environment(work: Path) -> None:
    screens = work / "bildschirme.json"
    screens.write_text(json.dumps({"screens": [
        {"name": "Laptop", "x": 0, "y": 0, "width": WIDTH, "height": HEIGHT, "logicalDpi": 96, "logicalBaseDpi": 96,
         "dpr": 1},
        {"name": "Beamer", "x": WIDTH, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "logicalBaseDpi": 96,
         "dpr": 1},
    ]}), encoding="utf-8")
    from app.platform import qt_offscreen_argument

    os.environ["QT_QPA_PLATFORM"] = qt_offscreen_argument(screens)
    data = work / "daten"
    data.mkdir()
    os.environ["KURSLOTSE_DATEN"] = str(data)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


_DATA: dict[str, int] = {}  # the tour's course, Termin and person (made once, shown in both themes)


class Tour:
    """Builds the program once per theme and saves one PNG per page or dialog."""

    def __init__(self, target: Path, mode: str) -> None:
        from PySide6.QtWidgets import QApplication

        from app.domain.attendance import (
            AttendanceStatus,
            CourseInput,
            ParticipantInput,
            TerminInput,
        )
        from app.services import context, courses, demo, people
        from app.services.checkin import CheckInDesk
        from app.ui.application import apply_ui_font
        from app.ui.look import apply_look, install_german

        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        install_german(self.app)
        apply_look(self.app, mode)
        apply_ui_font(14)
        self.target, self.mode = target, mode
        self.saved: list[Path] = []
        self.db = context.database()
        if not courses.list_courses(self.db):
            demo.fill(self.db, years=1, today=dt.date.today())
            today = dt.date.today()
            course_id = courses.create_course(self.db, CourseInput(
                title="Smartphone-Einsteigerkurs Nanzdietschweiler", municipality="Nanzdietschweiler",
                place="Dorfgemeinschaftshaus", start_date=today - dt.timedelta(days=14),
                end_date=today + dt.timedelta(days=60), trainers=["Erika Lang"],
                planned_lessons=["smartphone-kennenlernen", "einstellungen-leichter", "wlan-und-mobile-daten"]))
            termine = courses.add_weekly_termine(self.db, course_id, TerminInput(
                date=today, start=dt.time(14, 0), end=dt.time(16, 0)), 6,
                lesson_groups=[["einstellungen-leichter"], ["wlan-und-mobile-daten"]])
            ids = [people.create_participant(self.db, ParticipantInput(name=name), course_id=course_id, today=today)
                   for name in QUEUE]
            desk = CheckInDesk(self.db, termine[0])
            for person in ids[:7]:
                desk.toggle(person)
            desk.set_status(ids[8], AttendanceStatus.EXCUSED)
            desk.set_status(ids[9], AttendanceStatus.EXCUSED)
            desk.add_walk_in("Walter Zimmermann")
            _DATA.update(course_id=course_id, termin_id=termine[0], person_id=ids[12])
        self.course_id, self.termin_id, self.person_id = _DATA["course_id"], _DATA["termin_id"], _DATA["person_id"]

    def _settle(self) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        for _ in range(4):
            self.app.processEvents()
        loop = QEventLoop()
        QTimer.singleShot(60, loop.quit)
        loop.exec()

    def _wait_for_job(self, page, seconds: float = 60) -> None:  # noqa: ANN001 - the reports page
        """The report is computed in a thread: wait for it (a shot of the finished page, a clean exit)."""
        import time

        end = time.monotonic() + seconds
        while getattr(page, "job", None) is not None and time.monotonic() < end:
            self._settle()

    def save(self, widget, name: str) -> Path:  # noqa: ANN001 - any QWidget
        self._settle()
        path = self.target / f"{name}-{self.mode}.png"
        widget.grab().save(str(path))
        self.saved.append(path)
        return path

    def run(self) -> list[Path]:
        from PySide6.QtCore import QSize
        from PySide6.QtGui import QImage, QPainter

        from app.settings import Settings
        from app.ui.main_window import KEY_HELP, MainWindow

        window = MainWindow(Settings(theme=self.mode), load_now=True)  # the wall in the same theme
        window.resize(*WINDOW)
        window.show()
        window.select_lesson("qr-codes-scannen")
        self.save(window, "hauptfenster")
        window.tabs.setCurrentIndex(1)
        page = window._courses_page
        page.ensure_loaded()
        page.show_list()
        self.save(window, "kurse")
        page.show_course(self.course_id)
        self.save(window, "kurs")
        page.course_view.tabs.setCurrentIndex(2)
        self.save(window, "kurs-anwesenheit")
        page.course_view.tabs.setCurrentIndex(0)
        page.show_checkin(self.termin_id)
        self.save(window, "checkin")
        page.checkin_view.search.setText("sch")
        self.save(window, "checkin-suche")
        page.checkin_view.search.clear()
        window.tabs.setCurrentIndex(2)
        reports = window.tabs.currentWidget()
        self._settle()
        self._wait_for_job(reports)
        self.save(window, "berichte")
        reports.set_period(reports.period(), "Nanzdietschweiler")  # one village: »nur intern«
        self._settle()
        self._wait_for_job(reports)
        self.save(window, "berichte-gemeinde")
        window.tabs.setCurrentIndex(0)
        self._dialogs(window, KEY_HELP)
        # the presentation: console on the laptop, the wall on the projector
        lesson = window.library.by_id("qr-codes-scannen") or window.ordered_lessons()[0]
        window.start_presentation(lesson, 2)
        session = window.session
        session.console.showNormal()
        session.console.resize(*WINDOW)
        self.save(session.console, "lotsenansicht")
        image = QImage(QSize(1920, 1080), QImage.Format.Format_RGB32)
        painter = QPainter(image)
        session.audience.paint_on(painter, QSize(1920, 1080))
        painter.end()
        path = self.target / f"wand-{self.mode}.png"
        image.save(str(path))
        self.saved.append(path)
        session.end()
        self._wait_for_job(reports)
        window.close()
        self._settle()
        return self.saved

    def _dialogs(self, window, key_help: str) -> None:  # noqa: ANN001
        from app.services import courses, people
        from app.settings import Settings
        from app.ui.courses.dialogs import CourseDialog
        from app.ui.courses.person_dialog import ParticipantDialog
        from app.ui.courses.privacy_dialog import PrivacyDialog
        from app.ui.handout_dialog import HandoutDialog
        from app.ui.keys_dialog import KeysDialog
        from app.ui.settings_dialog import SettingsDialog
        from app.ui.sync.conflicts_dialog import ConflictsDialog
        from app.ui.sync.dialog import SyncDialog

        db = self.db
        lessons = window.ordered_lessons()
        course = courses.get_course(db, self.course_id)
        person_id = getattr(self, "person_id", None)
        makers = {
            "einstellungen": lambda: SettingsDialog(Settings(), window),
            "kurs-bearbeiten": lambda: CourseDialog(db, course, parent=window),
            "handout": lambda: HandoutDialog(lessons[:1], window, choices=lessons, plans=window._lesson_plans()),
            "abgleichen": lambda: SyncDialog(db, window),
            "konflikte": lambda: ConflictsDialog(db, window),
            "datenschutz": lambda: PrivacyDialog(db, window),
            "tastenkuerzel": lambda: KeysDialog(key_help, window),
        }
        if person_id is not None:
            makers["person"] = lambda: ParticipantDialog(db, person=people.get_participant(db, person_id), parent=window)
        for name, make in makers.items():
            dialog = make()
            dialog.show()
            hint = dialog.sizeHint().expandedTo(dialog.size())
            dialog.resize(min(hint.width(), WINDOW[0]), min(hint.height(), WINDOW[1]))
            self.save(dialog, name)
            dialog.close()
            dialog.deleteLater()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bildschirmfotos aller Seiten und Dialoge (1366×768, hell und dunkel)")
    parser.add_argument("--ziel", type=Path, default=Path(tempfile.gettempdir()) / "kurslotse-tour")
    parser.add_argument("--farben", choices=("hell", "dunkel", "beide"), default="beide")
    parser.add_argument("--readme", action="store_true", help="die Bilder im README (hell) ersetzen")
    args = parser.parse_args(argv)
    args.ziel.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    modes = ("hell", "dunkel") if args.farben == "beide" else (args.farben,)
    with tempfile.TemporaryDirectory(prefix="kurslotse-tour-") as work:
        _prepare_environment(Path(work))
        for mode in modes:
            saved += Tour(args.ziel, mode).run()
        from app.services import context

        context.close()
    if args.readme:
        import shutil

        for shot, picture in README_SHOTS.items():
            shutil.copyfile(args.ziel / f"{shot}-hell.png", ROOT / "ressourcen" / "bilder" / picture)
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
