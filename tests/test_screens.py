"""Choice of screens as a pure function, with fake geometries."""

from __future__ import annotations

import pytest

from app.domain.screens import ScreenInfo, choose_screens

LAPTOP = ScreenInfo("eDP-1", 0, 0, 1366, 768, primary=True)
BEAMER = ScreenInfo("HDMI-1", 1366, 0, 1024, 768)
TV = ScreenInfo("DP-1", 2390, 0, 1920, 1080)


def test_single_screen_has_no_console():
    placement = choose_screens([LAPTOP])
    assert placement.audience == 0 and placement.console is None and placement.single_screen


def test_projector_gets_audience_laptop_gets_console():
    placement = choose_screens([LAPTOP, BEAMER])
    assert (placement.audience, placement.console) == (1, 0)


def test_primary_need_not_be_first():
    placement = choose_screens([BEAMER, LAPTOP])
    assert (placement.audience, placement.console) == (0, 1)


def test_largest_other_screen_wins():
    placement = choose_screens([LAPTOP, BEAMER, TV])
    assert placement.audience == 2 and placement.console == 0


def test_remembered_projector_wins_when_connected():
    assert choose_screens([LAPTOP, BEAMER, TV], preferred_audience="HDMI-1").audience == 1
    assert choose_screens([LAPTOP, TV], preferred_audience="HDMI-1").audience == 1


def test_swapped():
    placement = choose_screens([LAPTOP, BEAMER], swapped=True)
    assert (placement.audience, placement.console) == (0, 1)


def test_no_primary_flag_uses_first_as_laptop():
    a = ScreenInfo("A", 0, 0, 800, 600)
    b = ScreenInfo("B", 800, 0, 800, 600)
    placement = choose_screens([a, b])
    assert (placement.audience, placement.console) == (1, 0)


def test_no_screens_is_an_error():
    with pytest.raises(ValueError):
        choose_screens([])
