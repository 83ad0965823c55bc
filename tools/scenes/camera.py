"""Camera placement: named views plus height, distance, offset, tilt and lens (no bpy).

The world frame is :mod:`motion`'s (metres, +Z up, the person along Y with the
head towards +Y, hip-joint midpoint at x = y = 0). Each named view has an aim
point on the body and a horizontal direction from the aim point to the camera;
``distance`` is measured horizontally from the aim point, ``lateral`` moves the
camera sideways (perpendicular to that direction, to the camera's right) and the
camera still aims at the aim point; then yaw (about world Z), pitch (about the
camera's X) and roll (about its viewing axis) turn it off that aim, the way a
phone propped up by hand is never quite straight.

>>> p = placement("side", 1.0)
>>> p.location, p.focal_mm
((2.6, -0.05, 0.55), 36.0)
>>> placement("end_on", 1.0).location, placement("oblique", -1.0).location
((0.0, -2.15, 1.6), (-1.75, -1.95, 1.15))
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

SENSOR_WIDTH_MM = 36.0

# view -> (aim point, unit horizontal direction aim -> camera for side_sign +1,
#          default distance m, default height m, default focal mm)
_OBL = math.hypot(1.75, 1.83)  # the oblique view's default: 1.75 m to the side, 1.83 m out
VIEW_DEFAULTS = {
    "side": ((0.0, -0.05, 0.15), (1.0, 0.0), 2.6, 0.55, 36.0),
    "end_on": ((0.0, -0.2, 0.12), (0.0, -1.0), 1.95, 1.6, 40.0),
    "oblique": ((0.0, -0.12, 0.12), (1.75 / _OBL, -1.83 / _OBL), _OBL, 1.15, 40.0),
}


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where the camera is, what it looks at, how it is turned, and its lens."""

    view: str
    location: tuple[float, float, float]
    look_at: tuple[float, float, float]
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    focal_mm: float

    def matrix(self) -> np.ndarray:
        """4x4 camera-to-world matrix (Blender convention: looks down -Z, +Y up)."""
        loc = np.array(self.location, float)
        fwd = np.array(self.look_at, float) - loc
        fwd /= np.linalg.norm(fwd)
        right = np.cross(fwd, (0.0, 0.0, 1.0))
        if np.linalg.norm(right) < 1e-6:
            raise ValueError(f"camera at {self.location} looks straight down; give it a slant")
        right /= np.linalg.norm(right)
        up = np.cross(right, fwd)
        rot = np.column_stack([right, up, -fwd])
        rot = _rz(self.yaw_deg) @ rot @ _rx(self.pitch_deg) @ _rz(self.roll_deg)
        m = np.eye(4)
        m[:3, :3] = rot
        m[:3, 3] = loc
        return m

    def project(self, points, width: int, height: int) -> np.ndarray:
        """World points (N, 3) -> (N, 3) of u, v pixels from the top-left, and depth (m)."""
        m = self.matrix()
        rel = (np.asarray(points, float) - m[:3, 3]) @ m[:3, :3]  # camera coordinates
        depth = -rel[:, 2]
        f_px = self.focal_mm / SENSOR_WIDTH_MM * width
        with np.errstate(divide="ignore", invalid="ignore"):
            u = width / 2 + f_px * rel[:, 0] / depth
            v = height / 2 - f_px * rel[:, 1] / depth
        return np.column_stack([u, v, depth])


def _rz(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _rx(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def placement(
    view: str,
    side_sign: float,
    height: float | None = None,
    distance: float | None = None,
    lateral: float = 0.0,
    yaw: float = 0.0,
    pitch: float = 0.0,
    roll: float = 0.0,
    focal: float | None = None,
) -> Placement:
    """A named view with any of its defaults overridden. side_sign +1 = camera on +X."""
    if view not in VIEW_DEFAULTS:
        raise ValueError(f"unknown camera view {view!r}; expected one of {tuple(VIEW_DEFAULTS)}")
    aim, (dx, dy), d0, h0, f0 = VIEW_DEFAULTS[view]
    dx *= side_sign
    d = d0 if distance is None else distance
    rx, ry = -dy, dx  # the camera's right as it faces the body (looking along -dx, -dy)
    x = aim[0] + d * dx + lateral * rx
    y = aim[1] + d * dy + lateral * ry
    z = h0 if height is None else height
    return Placement(
        view,
        (round(x, 4), round(y, 4), round(z, 4)),
        aim,
        yaw,
        pitch,
        roll,
        f0 if focal is None else focal,
    )
