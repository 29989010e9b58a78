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


def teaching_order(templates: Sequence[T]) -> list[T]:
    """Templates with their ``voraussetzungen`` first (the Einsteigerkurs before the Aufbaukurs);
    otherwise as given. Each template needs ``id`` and optionally ``known`` (prerequisite ids)."""
    by_id = {getattr(t, "id", ""): t for t in templates}
    done: list[T] = []
    visiting: set[str] = set()

    def visit(template: T) -> None:
        key = getattr(template, "id", "")
        if template in done or key in visiting:  # a cycle is the checker's business, not a hang
            return
        visiting.add(key)
        for needed in getattr(template, "known", []) or []:
            if needed in by_id:
                visit(by_id[needed])
        visiting.discard(key)
        done.append(template)

    for template in templates:
        visit(template)
    return done


def positions_of_templates(templates: Sequence[object]) -> dict[str, int]:
    """Lesson positions from course templates (objects with ``sessions`` of ``lesson_ids``), prerequisites first."""
    return template_positions([list(session.lesson_ids) for session in template.sessions]  # type: ignore[attr-defined]
                              for template in teaching_order(templates))


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
