"""Logging into ``kurslotse.log`` in the data directory (rotating, never to the user's screen)."""

from __future__ import annotations

import logging
import logging.handlers

from app import paths

_handler: logging.handlers.RotatingFileHandler | None = None


def setup_logging(level: int = logging.INFO) -> None:
    """Send log records to the data directory's log file (re-pointed if the directory changed)."""
    global _handler
    target = str(paths.log_file())
    root = logging.getLogger()
    if _handler is not None:
        if _handler.baseFilename == target:
            return
        root.removeHandler(_handler)
        _handler.close()
    _handler = logging.handlers.RotatingFileHandler(target, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(_handler)
    root.setLevel(level)
