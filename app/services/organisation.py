"""Settings of the organisation (name, logo, funding line), trainers and Ortsgemeinden."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.attendance import NAME_MAX, InputError
from app.services import events
from app.storage.database import Database
from app.storage.models import Municipality, Organisation, Trainer

LOGO_MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class OrganisationSettings:
    """What sheets and certificates print in their header and footer."""

    name: str = ""
    funding_line: str = ""
    contact: str = ""
    logo_png: bytes | None = None


def get_settings(db: Database) -> OrganisationSettings:
    with db.sessions() as session:
        row = _organisation_row(session, create=False)
        if row is None:
            return OrganisationSettings()
        return OrganisationSettings(row.name, row.funding_line, row.contact, row.logo_png)


def save_settings(db: Database, settings: OrganisationSettings, trainers: list[str] | None = None) -> None:
    """Store the organisation settings (and the trainer list); the logo must be a PNG of at most 2 MB."""
    errors = []
    if len(settings.name.strip()) > 200:
        errors.append("Name der Organisation: höchstens 200 Zeichen.")
    if len(settings.contact.strip()) > 200:
        errors.append("Kontakt: höchstens 200 Zeichen.")
    if settings.logo_png is not None:
        if not settings.logo_png.startswith(b"\x89PNG\r\n\x1a\n"):
            errors.append("Logo: Die Datei ist kein PNG-Bild.")
        elif len(settings.logo_png) > LOGO_MAX_BYTES:
            errors.append("Logo: Das Bild ist größer als 2 MB. Bitte ein kleineres Bild wählen.")
    if errors:
        raise InputError(errors)
    wanted = _clean_names(trainers, "Trainer") if trainers is not None else None
    with db.transaction() as session:
        row = _organisation_row(session, create=True)
        assert row is not None
        row.name = settings.name.strip()
        row.funding_line = settings.funding_line.strip()
        row.contact = settings.contact.strip()
        row.logo_png = settings.logo_png
        if wanted is not None:
            _set_trainers(session, wanted)
    events.notify(events.SETTINGS, events.COURSES)


def _organisation_row(session: Session, create: bool) -> Organisation | None:
    row = session.scalars(
        select(Organisation).where(Organisation.deleted.is_(False)).order_by(Organisation.id)
    ).first()
    if row is None and create:
        row = Organisation()
        session.add(row)
    return row


def trainer_names(db: Database) -> list[str]:
    with db.sessions() as session:
        return list(session.scalars(
            select(Trainer.name).where(Trainer.deleted.is_(False)).order_by(Trainer.name)
        ))


def municipality_names(db: Database) -> list[str]:
    with db.sessions() as session:
        return list(session.scalars(
            select(Municipality.name).where(Municipality.deleted.is_(False)).order_by(Municipality.name)
        ))


def _set_trainers(session: Session, wanted: list[str]) -> None:
    """Make the list of trainers exactly *wanted*; courses keep showing whoever led them."""
    existing = {t.name: t for t in session.scalars(select(Trainer))}
    for name, trainer in existing.items():
        trainer.deleted = name not in wanted
    for name in wanted:
        if name not in existing:
            session.add(Trainer(name=name))


def trainer_for(session: Session, name: str) -> Trainer:
    """The trainer called *name*, created (or revived) if needed."""
    trainer = session.scalars(select(Trainer).where(Trainer.name == name)).first()
    if trainer is None:
        trainer = Trainer(name=name)
        session.add(trainer)
    trainer.deleted = False
    return trainer


def municipality_for(session: Session, name: str) -> Municipality | None:
    """The Ortsgemeinde called *name* (created if needed); ``None`` for an empty name."""
    name = " ".join(name.split())
    if not name:
        return None
    row = session.scalars(select(Municipality).where(Municipality.name == name)).first()
    if row is None:
        row = Municipality(name=name)
        session.add(row)
    row.deleted = False
    return row


def _clean_names(names: list[str], what: str) -> list[str]:
    cleaned: list[str] = []
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > NAME_MAX:
            raise InputError([f"{what}: »{name[:30]}…« ist zu lang (höchstens {NAME_MAX} Zeichen)."])
        if name not in cleaned:
            cleaned.append(name)
    return cleaned
