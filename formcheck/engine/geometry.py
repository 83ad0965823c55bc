"""Pure geometry on landmark arrays: points, angles, the body frame, lines.

Point references come from specs (``"{side}_knee"``, ``"mid_hip"``) and are
compiled once into index pairs, so evaluating a point each frame is two
array reads: ``(P[i] + P[j]) / 2`` (``i == j`` for a plain landmark).

>>> import numpy as np
>>> pair("mid_hip", "left"), pair("{side}_knee", "right")
((23, 24), (26, 26))
>>> P = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
>>> round(angle_at(P[0], P[1], P[2]), 1)
90.0
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.landmarks import index

#: Nominal adult lengths (cm) for sources without world landmarks: a 1.65 m
#: adult, with MediaPipe's hip points (closer together than the hip bones).
NOMINAL_CM = {"hip_width": 21.5, "torso": 47.5, "thigh": 40.4, "shin": 40.6, "shoulder_width": 34.6}


def fill_side(ref: str, side: str) -> str:
    """``fill_side("{side}_heel", "left") == "left_heel"``; ``{other}`` is the opposite side."""
    other = {"left": "right", "right": "left"}.get(side, side)
    return ref.replace("{side}", side).replace("{other}", other)


def pair(ref: str, side: str) -> tuple[int, int]:
    """The two landmark indices whose midpoint is ``ref`` once ``side`` is filled in."""
    name = fill_side(ref, side)
    if name.startswith("mid_"):
        return index(f"left_{name[4:]}"), index(f"right_{name[4:]}")
    i = index(name)
    return i, i


def point(P: np.ndarray, ij: tuple[int, int]) -> np.ndarray:
    """The point for an index pair from ``P`` (``(33, d)``)."""
    i, j = ij
    return P[i] if i == j else (P[i] + P[j]) * 0.5


def coords(P: np.ndarray, ij: tuple[int, int]) -> list[float]:
    """`point` as plain floats, for per-frame arithmetic on a few 2-D or 3-D points
    (where numpy's per-call cost would be most of the time).

    >>> coords(np.array([[0.0, 2.0], [4.0, 6.0]]), (0, 1))
    [2.0, 4.0]
    """
    i, j = ij
    if i == j:
        return P[i].tolist()
    p, q = P[i].tolist(), P[j].tolist()
    if len(p) == 2:
        return [(p[0] + q[0]) * 0.5, (p[1] + q[1]) * 0.5]
    return [(p[0] + q[0]) * 0.5, (p[1] + q[1]) * 0.5, (p[2] + q[2]) * 0.5]


def angle_at(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    """The angle a-b-c in degrees (180 = straight); NaN for a zero-length side.

    Works in 2-D (pixels) and 3-D (world), on arrays or lists of floats.
    """
    # Plain floats: for three short vectors, numpy's per-call cost dominates.
    if not isinstance(a, list):
        a, b, c = a.tolist(), b.tolist(), c.tolist()
    ux, uy, vx, vy = a[0] - b[0], a[1] - b[1], c[0] - b[0], c[1] - b[1]
    uz = a[2] - b[2] if len(a) > 2 else 0.0
    vz = c[2] - b[2] if len(a) > 2 else 0.0
    nu = math.sqrt(ux * ux + uy * uy + uz * uz)
    nv = math.sqrt(vx * vx + vy * vy + vz * vz)
    if nu < 1e-12 or nv < 1e-12:
        return math.nan
    cos = (ux * vx + uy * vy + uz * vz) / (nu * nv)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def dot(u: list[float], v: list[float]) -> float:
    """The dot product of two 2-D or 3-D vectors of plain floats."""
    if len(u) == 2:
        return u[0] * v[0] + u[1] * v[1]
    return u[0] * v[0] + u[1] * v[1] + u[2] * v[2]


def minus(p: list[float], q: list[float]) -> list[float]:
    """``p - q`` for 2-D or 3-D vectors of plain floats."""
    if len(p) == 2:
        return [p[0] - q[0], p[1] - q[1]]
    return [p[0] - q[0], p[1] - q[1], p[2] - q[2]]


def angle_between(u: np.ndarray | list[float], v: np.ndarray | list[float]) -> float:
    """The unsigned angle between two directions, in degrees [0, 180]."""
    if not isinstance(u, list):
        u, v = u.tolist(), v.tolist()
    nu, nv = math.hypot(*u), math.hypot(*v)
    if nu < 1e-12 or nv < 1e-12:
        return math.nan
    return math.degrees(math.acos(max(-1.0, min(1.0, dot(u, v) / (nu * nv)))))


def rotation_2d(u: np.ndarray | list[float], v: np.ndarray | list[float]) -> float:
    """How far direction ``v`` is turned from ``u`` in the image, in degrees [0, 180]."""
    a = math.atan2(float(v[1]), float(v[0])) - math.atan2(float(u[1]), float(u[0]))
    return abs(math.degrees((a + math.pi) % (2 * math.pi) - math.pi))


def body_axes(left_hip: np.ndarray, right_hip: np.ndarray, mid_shoulder: np.ndarray) -> tuple:
    """Unit (lateral, longitudinal) axes of the body frame, origin mid-hip.

    ``lateral`` runs along the hip line toward the body's left; ``longitudinal``
    runs along the torso toward the head, made perpendicular to ``lateral``.
    Works in 2-D (image) and 3-D (world). NaN axes when the hips coincide.
    """
    lateral = left_hip - right_hip
    n = math.sqrt(float(lateral @ lateral))
    lateral = lateral / n if n > 1e-12 else lateral * math.nan
    up = mid_shoulder - (left_hip + right_hip) * 0.5
    up = up - float(up @ lateral) * lateral
    m = math.sqrt(float(up @ up))
    up = up / m if m > 1e-12 else up * math.nan
    return lateral, up
