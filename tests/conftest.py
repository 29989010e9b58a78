"""Shared fixtures: offscreen Qt, a fresh temporary data directory for every test."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def _ram_temp_root() -> str | None:
    """A RAM file system for the tests' temporary files (Linux /dev/shm), if it has room; else ``None``.

    The program commits with synchronous=FULL and writes files with fsync, rightly; on a disk each
    fsync waits for the device (about 5 ms on the CI machine), and the kill and sync tests commit
    thousands of times, so the suite spent about a minute of its wall time waiting. The files are
    still real SQLite files and PDFs, only kept in memory; no test depends on reaching the platter
    (a SIGKILLed process loses nothing the kernel already has). As for the throwaway PostgreSQL
    server (fsync=off, app.bench.pg_cluster). KURSLOTSE_TEST_TMP=disk keeps the usual place.
    """
    if os.environ.get("KURSLOTSE_TEST_TMP", "").lower() == "disk" or os.environ.get("PYTEST_DEBUG_TEMPROOT"):
        return None
    root = Path("/dev/shm")
    try:
        stats = os.statvfs(root)
    except (OSError, AttributeError):  # no /dev/shm (macOS, Windows)
        return None
    if not os.access(root, os.W_OK | os.X_OK) or stats.f_bavail * stats.f_frsize < 1024**3:
        return None
    return str(root)


# Before pytest picks its base temporary folder (tmp_path) and before any test asks tempfile;
# the xdist workers and the program's subprocesses inherit TMPDIR.
_RAM = _ram_temp_root()
if _RAM is not None:
    os.environ["TMPDIR"] = _RAM
    tempfile.tempdir = _RAM

# Two virtual screens (a laptop and a projector), so the presenter's screen handling runs for real.
# (Qt splits platform arguments at ":"; on Windows the file is named relatively, see app.platform.)
from app.platform import qt_offscreen_argument  # noqa: E402 - standard library only, before Qt loads

_SCREENS = Path(__file__).resolve().parent / "two_screens.json"
os.environ["QT_QPA_PLATFORM"] = qt_offscreen_argument(_SCREENS)

import pytest

# With PYTHONDONTWRITEBYTECODE set (some sandboxes and CI images), every test process compiled the
# program and re-ran pytest's assertion rewriting of all test modules on each run: about 10 s of CPU
# per xdist worker before the first test. The caches go to the ignored __pycache__ folders; the
# program's own subprocesses (`python -m app`) read them too.
sys.dont_write_bytecode = False

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from app import paths  # noqa: E402

# The files that take longest (seconds, rounded, from a full run with two workers on busy cores) start
# first, so `--dist loadfile` does not leave one worker alone with a long file at the end while the other
# idles (xdist's own order, by number of tests, put the one-test files — the longest — last). The rest
# follows in collection order; the numbers only need to be roughly right.
SLOW_FILES = {
    "test_checkin_kill.py": 56, "test_sync_stateful.py": 29, "test_sync_faults.py": 23,
    "test_report_protection.py": 18, "test_office_postgres.py": 16, "test_office_gui_postgres.py": 16,
    "test_handout_pdf.py": 16, "test_handout_booklet.py": 15, "test_lesson_editor.py": 14, "test_report_page.py": 11,
    "test_demo_command.py": 10, "test_ui_fit.py": 9, "test_privacy_erasure.py": 9, "test_print_handouts.py": 9,
    "test_sync_merge.py": 8, "test_sync_hardening.py": 8, "test_handout_dialog.py": 8, "test_main_window.py": 7,
    "test_lesson_writer.py": 7, "test_sync_cli.py": 6, "test_report_pdf_cli.py": 6, "test_postgres_storage.py": 6,
    "test_lesson_package.py": 6, "test_handout_organisation.py": 6, "test_checkin_queue.py": 6,
    "test_presenter.py": 5, "test_editor_preview.py": 5, "test_cli.py": 5,
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:  # noqa: ARG001
    """Longest files first (a stable sort: each file's tests stay together and in their order)."""
    items.sort(key=lambda item: -SLOW_FILES.get(item.path.name, 0))


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
