"""The projector stays on while presenting: the screen saver is inhibited on start and released at the end.

Tested against a real D-Bus session daemon (``dbus-daemon``) with a stand-in screen saver service.
Windows' SetThreadExecutionState cannot be called here; its flags are pinned below.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.domain.lesson import Device
from app.ui import keep_awake
from app.ui.presenter.session import PresentationSession

pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="dbus-daemon fehlt (Paket dbus-daemon)")


@pytest.fixture
def screensaver(tmp_path, monkeypatch):
    """A private session bus with the stand-in service; yields the service's call log."""
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = daemon.stdout.readline().strip()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    log = tmp_path / "screensaver.log"
    service = subprocess.Popen([sys.executable, str(Path(__file__).with_name("fake_screensaver.py")), str(log)],
                               env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": address})
    deadline = time.monotonic() + 20
    while not (log.exists() and "ready" in log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    yield log
    service.kill()
    daemon.kill()
    service.wait(timeout=10)
    daemon.wait(timeout=10)


def _calls(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if not line.startswith("ready")]


def test_hold_and_release_on_the_session_bus(screensaver):
    keeper = keep_awake.DisplayKeeper()
    assert keeper.hold("Präsentation läuft") and keeper.holding
    assert keeper.hold()  # a second hold changes nothing
    keeper.release()
    keeper.release()
    assert not keeper.holding
    assert _calls(screensaver) == ["Inhibit Kurslotse|Präsentation läuft -> 42", "UnInhibit 42"]


def test_presentation_keeps_the_display_on_until_it_ends(qtbot, screensaver, tmp_path):
    from tests.lesson_factory import write_lesson
    from app.lessons.parser import parse_lesson

    folder = write_lesson(tmp_path / "lektionen", lesson_id="wach-bleiben", title="Wach bleiben")
    session = PresentationSession(parse_lesson(folder), device=Device.ANDROID)
    qtbot.addWidget(session.audience)
    qtbot.addWidget(session.console)
    session.start()
    assert session.display_keeper.holding
    assert _calls(screensaver)[0].startswith("Inhibit Kurslotse|Präsentation")
    session.end()
    assert _calls(screensaver)[-1] == "UnInhibit 42"


def test_without_a_screen_saver_service_presenting_goes_on(monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    keeper = keep_awake.DisplayKeeper()
    assert keeper.hold() is False and not keeper.holding
    keeper.release()


def test_windows_flags_keep_display_and_system_awake():
    # ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED as documented for SetThreadExecutionState
    assert keep_awake.ES_CONTINUOUS | keep_awake.ES_DISPLAY_REQUIRED | keep_awake.ES_SYSTEM_REQUIRED == 0x80000003
