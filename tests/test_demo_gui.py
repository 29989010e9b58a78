"""Demo from the window: a second window on the demo folder, "DEMO" in its title, real records untouched."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtCore import QProcess, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton

from app import paths
from app.settings import Settings
from app.ui import demo_launcher
from app.ui.main_window import MainWindow
from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS


@pytest.fixture
def window(qtbot, data_dir):
    created = MainWindow(Settings(), load_now=False)
    qtbot.addWidget(created)
    yield created
    paths.leave_demo(None)


def _press_in_message_box(text: str) -> None:
    def press() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                if text == "Abbrechen":
                    widget.button(QMessageBox.StandardButton.Cancel).click()
                    return
                for button in widget.findChildren(QPushButton):
                    if button.text().replace("&", "") == text:
                        button.click()
                        return
        QTimer.singleShot(50, press)

    QTimer.singleShot(50, press)


def test_real_window_offers_the_demo_in_a_second_window(window, data_dir, monkeypatch):
    started = []
    monkeypatch.setattr(QProcess, "startDetached", staticmethod(lambda program, args: started.append((program, args)) or (True, 1)))
    assert "DEMO" not in window.windowTitle()
    assert window.demo_action.text().replace("&", "") == "Demo ausprobieren …"
    _press_in_message_box("Demo öffnen")
    window.demo_action.trigger()
    assert started == [(sys.executable, ["-m", "app", "--daten", str(data_dir), "--demo"])]
    assert not (data_dir / "kurslotse.sqlite3").exists()  # offering the demo opened no database


def test_cancel_starts_nothing(window, monkeypatch):
    started = []
    monkeypatch.setattr(QProcess, "startDetached", staticmethod(lambda program, args: started.append(args) or (True, 1)))
    _press_in_message_box("Abbrechen")
    window.demo_action.trigger()
    assert started == []


def test_demo_window_says_demo_and_closes_back(qtbot, data_dir):
    paths.enter_demo()
    demo_window = MainWindow(Settings(), load_now=False)
    qtbot.addWidget(demo_window)
    demo_window.show()
    assert demo_window.windowTitle() == demo_launcher.DEMO_TITLE
    banner = demo_window.statusBar().findChild(QLabel, "demoBanner")
    assert banner is not None and "DEMO" in banner.text() and "echten Daten sind unberührt" in banner.text()
    assert demo_window.demo_action.text().replace("&", "").startswith("Demo beenden")
    demo_window.demo_action.trigger()
    assert not demo_window.isVisible()
    paths.leave_demo(None)


def test_demo_window_process_brings_its_data_and_leaves_real_folder_alone(tmp_path):
    """``--demo`` without a demo yet: the window process creates it first (here it exits after first paint)."""
    real = tmp_path / "daten"
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "KURSLOTSE_BENCH_EXIT_NACH_ZEICHNEN": "1"}
    result = subprocess.run([sys.executable, "-m", "app", "--daten", str(real), "--demo"], env=env,
                            capture_output=True, text=True, cwd=PROJECT_ROOT_FOR_SUBPROCESS, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (real / "demo" / "kurslotse.sqlite3").is_file()
    assert not (real / "kurslotse.sqlite3").exists()
