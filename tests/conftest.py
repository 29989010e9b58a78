"""Shared fixtures: offscreen Qt, a fresh temporary data directory for every test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Two virtual screens (a laptop and a projector), so the presenter's screen handling runs for real.
_SCREENS = Path(__file__).resolve().parent / "two_screens.json"
os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREENS}"

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from app import paths  # noqa: E402


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty data directory (and so its own SQLite file)."""
    directory = tmp_path / "daten"
    directory.mkdir()
    monkeypatch.setenv(paths.ENV_DATA_DIR, str(directory))
    monkeypatch.delenv(paths.ENV_DATABASE_URL, raising=False)
    paths.leave_demo(None)
    paths.set_data_dir(None)
    paths.set_database_url(None)
    return directory


@pytest.fixture
def shipped_lessons() -> Path:
    return PROJECT_ROOT / "lektionen"


@pytest.fixture(autouse=True, scope="session")
def _one_qapplication(qapp):  # noqa: ANN001, PT004 - pytest-qt's QApplication for the whole session
    """A QApplication exists before any command paints in-process, so no QGuiApplication takes its place."""
    yield qapp
