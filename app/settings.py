"""Settings that must survive a restart, stored as JSON in the data directory."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from app import paths

log = logging.getLogger(__name__)
SETTINGS_FILE = "einstellungen.json"


@dataclass
class Settings:
    user_lesson_dir: str = ""
    theme: str = "hell"  # "hell" | "dunkel"
    device: str = "android"  # "android" | "iphone"
    ui_font_pt: int = 14
    font_scale: float = 1.0
    audience_screen: str = ""  # name of the screen last chosen for the audience
    swap_screens: bool = False
    window_geometry: str = ""  # hex of QWidget.saveGeometry()

    @classmethod
    def load(cls) -> Settings:
        path = paths.data_dir() / SETTINGS_FILE
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as error:
            log.warning("Einstellungen nicht lesbar (%s), Standardwerte werden benutzt", error)
            return cls()
        known = {f.name for f in fields(cls)}
        settings = cls()
        for key, value in raw.items() if isinstance(raw, dict) else []:
            if key in known and isinstance(value, type(getattr(settings, key))):
                setattr(settings, key, value)
        settings.ui_font_pt = min(max(settings.ui_font_pt, 11), 28)
        settings.font_scale = min(max(settings.font_scale, 0.5), 2.0)
        return settings

    def save(self) -> None:
        """Write atomically (temp file + rename) so a crash never leaves half a file."""
        from app.atomic_write import write_bytes_atomically

        text = json.dumps(asdict(self), ensure_ascii=False, indent=2)
        write_bytes_atomically(paths.data_dir() / SETTINGS_FILE, text.encode("utf-8"), 0o600)

    def user_lesson_dirs(self) -> list[Path]:
        return [Path(self.user_lesson_dir).expanduser()] if self.user_lesson_dir else []
