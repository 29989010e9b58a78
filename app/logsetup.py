"""Logging into ``kurslotse.log`` in the data directory (rotating, never to the user's screen).

No personal data may reach the log (it would outlive an erasure): the engine hides SQL
parameters (``hide_parameters``) and :class:`PersonalDataFilter` removes what could still carry
them — SQL parameter lists, e-mail addresses and phone numbers — from every message and traceback.
No secret may reach it either: passwords inside database addresses (``user:secret@host``), in
driver connection strings (``password=…``) and every secret registered with :func:`add_secret`
(the database password, the sync passphrase) become ``***``.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import time

_PARAMETERS = re.compile(r"\[(?:SQL )?parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.DOTALL)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w:.-])(?:\+|00)?\d[\d /()-]{5,}\d(?![\w:.-])")


_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s'\"]*):[^\s/?#'\"]*@")
_CONNINFO_PASSWORD = re.compile(r"(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'\"]+)")
_secrets: set[str] = set()


def add_secret(secret: str | None) -> None:
    """Never write *secret* (a password, a passphrase) into the log, wherever it turns up."""
    if secret and len(secret) >= 3:  # a one- or two-letter "secret" would blank ordinary words
        _secrets.add(secret)


def hide_secrets(text: str) -> str:
    """*text* with passwords in addresses and connection strings and every registered secret as ``***``."""
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    text = _CONNINFO_PASSWORD.sub(r"\1***", text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def redact(text: str) -> str:
    """*text* without secrets, SQL parameter lists, e-mail addresses and phone numbers."""
    text = hide_secrets(text)
    text = _PARAMETERS.sub("[Parameter entfernt]", text)
    text = _EMAIL.sub("[E-Mail entfernt]", text)
    return _PHONE.sub(_phone_or_keep, text)


def _phone_or_keep(match: re.Match[str]) -> str:
    value = match.group(0)
    digits = sum(ch.isdigit() for ch in value)
    # Dates, times and sizes stay readable; a run of 6+ digits with phone punctuation goes.
    if digits < 6 or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or re.fullmatch(r"\d+", value) and digits < 9:
        return value
    return "[Nummer entfernt]"


class PersonalDataFilter(logging.Filter):
    """Redacts every record before it is written (message, arguments and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact("".join(logging.Formatter().formatException(record.exc_info)))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True

from app import paths

ROTATION_PAUSE_S = 300.0


class SharedLogHandler(logging.handlers.RotatingFileHandler):
    """Rotation that gives way when another Kurslotse holds the log file.

    On Windows a log that the window program has open cannot be renamed by a command started beside
    it (and vice versa): the rotation fails. Then this process keeps appending to the current file
    and tries again after a few minutes, instead of printing a logging error on every line.
    """

    _paused_until = 0.0

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 - logging API
        if time.monotonic() < self._paused_until:
            return False
        return bool(super().shouldRollover(record))

    def doRollover(self) -> None:  # noqa: N802 - logging API
        try:
            super().doRollover()
        except OSError:
            self._paused_until = time.monotonic() + ROTATION_PAUSE_S
            if self.stream is None:  # closed for the rename that failed: keep writing to the same file
                self.stream = self._open()


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
    _handler = SharedLogHandler(target, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    _handler.addFilter(PersonalDataFilter())
    root.addHandler(_handler)
    root.setLevel(level)
