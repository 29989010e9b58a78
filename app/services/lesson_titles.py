"""Titles and topics of lessons by id, for course plans, Termine and certificates (read once, cached)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app import paths

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LessonInfo:
    """What the attendance screens need to know about a lesson."""

    id: str
    title: str
    topic: str = ""


_cache: dict[str, LessonInfo] | None = None


def catalogue() -> dict[str, LessonInfo]:
    """All known lessons (shipped and the trainer's own folder from the settings), by id."""
    global _cache
    if _cache is None:
        _cache = _load()
    return _cache


def reset() -> None:
    """Forget the cached catalogue (after lessons were added)."""
    global _cache
    _cache = None


def title(lesson_id: str) -> str:
    """The lesson's title, or its id when the lesson is not installed here."""
    info = catalogue().get(lesson_id)
    return info.title if info else lesson_id


def _load() -> dict[str, LessonInfo]:
    try:
        from app.lessons.library import load_library
        from app.settings import Settings

        user_dirs = [folder for folder in Settings.load().user_lesson_dirs() if folder.is_dir()]
        library = load_library([paths.shipped_lessons_dir()], user_dirs, check_pictures=False)
    except Exception:  # noqa: BLE001 - without a library, ids are shown instead of titles
        log.exception("Lektionsbibliothek konnte nicht gelesen werden")
        return {}
    found: dict[str, LessonInfo] = {}
    for lesson in library.lessons:
        if lesson.id and lesson.id not in found:
            found[lesson.id] = LessonInfo(lesson.id, lesson.title or lesson.id, lesson.topic)
    return found
