"""Standing exercises: squat and jumping jack. The body faces +x, its left is +y.

>>> from formcheck.simulate.body import body_named
>>> from formcheck.simulate.skeleton import landmarks
>>> b, m = body_named("average_male"), Squat()
>>> pts = landmarks(b, m.posture(b, Controls(progress={"left": 1.0, "right": 1.0})))
>>> round(m.measures(b, pts)["left_knee"])
85
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.simulate.body import Body
from formcheck.simulate.geometry import X, Y, Z, body_axes, included_angle, rotation, unit
from formcheck.simulate.motions.base import Controls, Motion, joint_angles
from formcheck.simulate.motions.limbs import pitch, straight_arm
from formcheck.simulate.skeleton import SIDES, SIGN, Limb, Posture, foot_axes
from formcheck.simulate.views import ViewPreset

_STANDING_VIEWS = ViewPreset(side_distance=3.0, side_height=1.0, end_beyond=2.5,
                             end_height=1.6, overhead_height=2.2)


class Squat(Motion):
    """Feet flat under the hips; knees bend to ``DEPTH``°, shins and trunk leaning forward."""

    name = "squat"
    unilateral = False
    preset = _STANDING_VIEWS
    DEPTH, SHIN, LEAN = 85.0, 35.0, 40.0

    def posture(self, body: Body, c: Controls) -> Posture:
        s = max(c.progress.values())
        flex, shin, lean = s * (180.0 - self.DEPTH), s * self.SHIN, s * self.LEAN
        legs, hips = {}, []
        for side in SIDES:
            ankle = np.array([0.0, SIGN[side] * body.hip_width / 2, body.ankle_height])
            knee = ankle + body.shank * pitch(90.0 - shin)
            hip = knee + body.thigh * pitch(90.0 - shin + flex)
            legs[side] = Limb(unit(knee - hip), unit(ankle - knee), foot_axes(X, Y))
            hips.append(hip)
        pelvis = (hips[0] + hips[1]) / 2
        trunk_up = pitch(90.0 - lean)
        p = Posture(pelvis, body_axes(Y, pitch(90.0 - lean / 2)), pelvis + body.trunk * trunk_up,
                    body_axes(Y, trunk_up), body_axes(Y, pitch(90.0 - 0.3 * lean)), legs, {})
        for side in SIDES:  # arms rise forward for balance
            reach = pitch(-90.0 + s * 90.0) + 0.05 * SIGN[side] * Y
            p.arms[side] = straight_arm(reach, -SIGN[side] * Y)
        return p


class JumpingJack(Motion):
    """Arms sweep from the sides to overhead while the legs spread, and back (feet stay down)."""

    name = "jumping_jack"
    unilateral = False
    preset = _STANDING_VIEWS
    ARMS, LEGS = 160.0, 12.0

    def driver(self, rep_side: str) -> str:
        return "arm_abduction_deg"

    def posture(self, body: Body, c: Controls) -> Posture:
        s = max(c.progress.values())
        arms, legs = s * self.ARMS, s * self.LEGS
        axes = body_axes(Y, Z)
        pelvis = np.array([0.0, 0.0, body.ankle_height + body.leg * math.cos(math.radians(legs))])
        p = Posture(pelvis, axes, pelvis + body.trunk * Z, axes, axes.copy(), {}, {})
        for side in SIDES:
            # About +x a positive turn takes -z toward +y, the left.
            leg = rotation(X, SIGN[side] * legs) @ -Z
            p.legs[side] = Limb(leg, leg, foot_axes(X, Y))
            p.arms[side] = straight_arm(rotation(X, SIGN[side] * arms) @ -Z, X)
        return p

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        out = joint_angles(pts)
        out["arm_abduction_deg"] = included_angle(pts[23], pts[11], pts[15])
        return out
