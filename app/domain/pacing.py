"""Pacing of a presentation: is the trainer on time against the lesson's planned duration?"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Pace(str, Enum):
    ON_TIME = "im Plan"
    HURRY = "etwas zügiger"
    SLOW_DOWN = "Zeit lassen"


@dataclass(frozen=True)
class PacingStatus:
    pace: Pace
    expected_step: float  # 1-based step where the trainer should be by now
    remaining_minutes: float


TOLERANCE_STEPS = 1.0


def pacing(elapsed_seconds: float, planned_minutes: int, current_step: int, step_count: int) -> PacingStatus:
    """Compare the current step (1-based) with where an even pace would be after *elapsed_seconds*."""
    planned_seconds = max(planned_minutes, 1) * 60
    share = min(max(elapsed_seconds / planned_seconds, 0.0), 1.0)
    expected = 1 + share * max(step_count - 1, 0)
    remaining = max(planned_seconds - elapsed_seconds, 0) / 60
    tolerance = max(TOLERANCE_STEPS, step_count * 0.12)
    if elapsed_seconds > planned_seconds and current_step < step_count:
        pace = Pace.HURRY
    elif current_step < expected - tolerance:
        pace = Pace.HURRY
    elif current_step > expected + tolerance:
        pace = Pace.SLOW_DOWN
    else:
        pace = Pace.ON_TIME
    return PacingStatus(pace=pace, expected_step=round(expected, 1), remaining_minutes=round(remaining, 1))
