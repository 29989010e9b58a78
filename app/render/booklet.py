"""The course booklet (Kursheft): cover page with the contents (page numbers), then each lesson's handout."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from app.domain.lesson import Lesson
from app.render.blocks import Rule, Spacer, TableOfContents
from app.render.document import Document, PlainPage, RenderCancelled, Section
from app.render.handout import HandoutOptions, add_lesson
from app.render.markdown import Paragraph, Run
from app.render.pictures import PictureBlock
from app.render.text import BODY, TITLE, Text, heading
from app.render.units import mm, pt

COVER_TITLE = TITLE.with_(size=32, line_height=1.2)


def booklet_title(options: HandoutOptions) -> str:
    return f"Kursheft – {options.course.strip()}" if options.course.strip() else "Kursheft"


def build_booklet(lessons: Sequence[Lesson], options: HandoutOptions | None = None,
                  cancelled: Callable[[], bool] | None = None) -> Document:
    """All *lessons* in one document; the contents list the page where each lesson starts."""
    options = options or HandoutOptions()
    document = Document(title=booklet_title(options))
    document.author = options.trainer.strip() or options.organisation_name
    furniture = options.furniture(document.warnings)
    document.style = furniture.page_style()
    keys = [f"lektion-{index}" for index in range(len(lessons))]
    _add_cover(document, options, furniture.logo)
    # the contents share the cover page: one sheet less for every participant
    document.add(heading("Inhalt", 2), Section("Inhalt"))
    document.add(TableOfContents([(f"{index}. {lesson.title}", key)
                                  for index, (lesson, key) in enumerate(zip(lessons, keys), 1)]))
    for lesson, key in zip(lessons, keys):
        if cancelled is not None and cancelled():
            raise RenderCancelled
        add_lesson(document, lesson, options, show_meta=False, anchor=key, cancelled=cancelled)
    return document


def _add_cover(document: Document, options: HandoutOptions, logo) -> None:
    document.add(PlainPage(), Section(""))
    if logo is not None:
        document.add(PictureBlock(logo, max_width=mm(70), max_height=mm(35), frame=False, centred=False))
    document.add(Text(options.organisation_name, BODY.with_(size=20, bold=True), space_before=mm(6)))
    document.add(Spacer(mm(20)), Text(booklet_title(options), COVER_TITLE))
    details = [("Datum", options.date_text)]
    if options.trainer.strip():
        details.insert(0, ("Kursleitung", options.trainer.strip()))
    details.append(("Für", " und ".join(d.label for d in options.devices)))
    for label, value in details:
        document.add(Text([Paragraph([Run(f"{label}: ", bold=True), Run(value)])], BODY.with_(size=16),
                          space_before=pt(4), space_after=pt(4)))
    document.add(Rule(1.5, mm(8)))
