"""From room-space skeletons to what MediaPipe would report: image and world landmarks.

Noise is drawn in metres at the body (see `noise`) and converted to image
units with the camera's scale at the mid-hip, frame by frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.landmarks import index
from formcheck.simulate.camera import Camera
from formcheck.simulate.noise import NoiseModel, ar1
from formcheck.simulate.views import NEAR_VISIBILITY, visibility

_LH, _RH = index("left_hip"), index("right_hip")


@dataclass(frozen=True, eq=False)
class Rendered:
    """Per-frame arrays: ``image`` (n, 33, 4) with noise, ``world`` (n, 33, 3) with
    noise, and ``clean`` (n, 33, 4) the noise-free image landmarks."""

    image: np.ndarray
    world: np.ndarray
    clean: np.ndarray


def render(
    points: np.ndarray,
    left_axes: list[dict[str, np.ndarray]],
    camera: Camera,
    *,
    fps: float,
    jitter: float,
    rng: np.random.Generator,
    noise: NoiseModel | None = None,
) -> Rendered:
    """Project ``points`` (n, 33, 3 room metres) through ``camera``; noise scaled by ``jitter``."""
    n = len(points)
    clean = np.empty((n, points.shape[1], 4))
    world = np.empty_like(points)
    scale = np.empty(n)
    for k in range(n):
        mid_hip = (points[k, _LH] + points[k, _RH]) / 2
        clean[k, :, :3] = camera.project(points[k], origin=mid_hip)
        clean[k, :, 3] = visibility(points[k], left_axes[k], camera, clean[k, :, :2])
        world[k] = camera.world(points[k], origin=mid_hip)
        scale[k] = camera.pixels_per_metre(mid_hip)
    image = clean.copy()
    if jitter > 0:
        model = noise or NoiseModel()
        if model.thigh_pull or model.mirror:
            # The hip landmarks follow moving thighs and a resting leg may echo the working
            # one (biases, not random): project the moved landmarks, keeping each frame's
            # mid-hip origin and scale. The echo is a misread leg, so the world landmarks
            # carry it too; the thigh pull is an image effect only.
            echo = jitter * model.mirror_drift(points)
            pulled = points + jitter * model.thigh_drift(points) + echo
            for k in range(n):
                mid_hip = (points[k, _LH] + points[k, _RH]) / 2
                image[k, :, :3] = camera.project(pulled[k], origin=mid_hip)
                world[k] = camera.world(points[k] + echo[k], origin=mid_hip)
        metres = model.image_noise(rng, frames=n, fps=fps, scale=jitter)
        px = metres * scale[:, None, None]
        image[:, :, 0] += px[:, :, 0] / camera.width
        image[:, :, 1] += px[:, :, 1] / camera.height
        image[:, :, 2] += px[:, :, 2] / camera.width
        world = world + model.world_noise(rng, frames=n, fps=fps, scale=jitter)
        # Visibility flickers more the less sure MediaPipe is (far-side points).
        doubt = np.clip(NEAR_VISIBILITY - clean[:, :, 3], 0.02, None)
        flicker = ar1(rng, (n, points.shape[1]), model.jitter_rho ** (30.0 / fps))
        image[:, :, 3] = np.clip(clean[:, :, 3] + 0.3 * jitter * doubt * flicker, 0.0, 1.0)
    return Rendered(image=image, world=world, clean=clean)
