"""Autosaved drafts of lessons being edited, so nothing typed is lost when the program or the laptop crashes.

A draft is a JSON file in ``<Datenordner>/entwuerfe/`` named after a hash of the lesson folder:
``{"ordner": …, "text": …, "gespeichert": ISO time}``. It is written atomically a moment after each
change, removed when the lesson is saved or the changes are discarded, and offered for recovery
when the same lesson is opened again and the draft differs from the file. No Qt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.atomic_write import write_bytes_atomically

log = logging.getLogger(__name__)
MAX_DRAFT_BYTES = 2_000_000


@dataclass(frozen=True)
class Draft:
    folder: Path
    text: str
    saved: dt.datetime

    @property
    def saved_text(self) -> str:
        return self.saved.astimezone().strftime("%d.%m.%Y um %H:%M Uhr")


def draft_path(folder: Path) -> Path:
    key = hashlib.sha256(str(Path(folder).resolve()).encode("utf-8")).hexdigest()[:20]
    return paths.data_dir() / "entwuerfe" / f"{key}.json"


def save_draft(folder: Path, text: str) -> None:
    """Write the draft; a failure is logged (the editor keeps running and retries on the next change)."""
    target = draft_path(folder)
    payload = {"ordner": str(Path(folder).resolve()), "text": text,
               "gespeichert": dt.datetime.now(dt.timezone.utc).isoformat()}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(target, json.dumps(payload, ensure_ascii=False).encode("utf-8"), mode=0o600)
    except OSError as error:
        log.warning("Entwurf für %s nicht gespeichert: %s", folder, error)


def load_draft(folder: Path) -> Draft | None:
    path = draft_path(folder)
    try:
        if path.stat().st_size > MAX_DRAFT_BYTES:
            return None
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("ordner") != str(Path(folder).resolve()) or not isinstance(raw.get("text"), str):
            return None
        return Draft(Path(folder), raw["text"], dt.datetime.fromisoformat(raw["gespeichert"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as error:
        log.warning("Entwurf %s nicht lesbar: %s", path, error)
        return None


def discard_draft(folder: Path) -> None:
    try:
        draft_path(folder).unlink(missing_ok=True)
    except OSError as error:
        log.warning("Entwurf für %s nicht gelöscht: %s", folder, error)
