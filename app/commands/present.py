"""``kurslotse zeigen LEKTION``: start the presentation of one lesson straight away."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("zeigen", help="eine Lektion sofort präsentieren")
    parser.add_argument("lektion", metavar="LEKTION", help="ID oder Ordner der Lektion")
    parser.add_argument("--geraet", choices=("android", "iphone"), help="Android- oder iPhone-Fassung")
    parser.add_argument("--schritt", type=int, default=1, metavar="N", help="mit Schritt N beginnen")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.ui.application import run_gui

    return run_gui(present=args.lektion, device=args.geraet, start_step=args.schritt)
