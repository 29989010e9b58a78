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
from app.domain.lesson import Link
from app.render.blocks import Box, Checklist, Lines, Rule
from app.render.document import Anchor, Block, Document, PageBreak, RenderCancelled, Section
from app.render.furniture import StandardFurniture
from app.render.keep import DevicePart, Group
from app.render.markdown import Paragraph, Run
from app.render.pictures import LoadedPicture, PictureBlock, load_picture
from app.render.qr import QrCode, align_codes
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
    duplex: bool = False  # »beidseitig«: every lesson of a booklet starts on a right-hand page

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
    document.author = options.trainer.strip() or options.organisation_name
    document.style = options.furniture(document.warnings).page_style()
    add_lesson(document, lesson, options, show_meta=True, cancelled=cancelled)
    return document


def add_lesson(document: Document, lesson: Lesson, options: HandoutOptions, *, show_meta: bool = True,
               anchor: str = "", cancelled: Callable[[], bool] | None = None) -> None:
    """Append the whole handout of *lesson* to *document* (also used for each lesson of a booklet)."""
    devices = options.devices_for(lesson)
    document.add(PageBreak(right_hand=options.duplex), Section(lesson.title))
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
    _add_links(document, lesson, devices)
    notes = Group([heading("Meine Notizen", 2), Lines(NOTE_LINES, fill=True)])
    notes.fill_page = notes.optional = True  # left out when the last page has no room for them
    document.add(notes)


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
    """Heading, first text and first picture share a page; each device's part has its own side bar."""
    title = heading(f"{number}. {step.title}", 2)
    pictures = {device: step.picture_for(device) for device in devices}
    if len(devices) == 1 or not step.differs_by_device:
        device = devices[0]
        text = step.text_for(device)
        document.add(Group([title, Text(text, BODY, is_markdown=True) if text else None,
                            _picture(document, number, step, pictures[device])]))
    else:
        shared = len({p.path if p else None for p in pictures.values()}) == 1
        head = Group([title, Text(step.text, BODY, is_markdown=True) if step.text.strip() else None,
                      _picture(document, number, step, pictures[devices[0]]) if shared else None])
        # without a shared picture, the first device's part (with its picture) stays with the heading
        head.keep_with_next = not shared or pictures[devices[0]] is None
        document.add(head)
        for device in devices:
            variant = step.variants.get(device)
            own_picture = None if shared else _picture(document, number, step, pictures[device])
            variant_text = variant.text.strip() if variant else ""
            if not variant_text and own_picture is None:
                continue
            document.add(DevicePart(device, [Text(variant_text, BODY, is_markdown=True, space_before=0)
                                             if variant_text else None, own_picture]))
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


def _picture(document: Document, number: int, step: Step, picture: Picture | None) -> Block | None:
    if picture is None:
        return None
    loaded: LoadedPicture = load_picture(picture.path, picture.alt)
    if not loaded.ok:
        document.warnings.append(
            f"Schritt {number} »{step.title}«: Bild »{loaded.name}« – {loaded.problem} Es wurde ein Platzhalter gedruckt."
        )
    return PictureBlock(loaded)


_ANDROID_MARKS = ("android", "play.google.", "samsung", "google play")
_IPHONE_MARKS = ("iphone", "apple.com", "ipad", "app store", "ios")


def link_device(link: Link) -> Device | None:
    """The device a help link is only for (Apple's or Google's Android help), or None for both."""
    text = f"{link.title} {link.url}".casefold()
    android = any(mark in text for mark in _ANDROID_MARKS)
    iphone = any(mark in text for mark in _IPHONE_MARKS)
    if android and not iphone:
        return Device.ANDROID
    if iphone and not android:
        return Device.IPHONE
    return None


def _add_links(document: Document, lesson: Lesson, devices: tuple[Device, ...]) -> None:
    """QR codes for the lesson's links; a device-only handout leaves out the other device's help."""
    wanted = [link for link in lesson.links if link_device(link) in (None, *devices)]
    links = [link for link in wanted if link.url.lower().startswith("https://")]
    for link in wanted:
        if link not in links:
            document.warnings.append(f"Der Link »{link.title}« ist keine https-Adresse und wurde nicht gedruckt.")
    if not links:
        return
    codes = [QrCode(link.url, link.title) for link in links]
    align_codes(codes)
    document.add(Group([heading("Zum Nachschauen im Internet", 2), Text(QR_HINT, BODY), codes[0]]))
    document.add(*codes[1:])
