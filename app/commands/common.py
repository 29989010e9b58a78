"""Rules every sub-command shares: output files, dates, counts in German, the name the user typed.

Exit codes, the same for every command (README, "Befehle"):
0 done · 1 could not be done (unknown number or lesson, file not writable, database problem) ·
2 wrong call (unknown option, date or number in the wrong form, output file with a wrong suffix
or in a folder that does not exist) · 3 ``abgleich`` ran but refused files (with several folders:
1 when at least one folder could not be synced at all, else 3 when one was incomplete).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.platform import IS_WINDOWS

if TYPE_CHECKING:
    import datetime as dt  # only for hints: the window's start does not import datetime before its first paint

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

DATE_HELP = "TT.MM.JJJJ oder JJJJ-MM-TT"

_command_name = "kurslotse"


def set_command_name(name: str) -> None:
    global _command_name
    _command_name = name


def command_name() -> str:
    """How the user started Kurslotse (``python3 -m app`` or ``kurslotse``), for hints in messages."""
    return _command_name


def invoked_as(argv0: str | None = None) -> str:
    """The command a user typed, derived from ``sys.argv[0]``."""
    argv0 = argv0 if argv0 is not None else (sys.argv[0] if sys.argv else "")
    if getattr(sys, "frozen", False):
        return "kurslotse"
    if Path(argv0).name == "__main__.py" and Path(argv0).parent.name == "app":
        return "py -m app" if IS_WINDOWS else "python3 -m app"
    return "kurslotse"


_no_console = False


def mark_no_console() -> None:
    """The process has no console (the window program of the Windows bundle): messages go into a box."""
    global _no_console
    _no_console = True


def fail(message: str, code: int = EXIT_FAILED) -> int:
    """Print a German message to stderr and return *code* (``return fail(...)`` in a command).

    Without a console (double-clicked ``kurslotse.exe``) nobody would read stderr: the message is
    shown in a window instead, so a refused start never ends in silence.
    """
    print(f"Kurslotse: {message}", file=sys.stderr)
    if _no_console:
        _message_box(message)
    return code


def _message_box(message: str) -> None:
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "kurslotse"])
        if isinstance(app, QApplication):
            QMessageBox.critical(None, "Kurslotse", message)
    except Exception:  # noqa: BLE001 - no window possible either: the message is in the log
        import logging

        logging.getLogger(__name__).exception("Meldung konnte nicht angezeigt werden: %s", message)


# ---------------------------------------------------------------------------------- secrets


class SecretFileError(Exception):
    """A password file cannot be used (missing, empty, readable by others); German message."""


def read_secret_file(text: str, what: str) -> str:
    """The first line of the file *text* (a password or a database address), for scheduled jobs.

    On POSIX the file must be readable by its owner only (like ``~/.pgpass``): a secret that every
    user of the office computer can read is refused before it is used. *what* names the file in
    messages, e.g. ``Passwort-Datei``.
    """
    path = Path(text).expanduser()
    if path.is_dir():
        raise SecretFileError(f"{path} ist ein Ordner, keine {what}.")
    try:
        if not IS_WINDOWS:  # Windows has no owner-only mode bits (its ACLs are left alone)
            mode = path.stat().st_mode
            if mode & 0o077:
                raise SecretFileError(
                    f"Die {what} {path} dürfen auch andere Benutzer lesen (Rechte {mode & 0o777:o}). "
                    f"Sie wurde nicht benutzt. Bitte nur für den Eigentümer lesbar machen:  chmod 600 {path}")
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SecretFileError(f"Die {what} {path} gibt es nicht.") from None
    except PermissionError:
        raise SecretFileError(f"Die {what} {path} darf dieses Benutzerkonto nicht lesen. Sie muss dem Konto "
                              "gehören, unter dem Kurslotse läuft (z. B. der geplante Auftrag).") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise SecretFileError(f"Die {what} {path} kann nicht gelesen werden ({reason}).") from None
    lines = content.splitlines()
    secret = lines[0].strip() if lines else ""
    if not secret:
        raise SecretFileError(f"Die {what} {path} ist leer.")
    from app.logsetup import add_secret

    add_secret(secret)
    return secret


# ---------------------------------------------------------------------------------- counts


def count(number: int, singular: str, plural: str) -> str:
    """``1 Seite``, ``2 Seiten``, ``0 Seiten`` – German grammar of counts."""
    return f"{number} {singular if number == 1 else plural}"


# ---------------------------------------------------------------------------------- dates

def parse_date(text: str) -> dt.date:
    """A date as ``TT.MM.JJJJ`` or ``JJJJ-MM-TT`` (argparse type); argparse shows the German message."""
    from app.domain.attendance import InputError
    from app.domain.attendance import parse_date as parse_domain_date

    try:
        return parse_domain_date(text, "Datum")
    except InputError:
        raise argparse.ArgumentTypeError(
            f"»{text}« ist kein gültiges Datum; bitte {DATE_HELP}, z. B. 24.11.2026") from None


# ---------------------------------------------------------------------------------- output files


class OutputFileError(Exception):
    """The output file named on the command line cannot be used; a German message for the user."""


def output_file(text: str, allowed: Sequence[str]) -> Path:
    """The file behind ``-o``: relative to where the user stands, suffix added or checked, folder checked.

    *allowed* lists the suffixes with the dot, the first is added when the name has none.
    Raises :class:`OutputFileError` (exit code 2 in every command).
    """
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = Path.cwd() / path
    names = ", ".join(allowed)
    if path.is_dir() or text.endswith(("/", os.sep)):
        raise OutputFileError(
            f"»{text}« ist ein Ordner. Bitte einen Dateinamen angeben, z. B. {path / ('datei' + allowed[0])}"
        )
    suffix = path.suffix.lower()
    if not suffix:
        path = path.with_name(path.name + allowed[0])
    elif suffix not in allowed:
        raise OutputFileError(
            f"»{path.name}« hat die Endung »{path.suffix}«; möglich ist hier nur {names}."
            if len(allowed) == 1 else
            f"»{path.name}« hat die Endung »{path.suffix}«; möglich sind {names}."
        )
    folder = path.parent
    if not folder.is_dir():
        raise OutputFileError(f"Den Ordner »{folder}« gibt es nicht. Bitte einen vorhandenen Ordner angeben.")
    if not os.access(folder, os.W_OK):
        raise OutputFileError(
            f"In den Ordner »{folder}« darf Kurslotse nicht schreiben. Bitte einen anderen Ordner wählen "
            "(z. B. »Dokumente«)."
        )
    return path


def output_file_or_exit(text: str, allowed: Sequence[str]) -> Path | int:
    """:func:`output_file`, or the exit code after printing its message (for ``run`` functions)."""
    try:
        return output_file(text, allowed)
    except OutputFileError as error:
        return fail(str(error), EXIT_USAGE)


# ---------------------------------------------------------------------------------- painting

_gui_application = None


def gui_application():  # noqa: ANN201 - QGuiApplication (PySide6 is imported only when painting)
    """The one QGuiApplication that fonts and PDF painting need; without a display Qt draws offscreen."""
    global _gui_application
    from app.platform import has_display

    if not has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    existing = QGuiApplication.instance()
    if existing is not None:
        return existing
    _gui_application = QGuiApplication([sys.argv[0] if sys.argv else "kurslotse"])  # kept alive here
    return _gui_application
