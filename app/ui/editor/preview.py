"""What the editor shows beside the text: the checker's messages, the step on the wall and its handout page.

Runs in a :class:`~app.ui.background_job.BackgroundJob` thread (QImage painting is thread-safe):

* while typing, the current step is built from the draft in memory (the same fields the checker
  reads, see tests/test_lesson_writer.py) and painted with the presenter's
  :class:`~app.ui.presenter.step_renderer.StepRenderer` — no file is touched, so it is fast;
* the handout page follows as fast (:class:`HandoutPreview`): the lesson the checker read last
  supplies header, links and the other steps; only the step being edited is taken from the draft.
  The QR codes of the links (most of the handout's cost) are built once per set of links and
  reused, so a key press costs one layout and one painted page;
* a moment later the draft is written into a preview copy of the lesson folder in the data
  directory (the lesson's own file is never touched before "Speichern") and checked with the real
  checker (:func:`app.lessons.parser.parse_lesson`); its lesson becomes the handout's new base.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter

from app import paths
from app.atomic_write import write_bytes_atomically
from app.domain.contrast import theme as theme_named
from app.domain.lesson import Device, Lesson, Picture, Problem, Step, Variant
from app.lessons.editing import LessonDocument, PictureRef
from app.lessons.parser import LESSON_FILE, parse_lesson
from app.lessons.pictures import ALLOWED_SUFFIXES

log = logging.getLogger(__name__)
WALL_SIZES = {"1024 × 768 (4:3)": (1024, 768), "1280 × 720 (16:9)": (1280, 720), "1920 × 1080 (Full HD)": (1920, 1080)}
PREVIEW_WIDTH = 640  # the wall frame is painted at the chosen size, then shown scaled to this width


@dataclass
class PreviewRequest:
    folder: Path  # the real lesson folder (pictures are read from a copy of its bilder/)
    text: bytes
    step: int
    device: Device
    theme: str
    wall: tuple[int, int]
    handout: bool = True
    pictures_changed: bool = False


@dataclass
class PreviewResult:
    lesson: Lesson | None
    problems: list[Problem] = field(default_factory=list)
    wall: QImage | None = None
    handout: QImage | None = None
    handout_page: int = 0
    handout_pages: int = 0
    step: int = 0


def preview_folder(folder: Path) -> Path:
    key = hashlib.sha256(str(Path(folder).resolve()).encode("utf-8")).hexdigest()[:16]
    return paths.data_dir() / "entwuerfe" / "vorschau" / key / Path(folder).name


def remove_preview_folder(folder: Path) -> None:
    """Drop the preview copy when the editor closes (it holds copies of the lesson's pictures)."""
    shadow = preview_folder(folder).parent
    try:
        shutil.rmtree(shadow)
    except FileNotFoundError:
        pass
    except OSError as error:
        log.warning("Vorschau-Ordner %s nicht gelöscht: %s", shadow, error)


def _sync_pictures(source: Path, target: Path) -> bool:
    """Copy new or changed files of ``bilder/`` (by size and time); remove ones that are gone. True if any changed."""
    target.mkdir(parents=True, exist_ok=True)
    wanted: set[str] = set()
    changed = False
    if source.is_dir():
        for item in source.iterdir():
            if not item.is_file() or item.is_symlink():
                continue
            wanted.add(item.name)
            copy_to = target / item.name
            stat = item.stat()
            if copy_to.exists() and copy_to.stat().st_size == stat.st_size and copy_to.stat().st_mtime >= stat.st_mtime:
                continue
            shutil.copy2(item, copy_to)
            changed = True
    for item in target.iterdir():
        if item.name not in wanted and item.is_file():
            item.unlink()
            changed = True
    return changed


def check_draft(folder: Path, text: bytes, *, check_pictures: bool = True) -> tuple[Lesson, bool]:
    """The checker's view of the draft *text* of the lesson in *folder*; True if pictures changed."""
    shadow = preview_folder(folder)
    shadow.mkdir(parents=True, exist_ok=True)
    changed = _sync_pictures(Path(folder) / "bilder", shadow / "bilder")
    write_bytes_atomically(shadow / LESSON_FILE, text)
    return parse_lesson(shadow, check_pictures=check_pictures), changed


def _picture(folder: Path, ref: PictureRef | None) -> Picture | None:
    """A picture path inside the lesson folder (else none: the checker reports it); read later as checked bytes."""
    if ref is None or ":" in ref.target or ref.target.startswith(("/", "\\")) or "\\" in ref.target:
        return None
    root = Path(folder).resolve()
    target = (root / ref.target).resolve()
    if not target.is_relative_to(root) or target.suffix.lower() not in ALLOWED_SUFFIXES:
        return None
    return Picture(path=target, alt=ref.alt)


def step_from_document(document: LessonDocument, index: int, folder: Path) -> Step:
    """The step as the checker reads it, built from the draft in memory (no file is written or parsed)."""
    step = Step(title=document.field(index, "titel"), text=document.field(index, "text"),
                picture=_picture(folder, document.picture(index, "text")), notes=document.field(index, "notizen"),
                exercise=document.field(index, "uebung"), key_sentence=document.field(index, "merksatz"))
    sections = document.steps()[index].sections
    for device in Device:
        if device.value in sections:
            step.variants[device] = Variant(text=document.field(index, device.value),
                                            picture=_picture(folder, document.picture(index, device.value)))
    return step


def render_wall(request: PreviewRequest, renderer) -> PreviewResult | None:  # noqa: ANN001 - a StepRenderer
    """Fast part (while typing): the step as the wall shows it, painted by the presenter's renderer."""
    document = LessonDocument.from_bytes(request.text)
    count = len(document.steps())
    if not count:
        return None
    index = min(max(request.step, 0), count - 1)
    if request.pictures_changed:
        renderer.clear()
    step = step_from_document(document, index, request.folder)
    width, height = request.wall
    frame = renderer.frame(step, request.device, QSize(width, height), 1.0, theme_named(request.theme),
                           f"Schritt {index + 1} von {count}")
    return PreviewResult(lesson=None, wall=frame.scaledToWidth(PREVIEW_WIDTH, Qt.TransformationMode.SmoothTransformation),
                         step=index)


def render_check(request: PreviewRequest) -> PreviewResult:
    """Slow part: every check of the checker (pictures included); its lesson is the handout preview's base."""
    lesson, _ = check_draft(request.folder, request.text)
    result = PreviewResult(lesson=lesson, problems=list(lesson.problems))
    if lesson.steps:
        result.step = min(max(request.step, 0), len(lesson.steps) - 1)
    if lesson.steps and request.handout:
        result.handout, result.handout_page, result.handout_pages = handout_page(lesson, result.step)
    return result


@dataclass
class HandoutRequest:
    base: Lesson  # the lesson the checker read last: header, links, the other steps
    text: bytes  # the draft now
    step: int
    folder: Path


class HandoutPreview:
    """The handout page of the step being edited, fast enough to follow the typing.

    Only the edited step is taken from the draft (see :func:`step_from_document`); when the draft
    has other steps than the base (added, removed or moved), :meth:`render` returns None and the
    next checker result brings a new base. One job at a time uses an instance (the editor runs
    handout jobs one after the other), so its cache needs no lock.
    """

    def __init__(self) -> None:
        self._tails: dict[tuple, list] = {}

    def lesson_for(self, request: HandoutRequest) -> Lesson | None:
        """The base lesson with the edited step of the draft, or None when the steps do not match."""
        document = LessonDocument.from_bytes(request.text)
        titles = document.step_titles()
        base = request.base
        if not titles or len(titles) != len(base.steps):
            return None
        index = min(max(request.step, 0), len(titles) - 1)
        if any(" ".join(titles[i].split()) != " ".join(step.title.split())
               for i, step in enumerate(base.steps) if i != index):
            return None
        lesson = copy.copy(base)
        lesson.steps = list(base.steps)
        lesson.steps[index] = step_from_document(document, index, request.folder)
        return lesson

    def render(self, request: HandoutRequest, width_px: int = 420) -> PreviewResult | None:
        lesson = self.lesson_for(request)
        if lesson is None:
            return None
        index = min(max(request.step, 0), len(lesson.steps) - 1)
        image, page, pages = handout_page(lesson, index, width_px, tails=self._tails)
        return PreviewResult(lesson=None, handout=image, handout_page=page, handout_pages=pages, step=index)


def _document_with_cached_codes(lesson: Lesson, tails: dict[tuple, list]):  # noqa: ANN202 - a render Document
    """``build_handout(lesson)`` with the QR-code blocks of its links built once and reused.

    The handout of a lesson is the handout without links plus the links' blocks before the closing
    notes; those blocks depend on the links and devices only, so they are cut out of one full build
    (a lesson without steps: the same header blocks) and kept.
    """
    from app.render.handout import build_handout

    bare = copy.copy(lesson)
    bare.links = []
    document = build_handout(bare)
    if not lesson.links:
        return document
    key = (tuple(lesson.links), tuple(lesson.devices), lesson.title, lesson.description, tuple(lesson.goals))
    tail = tails.get(key)
    if tail is None:
        empty = copy.copy(lesson)
        empty.steps = []
        with_links = build_handout(empty).blocks
        empty.links = []
        without = build_handout(empty).blocks
        if len(with_links) <= len(without):  # nothing printed for the links (e.g. no https address)
            tail = []
        else:
            tail = with_links[len(without) - 1:-1]
        if len(tails) > 8:
            tails.clear()
        tails[key] = tail
    document.blocks[-1:-1] = tail
    return document


def handout_page(lesson: Lesson, step: int, width_px: int = 420,
                 tails: dict[tuple, list] | None = None) -> tuple[QImage | None, int, int]:
    """The handout page on which *step* ends, painted small; (image, page index, page count).

    With *tails* (a cache kept by the caller) the QR codes are built once per set of links.
    """
    from PySide6.QtGui import QPageLayout

    from app.render.document import PageInfo, PaintContext
    from app.render.handout import build_handout
    from app.render.output import a4_layout
    from app.render.units import pt

    rect = a4_layout().fullRect(QPageLayout.Unit.Point)
    page_w, page_h = pt(rect.width()), pt(rect.height())
    document = build_handout(lesson) if tails is None else _document_with_cached_codes(lesson, tails)
    layout = document.layout(page_w, page_h)
    if not layout.pages:
        return None, 0, 0
    upto = copy.copy(lesson)
    upto.steps = lesson.steps[: step + 1]
    upto.links = []
    page_index = min(max(build_handout(upto).layout(page_w, page_h).page_count - 1, 0), layout.page_count - 1)
    scale = width_px / page_w
    image = QImage(width_px, round(page_h * scale), QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.scale(scale, scale)
    page = layout.pages[page_index]
    info = PageInfo(page_index + 1, layout.page_count, page.section, page.plain)
    context = PaintContext(info, layout.anchors)
    style = layout.style
    if style.header is not None:
        style.header(painter, style.header_rect(layout.page_width), info)
    for placed in page.placed:
        placed.block.paint(painter, layout.body.left(), layout.body.top() + placed.y, context)
    if style.footer is not None:
        style.footer(painter, style.footer_rect(layout.page_width, layout.page_height), info)
    painter.end()
    return image, page_index, layout.page_count
