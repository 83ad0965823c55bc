"""Limb builders from joint angles, for motions that pose limbs directly.

Angles are in the room's x-z plane ("pitch": 0 along +x, 90 straight up),
which is the sagittal plane of every body the simulator lays out along x.

>>> import numpy as np
>>> leg = sagittal_leg(thigh_pitch=-90, knee=180, plantarflex=0)  # standing
>>> np.round(leg.upper, 6).tolist(), np.round(leg.end_axes[:, 2], 6).tolist()
([0.0, 0.0, -1.0], [1.0, 0.0, 0.0])
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.simulate.geometry import Y, cross, rotation, unit
from formcheck.simulate.skeleton import SIGN, Limb, foot_axes, hand_axes


def pitch(degrees: float) -> np.ndarray:
    """The unit vector in the x-z plane at ``degrees`` from +x toward +z."""
    a = math.radians(degrees)
    return np.array([math.cos(a), 0.0, math.sin(a)])


def sagittal_leg(thigh_pitch: float, knee: float, plantarflex: float) -> Limb:
    """A leg in the sagittal plane from the thigh's pitch, the knee's included angle
    (180 = straight) and the ankle's plantarflexion (0 = foot square to the shank).

    Knee flexion turns the shank backward from the thigh (toward -pitch), as
    a knee does; the foot points 90° forward of the shank.
    """
    shank = thigh_pitch - (180.0 - knee)
    foot = shank + 90.0 - plantarflex
    return Limb(pitch(thigh_pitch), pitch(shank), foot_axes(pitch(foot), Y))


def abduct(limb: Limb, side: str, degrees: float) -> Limb:
    """``limb`` swung ``degrees`` away from the midline (negative: across it).

    The swing is about the axis square to both the thigh and the body's
    left-right axis, so it is a sideways spread whatever the hip's flexion.
    """
    axis = cross(Y, limb.upper)
    turn = rotation(axis, -SIGN[side] * degrees)
    ends = turn @ limb.end_axes
    return Limb(turn @ limb.upper, turn @ limb.lower, foot_axes(ends[:, 2], Y))


def straight_arm(direction: np.ndarray, thumb: np.ndarray, elbow: float = 175.0,
                 bend_toward: np.ndarray | None = None) -> Limb:
    """An arm pointing along ``direction``, the elbow slightly bent toward ``bend_toward``."""
    d = unit(direction)
    if bend_toward is None:
        return Limb(d, d, hand_axes(d, thumb))
    half = (180.0 - elbow) / 2
    axis = cross(d, unit(bend_toward))
    upper = rotation(axis, -half) @ d
    lower = rotation(axis, half) @ d
    return Limb(upper, lower, hand_axes(lower, thumb))
