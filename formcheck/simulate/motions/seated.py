"""Seated exercises: leg extension on a chair, spinal flexion sitting on the floor.

The body faces +x, its left is +y.

>>> from formcheck.simulate.body import body_named
>>> from formcheck.simulate.skeleton import landmarks
>>> b, m = body_named("tall_male"), SeatedLegExtension()
>>> pts = landmarks(b, m.posture(b, Controls()))
>>> round(float(pts[27, 2]), 3) == round(b.ankle_height, 3)  # foot on the floor
True
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.simulate.body import Body
from formcheck.simulate.geometry import Y, Z, body_axes, rotation, unit
from formcheck.simulate.motions.base import Controls, Motion, joint_angles
from formcheck.simulate.motions.limbs import pitch, sagittal_leg, straight_arm
from formcheck.simulate.skeleton import SIDES, SIGN, Limb, Posture, hand_axes
from formcheck.simulate.views import ViewPreset

_SEATED_VIEWS = ViewPreset(side_distance=2.6, side_height=0.8, end_beyond=2.0,
                           end_height=1.6, overhead_height=2.0)


class SeatedLegExtension(Motion):
    """Sitting upright on a chair, feet on the floor; one knee straightens and bends back."""

    name = "seated_leg_extension"
    preset = _SEATED_VIEWS
    SEAT_HIP = 0.30  # hip joint height, as a fraction of standing height
    STRAIGHT = 175.0

    def posture(self, body: Body, c: Controls) -> Posture:
        hip_z = self.SEAT_HIP * body.height
        # Thigh pitch that sets the foot flat on the floor with the knee at 90°:
        # hip_z + thigh sin t - shank cos t = ankle height.
        a, b = body.thigh, body.shank
        t = math.atan2(b, a) + math.asin((body.ankle_height - hip_z) / math.hypot(a, b))
        thigh_pitch = math.degrees(t)
        axes = body_axes(Y, Z)
        pelvis = np.array([0.0, 0.0, hip_z])
        p = Posture(pelvis, axes, pelvis + body.trunk * Z, axes, axes.copy(), {}, {})
        for side in SIDES:
            knee = 90.0 + c.progress[side] * (self.STRAIGHT - 90.0)
            p.legs[side] = sagittal_leg(thigh_pitch, knee, plantarflex=0.0)
            # Hands resting on the thighs.
            upper = unit(np.array([0.3, 0.08 * SIGN[side], -1.0]))
            lower = unit(np.array([1.0, 0.0, -0.15]))
            p.arms[side] = Limb(upper, lower, hand_axes(lower, Z))
        return p


class SpinalFlexion(Motion):
    """Sitting on the floor, legs straight; the trunk bends forward, holds, and comes back up."""

    name = "spinal_flexion"
    kind = "hold"
    unilateral = False
    default_hold = 2.5
    preset = _SEATED_VIEWS
    FLEX = 50.0
    FOOT = 80.0  # feet relaxed upright, toes toward the ceiling

    def driver(self, rep_side: str) -> str:
        return "trunk_flexion_deg"

    def posture(self, body: Body, c: Controls) -> Posture:
        s = max(c.progress.values())
        hip_z = body.hip_height_supine
        phi = math.radians(self.FOOT)
        heel = body.foot_offsets()["heel"]
        ankle_z = body.heel_height - heel[0] * math.sin(phi) - heel[1] * math.cos(phi)
        leg_pitch = math.degrees(math.asin((ankle_z - hip_z) / body.leg))
        lean = -5.0 + s * self.FLEX  # forward of vertical; slightly back at rest
        trunk_up = pitch(90.0 - lean)
        pelvis = np.array([0.0, 0.0, hip_z])
        p = Posture(pelvis, body_axes(Y, pitch(90.0 - lean / 2)), pelvis + body.trunk * trunk_up,
                    body_axes(Y, trunk_up), body_axes(Y, pitch(90.0 - lean - 15.0 * s)), {}, {})
        for side in SIDES:
            p.legs[side] = sagittal_leg(leg_pitch, 180.0, plantarflex=leg_pitch + 90 - self.FOOT)
            reach = rotation(Y, -(s * 45.0)) @ pitch(-60.0)  # hands slide toward the feet
            p.arms[side] = straight_arm(reach + 0.05 * SIGN[side] * Y, Z)
        return p

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        out = joint_angles(pts)
        up = (pts[11] + pts[12]) / 2 - (pts[23] + pts[24]) / 2
        out["trunk_flexion_deg"] = math.degrees(math.atan2(up[0], up[2]))
        return out
