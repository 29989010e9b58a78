"""``python3 -m app`` after the first setup: straight into .venv, no pip, no network; set up again only when needed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import _bootstrap

PYPROJECT = """[build-system]
requires = ["setuptools>=68"]

[project]
name = "kurslotse"
version = "{version}"
description = "{description}"
dependencies = [{dependencies}]

[project.scripts]
kurslotse = "app.cli:main"
"""


def _project(root: Path, version: str = "1.0", description: str = "x", dependencies: str = '"qrcode>=7.4"') -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(version=version, description=description, dependencies=dependencies), encoding="utf-8")
    return root


def _venv(root: Path) -> Path:
    """A minimal environment: pyvenv.cfg and a python that exists (a link to this interpreter)."""
    venv = root / ".venv"
    python = _bootstrap._venv_python(venv)
    python.parent.mkdir(parents=True)
    if sys.platform == "win32":  # symlinks need extra rights there; a copy exists just as well
        shutil.copy2(sys.executable, python)
    else:
        python.symlink_to(sys.executable)
    (venv / "pyvenv.cfg").write_text(f"home = {Path(sys.executable).parent}\n", encoding="utf-8")
    return venv


@pytest.fixture
def calls(monkeypatch, tmp_path):
    """Run ensure_environment for a fake project in tmp_path; record pip calls and restarts instead of doing them."""
    record: dict[str, list] = {"pip": [], "restart": []}
    root = _project(tmp_path / "kurslotse")
    monkeypatch.setattr(_bootstrap, "PROJECT_ROOT", root)
    monkeypatch.setattr(_bootstrap, "_missing_modules", lambda: ["PySide6"])  # as under the system Python
    monkeypatch.setattr(_bootstrap.sys, "prefix", str(tmp_path / "system-python"))

    def fake_pip(python, *args):  # noqa: ANN001, ANN002
        record["pip"].append(args)
        return record.get("pip_ok", True)

    def fake_restart(python, extra_env=None):  # noqa: ANN001
        record["restart"].append(Path(python))
        raise SystemExit(0)

    monkeypatch.setattr(_bootstrap, "_pip", fake_pip)
    monkeypatch.setattr(_bootstrap, "_restart", fake_restart)
    monkeypatch.setattr(_bootstrap, "_environment_imports", lambda python: True)
    record["root"] = root  # type: ignore[assignment]
    return record


def _start() -> None:
    with pytest.raises(SystemExit):
        _bootstrap.ensure_environment()


def test_second_start_goes_straight_into_venv_without_pip_or_message(calls, capsys):
    root = calls["root"]
    venv = _venv(root)
    _bootstrap.write_stamp(venv, root)
    _start()
    assert calls["pip"] == []
    assert calls["restart"] == [_bootstrap._venv_python(venv)]
    assert capsys.readouterr().err == ""


def test_version_or_description_change_needs_no_network(calls, capsys):
    root = calls["root"]
    venv = _venv(root)
    _bootstrap.write_stamp(venv, root)
    _project(root, version="2.0", description="neu")
    _start()
    assert calls["pip"] == [] and capsys.readouterr().err == ""


def test_changed_dependencies_reinstall_and_say_so(calls, capsys):
    root = calls["root"]
    venv = _venv(root)
    _bootstrap.write_stamp(venv, root)
    _project(root, dependencies='"qrcode>=8.0"')
    _start()
    assert len(calls["pip"]) == 1 and "-e" in calls["pip"][0]
    assert "andere Programmteile" in capsys.readouterr().err
    assert _bootstrap.environment_state(venv, root) == "ready"  # the stamp was renewed


def test_changed_dependencies_offline_start_with_the_old_environment(calls, capsys):
    root = calls["root"]
    venv = _venv(root)
    _bootstrap.write_stamp(venv, root)
    _project(root, dependencies='"qrcode>=8.0"')
    calls["pip_ok"] = False  # type: ignore[assignment]
    _start()
    err = capsys.readouterr().err
    assert "keine Internetverbindung" in err and "bisherigen Stand" in err
    assert calls["restart"] == [_bootstrap._venv_python(venv)]
    assert _bootstrap.environment_state(venv, root) == "changed"  # tried again next time


def test_first_setup_without_network_explains_in_german(calls, capsys, monkeypatch):
    root = calls["root"]
    created = []
    monkeypatch.setattr("venv.create", lambda path, **kwargs: created.append(path) or _venv(root))
    calls["pip_ok"] = False  # type: ignore[assignment]
    with pytest.raises(SystemExit) as exit_info:
        _bootstrap.ensure_environment()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "Internetverbindung" in err and "einrichtung.log" in err
    assert created and calls["restart"] == []


def test_moved_folder_is_relinked_without_network(calls, capsys):
    root = calls["root"]
    venv = _venv(root)
    _bootstrap.write_stamp(venv, root)
    stamp = json.loads((venv / _bootstrap.STAMP_NAME).read_text(encoding="utf-8"))
    stamp["projektordner"] = "/home/anna/alter-ordner"
    (venv / _bootstrap.STAMP_NAME).write_text(json.dumps(stamp), encoding="utf-8")
    assert _bootstrap.environment_state(venv, root) == "moved"
    _start()
    assert "verschoben" in capsys.readouterr().err
    assert calls["pip"][0][:2] == ("install", "--no-index")  # offline re-link first
    assert _bootstrap.environment_state(venv, root) == "ready"


def test_broken_environment_is_rebuilt(calls, capsys, monkeypatch):
    root = calls["root"]
    venv = _venv(root)
    _bootstrap.write_stamp(venv, root)
    _bootstrap._venv_python(venv).unlink()  # e.g. the system Python it pointed to was removed
    assert _bootstrap.environment_state(venv, root) == "broken"
    monkeypatch.setattr("venv.create", lambda path, **kwargs: _venv(root))
    _start()
    assert "beschädigt" in capsys.readouterr().err
    assert _bootstrap.environment_state(venv, root) == "ready"


def test_an_interrupted_first_setup_is_finished(calls, capsys):
    root = calls["root"]
    _venv(root)  # created, but the install never completed: no stamp
    _start()
    assert "nicht abgeschlossen" in capsys.readouterr().err and len(calls["pip"]) == 1


def test_missing_venv_module_is_explained(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(_bootstrap, "_missing_modules", lambda: ["PySide6"])
    monkeypatch.setattr(_bootstrap, "PROJECT_ROOT", tmp_path)
    monkeypatch.setattr(_bootstrap.sys, "prefix", str(tmp_path / "system-python"))
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    real_find_spec = _bootstrap.importlib.util.find_spec
    monkeypatch.setattr(_bootstrap.importlib.util, "find_spec",
                        lambda name: None if name == "ensurepip" else real_find_spec(name))
    with pytest.raises(SystemExit) as exit_info:
        _bootstrap.ensure_environment()
    assert exit_info.value.code == 1
    assert "python3-venv" in capsys.readouterr().err
    assert not (tmp_path / ".venv").exists()


def test_restart_passes_arguments_with_spaces_unsplit(monkeypatch, tmp_path):
    """The restart hands over the arguments as a list: a path like »Jörg Müller« stays one argument."""
    seen = {}
    monkeypatch.setattr(_bootstrap.sys, "argv", ["app", "--daten", str(tmp_path / "Jörg Müller" / "Daten")])
    monkeypatch.setattr(_bootstrap.os, "execve", lambda exe, argv, env: seen.update(argv=argv, env=env))
    monkeypatch.setattr(subprocess, "call", lambda argv, env: seen.update(argv=argv, env=env) or 0)
    try:
        _bootstrap._restart(Path(sys.executable))
    except SystemExit:
        pass
    assert seen["argv"][1:4] == ["-m", "app", "--daten"]
    assert seen["argv"][4].endswith("Jörg Müller/Daten")
    assert seen["env"]["PYTHONPATH"].split(_bootstrap.os.pathsep)[0] == str(_bootstrap.PROJECT_ROOT)
