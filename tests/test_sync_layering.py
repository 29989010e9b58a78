"""Layering and schema: sync, change log and erasure import no Qt; a migrated v1 file has the fresh v2 schema."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

from app.storage.database import open_database
from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

SYNC_CORE = (
    "app.storage.changelog", "app.storage.device", "app.storage.migrate_v2", "app.services.privacy",
    "app.sync.fileformat", "app.sync.folder", "app.sync.merge", "app.sync.service", "app.sync.conflicts",
    "app.commands.sync", "app.bench.sync",
)


def test_sync_core_imports_no_qt():
    code = "import sys; " + "; ".join(f"import {name}" for name in SYNC_CORE) + "; print('\\n'.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=str(PROJECT_ROOT_FOR_SUBPROCESS)).stdout.split()
    assert not [name for name in loaded if name.startswith("PySide6")]


def test_sync_command_module_is_light():
    code = "import sys; import app.commands.sync; print('\\n'.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=str(PROJECT_ROOT_FOR_SUBPROCESS)).stdout.split()
    assert "sqlalchemy" not in loaded and "cryptography" not in loaded


def _schema(path) -> dict[str, tuple[object, ...]]:  # noqa: ANN001
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        result = {}
        for table in tables:
            columns = sorted((r[1], r[2].upper(), r[3], r[5]) for r in conn.execute(f"PRAGMA table_info({table})"))
            indexes = sorted((r[1], r[2]) for r in conn.execute(f"PRAGMA index_list({table})"))
            result[table] = (tuple(columns), tuple(indexes))
        return result
    finally:
        conn.close()


def test_migrated_v1_file_has_the_fresh_schema(tmp_path):
    old = tmp_path / "alt.sqlite3"
    shutil.copy(PROJECT_ROOT_FOR_SUBPROCESS / "tests" / "data" / "kurslotse-v1.sqlite3", old)
    open_database(f"sqlite:///{old}").close()
    fresh = tmp_path / "neu.sqlite3"
    open_database(f"sqlite:///{fresh}").close()
    migrated, created = _schema(old), _schema(fresh)
    assert migrated.keys() == created.keys()
    for table in created:
        assert migrated[table][0] == created[table][0], table
        assert [i[0] for i in migrated[table][1]] == [i[0] for i in created[table][1]], table
