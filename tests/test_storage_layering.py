"""Layering: storage, services and the attendance domain import no Qt; the course page loads lazily."""

from __future__ import annotations

import subprocess
import sys

from tests.attendance_fixtures import PROJECT_ROOT_FOR_SUBPROCESS

CORE_MODULES = (
    "app.domain.attendance", "app.storage.models", "app.storage.database", "app.storage.migrations",
    "app.storage.backups", "app.storage.start_backup", "app.services.events", "app.services.context",
    "app.services.courses", "app.services.people", "app.services.checkin", "app.services.overview",
    "app.services.organisation", "app.services.documents", "app.services.demo", "app.services.lesson_titles",
)


def _loaded_after(imports: str) -> set[str]:
    code = f"import sys; {imports}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=str(PROJECT_ROOT_FOR_SUBPROCESS))
    return set(result.stdout.split())


def test_core_modules_import_no_qt():
    loaded = _loaded_after("; ".join(f"import {name}" for name in CORE_MODULES))
    assert not {name for name in loaded if name.startswith("PySide6")}


def test_courses_page_module_imports_no_sqlalchemy():
    loaded = _loaded_after("import app.ui.courses.page")
    assert "sqlalchemy" not in loaded
    assert "PySide6.QtWidgets" in loaded
