"""The presenter: audience window on the projector, console on the laptop.

Importing the package lets Qt cache glyphs up to wall-text size (see :func:`cache_wall_glyphs`).
"""

from __future__ import annotations

import os

GLYPH_CACHE_ENV = "QT_MAX_CACHED_GLYPH_SIZE"
# Wall text is 4.5–8.5 % of the screen height, titles 1.35 times that: 248 px on a 4K projector.
WALL_GLYPH_PX = 256


def cache_wall_glyphs() -> None:
    """Let Qt's raster engine cache glyphs up to :data:`WALL_GLYPH_PX` pixels (Qt's default: 64).

    Above the limit Qt fills every glyph as a path on every paint, uncached: a step with 70 px
    text then takes about 60 ms to draw instead of well under 1 ms from the glyph cache. Qt reads
    the limit once, at the first text it draws in the process, so the window program calls this
    before its first window; a value set in the environment by the user wins.
    """
    os.environ.setdefault(GLYPH_CACHE_ENV, str(WALL_GLYPH_PX))


cache_wall_glyphs()
