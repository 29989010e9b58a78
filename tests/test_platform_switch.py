"""Platform branches live in app/platform.py: the rest of the program asks it, never ``sys.platform``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import _bootstrap, platform, qt_check

APP = Path(__file__).resolve().parent.parent / "app"


def test_no_platform_checks_outside_the_platform_module():
    pattern = re.compile(r"sys\.platform|os\.name\s*[=!]=|platform\.system\(")
    found = sorted(
        str(path.relative_to(APP)) for path in APP.rglob("*.py")
        if path.name != "platform.py" and pattern.search(path.read_text(encoding="utf-8"))
    )
    assert found == [], found


def test_the_virtual_environment_layout_follows_the_system(monkeypatch, tmp_path):
    monkeypatch.setattr(platform, "IS_WINDOWS", True)
    assert _bootstrap._venv_python(tmp_path) == tmp_path / "Scripts" / "python.exe"
    assert platform.venv_program(tmp_path, "kurslotse") == tmp_path / "Scripts" / "kurslotse.exe"
    monkeypatch.setattr(platform, "IS_WINDOWS", False)
    assert _bootstrap._venv_python(tmp_path) == tmp_path / "bin" / "python"


def test_peak_memory_unit(monkeypatch):
    monkeypatch.setattr(platform, "IS_MACOS", False)
    assert platform.peak_memory_mib(2048) == 2.0  # Linux: KiB
    monkeypatch.setattr(platform, "IS_MACOS", True)
    assert platform.peak_memory_mib(3 * 1024 * 1024) == 3.0  # macOS: bytes


def test_windows_needs_no_linux_libraries_or_display_variable(monkeypatch):
    monkeypatch.setattr(qt_check, "IS_LINUX", False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "windows")
    assert qt_check.gui_problem() is None
    monkeypatch.setattr(platform, "IS_LINUX", False)
    assert platform.has_display() is True


def test_the_missing_driver_hint_names_the_windows_pip(monkeypatch):
    from app.storage.database import DatabaseError, open_database

    monkeypatch.setattr(platform, "IS_WINDOWS", True)
    with pytest.raises(DatabaseError) as refused:
        open_database("postgresql+pg8000://anna@localhost/kreis")  # a driver that is not installed
    assert "Scripts" in str(refused.value) and "pip.exe" in str(refused.value) and "bin/pip" not in str(refused.value)
