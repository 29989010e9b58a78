"""First-run setup for ``python3 -m app``: create ``.venv`` and install Kurslotse into it.

Only the standard library is used here, because this runs before any dependency exists.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

REQUIRED_MODULES = ("PySide6", "sqlalchemy", "qrcode", "PIL", "platformdirs")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _missing_modules() -> list[str]:
    return [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]


def _venv_python(venv: Path) -> Path:
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def ensure_environment() -> None:
    """Return when all dependencies import; otherwise set up ``.venv`` and restart in it."""
    if getattr(sys, "frozen", False) or not _missing_modules():
        return
    venv = PROJECT_ROOT / ".venv"
    python = _venv_python(venv)
    if Path(sys.prefix).resolve() == venv.resolve():
        _say(
            "Kurslotse: Es fehlen Programmteile ("
            + ", ".join(_missing_modules())
            + f").\nBitte im Ordner {PROJECT_ROOT} ausführen:  .venv/bin/pip install -e ."
        )
        raise SystemExit(1)
    if not (PROJECT_ROOT / "pyproject.toml").exists():
        _say("Kurslotse: Die Programmdateien sind unvollständig (pyproject.toml fehlt).")
        raise SystemExit(1)
    if not python.exists():
        if importlib.util.find_spec("ensurepip") is None:
            _say(
                "Kurslotse: Zum Einrichten fehlt das Python-Modul »venv«.\n"
                "Bitte einmal ausführen:  sudo apt install python3-venv\n"
                "und danach Kurslotse erneut starten."
            )
            raise SystemExit(1)
        _say("Kurslotse wird beim ersten Start eingerichtet. Das dauert einige Minuten …")
        import venv as venv_module

        try:
            venv_module.create(venv, with_pip=True, upgrade_deps=False)
        except Exception as error:  # noqa: BLE001 - explain any failure in German
            _say(f"Kurslotse: Die Programmumgebung konnte nicht angelegt werden: {error}")
            raise SystemExit(1) from None
    import subprocess

    result = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", str(PROJECT_ROOT)],
        check=False,
    )
    if result.returncode != 0:
        _say(
            "Kurslotse: Die benötigten Programmteile konnten nicht installiert werden.\n"
            "Besteht eine Internetverbindung? Für die Einrichtung wird sie einmalig gebraucht."
        )
        raise SystemExit(1)
    _say("Einrichtung abgeschlossen.")
    os.execv(str(python), [str(python), "-m", "app", *sys.argv[1:]])
