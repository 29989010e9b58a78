"""The lesson library: shipped lessons plus the trainer's own folder; a broken lesson never stops the rest.

Lessons may come from strangers. Parsing is linear and bounded (see :mod:`app.lessons.parser`),
and as a second line of defence a caller (the window) can give every lesson a time limit: a
lesson that takes longer is listed as broken (⚠) and skipped, and loading goes on with the next.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.lesson import Lesson, Problem, Severity
from app.lessons.parser import LESSON_FILE, MAX_LESSON_FILE_BYTES, parse_lesson
from app.lessons.safe_read import UnsafeFile, read_bounded

if TYPE_CHECKING:  # course templates are read only with a whole library (not for a single handout)
    from app.lessons.course_templates import CourseTemplate

MAX_LESSON_FOLDERS = 2000


@dataclass
class Library:
    """All loaded lessons in display order, plus problems that belong to no single lesson."""

    lessons: list[Lesson] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    templates: list[CourseTemplate] = field(default_factory=list)

    def by_id(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id and not lesson.is_broken), None) or next(
            (lesson for lesson in self.lessons if lesson.id == lesson_id), None
        )

    @property
    def topics(self) -> list[str]:
        return sorted({lesson.topic for lesson in self.lessons if lesson.topic})

    def all_problems(self) -> list[Problem]:
        found = list(self.problems)
        for lesson in self.lessons:
            found.extend(lesson.problems)
        for template in self.templates:
            found.extend(template.problems)
        return found

    def template_by_id(self, template_id: str) -> CourseTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)


def lesson_folders(path: Path) -> list[Path]:
    """Lesson folders at *path*: the folder itself if it holds ``lektion.md``, else its sub-folders."""
    if (path / LESSON_FILE).is_file():
        return [path]
    try:
        children = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    except OSError:
        return []
    return [child for child in children[:MAX_LESSON_FOLDERS] if (child / LESSON_FILE).exists()]


def load_library(
    shipped: Iterable[Path] = (),
    user: Iterable[Path] = (),
    *,
    check_pictures: bool = True,
    progress: Callable[[int, int], None] | None = None,
    lesson_time_limit: float | None = None,
) -> Library:
    """Load every lesson below the *shipped* and *user* folders; duplicate ids are marked as errors.

    *progress* is called with (lessons done, lessons found); with *lesson_time_limit* (seconds) a
    lesson that takes longer is replaced by a broken entry that says so.
    """
    library = Library()
    seen: dict[str, Lesson] = {}
    plan: list[tuple[Path, bool]] = []
    roots_in_order: list[Path] = []
    for roots, is_user in ((shipped, False), (user, True)):
        for root in roots:
            root = Path(root)
            if not root.exists():
                library.problems.append(Problem(root, 0, "Der Lektionsordner existiert nicht.", Severity.ERROR))
                continue
            if not root.is_dir():
                library.problems.append(Problem(root, 0, "Das ist kein Ordner.", Severity.ERROR))
                continue
            plan.extend((folder, is_user) for folder in lesson_folders(root))
            roots_in_order.append(root)
    if progress is not None:
        progress(0, len(plan))
    for done, (folder, is_user) in enumerate(plan, 1):
        lesson = _parse_with_limit(folder, check_pictures, lesson_time_limit)
        lesson.user_lesson = is_user
        if lesson.id in seen:
            other = seen[lesson.id]
            lesson.problems.append(
                Problem(lesson.source, _id_line(lesson), f"Die Lektions-ID »{lesson.id}« gibt es schon (in {other.source}).")
            )
        else:
            seen[lesson.id] = lesson
        library.lessons.append(lesson)
        if progress is not None:
            progress(done, len(plan))
    from app.lessons.course_templates import check_against_library, load_templates

    for root in roots_in_order:
        library.templates.extend(load_templates([root]))
    known = {lesson.id: lesson for lesson in library.lessons if not lesson.is_broken}
    for template in library.templates:
        check_against_library(template, known, library.templates)
    return library


def _parse_with_limit(folder: Path, check_pictures: bool, limit: float | None) -> Lesson:
    """``parse_lesson`` — in a helper thread when a time limit is given, so a slow lesson can be left behind."""
    if limit is None:
        return parse_lesson(folder, check_pictures=check_pictures)
    result: list[Lesson] = []
    worker = threading.Thread(target=lambda: result.append(parse_lesson(folder, check_pictures=check_pictures)),
                              name=f"lektion-{folder.name}", daemon=True)
    worker.start()
    worker.join(limit)
    if result:
        return result[0]
    source = folder / LESSON_FILE
    lesson = Lesson(id=folder.name, title=folder.name, folder=folder, source=source)
    seconds = f"{limit:g}".replace(".", ",")
    lesson.problems.append(Problem(source, 1, f"Das Laden dieser Lektion dauerte länger als {seconds} s; sie wurde "
                                              "übersprungen. Bitte mit »Lektionen prüfen« nachsehen.", Severity.ERROR))
    return lesson


def _id_line(lesson: Lesson) -> int:
    try:
        data = read_bounded(lesson.source, MAX_LESSON_FILE_BYTES)  # never blocks on a FIFO
    except UnsafeFile:
        return 1
    for number, line in enumerate(data.decode("utf-8", "replace").split("\n")[:200], 1):
        if line.lower().startswith("id:"):
            return number
    return 1
