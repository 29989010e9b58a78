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


@dataclass(frozen=True)
class PlanTemplate:
    """A Kursvorlage: the lessons of each planned Termin, in order."""

    id: str
    title: str
    sessions: tuple[tuple[str, ...], ...]

    @property
    def lessons(self) -> list[str]:
        """All lessons of the template once, in order (the course plan)."""
        return list(dict.fromkeys(lesson for session in self.sessions for lesson in session))


_cache: dict[str, LessonInfo] | None = None
_templates: list[PlanTemplate] | None = None


def catalogue() -> dict[str, LessonInfo]:
    """All known lessons (shipped and the trainer's own folder from the settings), by id."""
    if _cache is None:
        _load()
    return _cache or {}


def templates() -> list[PlanTemplate]:
    """The course templates (Kursvorlagen) that name at least one Termin."""
    if _templates is None:
        _load()
    return list(_templates or [])


def reset() -> None:
    """Forget the cached catalogue (after lessons were added)."""
    global _cache, _templates
    _cache = _templates = None


def title(lesson_id: str) -> str:
    """The lesson's title, or its id when the lesson is not installed here."""
    info = catalogue().get(lesson_id)
    return info.title if info else lesson_id


def _load() -> None:
    global _cache, _templates
    _cache, _templates = {}, []
    try:
        from app.lessons.library import load_library
        from app.settings import Settings

        user_dirs = [folder for folder in Settings.load().user_lesson_dirs() if folder.is_dir()]
        library = load_library([paths.shipped_lessons_dir()], user_dirs, check_pictures=False)
    except Exception:  # noqa: BLE001 - without a library, ids are shown instead of titles
        log.exception("Lektionsbibliothek konnte nicht gelesen werden")
        return
    for lesson in library.lessons:
        if lesson.id and lesson.id not in _cache:
            _cache[lesson.id] = LessonInfo(lesson.id, lesson.title or lesson.id, lesson.topic)
    for template in getattr(library, "templates", []):
        sessions = tuple(tuple(session.lesson_ids) for session in template.sessions if session.lesson_ids)
        if sessions:
            _templates.append(PlanTemplate(template.id, template.title or template.id, sessions))
