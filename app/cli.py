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


class GermanArgumentParser(argparse.ArgumentParser):
    """argparse with German error text and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: Fehler: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = GermanArgumentParser(
        prog="kurslotse",
        description=f"{__app_name__} – Begleiter für Smartphone-Kurse. Ohne Befehl öffnet sich das Programmfenster.",
    )
    parser.add_argument("--version", action="version", version=f"{__app_name__} {__version__}")
    parser.add_argument("--daten", metavar="ORDNER", help="Datenordner (sonst $KURSLOTSE_DATEN oder der übliche Ordner des Systems)")
    parser.add_argument("--datenbank", metavar="URL", help="SQLAlchemy-Adresse der Datenbank (sonst $KURSLOTSE_DATENBANK oder SQLite im Datenordner)")
    subparsers = parser.add_subparsers(dest="befehl", metavar="BEFEHL", parser_class=GermanArgumentParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    for name in OPTIONAL_COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    paths.set_data_dir(args.daten)
    paths.set_database_url(args.datenbank)
    try:
        setup_logging()
    except OSError as error:
        print(f"Kurslotse: Der Datenordner ist nicht beschreibbar: {error}", file=sys.stderr)
        return 1
    try:
        if getattr(args, "func", None) is None:
            from app.ui.application import run_gui

            return run_gui()
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - no traceback for users; it goes to the log file
        log.exception("Unerwarteter Fehler im Befehl %s", getattr(args, "befehl", None))
        print(
            f"Kurslotse: Ein unerwarteter Fehler ist aufgetreten. Einzelheiten stehen in {paths.log_file()}",
            file=sys.stderr,
        )
        return 1
