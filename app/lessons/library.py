"""The lesson library: shipped lessons plus the trainer's own folder; a broken lesson never stops the rest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.lesson import Lesson, Problem, Severity
from app.lessons.course_templates import CourseTemplate, check_against_library, load_templates
from app.lessons.parser import LESSON_FILE, parse_lesson

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
) -> Library:
    """Load every lesson below the *shipped* and *user* folders; duplicate ids are marked as errors."""
    library = Library()
    seen: dict[str, Lesson] = {}
    for roots, is_user in ((shipped, False), (user, True)):
        for root in roots:
            root = Path(root)
            if not root.exists():
                library.problems.append(Problem(root, 0, "Der Lektionsordner existiert nicht.", Severity.ERROR))
                continue
            if not root.is_dir():
                library.problems.append(Problem(root, 0, "Das ist kein Ordner.", Severity.ERROR))
                continue
            for folder in lesson_folders(root):
                lesson = parse_lesson(folder, check_pictures=check_pictures)
                lesson.user_lesson = is_user
                if lesson.id in seen:
                    other = seen[lesson.id]
                    lesson.problems.append(
                        Problem(lesson.source, _id_line(lesson), f"Die Lektions-ID »{lesson.id}« gibt es schon (in {other.source}).")
                    )
                else:
                    seen[lesson.id] = lesson
                library.lessons.append(lesson)
            library.templates.extend(load_templates([root]))
    known = {lesson.id: lesson for lesson in library.lessons if not lesson.is_broken}
    for template in library.templates:
        check_against_library(template, known, library.templates)
    return library


def _id_line(lesson: Lesson) -> int:
    try:
        with lesson.source.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if line.lower().startswith("id:"):
                    return number
                if number > 200:
                    break
    except OSError:
        pass
    return 1
