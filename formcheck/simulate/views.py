"""Named camera placements (side, end_on, overhead) and per-landmark visibility.

A view is placed around the whole motion (every landmark of every frame),
then moved back along its line of sight until all of it is in the image, so
a named view always frames the body.

>>> import numpy as np
>>> pts = np.zeros((1, 33, 3)); pts[0, :, 0] = np.linspace(-0.9, 0.9, 33)
>>> cam = view_camera("side", pts, ViewPreset(), camera_side=1.0)
>>> cam.position[1] > 2.0
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from formcheck.landmarks import NAMES
from formcheck.simulate.camera import Camera
from formcheck.simulate.geometry import Y, Z
from formcheck.simulate.noise import group_of

VIEWS: tuple[str, ...] = ("side", "end_on", "overhead")


#: For each simulated exercise, the named views (room placements) that show its
#: movement well enough to judge it. The engine names views relative to the
#: body, so for upright and side-lying exercises its names differ from these
#: (docs/engine.md); the engine's tests and the accuracy benchmark both read
#: this one table.
FILMED_FROM: dict[str, tuple[str, ...]] = {
    "adductor_squeeze": ("end_on", "overhead"),
    "clamshell": ("side", "end_on"),
    "glute_bridge": ("side", "end_on"),
    "heel_slide": ("side", "end_on"),
    "jumping_jack": ("end_on", "overhead"),
    "knee_wag": ("end_on", "overhead"),
    "legs_up_the_wall": ("side", "end_on"),
    "lying_march": ("side", "end_on"),
    "push_up": ("side", "end_on"),
    "seated_leg_extension": ("side", "end_on"),
    "sit_up": ("side", "end_on"),
    "spinal_flexion": ("side", "end_on"),
    "squat": ("side", "end_on"),
    "wide_legs_up_the_wall": ("side", "overhead"),
}

@dataclass(frozen=True)
class ViewPreset:
    """Where each named view puts the camera, before fitting (metres).

    The defaults suit exercises on the floor: ``side`` is 2.6 m from the
    body's long axis at 0.55 m high (a phone on a low stool), ``end_on`` is
    1 m beyond the feet at 1.6 m (held at head height), ``overhead`` looks
    straight down from 2.6 m.
    """

    side_distance: float = 2.6
    side_height: float = 0.55
    end_beyond: float = 1.0
    end_height: float = 1.6
    overhead_height: float = 2.6

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not 0.2 <= value <= 10.0:
                raise ValueError(f"{name}: expected metres in [0.2, 10], got {value!r}")


def view_camera(view: str, points: np.ndarray, preset: ViewPreset, *, camera_side: float,
                width: int = 640, height: int = 480, hfov_deg: float = 60.0,
                margin: float = 0.04) -> Camera:
    """The camera for ``view`` framing ``points`` (``(frames, 33, 3)`` room coordinates).

    ``camera_side`` is +1 to stand on the room's +y side (the body's left
    when it lies head toward -x) and -1 for the other side.
    """
    flat = points.reshape(-1, 3)
    flat = flat[np.isfinite(flat).all(axis=1)]
    low, high = flat.min(axis=0), flat.max(axis=0)
    centre = (low + high) / 2
    if view == "side":
        position = np.array([centre[0], centre[1] + camera_side * preset.side_distance,
                             preset.side_height])
        up = Z
    elif view == "end_on":
        position = np.array([high[0] + preset.end_beyond, centre[1], preset.end_height])
        up = Z
    elif view == "overhead":
        position = np.array([centre[0], centre[1], high[2] + preset.overhead_height])
        up = -camera_side * Y  # head toward the image's right, as in the side view
    else:
        raise ValueError(f"view: expected one of {', '.join(VIEWS)}, got {view!r}")
    offset = position - centre
    for _ in range(60):  # back off 8 % at a time until everything is in frame
        cam = Camera(tuple(centre + offset), tuple(centre), tuple(up), hfov_deg, width, height)
        xy = cam.project(flat, origin=centre)[:, :2]
        if np.isfinite(xy).all() and (xy >= margin).all() and (xy <= 1 - margin).all():
            return cam
        offset = offset * 1.08
    raise ValueError(f"view {view!r}: could not fit the body in the image; "
                     "pass a custom camera instead")


#: Visibility MediaPipe gives a landmark on the far side of a body filmed
#: side-on (measured on the calibration clip, docs/simulator.md): the far
#: leg drops to 0.5-0.8, the far arm (behind the trunk) to about 0.2, while
#: the far shoulder, hip and face points stay near 1.
FAR_VISIBILITY = {"face": 0.99, "shoulder": 0.99, "hip": 0.99, "elbow": 0.2, "wrist": 0.22,
                  "knee": 0.52, "ankle": 0.67, "heel": 0.75, "foot_index": 0.79}
NEAR_VISIBILITY = 0.98


_PARTS = ("pelvis", "trunk", "head")


@cache
def _table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per landmark: side sign (+1 left, -1 right, 0 midline), deciding part, far visibility."""
    signs, parts, far = [], [], []
    for name in NAMES:
        signs.append(1.0 if "left" in name else -1.0 if "right" in name else 0.0)
        group = group_of(name)
        parts.append(0 if group in ("hip", "knee", "ankle", "heel", "foot_index") else
                     2 if group == "face" else 1)
        far.append(FAR_VISIBILITY[group])
    return np.array(signs), np.array(parts), np.array(far)


def visibility(points: np.ndarray, left_axes: dict[str, np.ndarray], camera: Camera,
               image_xy: np.ndarray, *, near: float = NEAR_VISIBILITY,
               outside: float = 0.05) -> np.ndarray:
    """Per-landmark visibility ``(33,)`` for one frame (no noise).

    A point on the side of the body that faces the camera gets ``near``; one
    on the far side gets down to its `FAR_VISIBILITY` (how far down depends
    on how squarely side-on the body is); one outside the image gets
    ``outside``. ``left_axes`` maps "pelvis", "trunk" and "head" to that
    part's body-left direction.
    """
    signs, parts, far = _table()
    axes = np.array([left_axes[p] for p in _PARTS])[parts]
    to_cam = np.array(camera.position) - points
    cos = signs * np.sum(axes * to_cam, axis=1) / np.linalg.norm(to_cam, axis=1)
    vis = near + (far - near) * np.clip(-cos, 0.0, 1.0)
    inside = np.isfinite(image_xy).all(axis=1) & (image_xy >= 0).all(axis=1) & (
        image_xy <= 1).all(axis=1)
    vis[~inside] = outside
    return vis
