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
    """Check the lesson and the step before any window opens, so mistakes get a message at once."""
    from app.commands.common import EXIT_USAGE, count, fail
    from app.commands.handout import find_lesson

    lesson, problem = find_lesson(args.lektion)
    if problem:
        return fail(problem)
    if not lesson.steps:
        return fail(f"Die Lektion »{lesson.title or args.lektion}« ist fehlerhaft und kann nicht gezeigt werden "
                    f"(Prüfen: lektionen pruefen {lesson.folder}).")
    if not 1 <= args.schritt <= len(lesson.steps):
        return fail(f"--schritt {args.schritt}: Die Lektion »{lesson.title}« hat "
                    f"{count(len(lesson.steps), 'Schritt', 'Schritte')}; bitte 1 bis {len(lesson.steps)} angeben.",
                    EXIT_USAGE)
    from app.ui.application import run_gui

    return run_gui(present=str(lesson.folder), device=args.geraet, start_step=args.schritt)
