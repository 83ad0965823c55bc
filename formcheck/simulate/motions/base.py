"""What every exercise motion provides, and the per-frame controls it is driven by.

A motion turns controls (how far through its range each side is, and any
injected fault) into a `Posture`. It never sees time: the timeline decides
when reps happen and the simulator samples the motion frame by frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck.landmarks import NAMES
from formcheck.simulate.body import Body
from formcheck.simulate.geometry import included_angle
from formcheck.simulate.skeleton import SIDES, Posture
from formcheck.simulate.views import ViewPreset

KINDS = ("rep", "hold")
FAULTS = ("veer", "pelvis_shift", "pelvis_roll")


@dataclass(frozen=True)
class Controls:
    """One frame's commands to a motion.

    ``progress[side]`` is the fraction of the full range reached by that
    side's working limb (both sides for two-sided exercises); ``veer[side]``
    is that heel's sideways drift in metres (positive away from the midline);
    ``pelvis_shift`` is metres toward the body's left; ``pelvis_roll`` is
    degrees with the left hip up. ``stance`` is the session's own side
    (left or right) for motions that arrange the whole body by it, such as
    which side is on top in side-lying.
    """

    progress: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    veer: dict[str, float] = field(default_factory=lambda: {"left": 0.0, "right": 0.0})
    pelvis_shift: float = 0.0
    pelvis_roll: float = 0.0
    stance: str = "left"

    def nominal(self) -> Controls:
        """The same frame without any fault."""
        return Controls(progress=dict(self.progress), stance=self.stance)


def point(pts: np.ndarray, name: str) -> np.ndarray:
    return pts[NAMES.index(name)]


def joint_angles(pts: np.ndarray) -> dict[str, float]:
    """Knee (hip-knee-ankle) and hip (shoulder-hip-knee) included angles, both sides."""
    out = {}
    for s in SIDES:
        hip, knee = point(pts, f"{s}_hip"), point(pts, f"{s}_knee")
        out[f"{s}_knee"] = included_angle(hip, knee, point(pts, f"{s}_ankle"))
        out[f"{s}_hip"] = included_angle(point(pts, f"{s}_shoulder"), hip, knee)
    return out


class Motion:
    """Base class: subclasses set the class attributes and write `posture`.

    Attributes:
        name: the exercise name used by `simulate`.
        kind: ``"rep"`` (out and back) or ``"hold"`` (out, hold, back).
        unilateral: True when ``side`` picks the working limb; otherwise
            every rep is ``"both"`` and ``side`` only picks the camera's side.
        faults: the fault controls the motion can show.
        preset: where the named views put the camera.
        default_hold: seconds held at the far end when ``hold_s`` is None.
    """

    name = ""
    kind = "rep"
    unilateral = True
    faults: frozenset[str] = frozenset()
    preset = ViewPreset()
    default_hold: float | None = None

    def rep_sides(self, side: str, reps: int) -> list[str]:
        """The working side of each rep."""
        if not self.unilateral:
            return ["both"] * reps
        if side == "alternating":
            return [SIDES[i % 2] for i in range(reps)]
        return [side] * reps

    def camera_side(self, side: str) -> float:
        """+1 to film from the room's +y side (the body's left), -1 from the other."""
        return -1.0 if side == "right" else 1.0

    def driver(self, rep_side: str) -> str:
        """The key in `measures` that this exercise's reps drive, for a rep's side."""
        return f"{'left' if rep_side == 'both' else rep_side}_knee"

    def posture(self, body: Body, c: Controls) -> Posture:
        raise NotImplementedError

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        """Angles (degrees) and other true measures of one frame's landmarks."""
        return joint_angles(pts)
