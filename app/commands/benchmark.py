"""``kurslotse benchmark``: measure start-up, step change, handouts, … next to their baselines."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("benchmark", help="Leistung messen (für Entwickler)")
    parser.add_argument("--schnell", action="store_true", help="weniger Wiederholungen (zum Ausprobieren)")
    parser.add_argument("--nur", nargs="*", metavar="TEIL", help="nur diese Teile, z. B. startup presenter")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app import bench

    bench.run(quick=args.schnell, only=args.nur)
    return 0
