"""Shared fixtures: offscreen Qt, a fresh temporary data directory for every test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Two virtual screens (a laptop and a projector), so the presenter's screen handling runs for real.
# (Qt splits platform arguments at ":"; on Windows the file is named relatively, see app.platform.)
from app.platform import qt_offscreen_argument  # noqa: E402 - standard library only, before Qt loads

_SCREENS = Path(__file__).resolve().parent / "two_screens.json"
os.environ["QT_QPA_PLATFORM"] = qt_offscreen_argument(_SCREENS)

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


# --- PostgreSQL (the project office's server) next to SQLite (a trainer's laptop) ------------------

def _must_have_postgres() -> bool:
    """In CI the PostgreSQL run may not be skipped (issue #18); elsewhere a skip prints its reason."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def pg_server():  # noqa: ANN201 - tests.pg_server.PgServer
    """One throwaway PostgreSQL server for the session (or KURSLOTSE_TEST_PG_URL)."""
    from tests import pg_server as pg

    server = pg.from_environment()
    if server is None:
        reason = pg.why_unavailable()
        if reason is None:
            try:
                server = pg.start_throwaway()
            except RuntimeError as error:
                reason = str(error)
        if server is None:
            if _must_have_postgres():
                pytest.fail(f"PostgreSQL-Tests in CI nicht möglich: {reason}")
            pytest.skip(f"PostgreSQL-Tests übersprungen: {reason}")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:  # noqa: ANN001
    """A fresh, empty PostgreSQL database for one test (dropped afterwards)."""
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """The same test on a laptop's SQLite file and on a project office's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{data_dir / 'kurslotse.sqlite3'}"
    return request.getfixturevalue("pg_url")
