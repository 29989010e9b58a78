"""Logging into ``kurslotse.log`` in the data directory (rotating, never to the user's screen).

No personal data may reach the log (it would outlive an erasure): the engine hides SQL
parameters (``hide_parameters``) and :class:`PersonalDataFilter` removes what could still carry
them — SQL parameter lists, e-mail addresses and phone numbers — from every message and traceback.
No secret may reach it either: passwords inside database addresses (``user:secret@host``), in
driver connection strings (``password=…``) and every secret registered with :func:`add_secret`
(the database password, the sync passphrase) become ``***``.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

_secrets: set[str] = set()


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """The masking patterns, compiled on the first record (no start pays for them before it logs)."""
    return {
        "parameters": re.compile(r"\[(?:SQL )?parameters: .*?\](?=\s*(?:\n|\(Background|$))", re.DOTALL),
        "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
        "phone": re.compile(r"(?<![\w:.-])(?:\+|00)?\d[\d /()-]{5,}\d(?![\w:.-])"),
        "url_password": re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s'\"]*):[^\s/?#'\"]*@"),
        "conninfo_password": re.compile(r"(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&'\"]+)"),
    }


def add_secret(secret: str | None) -> None:
    """Never write *secret* (a password, a passphrase) into the log, wherever it turns up."""
    if secret and len(secret) >= 3:  # a one- or two-letter "secret" would blank ordinary words
        _secrets.add(secret)


def hide_secrets(text: str) -> str:
    """*text* with passwords in addresses and connection strings and every registered secret as ``***``."""
    patterns = _patterns()
    text = patterns["url_password"].sub(r"\1:***@", text)
    text = patterns["conninfo_password"].sub(r"\1***", text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def redact(text: str) -> str:
    """*text* without secrets, SQL parameter lists, e-mail addresses and phone numbers."""
    text = hide_secrets(text)
    patterns = _patterns()
    text = patterns["parameters"].sub("[Parameter entfernt]", text)
    text = patterns["email"].sub("[E-Mail entfernt]", text)
    return patterns["phone"].sub(_phone_or_keep, text)


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


@functools.cache
def _shared_log_handler_class() -> type[logging.FileHandler]:
    """:class:`SharedLogHandler`, built on first use: ``logging.handlers`` pulls in socket, pickle and
    queue (~0.01 s), which the window's start does not need before its first paint."""
    import logging.handlers

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

    return SharedLogHandler


def __getattr__(name: str) -> Any:  # module attribute hook (PEP 562): SharedLogHandler on first use
    if name == "SharedLogHandler":
        return _shared_log_handler_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _LogFileHandler(logging.Handler):
    """Masks every record (:class:`PersonalDataFilter`) and hands it to the rotating file handler,
    which is created with the first record — a start that logs nothing imports no rotation code."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.baseFilename = target
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.addFilter(PersonalDataFilter())
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:  # called under this handler's lock, after the filter
        if self._file is None:
            try:
                self._file = _shared_log_handler_class()(
                    self.baseFilename, maxBytes=1_000_000, backupCount=3, encoding="utf-8", delay=True)
            except Exception:  # noqa: BLE001 - logging reports its own errors, as for any handler
                self.handleError(record)
                return
            self._file.setFormatter(self.formatter)
        self._file.handle(record)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr] - created in Handler.__init__
            if self._file is not None:
                self._file.flush()

    def close(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self._file is not None:
                self._file.close()
                self._file = None
        super().close()


_handler: _LogFileHandler | None = None


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
    _handler = _LogFileHandler(target)
    root.addHandler(_handler)
    root.setLevel(level)
