"""One lesson order everywhere: as the course templates teach them, then by title.

A beginner sees »Das Smartphone kennenlernen« first because the Einsteigerkurs starts with it,
not because of a folder name. Lessons no template names follow, alphabetically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")


def template_positions(templates: Iterable[Sequence[Sequence[str]]]) -> dict[str, int]:
    """Position of each lesson id in the templates' sessions (first template first, first mention wins)."""
    positions: dict[str, int] = {}
    for sessions in templates:
        for session in sessions:
            for lesson_id in session:
                positions.setdefault(lesson_id, len(positions))
    return positions


def order_key(positions: dict[str, int]) -> Callable[[str, str], tuple[int, int, str]]:
    """Sort key for (lesson id, title): template position first, then title (case-insensitive)."""

    def key(lesson_id: str, title: str) -> tuple[int, int, str]:
        position = positions.get(lesson_id)
        return (0, position, "") if position is not None else (1, 0, title.casefold())

    return key


def sort_lessons(items: Iterable[T], positions: dict[str, int], lesson_id: Callable[[T], str],
                 title: Callable[[T], str]) -> list[T]:
    """*items* in the one lesson order."""
    key = order_key(positions)
    return sorted(items, key=lambda item: key(lesson_id(item), title(item)))
