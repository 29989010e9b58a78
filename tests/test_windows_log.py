"""The log keeps working when another Kurslotse holds it open (Windows refuses to rename an open file).

The window program and a command started beside it write the same ``kurslotse.log``. On Windows the
rotation (rename to ``kurslotse.log.1``) fails with a sharing violation while the other process has
it open; injected here as the PermissionError Windows raises (``winerror`` 32).
"""

from __future__ import annotations

import logging

from app import logsetup


def _sharing_violation(*_args) -> None:
    error = PermissionError(13, "Der Prozess kann nicht auf die Datei zugreifen")
    error.winerror = 32  # type: ignore[attr-defined]
    raise error


def _logger(handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger("kurslotse-logtest")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_a_held_log_is_appended_to_and_rotated_later(tmp_path, monkeypatch, capsys):
    target = tmp_path / "kurslotse.log"
    handler = logsetup.SharedLogHandler(str(target), maxBytes=400, backupCount=3, encoding="utf-8", delay=True)
    attempts = []

    def held(source, dest):
        attempts.append(dest)
        _sharing_violation()

    monkeypatch.setattr(handler, "rotate", held)
    logger = _logger(handler)
    now = [1000.0]
    monkeypatch.setattr(logsetup.time, "monotonic", lambda: now[0])
    for number in range(40):
        logger.info("Zeile %02d: Kurs angelegt", number)
    assert "Logging error" not in capsys.readouterr().err
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines == [f"Zeile {number:02d}: Kurs angelegt" for number in range(40)]  # nothing lost
    assert len(attempts) == 1  # one failed try, then a pause instead of a try per line

    monkeypatch.undo()
    monkeypatch.setattr(logsetup.time, "monotonic", lambda: now[0] + logsetup.ROTATION_PAUSE_S + 1)
    logger.info("Zeile 40: nach der Pause")
    handler.close()
    assert (tmp_path / "kurslotse.log.1").is_file()  # the other program closed the file: rotated now
    assert target.read_text(encoding="utf-8").strip().endswith("Zeile 40: nach der Pause")


_LAZY_PROBE = """
import logging, sys
from app import logsetup, paths
logsetup.setup_logging()
before = 'logging.handlers' in sys.modules
logsetup.add_secret('Geheimwort42')
logging.getLogger('probe').warning('Anmeldung mit Geheimwort42 an postgresql://kurs:pw123@db/kl, Mail anna@example.org')
logging.getLogger().handlers[-1].flush()
print(before, 'logging.handlers' in sys.modules, paths.log_file())
"""


def test_the_rotating_file_opens_with_the_first_record_and_every_record_is_masked(tmp_path):
    """A start that logs nothing loads no rotation code; the first record still arrives, masked."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "KURSLOTSE_DATEN": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", _LAZY_PROBE], cwd=Path(__file__).resolve().parent.parent, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    before, after, log_file = result.stdout.split()
    assert (before, after) == ("False", "True")
    text = Path(log_file).read_text(encoding="utf-8")
    assert text.endswith("WARNING probe: Anmeldung mit *** an postgresql://kurs:***@db/kl, Mail [E-Mail entfernt]\n")
    assert "Geheimwort42" not in text and "pw123" not in text and "anna@" not in text
