"""The wall is sharp at Windows' 125 % and 150 % display scaling (devicePixelRatio 1.25/1.5).

Frames painted ahead (while the trainer talks) used to be images at logical size: at 150 % Qt
enlarged them by half and the text on the projector was soft. Each scaling runs in its own process
with Qt's scale factor (offscreen), as the scaling is fixed when the application starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_results: dict[str, dict] = {}


def _wall(scale: str) -> dict:
    if scale not in _results:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale,
               "PYTHONPATH": str(ROOT), "QT_LOGGING_RULES": "qt.qpa.*=false"}
        done = subprocess.run([sys.executable, str(ROOT / "tests" / "wall_scaling_probe.py")], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        _results[scale] = json.loads(done.stdout.strip().splitlines()[-1])
    return _results[scale]


@pytest.mark.parametrize(("scale", "ratio"), [("1.25", 1.25), ("1.5", 1.5)])
def test_the_wall_frame_has_device_pixels_and_is_as_sharp_as_at_100_percent(scale, ratio):
    wall = _wall(scale)
    assert wall["ratio"] == ratio
    # the offscreen screen is 800×800 device pixels: 640 (1.25) or 533 (1.5) logical pixels
    assert wall["frame"] == wall["shown"] == [800, 800]
    assert wall["differing_direct"] == 0  # the copied frame is exactly the step painted at device resolution
    assert wall["differing_enlarged"] > 10_000  # control: the old enlarged frame really looks different
    at_100 = _wall("1")["mid_shown"]
    # grey pixels among the text's dark ones measure soft edges; enlarged frames have ~10 % more
    assert wall["mid_shown"] <= at_100 * 1.03
    assert wall["mid_enlarged"] > at_100 * 1.03
