"""A static pinhole camera and MediaPipe-style landmark outputs.

Room coordinates are metres with z up. The camera's own axes are x right,
y down, z forward (into the scene), as in an image.

>>> import numpy as np
>>> cam = Camera(position=(0.0, 3.0, 1.0), look_at=(0.0, 0.0, 1.0))
>>> cam.project(np.array([[0.0, 0.0, 1.0]]), origin=np.array([0.0, 0.0, 1.0]))[0].tolist()
[0.5, 0.5, 0.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from functools import cached_property

import numpy as np

from formcheck.simulate.geometry import unit


def _vec3(value: object, field: str) -> tuple[float, float, float]:
    array = np.asarray(value, dtype=float)
    if array.shape != (3,) or not np.isfinite(array).all():
        raise ValueError(f"{field}: expected 3 finite numbers (metres), got {value!r}")
    return (float(array[0]), float(array[1]), float(array[2]))


@dataclass(frozen=True)
class Camera:
    """A pinhole camera at ``position`` looking at ``look_at``.

    ``up`` is a hint for which room direction should appear upward in the
    image; ``hfov_deg`` is the horizontal field of view (60° is a typical
    phone or laptop webcam).
    """

    position: tuple[float, float, float]
    look_at: tuple[float, float, float]
    up: tuple[float, float, float] = (0.0, 0.0, 1.0)
    hfov_deg: float = 60.0
    width: int = 640
    height: int = 480

    def __post_init__(self) -> None:
        for name in ("position", "look_at", "up"):
            object.__setattr__(self, name, _vec3(getattr(self, name), name))
        if not 10.0 <= self.hfov_deg <= 150.0:
            raise ValueError(f"hfov_deg: expected degrees in [10, 150], got {self.hfov_deg!r}")
        for name in ("width", "height"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"{name}: expected a positive integer, got {value!r}")
        forward = np.subtract(self.look_at, self.position)
        if np.linalg.norm(forward) < 1e-6:
            raise ValueError("look_at: expected a point away from the camera position, "
                             f"got the position itself {self.position}")
        if np.linalg.norm(np.cross(unit(forward), unit(np.array(self.up)))) < 1e-6:
            raise ValueError(f"up: expected a direction not along the line of sight, got {self.up}")

    def to_dict(self) -> dict[str, object]:
        """The camera's fields as plain values (for the truth's JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @cached_property
    def rotation(self) -> np.ndarray:
        """Rows are the camera's right, down and forward axes in room coordinates."""
        forward = unit(np.subtract(self.look_at, self.position))
        right = unit(np.cross(forward, self.up))
        down = np.cross(forward, right)
        return np.vstack([right, down, forward])

    @cached_property
    def focal(self) -> float:
        """Focal length in pixels."""
        return (self.width / 2) / math.tan(math.radians(self.hfov_deg) / 2)

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """Room points ``(n, 3)`` in camera axes (metres)."""
        return (np.asarray(points) - np.array(self.position)) @ self.rotation.T

    def project(self, points: np.ndarray, origin: np.ndarray) -> np.ndarray:
        """MediaPipe normalised ``(n, 3)``: x, y in [0, 1] of the image, z relative depth.

        z is the depth behind ``origin`` (the mid-hip), scaled like x: metres
        times pixels-per-metre at the origin's depth, divided by the width.
        """
        cam = self.to_camera(points)
        depth = cam[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (self.focal * cam[:, 0] / depth + self.width / 2) / self.width
            y = (self.focal * cam[:, 1] / depth + self.height / 2) / self.height
        origin_depth = float(self.to_camera(origin[None])[0, 2])
        z = (depth - origin_depth) * self.focal / origin_depth / self.width
        out = np.column_stack([x, y, z])
        out[depth <= 0.05] = np.nan  # behind (or touching) the lens: not seen
        return out

    def world(self, points: np.ndarray, origin: np.ndarray) -> np.ndarray:
        """MediaPipe-style world landmarks: metres from ``origin``, camera-aligned axes."""
        return (np.asarray(points) - origin) @ self.rotation.T

    def pixels_per_metre(self, point: np.ndarray) -> float:
        """Image scale (pixels per metre) at the depth of ``point``."""
        return self.focal / float(self.to_camera(np.asarray(point)[None])[0, 2])
