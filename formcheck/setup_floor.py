"""The noise floor the setup check reads: how much a still body seems to move.

A check can only be judged where the landmarks it measures hold still while
the person does: lying still, a heel that seems to wander 5 cm can't show a
4 cm drift. The setup check (`formcheck.setup_check`) asks a `FloorEstimate`
for each check's floor over a still stretch and calls a check that can't
clear it "can't be judged from here".

`jitter_floor` is a stand-in until the engine's own per-clip noise floor
(issue 14 item 2) is in: the 95th percentile of how far each measured point
strays from its median position over the still frames, in cm at the image
scale. It covers checks measured on image points in cm; others get no floor
(``None``: judged by the view alone).

>>> import numpy as np
>>> from formcheck.frame import PoseFrame
>>> from formcheck.specs import find_spec
>>> from formcheck.engine.view import calibrate
>>> img = np.full((33, 4), 0.5); img[:, 3] = 1.0
>>> img[23, :2], img[24, :2], img[11, :2], img[12, :2] = (.4, .5), (.45, .5), (.4, .2), (.45, .2)
>>> frames = [PoseFrame(t=i / 10, width=640, height=480, image=img) for i in range(20)]
>>> cal = calibrate(frames[0].pixels(), None)
>>> floors = jitter_floor(frames, find_spec("heel_slide"), "left", cal)
>>> floors["heel_off_line"].value, floors["heel_off_line"].judged
(0.0, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from formcheck.engine.geometry import pair
from formcheck.engine.view import Calibration
from formcheck.frame import PoseFrame
from formcheck.specs import Spec
from formcheck.specs.model import CheckSpec

#: A check is judged only where its limit clears the floor by this factor.
MARGIN = 1.5


@dataclass(frozen=True)
class Floor:
    """One check's noise floor over a still stretch, in the check's unit.

    ``judged`` is True when ``limit`` clears ``value`` by `MARGIN`.
    """

    code: str
    value: float
    limit: float
    unit: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.value) and self.value >= 0):
            raise ValueError(f"{self.code}: expected a floor >= 0, got {self.value!r}")
        if not self.limit > 0:
            raise ValueError(f"{self.code}: expected a limit > 0, got {self.limit!r}")

    @property
    def judged(self) -> bool:
        """True when a fault at the limit stands out from the floor."""
        return self.value * MARGIN <= self.limit


#: ``(still frames, spec, side, calibration) -> {check code: Floor}``; a check left
#: out has no floor (judged by the view alone).
FloorEstimate = Callable[[Sequence[PoseFrame], Spec, str, Calibration], Mapping[str, Floor]]


def _points(check: CheckSpec, spec: Spec) -> tuple[str, ...]:
    """The image points a check in cm measures (none: not an image-point check)."""
    if check.unit != "cm":
        return ()
    if check.kind == "path_straightness" and check.arg("space", "image") == "image":
        return (str(check.arg("point")),)
    if check.metric is not None:
        metric = spec.metric(check.metric)
        if metric.kind == "displacement" and metric.arg("space") == "image":
            return tuple(metric.arg("points") or ())
    return ()


def jitter_floor(
    frames: Sequence[PoseFrame], spec: Spec, side: str, cal: Calibration
) -> Mapping[str, Floor]:
    """Each image-point check's floor: the 95th percentile stray of its points, in cm."""
    legs = ("left", "right") if side not in ("left", "right") else (side,)
    posed = [f for f in frames if f.has_pose]
    if not posed or not cal.px_per_cm > 0:
        return {}
    px = np.stack([f.pixels() for f in posed])
    floors: dict[str, Floor] = {}
    for check in spec.checks:
        refs = _points(check, spec)
        if not refs:
            continue
        strays = []
        for leg in legs:
            for ref in refs:
                i, j = pair(ref, leg)
                track = (px[:, i] + px[:, j]) / 2.0
                track = track[np.isfinite(track).all(axis=1)]
                if len(track):
                    strays.append(np.linalg.norm(track - np.median(track, axis=0), axis=1))
        if strays:
            value = float(np.percentile(np.concatenate(strays), 95)) / cal.px_per_cm
            floors[check.code] = Floor(check.code, value, check.limit_for(cal.view), check.unit)
    return floors
