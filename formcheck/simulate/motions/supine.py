"""Heel slide and glute bridge: the two exercises the engine is first judged on.

>>> from formcheck.simulate.body import body_named
>>> from formcheck.simulate.skeleton import landmarks
>>> b, m = body_named("average_female"), HeelSlide()
>>> pts = landmarks(b, m.posture(b, Controls(progress={"left": 1.0, "right": 0.0})))
>>> round(m.measures(b, pts)["left_knee"]), round(m.measures(b, pts)["right_knee"])
(180, 85)
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.simulate.body import Body
from formcheck.simulate.geometry import Y, included_angle, rotation
from formcheck.simulate.motions.base import Controls, Motion, joint_angles
from formcheck.simulate.motions.lying import displace_pelvis, hook_ankle, planted_leg, supine
from formcheck.simulate.skeleton import SIDES, SIGN, Posture, landmarks

#: Knee angle lying with knees bent and feet flat (hook lying), degrees.
HOOK_KNEE = 85.0


class HeelSlide(Motion):
    """Lying on the back, knees bent, feet flat; the heel slides out to a straight leg and back.

    The heel stays on the floor the whole time; the foot turns from flat to
    flexed (toes up, ``FOOT_FLEX`` degrees from the floor) as the knee
    straightens. A veer moves the heel sideways off its straight line.
    """

    name = "heel_slide"
    faults = frozenset({"veer", "pelvis_shift", "pelvis_roll"})
    FOOT_FLEX = 75.0

    def posture(self, body: Body, c: Controls) -> Posture:
        p = supine(body)
        nominal = {side: p.hip(body, side) for side in SIDES}
        displace_pelvis(p, c.pelvis_shift, c.pelvis_roll)
        heel_off = body.foot_offsets()["heel"]
        for side in SIDES:
            s = c.progress[side]
            knee = HOOK_KNEE + s * (180.0 - HOOK_KNEE)
            phi = math.radians(s * self.FOOT_FLEX)
            forward = np.array([math.cos(phi), 0.0, math.sin(phi)])
            dorsal = np.array([-math.sin(phi), 0.0, math.cos(phi)])
            # The heel is the pivot on the floor; the ankle sits above and ahead of it.
            heel_to_ankle = -(heel_off[0] * forward + heel_off[1] * dorsal)
            hip = nominal[side]
            dz = body.heel_height + heel_to_ankle[2] - hip[2]
            dy = SIGN[side] * c.veer[side]
            reach = body.reach_for_knee_angle(knee)
            # The knee angle is exact for the unfaulted hip (the veer included).
            dx = math.sqrt(max(reach**2 - dy**2 - dz**2, 0.0))
            ankle = hip + np.array([dx, dy, dz])
            p.legs[side], _ = planted_leg(body, p.hip(body, side), ankle, forward)
        return p

    def camera_side(self, side: str) -> float:
        return -1.0 if side == "right" else 1.0


class GluteBridge(Motion):
    """Lying on the back, knees bent, feet flat; the pelvis lifts and lowers.

    The trunk pivots about the shoulders, which stay on the floor with the
    head and arms; the feet stay planted. Full range is the lift at which
    shoulder, hip and knee are in line to within ``TOP_HIP`` degrees.
    """

    name = "glute_bridge"
    unilateral = False
    faults = frozenset({"pelvis_shift", "pelvis_roll"})
    REST_KNEE = 80.0
    TOP_HIP = 170.0

    def __init__(self) -> None:
        self._lift: dict[Body, float] = {}  # full-range lift angle per body, found once

    def driver(self, rep_side: str) -> str:
        return "left_hip"

    def _pose(self, body: Body, lift_deg: float, c: Controls) -> Posture:
        p = supine(body)
        ankles = {side: hook_ankle(body, p.hip(body, side), self.REST_KNEE) for side in SIDES}
        # The trunk pivots on the shoulder line; lifting turns +x toward +z.
        turn = rotation(Y, -lift_deg)
        p.pelvis = p.shoulders + turn @ (p.pelvis - p.shoulders)
        p.pelvis_axes = turn @ p.pelvis_axes
        p.trunk_axes = p.trunk_axes.copy()
        displace_pelvis(p, c.pelvis_shift, c.pelvis_roll)
        for side in SIDES:
            p.legs[side], _ = planted_leg(body, p.hip(body, side), ankles[side],
                                          np.array([1.0, 0.0, 0.0]))
        return p

    def full_lift(self, body: Body) -> float:
        """The trunk's lift (degrees) at full range: where the hip angle first reaches ``TOP_HIP``.

        The included angle peaks at 180° and falls again beyond, so step up to
        the first crossing, then bisect within that step.
        """
        if body not in self._lift:
            def hip_angle(lift: float) -> float:
                pts = landmarks(body, self._pose(body, lift, Controls()))
                return joint_angles(pts)["left_hip"]

            low = 0.0
            while hip_angle(low + 2.0) < self.TOP_HIP:
                low += 2.0
                if low > 80.0:
                    raise RuntimeError(f"glute bridge: hip angle never reaches {self.TOP_HIP}")
            high = low + 2.0
            for _ in range(30):
                mid = (low + high) / 2
                low, high = (mid, high) if hip_angle(mid) < self.TOP_HIP else (low, mid)
            self._lift[body] = (low + high) / 2
        return self._lift[body]

    def posture(self, body: Body, c: Controls) -> Posture:
        s = max(c.progress.values())
        return self._pose(body, s * self.full_lift(body), c)

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        out = joint_angles(pts)
        mid_hip = (pts[23] + pts[24]) / 2
        out["hip_height_cm"] = 100 * float(mid_hip[2])
        out["trunk_lift_deg"] = 180.0 - included_angle(mid_hip, (pts[11] + pts[12]) / 2,
                                                       (pts[11] + pts[12]) / 2 - [1.0, 0, 0])
        return out
