"""Setup for ``python3 -m app``: create ``.venv`` once, then start from it without network.

Only the standard library is used here, because this runs before any dependency exists.

The rules a trainer relies on:

* The first start creates ``.venv`` and installs Kurslotse into it (the only time the network is
  needed) and writes a stamp into ``.venv`` after the install succeeded.
* Every later start checks the stamp and goes straight into ``.venv``: no pip, no network, no
  message. The stamp records a fingerprint of the *declared dependencies* (not of the whole
  ``pyproject.toml``), the project folder and the Python version.
* When the dependencies changed, the folder was moved or ``.venv`` is broken, Kurslotse says so in
  German and sets up again. If that fails without network but the old environment still works,
  it starts with the old one instead of refusing to start.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

from app import platform

REQUIRED_MODULES = ("PySide6", "sqlalchemy", "qrcode", "PIL", "platformdirs")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
STAMP_NAME = "kurslotse-einrichtung.json"
# Set while a broken environment hands over to the base Python, so that this happens only once.
RETRY_ENV = "KURSLOTSE_NEU_EINRICHTEN"


def _missing_modules() -> list[str]:
    return [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]


def _venv_python(venv: Path) -> Path:
    return platform.venv_program(venv, "python")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def dependency_fingerprint(project_root: Path) -> str:
    """SHA-256 of what an install depends on: build requirements, dependencies, extras, entry points.

    Editing the version number, the description or the test settings changes nothing here, so it
    does not send a trainer's laptop looking for a network it does not have.
    """
    import hashlib
    import tomllib

    with open(project_root / "pyproject.toml", "rb") as handle:
        data = tomllib.load(handle)
    project = data.get("project", {})
    declared = {
        "build": data.get("build-system", {}).get("requires", []),
        "dependencies": project.get("dependencies", []),
        "extras": project.get("optional-dependencies", {}),
        "scripts": project.get("scripts", {}),
        "python": project.get("requires-python", ""),
    }
    return hashlib.sha256(json.dumps(declared, sort_keys=True).encode("utf-8")).hexdigest()


def _read_stamp(venv: Path) -> dict[str, str]:
    try:
        data = json.loads((venv / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_stamp(venv: Path, project_root: Path) -> None:
    stamp = {
        "abhaengigkeiten": dependency_fingerprint(project_root),
        "projektordner": str(project_root),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
    }
    (venv / STAMP_NAME).write_text(json.dumps(stamp, indent=2), encoding="utf-8")


def environment_state(venv: Path, project_root: Path) -> str:
    """``ready``, ``missing``, ``broken``, ``moved``, ``changed`` (dependencies) or ``unfinished``."""
    python = _venv_python(venv)
    if not venv.exists():
        return "missing"
    # A venv's python is a link to the system Python; after a system upgrade it may point nowhere.
    if not python.exists() or not (venv / "pyvenv.cfg").is_file():
        return "broken"
    stamp = _read_stamp(venv)
    if not stamp:
        return "unfinished"
    if stamp.get("python") != f"{sys.version_info.major}.{sys.version_info.minor}":
        return "broken"
    if stamp.get("projektordner") != str(project_root):
        return "moved"
    try:
        fingerprint = dependency_fingerprint(project_root)
    except (OSError, ValueError):
        return "ready"  # an unreadable pyproject.toml is no reason to refuse a working setup
    if stamp.get("abhaengigkeiten") != fingerprint:
        return "changed"
    return "ready"


def _restart(python: Path, extra_env: dict[str, str] | None = None) -> None:
    """Run ``python -m app`` with the same arguments; the project folder always comes first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT_ROOT), env.get("PYTHONPATH", ""))))
    env.update(extra_env or {})
    argv = [str(python), "-m", "app", *sys.argv[1:]]
    if platform.IS_WINDOWS:
        import subprocess

        # os.execv on Windows neither waits nor quotes arguments (paths with spaces break).
        raise SystemExit(subprocess.call(argv, env=env))
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(str(python), argv, env)


def _pip(python: Path, *args: str) -> bool:
    """Run pip in the environment; its English output goes to a log file in ``.venv``, not to the trainer."""
    import subprocess

    log = python.parent.parent / "einrichtung.log"
    with open(log, "a", encoding="utf-8", errors="replace") as handle:
        handle.write("\n$ pip " + " ".join(args) + "\n")
        handle.flush()
        result = subprocess.run(
            [str(python), "-m", "pip", *args, "--quiet", "--disable-pip-version-check"],
            check=False, stdout=handle, stderr=subprocess.STDOUT,
        )
    return result.returncode == 0


def _install(python: Path, state: str) -> bool:
    """Install Kurslotse into the environment; a moved folder is re-linked without any network."""
    if state == "moved" and _pip(python, "install", "--no-index", "--no-deps", "--no-build-isolation",
                                 "-e", str(PROJECT_ROOT)):
        return True
    # setuptools inside the environment lets a later move be repaired offline (see above).
    return _pip(python, "install", "setuptools>=68", "-e", str(PROJECT_ROOT))


def _environment_imports(python: Path) -> bool:
    """Whether the environment at *python* can import every required module."""
    import subprocess

    probe = "import importlib.util,sys; sys.exit(any(importlib.util.find_spec(m) is None for m in %r))"
    try:
        result = subprocess.run([str(python), "-c", probe % (REQUIRED_MODULES,)], check=False,
                                capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


def _handle_broken_own_environment(venv: Path) -> None:
    """We run inside ``.venv`` but modules are missing: hand over to the system Python to set up again."""
    with_stamp = venv / STAMP_NAME
    base = Path(getattr(sys, "_base_executable", "") or "")
    if not os.environ.get(RETRY_ENV) and base.is_file() and base.resolve() != Path(sys.executable).resolve():
        _say("Kurslotse: Der Programmumgebung fehlen Teile (" + ", ".join(_missing_modules())
             + "). Sie wird neu eingerichtet …")
        with_stamp.unlink(missing_ok=True)
        _restart(base, {RETRY_ENV: "1"})
    _say(
        "Kurslotse: Es fehlen Programmteile (" + ", ".join(_missing_modules()) + ").\n"
        f"Bitte den Ordner {venv} löschen und Kurslotse erneut starten; beim Einrichten wird "
        "einmalig eine Internetverbindung gebraucht."
    )
    raise SystemExit(1)


def ensure_environment() -> None:
    """Return when all dependencies import; otherwise start Kurslotse from ``.venv`` (set up if needed)."""
    if getattr(sys, "frozen", False) or not _missing_modules():
        return
    venv = PROJECT_ROOT / ".venv"
    if Path(sys.prefix).resolve() == venv.resolve():
        _handle_broken_own_environment(venv)
    if not (PROJECT_ROOT / "pyproject.toml").exists():
        _say("Kurslotse: Die Programmdateien sind unvollständig (pyproject.toml fehlt).")
        raise SystemExit(1)
    python = _venv_python(venv)
    state = environment_state(venv, PROJECT_ROOT)
    if state == "ready":
        _restart(python)
    _set_up(venv, python, state)


def _set_up(venv: Path, python: Path, state: str) -> None:
    if state == "broken":
        _say(f"Kurslotse: Die Programmumgebung in {venv} ist beschädigt (etwa nach einem Python-Update). "
             "Sie wird neu eingerichtet …")
        shutil.rmtree(venv, ignore_errors=True)
    elif state == "moved":
        _say("Kurslotse: Der Programmordner wurde verschoben. Die Programmumgebung wird angepasst …")
    elif state == "changed":
        _say("Kurslotse: Diese Version braucht andere Programmteile. Sie werden jetzt installiert …")
    elif state == "unfinished":
        _say("Kurslotse: Die letzte Einrichtung wurde nicht abgeschlossen. Sie wird fortgesetzt …")
    if not python.exists():
        if importlib.util.find_spec("ensurepip") is None:
            _say(
                "Kurslotse: Zum Einrichten fehlt das Python-Modul »venv«.\n"
                + ("Bitte Python von python.org neu installieren (mit pip)."
                   if platform.IS_WINDOWS else "Bitte einmal ausführen:  sudo apt install python3-venv")
                + "\nund danach Kurslotse erneut starten."
            )
            raise SystemExit(1)
        _say("Kurslotse wird beim ersten Start eingerichtet. Das dauert einige Minuten …")
        if platform.is_store_python():
            _say(platform.STORE_PYTHON_NOTE)
        import venv as venv_module

        try:
            venv_module.create(venv, with_pip=True, upgrade_deps=False)
        except Exception as error:  # noqa: BLE001 - explain any failure in German
            _say(f"Kurslotse: Die Programmumgebung konnte nicht angelegt werden: {error}")
            raise SystemExit(1) from None
    if not _install(python, state):
        if state in ("moved", "changed") and _environment_imports(python):
            _say("Kurslotse: Die Programmteile konnten nicht aktualisiert werden (keine Internetverbindung?).\n"
                 "Kurslotse startet mit dem bisherigen Stand; beim nächsten Start mit Netz wird es nachgeholt.")
            _restart(python)
        _say(
            "Kurslotse: Die benötigten Programmteile konnten nicht installiert werden.\n"
            "Besteht eine Internetverbindung? Für die Einrichtung wird sie einmalig gebraucht.\n"
            f"Einzelheiten: {venv / 'einrichtung.log'}"
        )
        raise SystemExit(1)
    write_stamp(venv, PROJECT_ROOT)
    _say("Einrichtung abgeschlossen.")
    _restart(python)
