"""Without the bundled fonts, the wall falls back to a sans-serif that the system really has.

"DejaVu Sans" exists on Linux only; a Windows laptop has "Segoe UI" and "Arial". The font list is
the one a Windows 11 laptop reports (a part of it); the bundled fonts are taken away for the test.
"""

from __future__ import annotations

import pytest

from app.ui import fonts

WINDOWS_FAMILIES = ["Arial", "Calibri", "Cambria", "Consolas", "Segoe UI", "Segoe UI Emoji", "Tahoma", "Verdana"]


@pytest.fixture
def no_bundled_fonts(qapp, monkeypatch):
    monkeypatch.setattr(fonts, "_family", None)
    monkeypatch.setattr(fonts, "load_bundled_fonts", list)
    yield
    fonts._family = None


def test_windows_falls_back_to_segoe_ui(no_bundled_fonts, monkeypatch):
    monkeypatch.setattr(fonts.QFontDatabase, "families", staticmethod(lambda *args: WINDOWS_FAMILIES))
    assert fonts.projection_family() == "Segoe UI"


def test_linux_keeps_dejavu(no_bundled_fonts, monkeypatch):
    monkeypatch.setattr(fonts.QFontDatabase, "families", staticmethod(lambda *args: ["DejaVu Sans", "Arial"]))
    assert fonts.projection_family() == "DejaVu Sans"


def test_the_bundled_font_wins_wherever_it_loads(qapp, monkeypatch):
    monkeypatch.setattr(fonts, "_family", None)
    assert fonts.projection_family() == "Atkinson Hyperlegible"
