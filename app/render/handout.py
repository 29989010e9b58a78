"""The lesson handout (Begleitblatt): what participants take home to repeat the lesson.

``build_handout(lesson, options)`` returns a :class:`~app.render.document.Document`; paint it
with :mod:`app.render.output` (PDF file, printer or print preview — the same code).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.domain.lesson import Device, Lesson, Picture, Step
from app.render.blocks import Box, Checklist, Lines, Rule
from app.render.document import Anchor, Document, PageBreak, RenderCancelled, Section
from app.render.furniture import StandardFurniture
from app.render.markdown import Paragraph, Run
from app.render.pictures import LoadedPicture, PictureBlock, load_picture
from app.render.qr import QrCode
from app.render.text import BODY, KEY_SENTENCE, Text, heading
from app.render.units import mm

DEFAULT_ORGANISATION = "Kurslotse"
DEVICE_CHOICES: dict[str, tuple[Device, ...]] = {
    "android": (Device.ANDROID,),
    "iphone": (Device.IPHONE,),
    "beide": (Device.ANDROID, Device.IPHONE),
}
NOTE_LINES = 4  # at least; the lines run to the bottom of the last page
QR_HINT = "Handy-Kamera auf den Code richten und die angezeigte Adresse antippen."


@dataclass
class HandoutOptions:
    """What the trainer chose; organisation, logo, course, date and trainer come from the settings later."""

    devices: tuple[Device, ...] = (Device.ANDROID, Device.IPHONE)
    notes: bool = False
    organisation: str = ""
    logo_path: Path | None = None
    course: str = ""
    date: dt.date | None = None
    trainer: str = ""

    @classmethod
    def for_choice(cls, choice: str = "beide", **values: object) -> HandoutOptions:
        """Options for the device choice ``android``, ``iphone`` or ``beide``."""
        return cls(devices=DEVICE_CHOICES[choice], **values)  # type: ignore[arg-type]

    @property
    def organisation_name(self) -> str:
        return self.organisation.strip() or DEFAULT_ORGANISATION

    @property
    def date_text(self) -> str:
        return (self.date or dt.date.today()).strftime("%d.%m.%Y")

    def devices_for(self, lesson: Lesson) -> tuple[Device, ...]:
        chosen = tuple(d for d in self.devices if d in lesson.devices)
        return chosen or self.devices

    def furniture(self, warnings: list[str]) -> StandardFurniture:
        """Header and footer for these options; a logo that cannot be read is reported in *warnings*."""
        logo = None
        if self.logo_path:
            logo = load_picture(Path(self.logo_path))
            if not logo.ok:
                warnings.append(f"Das Logo »{Path(self.logo_path).name}« wurde nicht gedruckt: {logo.problem}")
                logo = None
        note = " · ".join(part for part in (self.course.strip(), self.date_text) if part)
        return StandardFurniture(self.organisation_name, logo, note)


def build_handout(lesson: Lesson, options: HandoutOptions | None = None,
                  cancelled: Callable[[], bool] | None = None) -> Document:
    """The handout of one lesson as a document (A4 portrait when painted on a PDF writer)."""
    options = options or HandoutOptions()
    document = Document(title=lesson.title)
    document.style = options.furniture(document.warnings).page_style()
    add_lesson(document, lesson, options, show_meta=True, cancelled=cancelled)
    return document


def add_lesson(document: Document, lesson: Lesson, options: HandoutOptions, *, show_meta: bool = True,
               anchor: str = "", cancelled: Callable[[], bool] | None = None) -> None:
    """Append the whole handout of *lesson* to *document* (also used for each lesson of a booklet)."""
    devices = options.devices_for(lesson)
    document.add(PageBreak(), Section(lesson.title))
    if anchor:
        document.add(Anchor(anchor))
    document.add(heading(lesson.title, 1))
    if show_meta:
        document.add(_meta_line(options, devices))
    if lesson.description:
        document.add(Text(lesson.description, BODY))
    if lesson.goals:
        document.add(Text("Das lernen Sie heute:", BODY.with_(bold=True), keep_with_next=True, space_after=0))
        document.add(Text([Paragraph([Run(goal)], marker="•") for goal in lesson.goals], BODY, space_before=mm(1)))
    document.add(Rule(1.0, mm(4)))
    for number, step in enumerate(lesson.steps, 1):
        if cancelled is not None and cancelled():
            raise RenderCancelled
        _add_step(document, number, step, devices, options)
    _add_links(document, lesson)
    document.add(heading("Meine Notizen", 2), Lines(NOTE_LINES, fill=True))


def _meta_line(options: HandoutOptions, devices: tuple[Device, ...]) -> Text:
    parts = []
    if options.course.strip():
        parts.append(("Kurs", options.course.strip()))
    parts.append(("Datum", options.date_text))
    if options.trainer.strip():
        parts.append(("Kursleitung", options.trainer.strip()))
    parts.append(("Für", " und ".join(d.label for d in devices)))
    runs: list[Run] = []
    for index, (label, value) in enumerate(parts):
        if index:
            runs.append(Run("   ·   "))
        runs.extend((Run(f"{label}: ", bold=True), Run(value)))
    return Text([Paragraph(runs)], BODY, space_before=mm(2))


def _add_step(document: Document, number: int, step: Step, devices: tuple[Device, ...],
              options: HandoutOptions) -> None:
    document.add(heading(f"{number}. {step.title}", 2))
    pictures = {device: step.picture_for(device) for device in devices}
    if len(devices) == 1 or not step.differs_by_device:
        device = devices[0]
        text = step.text_for(device)
        if text:
            document.add(Text(text, BODY, is_markdown=True))
        _add_picture(document, number, step, pictures[device])
    else:
        if step.text.strip():
            document.add(Text(step.text, BODY, is_markdown=True))
        shared = len({p.path if p else None for p in pictures.values()}) == 1
        if shared:
            _add_picture(document, number, step, pictures[devices[0]])
        for device in devices:
            variant = step.variants.get(device)
            own_picture = None if shared else pictures[device]
            variant_text = variant.text.strip() if variant else ""
            if not variant_text and own_picture is None:
                continue
            document.add(heading(f"Auf dem {device.label}:" if device is Device.IPHONE else "Auf dem Android-Handy:", 3))
            if variant_text:
                document.add(Text(variant_text, BODY, is_markdown=True))
            _add_picture(document, number, step, own_picture)
    if step.key_sentence.strip():
        inner = Text(f"**Merksatz:** {step.key_sentence.strip()}", KEY_SENTENCE, is_markdown=True,
                     space_before=0, space_after=0)
        document.add(Box(inner, frame_pt=2.0))
    items = step.exercise_items()
    if items:
        document.add(heading("Übung", 3, space_before=mm(3)), Checklist(items))
    if options.notes and step.notes.strip():
        inner = Text(f"**Für die Kursleitung:**\n\n{step.notes.strip()}", BODY, is_markdown=True,
                     space_before=0, space_after=0)
        document.add(Box(inner, frame_pt=1.0, dashed=True))


def _add_picture(document: Document, number: int, step: Step, picture: Picture | None) -> None:
    if picture is None:
        return
    loaded: LoadedPicture = load_picture(picture.path, picture.alt)
    if not loaded.ok:
        document.warnings.append(
            f"Schritt {number} »{step.title}«: Bild »{loaded.name}« – {loaded.problem} Es wurde ein Platzhalter gedruckt."
        )
    document.add(PictureBlock(loaded))


def _add_links(document: Document, lesson: Lesson) -> None:
    links = [link for link in lesson.links if link.url.lower().startswith("https://")]
    for link in lesson.links:
        if link not in links:
            document.warnings.append(f"Der Link »{link.title}« ist keine https-Adresse und wurde nicht gedruckt.")
    if not links:
        return
    document.add(heading("Zum Nachschauen im Internet", 2))
    document.add(Text(QR_HINT, BODY, keep_with_next=True))
    for link in links:
        document.add(QrCode(link.url, link.title))
