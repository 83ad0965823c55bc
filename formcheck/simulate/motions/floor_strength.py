"""Sit-up and push-up.

>>> from formcheck.simulate.body import body_named
>>> from formcheck.simulate.skeleton import landmarks
>>> b, m = body_named("average_female"), PushUp()
>>> pts = landmarks(b, m.posture(b, Controls()))
>>> bool(m.measures(b, pts)["left_elbow"] > 160)  # arms nearly straight at the top
True
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.simulate.body import Body
from formcheck.simulate.geometry import X, Y, Z, body_axes, included_angle, rotation, two_link, unit
from formcheck.simulate.motions.base import Controls, Motion, joint_angles
from formcheck.simulate.motions.limbs import straight_arm
from formcheck.simulate.motions.lying import hook_ankle, planted_leg, supine
from formcheck.simulate.motions.supine import HOOK_KNEE
from formcheck.simulate.skeleton import SIDES, SIGN, Limb, Posture, foot_axes, hand_axes


class SitUp(Motion):
    """Hook lying; the trunk curls up to ``RAISE``° off the floor and back, arms reaching."""

    name = "sit_up"
    unilateral = False
    RAISE = 65.0

    def driver(self, rep_side: str) -> str:
        return "left_hip"

    def posture(self, body: Body, c: Controls) -> Posture:
        p = supine(body)
        ankles = {side: hook_ankle(body, p.hip(body, side), HOOK_KNEE) for side in SIDES}
        s = max(c.progress.values())
        # About +y a positive turn lifts -x (toward the head) toward +z.
        turn = rotation(Y, s * self.RAISE)
        p.shoulders = p.pelvis + turn @ (p.shoulders - p.pelvis)
        p.trunk_axes, p.head_axes = turn @ p.trunk_axes, turn @ p.head_axes
        for side in SIDES:
            p.legs[side], _ = planted_leg(body, p.hip(body, side), ankles[side], X)
        knees = p.pelvis + body.thigh * (p.legs["left"].upper + p.legs["right"].upper) / 2
        for side in SIDES:
            # The arms leave the floor and reach toward the knees as the trunk rises.
            rest = p.arms[side].upper
            reach = unit((1 - s) * rest + s * unit(knees - p.shoulder(body, side)))
            p.arms[side] = straight_arm(reach, -SIGN[side] * Y)
        return p


class PushUp(Motion):
    """A straight plank on hands and toes; the elbows bend to lower the chest and push back up.

    Face down with the head toward -x, so the body's left is -y: the side
    view of the left side films from -y.
    """

    name = "push_up"
    unilateral = False
    BOTTOM = 0.6  # shoulder height over the wrist at the bottom, as a fraction of the arm

    def camera_side(self, side: str) -> float:
        return 1.0 if side == "right" else -1.0

    def driver(self, rep_side: str) -> str:
        return "left_elbow"

    def posture(self, body: Body, c: Controls) -> Posture:
        h = body.height
        arm = body.upper_arm + body.forearm
        ankle_z = 0.112 * h + 0.01  # toes tucked under, their tips on the floor
        wrist_z = 0.025 * h
        span = body.leg + body.trunk
        flare = 0.05  # hands a little wider than the shoulders

        def shoulder_z(frac: float) -> float:
            return wrist_z + math.sqrt(max((frac * arm) ** 2 - flare**2, 0.0))

        def plank(z: float) -> float:
            return math.asin((z - ankle_z) / span)

        top = plank(shoulder_z(0.995))
        low = plank(shoulder_z(self.BOTTOM))
        angle = top + max(c.progress.values()) * (low - top)
        up = np.array([-math.cos(angle), 0.0, math.sin(angle)])
        axes = body_axes(-Y, up)  # anterior = left x up = down
        hands_x = -span * math.cos(top)
        pelvis = np.array([0.0, 0.0, ankle_z]) + body.leg * up
        p = Posture(pelvis, axes, pelvis + body.trunk * up, axes, axes.copy(), {}, {})
        for side in SIDES:
            outward = SIGN[side] * -Y
            p.legs[side] = Limb(-up, -up, foot_axes(-Z, -Y))  # toes tucked, tips fixed
            shoulder = p.shoulder(body, side)
            wrist = np.array([hands_x, shoulder[1], wrist_z]) + flare * outward
            upper, lower = two_link(shoulder, wrist, body.upper_arm, body.forearm,
                                    unit(outward + 0.7 * X))
            p.arms[side] = Limb(upper, lower, hand_axes(-X, -outward))
        return p

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        out = joint_angles(pts)
        for side, (s, e, w) in {"left": (11, 13, 15), "right": (12, 14, 16)}.items():
            out[f"{side}_elbow"] = included_angle(pts[s], pts[e], pts[w])
        return out
