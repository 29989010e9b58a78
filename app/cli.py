"""Command line of Kurslotse: ``kurslotse [--daten DIR] [BEFEHL ...]``; without a command the window opens."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from app import __app_name__, __version__, paths
from app.logsetup import setup_logging

# Each module has ``register(subparsers)``; it adds its sub-command with ``func=run``.
# Modules must import nothing heavy at top level: ``kurslotse --version`` must stay fast.
COMMAND_MODULES = (
    "app.commands.lessons",
    "app.commands.present",
    "app.commands.handout",
    "app.commands.courses",
    "app.commands.backups",
    "app.commands.demo",
    "app.commands.report",
    "app.commands.sync",
    "app.commands.privacy",
    "app.commands.benchmark",
)
OPTIONAL_COMMAND_MODULES: tuple[str, ...] = ()

log = logging.getLogger(__name__)


# argparse's own texts (Python 3.11–3.13), in German. argparse looks them up through the module
# globals ``_`` and ``ngettext`` at the moment it needs them, so replacing those is enough.
ARGPARSE_GERMAN = {
    "usage: ": "Aufruf: ",
    "positional arguments": "Argumente",
    "options": "Optionen",
    "optional arguments": "Optionen",
    "show this help message and exit": "diese Hilfe anzeigen und beenden",
    "argument %(argument_name)s: %(message)s": "Angabe %(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "unbekannte Angaben: %s",
    "the following arguments are required: %s": "diese Angaben fehlen: %s",
    "one of the arguments %s is required": "eine dieser Angaben wird gebraucht: %s",
    "not allowed with argument %s": "nicht zusammen mit %s möglich",
    "expected one argument": "hier fehlt ein Wert",
    "expected at most one argument": "höchstens ein Wert erlaubt",
    "expected at least one argument": "mindestens ein Wert nötig",
    "ambiguous option: %(option)s could match %(matches)s": "mehrdeutige Angabe: %(option)s passt zu %(matches)s",
    "unexpected option string: %s": "unerwartete Angabe: %s",
    "invalid %(type)s value: %(value)r": "ungültiger Wert: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "%(value)r gibt es hier nicht; möglich: %(choices)s",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)":
        "%(value)r gibt es hier nicht – vielleicht %(closest)r? Möglich: %(choices)s",
    "ignored explicit argument %r": "überzähliger Wert %r",
    "can't open '%(filename)s': %(error)s": "»%(filename)s« lässt sich nicht öffnen: %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: Fehler: %(message)s\n",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "unbekannter Befehl %(parser_name)r (möglich: %(choices)s)",
    "argument \"-\" with mode %r": "»-« mit Modus %r",
    "show program's version number and exit": "Versionsnummer anzeigen und beenden",
}
ARGPARSE_GERMAN_PLURAL = {
    "expected %s argument": ("%s Wert erwartet", "%s Werte erwartet"),
    "conflicting option string: %s": ("widersprüchliche Angabe: %s", "widersprüchliche Angaben: %s"),
}


def _german(message: str) -> str:
    return ARGPARSE_GERMAN.get(message, message)


def _german_plural(singular: str, plural: str, number: int) -> str:
    forms = ARGPARSE_GERMAN_PLURAL.get(singular)
    if forms is None:
        return singular if number == 1 else plural
    return forms[0] if number == 1 else forms[1]


argparse._ = _german  # type: ignore[attr-defined]
argparse.ngettext = _german_plural  # type: ignore[attr-defined]

NUMBER_TYPES = {int: "keine ganze Zahl", float: "keine Zahl"}


class GermanArgumentParser(argparse.ArgumentParser):
    """argparse with German texts, German type errors and exit code 2."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - argparse's own signature
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        if not any(action.option_strings == ["-h", "--help"] for action in self._actions):
            self.add_argument("-h", "--hilfe", "--help", action="help", default=argparse.SUPPRESS,
                              help="diese Hilfe anzeigen und beenden")

    def _get_value(self, action: argparse.Action, arg_string: str):  # noqa: ANN202 - argparse hook
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError:
            if action.type in NUMBER_TYPES:
                raise argparse.ArgumentError(action, f"»{arg_string}« ist {NUMBER_TYPES[action.type]}") from None
            raise

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        hint = f"Hilfe: {self.prog} --hilfe"
        self.exit(2, f"{self.prog}: Fehler: {message}\n{hint}\n")


def build_parser(prog: str = "kurslotse", with_commands: bool = True,
                 command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; *with_commands* False leaves out the sub-commands (a start without arguments).

    With *command* (the sub-command the user typed) the modules are registered in order only until
    one provides it: the others are not even imported (``kurslotse handout`` is measured as a
    whole). An unknown word still gets every sub-command, for argparse's German list of choices.
    """
    parser = GermanArgumentParser(
        prog=prog,
        description=f"{__app_name__} – Begleiter für Smartphone-Kurse. Ohne Befehl öffnet sich das Programmfenster.",
    )
    parser.add_argument("--version", action="version", version=f"{__app_name__} {__version__}",
                        help="Versionsnummer anzeigen und beenden")
    parser.add_argument("--daten", metavar="ORDNER", help="Datenordner (sonst $KURSLOTSE_DATEN oder der übliche Ordner des Systems)")
    parser.add_argument("--demo", action="store_true",
                        help="mit den Demo-Daten arbeiten (eigener Datenordner »demo«, echte Daten bleiben unberührt)")
    database = parser.add_mutually_exclusive_group()
    database.add_argument("--datenbank", metavar="URL",
                          help="Adresse der Datenbank, z. B. postgresql+psycopg://benutzer@server/kreis "
                          "(sonst $KURSLOTSE_DATENBANK oder die SQLite-Datei im Datenordner)")
    database.add_argument("--datenbank-datei", metavar="DATEI",
                          help="Adresse der Datenbank aus dieser Datei (erste Zeile; nur für den Eigentümer "
                          "lesbar) – so steht ein Passwort weder in der Befehlszeile noch in der Umgebung")
    if not with_commands:
        return parser
    subparsers = parser.add_subparsers(dest="befehl", metavar="BEFEHL", parser_class=GermanArgumentParser,
                                       title="Befehle")
    # A module named like the typed command (``handout`` → app.commands.handout) is asked first: the
    # modules before it in the list (lessons with its six sub-parsers, …) are then not imported.
    named = [name for name in COMMAND_MODULES if command is not None and name.rsplit(".", 1)[-1] == command]
    for name in (*named, *(name for name in COMMAND_MODULES if name not in named)):
        importlib.import_module(name).register(subparsers)
        if command is not None and command in subparsers.choices:
            return parser
    for name in OPTIONAL_COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


_VALUE_OPTIONS = ("--daten", "--datenbank", "--datenbank-datei")


def _typed_command(arguments: Sequence[str]) -> str | None:
    """The sub-command word in *arguments*, or None when that needs argparse (help, abbreviations)."""
    index = 0
    while index < len(arguments):
        word = arguments[index]
        if word in _VALUE_OPTIONS:
            index += 2
        elif word == "--demo" or word.split("=", 1)[0] in _VALUE_OPTIONS:  # --daten=ORDNER
            index += 1
        elif word.startswith("-"):
            return None
        else:
            return word
    return None


def _usable_console() -> None:
    """Never crash on output: a windowed bundle has no console, a redirected Windows console is cp1252."""
    import os

    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:  # PyInstaller console=False on Windows
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process
            if name == "stderr":
                from app.commands.common import mark_no_console

                mark_no_console()  # messages that would go to stderr are shown in a window
            continue
        try:
            # Characters the console cannot show become "?" instead of a UnicodeEncodeError.
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass


def main(argv: Sequence[str] | None = None) -> int:
    from app.commands import common

    _usable_console()

    prog = common.invoked_as()
    common.set_command_name(prog)
    arguments = sys.argv[1:] if argv is None else list(argv)
    # Without arguments the window opens: the sub-commands' modules are not imported (faster start).
    parser = build_parser(prog, with_commands=bool(arguments), command=_typed_command(arguments))
    args = parser.parse_args(arguments)
    demo_mode = bool(getattr(args, "demo", False))
    paths.set_data_dir(args.daten)
    if demo_mode:
        if args.datenbank or args.datenbank_datei:
            return common.fail("--demo und --datenbank gehen nicht zusammen: die Demo hat ihre eigene Datenbank.",
                               common.EXIT_USAGE)
        paths.enter_demo()
    url = args.datenbank
    if args.datenbank_datei:
        try:
            url = common.read_secret_file(args.datenbank_datei, "Datenbank-Datei")
        except common.SecretFileError as error:
            return common.fail(str(error), common.EXIT_USAGE)
    paths.set_database_url(url)
    problem = _database_url_problem()
    if problem:
        return common.fail(problem, common.EXIT_USAGE)
    try:
        setup_logging()
    except OSError as error:
        return common.fail(f"Der Datenordner {paths.data_dir()} ist nicht beschreibbar ({error.strerror or error}).")
    problem = paths.network_folder_problem()
    if problem:  # SQLite on a network share: refused before anything is opened (also in the log)
        log.error("%s", problem)
        return common.fail(problem)
    try:
        if getattr(args, "func", None) is None:
            from app.ui.application import run_gui

            if demo_mode and not (paths.data_dir() / "kurslotse.sqlite3").exists():
                from app.commands.demo import create_demo

                create_demo()  # the demo window brings its data along

            return run_gui()
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # ``kurslotse … | head``: the reader left; end quietly without Python's own complaint at exit.
        _silence_stdout()
        return 0
    except Exception:  # noqa: BLE001 - no traceback for users; it goes to the log file
        log.exception("Unerwarteter Fehler im Befehl %s", getattr(args, "befehl", None))
        return common.fail(f"Ein unerwarteter Fehler ist aufgetreten. Einzelheiten stehen in {paths.log_file()}")


def _database_url_problem() -> str | None:
    """A German message when ``--datenbank``/``$KURSLOTSE_DATENBANK`` is no database address at all."""
    url = paths.configured_database_url()
    if not url:
        return None
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from app.logsetup import add_secret

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return (f"»{paths.masked_url(url)}« ist keine gültige Datenbank-Adresse. "
                "Beispiel: postgresql+psycopg://benutzer@server/kurslotse")
    add_secret(parsed.password if isinstance(parsed.password, str) else None)  # never in a log line
    add_secret(parsed.query.get("password") if isinstance(parsed.query.get("password"), str) else None)
    return None


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
