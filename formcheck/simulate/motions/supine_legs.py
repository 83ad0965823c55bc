"""More lying-on-the-back exercises: march, knee wag, adductor squeeze, legs up the wall.

>>> from formcheck.simulate.body import body_named
>>> from formcheck.simulate.skeleton import landmarks
>>> b, m = body_named("average_female"), LyingMarch()
>>> pts = landmarks(b, m.posture(b, Controls(progress={"left": 1.0, "right": 0.0})))
>>> round(m.measures(b, pts)["left_knee"])  # the lifted leg in tabletop
90
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.simulate.body import Body
from formcheck.simulate.geometry import X, Z, included_angle, rotation
from formcheck.simulate.motions.base import Controls, Motion, joint_angles
from formcheck.simulate.motions.limbs import abduct, sagittal_leg
from formcheck.simulate.motions.lying import displace_pelvis, hook_ankle, planted_leg, supine
from formcheck.simulate.motions.supine import HOOK_KNEE
from formcheck.simulate.skeleton import SIDES, SIGN, Posture

_PELVIS = frozenset({"pelvis_shift", "pelvis_roll"})


def _hooked(body: Body, c: Controls) -> tuple[Posture, dict[str, np.ndarray]]:
    """Supine with the pelvis faults applied, and each foot's planted ankle position."""
    p = supine(body)
    ankles = {side: hook_ankle(body, p.hip(body, side), HOOK_KNEE) for side in SIDES}
    displace_pelvis(p, c.pelvis_shift, c.pelvis_roll)
    return p, ankles


def _pitch_of(v: np.ndarray) -> float:
    return math.degrees(math.atan2(v[2], v[0]))


class LyingMarch(Motion):
    """Hook lying; one leg lifts to tabletop (hip and knee at 90°) and lowers, sides alternating."""

    name = "lying_march"
    faults = _PELVIS

    def rep_sides(self, side: str, reps: int) -> list[str]:
        return super().rep_sides("alternating" if side == "both" else side, reps)

    def driver(self, rep_side: str) -> str:
        return f"{'left' if rep_side == 'both' else rep_side}_hip"

    def posture(self, body: Body, c: Controls) -> Posture:
        p, ankles = _hooked(body, c)
        for side in SIDES:
            rest, _ = planted_leg(body, p.hip(body, side), ankles[side], X)
            s = c.progress[side]
            if s <= 0:
                p.legs[side] = rest
                continue
            thigh0, shank0 = _pitch_of(rest.upper), _pitch_of(rest.lower)
            knee0 = 180.0 - (thigh0 - shank0)
            p.legs[side] = sagittal_leg(thigh0 + s * (90.0 - thigh0), knee0 + s * (90.0 - knee0),
                                        plantarflex=shank0 + 90.0)
        return p


class KneeWag(Motion):
    """Hook lying; both knees rock together to one side and back, feet planted.

    A rep's side is the side the knees drop toward; ``both`` alternates.
    """

    name = "knee_wag"
    faults = _PELVIS
    TILT = 40.0

    def rep_sides(self, side: str, reps: int) -> list[str]:
        return super().rep_sides("alternating" if side == "both" else side, reps)

    def driver(self, rep_side: str) -> str:
        return "knee_tilt_deg"

    def posture(self, body: Body, c: Controls) -> Posture:
        p, ankles = _hooked(body, c)
        tilt = (c.progress["left"] - c.progress["right"]) * self.TILT
        pole = rotation(X, -tilt) @ Z  # positive tilt swings the knees toward +y, the left
        for side in SIDES:
            p.legs[side], _ = planted_leg(body, p.hip(body, side), ankles[side], X, pole)
        return p

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        out = joint_angles(pts)
        knees, ankles = (pts[25] + pts[26]) / 2, (pts[27] + pts[28]) / 2
        up = knees - ankles
        out["knee_tilt_deg"] = math.degrees(math.atan2(up[1], up[2]))
        return out


class AdductorSqueeze(Motion):
    """Hook lying; the knees draw slightly together and hold (a small movement)."""

    name = "adductor_squeeze"
    kind = "hold"
    unilateral = False
    faults = _PELVIS
    default_hold = 4.0
    REST_OUT, SQUEEZE = 6.0, 5.0

    def driver(self, rep_side: str) -> str:
        return "knee_gap_cm"

    def posture(self, body: Body, c: Controls) -> Posture:
        p, ankles = _hooked(body, c)
        out = self.REST_OUT - max(c.progress.values()) * self.SQUEEZE
        for side in SIDES:
            pole = rotation(X, -SIGN[side] * out) @ Z
            p.legs[side], _ = planted_leg(body, p.hip(body, side), ankles[side], X, pole)
        return p

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        out = joint_angles(pts)
        out["knee_gap_cm"] = 100 * float(np.linalg.norm(pts[25] - pts[26]))
        return out


class LegsUpTheWall(Motion):
    """Lying with the hips by a wall; the bent legs straighten up it to vertical, hold, return."""

    name = "legs_up_the_wall"
    kind = "hold"
    unilateral = False
    default_hold = 5.0

    def driver(self, rep_side: str) -> str:
        return "left_knee"

    def _leg(self, s: float):
        return sagittal_leg(thigh_pitch=72.0 + s * 18.0, knee=110.0 + s * 68.0,
                            plantarflex=20.0 - s * 10.0)

    def posture(self, body: Body, c: Controls) -> Posture:
        p = supine(body)
        s = max(c.progress.values())
        p.legs = {side: self._leg(s) for side in SIDES}
        return p


class WideLegsUpTheWall(LegsUpTheWall):
    """Legs straight up the wall; they slide apart into a wide V, hold, and close."""

    name = "wide_legs_up_the_wall"
    REST, WIDE = 4.0, 35.0

    def driver(self, rep_side: str) -> str:
        return "leg_spread_deg"

    def posture(self, body: Body, c: Controls) -> Posture:
        p = supine(body)
        spread = self.REST + max(c.progress.values()) * (self.WIDE - self.REST)
        p.legs = {side: abduct(self._leg(1.0), side, spread) for side in SIDES}
        return p

    def measures(self, body: Body, pts: np.ndarray) -> dict[str, float]:
        out = joint_angles(pts)
        # The angle between the two legs, each from hip to ankle.
        out["leg_spread_deg"] = included_angle(pts[27] - pts[23], np.zeros(3), pts[28] - pts[24])
        return out
