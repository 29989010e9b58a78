"""Which screen shows the audience window and which the console: a pure function of the screens."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenInfo:
    name: str
    x: int
    y: int
    width: int
    height: int
    primary: bool = False

    @property
    def area(self) -> int:
        return self.width * self.height


@dataclass(frozen=True)
class Placement:
    """Indices into the screen list; ``console`` is None when only one screen exists."""

    audience: int
    console: int | None

    @property
    def single_screen(self) -> bool:
        return self.console is None


def choose_screens(screens: list[ScreenInfo], preferred_audience: str = "", swapped: bool = False) -> Placement:
    """Console on the laptop's (primary) screen, audience on the projector.

    The projector is the screen the trainer chose last time (by name) if it is connected,
    else the largest non-primary screen. ``swapped`` exchanges the two (key S).
    """
    if not screens:
        raise ValueError("keine Bildschirme")
    if len(screens) == 1:
        return Placement(audience=0, console=None)
    primary = next((i for i, s in enumerate(screens) if s.primary), 0)
    others = [i for i in range(len(screens)) if i != primary]
    named = [i for i in others if preferred_audience and screens[i].name == preferred_audience]
    if named:
        audience = named[0]
    else:
        # largest area; ties broken by position (left to right) so the choice is stable
        audience = max(others, key=lambda i: (screens[i].area, -screens[i].x, -screens[i].y))
    console = primary
    if swapped:
        audience, console = console, audience
    return Placement(audience=audience, console=console)
