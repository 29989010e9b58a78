"""The window program's look: Qt's own German texts, one calm palette shared with the wall, icons.

- German: Qt's translations (``qtbase_de``) are loaded, so standard buttons (»Ja«/»Nein«), file and
  print dialogs and shortcut texts (»Strg+Q«) are German like the program's own words.
- Colours come from the wall's themes (:mod:`app.domain.contrast`): the same dark blue (light)
  or yellow (dark) marks what to do next in the window, on the wall and in the handouts.
- Icons are Lucide SVGs (ISC licence, ``ressourcen/icons/lucide/LICENSE.txt``), drawn in the
  palette's text colour so they read in light and dark alike.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QLibraryInfo,
    QLocale,
    QRectF,
    QSize,
    Qt,
    QTranslator,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from app import paths
from app.domain.contrast import DARK, LIGHT

if TYPE_CHECKING:  # imported when a status is drawn: the attendance model is not needed for the first paint
    from app.domain.attendance import AttendanceStatus

log = logging.getLogger(__name__)
ICON_FOLDER = ("icons", "lucide")
TOUCH_PX = 44  # 9 mm at 96 dpi: the smallest target a finger hits reliably
_translators: list[QTranslator] = []
_arrow_folder: str | None = None


# --------------------------------------------------------------------------- German texts


def install_german(app: QApplication) -> list[str]:
    """Load Qt's German translations once; returns the catalogues loaded (for the log and tests)."""
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    if _translators:
        return [t.filePath() for t in _translators]
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    loaded = []
    for catalogue in ("qtbase_de",):  # qt_de is a meta catalogue naming modules not shipped
        translator = QTranslator(app)
        if translator.load(catalogue, folder):
            app.installTranslator(translator)
            _translators.append(translator)
            loaded.append(translator.filePath())
        else:
            log.warning("Qt-Übersetzung %s nicht gefunden in %s", catalogue, folder)
    return loaded


# --------------------------------------------------------------------------- palette


@dataclass(frozen=True)
class Colours:
    """Colours of the window in one mode; accent and boxes are the wall's."""

    name: str
    window: str
    base: str
    alternate: str
    text: str
    muted: str
    border: str
    accent: str  # the primary action ("what to do next")
    on_accent: str
    highlight: str
    note_background: str  # the wall's Merksatz yellow
    info_background: str  # the wall's Übung blue
    error: str
    ok: str


LIGHT_COLOURS = Colours(
    name="hell", window="#f4f6f9", base="#ffffff", alternate="#eef2f7", text="#14181f", muted="#4a5568",
    border="#c3ccd8", accent=LIGHT.accent_text, on_accent="#ffffff", highlight="#cfe0f5",
    note_background=LIGHT.box_background, info_background=LIGHT.exercise_background, error="#8a1c00", ok="#1b5e20",
)
DARK_COLOURS = Colours(
    name="dunkel", window="#16191e", base="#0d0f12", alternate="#1d2229", text="#f2f4f7", muted="#b8c0cc",
    border="#3a424e", accent=DARK.accent_text, on_accent="#000000", highlight="#2a3b55",
    note_background=DARK.box_background, info_background=DARK.exercise_background, error="#ff9c85", ok="#8fd694",
)
_current = LIGHT_COLOURS


@dataclass(frozen=True)
class StatusLook:
    """How one check-in status looks: colour, icon and word, never colour alone."""

    word: str
    icon: str
    background: str
    text: str
    border: str


def status_look(status: AttendanceStatus | None, colours: Colours | None = None) -> StatusLook:
    from app.domain.attendance import AttendanceStatus

    dark = (colours or _current).name == "dunkel"
    if status is AttendanceStatus.PRESENT:
        return StatusLook("anwesend", "circle-check", "#1b5e20" if not dark else "#1f6f2a", "#ffffff", "#0f3d14")
    if status is AttendanceStatus.EXCUSED:
        return StatusLook("entschuldigt", "circle-minus", "#fff1a8" if not dark else "#4a3d00",
                          "#000000" if not dark else "#ffffff", "#8a6d00" if not dark else "#ffe066")
    if status is AttendanceStatus.ABSENT:
        return StatusLook("unentschuldigt", "circle-x", "#fde2dc" if not dark else "#4a1409",
                          "#5c1200" if not dark else "#ffffff", "#8a1c00" if not dark else "#ff9c85")
    c = colours or _current
    return StatusLook("noch nicht da", "circle-dashed", c.base, c.text, c.border)


def colours() -> Colours:
    return _current


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints is not None and hints.colorScheme() == Qt.ColorScheme.Dark


def apply_look(app: QApplication, mode: str = "", with_stylesheet: bool = True) -> Colours:
    """Fusion style with the program's palette and stylesheet; *mode* "hell", "dunkel" or "" (system).

    ``with_stylesheet=False`` leaves the stylesheet to :func:`apply_stylesheet`: the window program
    applies it once its main window is built, which polishes every widget once instead of again
    for each widget added to the window (about a third of the window's construction time).
    """
    global _current
    dark = mode == "dunkel" or (not mode and system_prefers_dark())
    _current = DARK_COLOURS if dark else LIGHT_COLOURS
    c = _current
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: c.window, QPalette.ColorRole.WindowText: c.text, QPalette.ColorRole.Base: c.base,
        QPalette.ColorRole.AlternateBase: c.alternate, QPalette.ColorRole.Text: c.text,
        QPalette.ColorRole.Button: c.alternate, QPalette.ColorRole.ButtonText: c.text,
        QPalette.ColorRole.ToolTipBase: c.base, QPalette.ColorRole.ToolTipText: c.text,
        QPalette.ColorRole.Highlight: c.accent, QPalette.ColorRole.HighlightedText: c.on_accent,
        QPalette.ColorRole.PlaceholderText: c.muted, QPalette.ColorRole.Link: c.accent,
        QPalette.ColorRole.BrightText: c.error, QPalette.ColorRole.Mid: c.border, QPalette.ColorRole.Dark: c.border,
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted))
    app.setPalette(palette)
    if with_stylesheet:
        apply_stylesheet(app)
    icon.cache_clear()
    return c


def apply_stylesheet(app: QApplication) -> None:
    """The stylesheet of the current look (:func:`apply_look` chose light or dark)."""
    app.setStyleSheet(stylesheet(_current))


def stylesheet(c: Colours) -> str:
    """Calm surfaces, clear focus, one filled button per screen (``primary``) for the next step."""
    return f"""
QPushButton {{ background: {c.alternate}; color: {c.text}; border: 1px solid {c.border}; border-radius: 6px;
  padding: 6px 14px; min-height: {TOUCH_PX - 14}px; }}
QPushButton:hover {{ border-color: {c.accent}; }}
QPushButton:focus {{ border: 2px solid {c.accent}; }}
QPushButton:disabled {{ color: {c.muted}; background: {c.window}; }}
QPushButton[primary="true"] {{ background: {c.accent}; color: {c.on_accent}; border: 1px solid {c.accent};
  font-weight: bold; }}
QPushButton[primary="true"]:disabled {{ background: {c.border}; color: {c.muted}; }}
QPushButton:checked {{ background: {c.accent}; color: {c.on_accent}; border-color: {c.accent}; }}
QPushButton[danger="true"] {{ color: {c.error}; border-color: {c.error}; }}
QLineEdit, QComboBox {{ background: {c.base}; color: {c.text}; border: 1px solid {c.border};
  border-radius: 5px; padding: 4px 6px; min-height: {TOUCH_PX - 10}px; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: 30px;
  border: none; border-left: 1px solid {c.border}; }}
QComboBox::down-arrow {{ image: url({_symbol_file("chevron-down", c.text)}); width: 18px; height: 18px; }}
QComboBox QAbstractItemView {{ background: {c.base}; color: {c.text}; selection-background-color: {c.accent};
  selection-color: {c.on_accent}; }}
QComboBox QAbstractItemView::item {{ min-height: {TOUCH_PX - 4}px; }}
QSpinBox {{ min-height: {TOUCH_PX - 10}px; }}
QLineEdit:focus, QComboBox:focus {{ border: 2px solid {c.accent}; }}
QListView, QTableView, QTextBrowser, QListWidget {{ background: {c.base}; border: 1px solid {c.border};
  border-radius: 5px; }}
QListView::item, QListWidget::item {{ min-height: {TOUCH_PX - 8}px; padding: 6px 6px; }}
QListView::indicator, QListWidget::indicator {{ width: 24px; height: 24px; }}
QListView::item:selected, QListWidget::item:selected, QTableView::item:selected {{ background: {c.accent};
  color: {c.on_accent}; }}
QHeaderView::section {{ background: {c.alternate}; color: {c.text}; border: none;
  border-bottom: 1px solid {c.border}; padding: 4px 8px; font-weight: bold; }}
QTabBar::tab {{ padding: 8px 18px; min-height: 28px; border: 1px solid transparent; color: {c.muted}; }}
QTabBar::tab:selected {{ color: {c.text}; border-bottom: 3px solid {c.accent}; font-weight: bold; }}
QTabWidget::pane {{ border-top: 1px solid {c.border}; }}
QCheckBox, QRadioButton {{ min-height: {TOUCH_PX}px; spacing: 10px; }}
QCheckBox::indicator, QRadioButton::indicator {{ width: 24px; height: 24px; border: 2px solid {c.muted};
  background: {c.base}; }}
QCheckBox::indicator {{ border-radius: 5px; }}
QRadioButton::indicator {{ border-radius: 14px; }}
QCheckBox::indicator:checked {{ background: {c.accent}; border-color: {c.accent};
  image: url({_symbol_file("check", c.on_accent)}); }}
QRadioButton::indicator:checked {{ background: {c.accent}; border: 7px solid {c.base}; outline: none; }}
QCheckBox::indicator:disabled {{ border-color: {c.border}; }}
QMenu::item {{ padding: 10px 28px 10px 16px; min-height: 24px; }}
QMenu::item:selected {{ background: {c.accent}; color: {c.on_accent}; }}
QMenuBar::item {{ padding: 6px 12px; }}
QStatusBar {{ color: {c.muted}; }}
QLabel[role="heading"] {{ color: {c.text}; font-weight: bold; }}
QLabel[role="muted"] {{ color: {c.muted}; }}
QGroupBox {{ border: 1px solid {c.border}; border-radius: 6px; margin-top: 1.2em; padding-top: 6px; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; }}
QProgressBar {{ border: 1px solid {c.border}; border-radius: 5px; text-align: center; min-height: 22px;
  color: {c.text}; background: {c.base}; }}
QProgressBar::chunk {{ background: {c.highlight}; }}
"""


def _symbol_file(name: str, colour: str) -> str:
    """The icon *name* in *colour*, as a file a stylesheet can name (drop-down arrow, tick)."""
    global _arrow_folder
    if _arrow_folder is None:
        _arrow_folder = tempfile.mkdtemp(prefix="kurslotse-symbole-")
        atexit.register(shutil.rmtree, _arrow_folder, True)
    target = Path(_arrow_folder) / f"{name}-{colour.lstrip('#')}.svg"
    if not target.exists():
        try:
            svg = (paths.resource(*ICON_FOLDER) / f"{name}.svg").read_text(encoding="utf-8")
            target.write_text(svg.replace("currentColor", colour).replace('stroke-width="2"', 'stroke-width="3"'),
                              encoding="utf-8")
        except OSError as error:
            log.warning("Pfeilsymbol nicht geschrieben: %s", error)
    return target.as_posix()


def apply_ui_font(point_size: int) -> None:
    """The program's font size in points (the settings' »Schriftgröße im Programm«)."""
    font = QApplication.font()
    font.setPointSize(point_size)
    QApplication.setFont(font)


def mark_primary(widget, primary: bool = True) -> None:  # noqa: ANN001 - any QWidget
    """Style *widget* as the main action of its screen (filled in the accent colour)."""
    widget.setProperty("primary", primary)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def mark_danger(widget) -> None:  # noqa: ANN001 - any QWidget
    widget.setProperty("danger", True)


# --------------------------------------------------------------------------- icons


@lru_cache(maxsize=256)
def icon(name: str, colour: str = "") -> QIcon:
    """The Lucide icon *name*, drawn in *colour* (default: the palette's text colour)."""
    path = paths.resource(*ICON_FOLDER) / f"{name}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
    except OSError:
        log.warning("Symbol fehlt: %s", path)
        return QIcon()
    svg = svg.replace("currentColor", colour or _current.text)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    result = QIcon()
    for side in (16, 24, 32, 48, 64):
        image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, side, side))
        painter.end()
        result.addPixmap(QPixmap.fromImage(image))
    return result


def with_icon(button, name: str, colour: str = "", side: int = 24):  # noqa: ANN001, ANN201 - QAbstractButton
    """Give *button* the icon *name* at *side* pixels; returns the button."""
    button.setIcon(icon(name, colour))
    button.setIconSize(QSize(side, side))
    return button


def heading_font(base: QFont, factor: float = 1.35) -> QFont:
    font = QFont(base)
    size = font.pointSizeF() if font.pointSizeF() > 0 else 14.0
    font.setPointSizeF(size * factor)
    font.setBold(True)
    return font
