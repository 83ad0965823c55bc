"""The clamshell: lying on one side, knees bent, the top knee opens and closes.

The body is built lying on its back (the lying frame of `lying.py`), then
turned a quarter about its long axis onto its side and set on the floor.

>>> from formcheck.simulate.body import body_named
>>> from formcheck.simulate.skeleton import landmarks
>>> b, m = body_named("average_female"), Clamshell()
>>> pts = landmarks(b, m.posture(b, Controls(stance="left")))
>>> bool(pts[23, 2] > pts[24, 2])  # the left hip is on top
True
"""

from __future__ import annotations

import numpy as np

from formcheck.landmarks import index
from formcheck.simulate.body import Body
from formcheck.simulate.geometry import X, Z, body_axes, included_angle, rotation, unit
from formcheck.simulate.motions.base import Controls, Motion, joint_angles
from formcheck.simulate.motions.limbs import sagittal_leg, straight_arm
from formcheck.simulate.motions.lying import displace_pelvis, planted_leg
from formcheck.simulate.skeleton import SIDES, SIGN, Limb, Posture, landmarks, moved

_OTHER = {"left": "right", "right": "left"}


class Clamshell(Motion):
    """Side-lying, hips at 45° and knees at 90°, feet together; the top knee opens ``OPEN``°.

    ``side`` is the top (working) leg; ``both`` and ``alternating`` mean
    left, since turning over between reps is not part of the exercise. A
    pelvis roll turns the pelvis about its long axis (positive: the left
    hip toward the front), the classic fault of rolling back to open further.
    """

    name = "clamshell"
    faults = frozenset({"pelvis_roll"})
    OPEN = 40.0

    def __init__(self) -> None:
        self._lift: dict[tuple[Body, str], float] = {}

    def rep_sides(self, side: str, reps: int) -> list[str]:
        return [side if side in SIDES else "left"] * reps

    def camera_side(self, side: str) -> float:
        # Film from the front: turning onto the right side faces the body toward -y.
        return 1.0 if side == "right" else -1.0

    def driver(self, rep_side: str) -> str:
        return "knee_open_deg"

    def _local(self, body: Body, top: str, opening: float, c: Controls) -> Posture:
        axes = body_axes(np.array([0.0, 1.0, 0.0]), -X)
        p = Posture(np.zeros(3), axes, np.array([-body.trunk, 0.0, 0.0]), axes.copy(),
                    axes.copy(), {}, {})
        rest = sagittal_leg(thigh_pitch=45.0, knee=90.0, plantarflex=30.0)
        reach = body.thigh * rest.upper + body.shank * rest.lower
        ankles = {s: p.hip(body, s) + reach for s in SIDES}  # feet stacked
        bottom = _OTHER[top]
        # Bottom arm under the head, top arm resting along the body.
        p.arms[bottom] = straight_arm(unit(-X + 0.3 * Z), Z)
        p.arms[top] = straight_arm(unit(X + 0.6 * Z), Z, elbow=120.0,
                                   bend_toward=-SIGN[top] * np.array([0.0, 1.0, 0.0]))
        displace_pelvis(p, c.pelvis_shift, c.pelvis_roll)
        knee_dir = unit(rest.upper - np.dot(rest.upper, unit(reach)) * unit(reach))
        for s in SIDES:
            axis = unit(reach)
            pole = rotation(axis, -SIGN[s] * opening) @ knee_dir if s == top else knee_dir
            leg, _ = planted_leg(body, p.hip(body, s), ankles[s], rest.end_axes[:, 2], pole)
            p.legs[s] = Limb(leg.upper, leg.lower, rest.end_axes)
        return p

    def _placed(self, body: Body, top: str, opening: float, c: Controls) -> Posture:
        turn = rotation(X, 90.0 if top == "left" else -90.0)
        key = (body, top)
        if key not in self._lift:  # lift the resting body so its lowest point is on the floor
            rest = landmarks(body, moved(self._local(body, top, 0.0, Controls()), turn,
                                         np.zeros(3)))
            self._lift[key] = 0.02 - float(rest[:, 2].min())
        return moved(self._local(body, top, opening, c), turn, np.array([0, 0, self._lift[key]]))

    def posture(self, body: Body, c: Controls) -> Posture:
        return self._placed(body, c.stance, c.progress[c.stance] * self.OPEN, c)

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        out = joint_angles(pts)
        thighs = [pts[index(f"{s}_knee")] - pts[index(f"{s}_hip")] for s in SIDES]
        out["knee_open_deg"] = included_angle(thighs[0], np.zeros(3), thighs[1])
        return out
