"""The yardstick set beside the engine: a one-angle counter of the kind most open trainers use.

It watches one angle, the working leg's hip-knee-ankle angle in the image,
and counts a rep each time it crosses from below `BENT` to above `EXTENDED`
(a heel slide that rests bent counts as the leg straightens; one that rests
straight, as it straightens again). The leg is given, never guessed. It has no notion of
partial reps, views, rest or noise: that is the point. When the engine's
machinery does worse than this on footage it was not fitted to, the
machinery is measuring the wrong thing (the issue that set the validation
suite up found exactly that on independent renders).

Scored against the truth's reps whose knee really spanned both lines: the
reps this counter is built to see. Partial reps that stop short of a line
are invisible to it by design, so they are left out of its truth, which
favours it.

    >>> one_angle_count(np.array([170, 150, 110, np.nan, 100, 140, 160, 175, 115, 155.0]))
    2
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from formcheck.engine.geometry import angle_at
from formcheck.frame import PoseFrame
from formcheck.landmarks import index

EXTENDED = 150.0  # degrees: straight enough to end a rep
BENT = 120.0  # degrees: bent enough to start one
VISIBLE = 0.5  # MediaPipe's own default presence line


def knee_angles_2d(frames: Sequence[PoseFrame], leg: str) -> np.ndarray:
    """Per frame, the ``leg``'s hip-knee-ankle angle in image pixels (degrees); NaN where
    there is no pose or one of the three landmarks is under `VISIBLE`."""
    ijk = [index(f"{leg}_{part}") for part in ("hip", "knee", "ankle")]
    out = np.full(len(frames), np.nan)
    for i, frame in enumerate(frames):
        if frame.image is None or frame.image[ijk, 3].min() < VISIBLE:
            continue
        out[i] = angle_at(*(frame.image[ijk, :2] * (frame.width, frame.height)))
    return out


def one_angle_count(angles: np.ndarray, extended: float = EXTENDED, bent: float = BENT) -> int:
    """Reps in an angle series: each fall below ``bent`` followed by a rise above
    ``extended``. NaN (not seen) changes nothing."""
    count, down = 0, False
    for angle in angles:
        if angle < bent:
            down = True
        elif down and angle > extended:
            count, down = count + 1, False
    return count


def spanning_reps(
    ranges: Iterable[tuple[float, float]], extended: float = EXTENDED, bent: float = BENT
) -> int:
    """How many reps, by their true (most-bent, straightest) knee angles, this counter is
    built to see: those that crossed both lines.

    >>> spanning_reps([(95, 176), (95, 125), (60, 170)])
    2
    """
    return sum(1 for low, high in ranges if low < bent and high > extended)
