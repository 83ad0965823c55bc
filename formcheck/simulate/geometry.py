"""Small vector helpers for the simulator: rotations, frames, two-link IK.

>>> import numpy as np
>>> np.round(rotate(np.array([1.0, 0, 0]), np.array([0, 0, 1.0]), 90), 6).tolist()
[0.0, 1.0, 0.0]
>>> round(included_angle(np.zeros(3), np.array([1.0, 0, 0]), np.array([1.0, 1, 0])), 1)
90.0
"""

from __future__ import annotations

import math

import numpy as np

X = np.array([1.0, 0.0, 0.0])
Y = np.array([0.0, 1.0, 0.0])
Z = np.array([0.0, 0.0, 1.0])


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The cross product of two 3-vectors (``np.cross`` is slow on single vectors)."""
    return np.array([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                     a[0] * b[1] - a[1] * b[0]])


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1 (``v`` must not be zero)."""
    n = math.sqrt(float(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]))
    if n < 1e-12:
        raise ValueError(f"unit: expected a non-zero vector, got {v!r}")
    return v / n


def rotation(axis: np.ndarray, degrees: float) -> np.ndarray:
    """The 3x3 matrix rotating by ``degrees`` about ``axis`` (right-hand rule)."""
    k = unit(np.asarray(axis, dtype=float))
    a = math.radians(degrees)
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + math.sin(a) * kx + (1 - math.cos(a)) * (kx @ kx)


def rotate(v: np.ndarray, axis: np.ndarray, degrees: float) -> np.ndarray:
    """``v`` rotated by ``degrees`` about ``axis``."""
    return rotation(axis, degrees) @ v


def body_axes(left: np.ndarray, up: np.ndarray) -> np.ndarray:
    """Orthonormal body axes as columns (left, up, anterior).

    ``up`` (cranial) wins; ``left`` is made perpendicular to it. The
    anterior axis completes a right-handed set: anterior = left x up.
    """
    u = unit(up)
    lft = unit(left - np.dot(left, u) * u)
    return np.column_stack([lft, u, cross(lft, u)])


def two_link(root: np.ndarray, target: np.ndarray, first: float, second: float,
             pole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve a two-segment chain from ``root`` to ``target``; return the two unit directions.

    The middle joint bends toward ``pole`` (e.g. the knee toward the ceiling).
    A target out of reach is met by the straight chain pointing at it, so the
    segment lengths never change; callers that need the end exactly on
    target keep it within ``first + second``.
    """
    d_vec = target - root
    d = float(np.linalg.norm(d_vec))
    axis = unit(d_vec)
    d = min(d, first + second)
    a = (d * d + first * first - second * second) / (2 * d)
    b = math.sqrt(max(0.0, first * first - a * a))
    side = pole - np.dot(pole, axis) * axis
    side = unit(side) if np.linalg.norm(side) > 1e-9 else np.zeros(3)
    mid = root + a * axis + b * side
    end = root + d * axis
    return unit(mid - root), unit(end - mid)


def included_angle(a: np.ndarray, vertex: np.ndarray, c: np.ndarray) -> float:
    """The angle a-vertex-c in degrees (180 for a straight line).

    Works row-wise too: with ``(n, 3)`` inputs it returns an ``(n,)`` array.
    """
    u = np.asarray(a) - vertex
    w = np.asarray(c) - vertex
    cos = np.sum(u * w, axis=-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(w, axis=-1))
    result = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return float(result) if np.ndim(result) == 0 else result


def smooth_bump(u: np.ndarray | float) -> np.ndarray:
    """0 at u=0, 1 at u=0.5, back to 0 at u=1, with zero slope at all three points."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    return (1.0 - np.cos(2.0 * np.pi * u)) / 2.0


def smooth_step(u: np.ndarray | float) -> np.ndarray:
    """0 at u=0 rising to 1 at u=1, with zero slope at both ends."""
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    return (1.0 - np.cos(np.pi * u)) / 2.0
