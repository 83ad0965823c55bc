"""Forward kinematics: a `Posture` (segment positions and directions) to 33 landmarks.

Limbs are given as unit directions and turned into positions here, with the
body's fixed lengths, so bone lengths can't drift whatever a motion does.

>>> import numpy as np
>>> from formcheck.simulate.body import body_named
>>> from formcheck.simulate.geometry import X, Y, Z
>>> b = body_named("average_female")
>>> p = standing(b)
>>> pts = landmarks(b, p)
>>> pts.shape
(33, 3)
>>> round(float(pts[NAMES.index("left_ankle"), 2]), 3) == round(b.ankle_height, 3)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck.landmarks import COUNT, NAMES
from formcheck.simulate.body import Body
from formcheck.simulate.geometry import X, Y, Z, body_axes, cross, unit

SIDES = ("left", "right")
SIGN = {"left": 1.0, "right": -1.0}

# Face points relative to the head centre (between the ears), as fractions of
# height along the head's (left, up, anterior) axes; right points mirror left.
_FACE = {
    "nose": (0.0, -0.012, 0.060),
    "eye_inner": (0.010, 0.008, 0.052),
    "eye": (0.020, 0.008, 0.050),
    "eye_outer": (0.030, 0.008, 0.045),
    "ear": (0.045, 0.0, 0.0),
    "mouth": (0.014, -0.035, 0.052),
}
# Hand points relative to the wrist along (thumb side, back of hand, distal).
_HAND = {"pinky": (-0.018, 0.0, 0.050), "index": (0.012, 0.0, 0.060),
         "thumb": (0.025, -0.005, 0.030)}


@dataclass
class Limb:
    """One arm or leg: the two segment directions and the hand/foot axes.

    ``end_axes`` columns are, for a foot, (body-left, dorsal, toe-forward) and,
    for a hand, (thumb side, back of the hand, distal).
    """

    upper: np.ndarray
    lower: np.ndarray
    end_axes: np.ndarray


@dataclass
class Posture:
    """The whole body at one instant, in room coordinates (metres, z up)."""

    pelvis: np.ndarray  # mid-hip position
    pelvis_axes: np.ndarray  # columns (left, up, anterior)
    shoulders: np.ndarray  # mid-shoulder position
    trunk_axes: np.ndarray
    head_axes: np.ndarray
    legs: dict[str, Limb] = field(default_factory=dict)
    arms: dict[str, Limb] = field(default_factory=dict)

    def hip(self, body: Body, side: str) -> np.ndarray:
        return self.pelvis + SIGN[side] * body.hip_width / 2 * self.pelvis_axes[:, 0]

    def shoulder(self, body: Body, side: str) -> np.ndarray:
        return self.shoulders + SIGN[side] * body.shoulder_width / 2 * self.trunk_axes[:, 0]


def foot_axes(forward: np.ndarray, lateral: np.ndarray) -> np.ndarray:
    """Foot axes (left, dorsal, forward) from the toe direction and the body's left.

    The first column is the body's left for both feet (not each foot's own
    outside), so that dorsal = forward x left points out of the instep.
    """
    f = unit(forward)
    lat = unit(lateral - np.dot(lateral, f) * f)
    return np.column_stack([lat, cross(f, lat), f])


def hand_axes(distal: np.ndarray, thumb: np.ndarray) -> np.ndarray:
    """Hand axes (thumb side, back of hand, distal) from the distal direction and a thumb hint."""
    d = unit(distal)
    t = unit(thumb - np.dot(thumb, d) * d)
    return np.column_stack([t, cross(d, t), d])


def foot_place(body: Body, ankle: np.ndarray, axes: np.ndarray) -> dict[str, np.ndarray]:
    """Heel and toe positions for an ankle position and foot axes."""
    return {name: ankle + off[0] * axes[:, 2] + off[1] * axes[:, 1]
            for name, off in body.foot_offsets().items()}


def landmarks(body: Body, p: Posture) -> np.ndarray:
    """The 33 BlazePose landmarks ``(33, 3)`` in room coordinates for posture ``p``."""
    out = np.full((COUNT, 3), np.nan)
    put = {name: i for i, name in enumerate(NAMES)}
    h = body.height
    head = p.shoulders + body.neck * p.head_axes[:, 1]
    for side in SIDES:
        s = SIGN[side]
        for part, (lx, uy, az) in _FACE.items():
            offset = p.head_axes @ np.array([s * lx, uy, az]) * h
            name = "nose" if part == "nose" else f"{side}_{part}"
            if part == "mouth":
                name = f"mouth_{side}"
            out[put[name]] = head + offset
        shoulder = p.shoulder(body, side)
        out[put[f"{side}_shoulder"]] = shoulder
        arm = p.arms[side]
        elbow = shoulder + body.upper_arm * unit(arm.upper)
        wrist = elbow + body.forearm * unit(arm.lower)
        out[put[f"{side}_elbow"]] = elbow
        out[put[f"{side}_wrist"]] = wrist
        for part, off in _HAND.items():
            out[put[f"{side}_{part}"]] = wrist + arm.end_axes @ np.array(off) * h
        hip = p.hip(body, side)
        leg = p.legs[side]
        knee = hip + body.thigh * unit(leg.upper)
        ankle = knee + body.shank * unit(leg.lower)
        out[put[f"{side}_hip"]] = hip
        out[put[f"{side}_knee"]] = knee
        out[put[f"{side}_ankle"]] = ankle
        foot = foot_place(body, ankle, leg.end_axes)
        out[put[f"{side}_heel"]] = foot["heel"]
        out[put[f"{side}_foot_index"]] = foot["foot_index"]
    return out


def standing(body: Body) -> Posture:
    """Standing upright facing +x, feet under the hips, arms by the sides."""
    axes = body_axes(Y, Z)
    pelvis = np.array([0.0, 0.0, body.ankle_height + body.leg])
    arms = {side: Limb(-Z, -Z, hand_axes(-Z, X)) for side in SIDES}
    legs = {side: Limb(-Z, -Z, foot_axes(X, Y)) for side in SIDES}
    return Posture(pelvis, axes, pelvis + body.trunk * Z, axes, axes, legs, arms)


def moved(p: Posture, turn: np.ndarray, shift: np.ndarray) -> Posture:
    """``p`` turned by the rotation matrix ``turn`` about the origin, then shifted."""
    def limb(b: Limb) -> Limb:
        return Limb(turn @ b.upper, turn @ b.lower, turn @ b.end_axes)

    return Posture(turn @ p.pelvis + shift, turn @ p.pelvis_axes, turn @ p.shoulders + shift,
                   turn @ p.trunk_axes, turn @ p.head_axes,
                   {s: limb(b) for s, b in p.legs.items()}, {s: limb(b) for s, b in p.arms.items()})
