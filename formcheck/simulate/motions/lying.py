"""Shared pieces of lying-on-the-back postures.

The body lies along the room's x axis, head toward -x, face up, so its
left is +y. The mid-hip starts over the room origin.

>>> from formcheck.simulate.body import body_named
>>> p = supine(body_named("average_female"))
>>> p.pelvis_axes[:, 0].tolist()  # the body's left is +y
[0.0, 1.0, 0.0]
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.simulate.body import Body
from formcheck.simulate.geometry import X, Y, Z, body_axes, rotation, two_link, unit
from formcheck.simulate.skeleton import SIDES, SIGN, Limb, Posture, foot_axes, hand_axes


def supine(body: Body) -> Posture:
    """Lying on the back, arms along the sides palms down; legs are left to the motion."""
    hip_z, shoulder_z = body.hip_height_supine, body.shoulder_height_supine
    run = math.sqrt(body.trunk**2 - (hip_z - shoulder_z) ** 2)
    pelvis = np.array([0.0, 0.0, hip_z])
    shoulders = np.array([-run, 0.0, shoulder_z])
    axes = body_axes(Y, shoulders - pelvis)
    head = body_axes(Y, -X)
    arms = {}
    for side in SIDES:
        s = SIGN[side]
        # Elbow resting on the floor a little out from the trunk; hand flat.
        upper = unit(np.array([0.95, 0.2 * s, -0.13]))
        lower = unit(np.array([1.0, 0.05 * s, 0.0]))
        arms[side] = Limb(upper, lower, hand_axes(lower, -s * Y))
    return Posture(pelvis, axes, shoulders, axes.copy(), head, {}, arms)


def displace_pelvis(p: Posture, shift: float, roll_deg: float) -> None:
    """Shift the pelvis ``shift`` metres toward the body's left and roll it (left hip up).

    Only the pelvis moves: shoulders, trunk axes and head stay, so the legs
    (solved afterwards from the hips) follow it and the torso does not.
    """
    axes = p.pelvis_axes
    p.pelvis = p.pelvis + shift * axes[:, 0]
    # About the long (up) axis, a positive angle takes left toward posterior.
    p.pelvis_axes = rotation(axes[:, 1], -roll_deg) @ axes


def hook_ankle(body: Body, hip: np.ndarray, knee_deg: float) -> np.ndarray:
    """Where the ankle sits with the foot flat on the floor and the knee at ``knee_deg``."""
    reach = body.reach_for_knee_angle(knee_deg)
    dz = body.ankle_height - hip[2]
    return hip + np.array([math.sqrt(reach**2 - dz**2), 0.0, dz])


def planted_leg(body: Body, hip: np.ndarray, ankle: np.ndarray, forward: np.ndarray,
                pole: np.ndarray = Z) -> tuple[Limb, np.ndarray]:
    """The leg from ``hip`` to a foot planted at ``ankle``; returns (limb, ankle used).

    If the hip has moved out of reach (a pelvis fault), the ankle slides
    toward it along the body's long axis only, so sideways and vertical
    foot positions (what fault checks look at) stay exact.
    """
    ankle = ankle.copy()
    limit = body.leg * (1 - 1e-9)
    off = ankle - hip
    if np.linalg.norm(off) > limit:
        across = off[1] ** 2 + off[2] ** 2
        off[0] = math.copysign(math.sqrt(max(limit**2 - across, 0.0)), off[0])
        ankle = hip + off
    upper, lower = two_link(hip, ankle, body.thigh, body.shank, pole)
    return Limb(upper, lower, foot_axes(forward, Y)), ankle
