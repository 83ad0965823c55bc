"""Landmark noise calibrated on MediaPipe's output for a real clip.

The figures and how they were measured are in docs/simulator.md. Noise is
held in metres at the body, not in pixels, because MediaPipe finds landmarks
in a crop around the person resized to a fixed size: its error scales with
how big the person is in the image, so a person twice as far away gets half
the pixels of jitter.

Each coordinate gets the sum of two AR(1) processes (temporally correlated,
as MediaPipe's tracker smooths its output): a fast jitter (lag-1 correlation
0.65 per frame at 30 fps) and a slow wander (1.5 s time constant).

>>> import numpy as np
>>> model = NoiseModel()
>>> e = model.image_noise(np.random.default_rng(0), frames=4, fps=30.0, scale=1.0)
>>> e.shape
(4, 33, 3)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck.landmarks import NAMES

#: Where the calibration clip's scale puts 1 m at the body (pixels).
CLIP_PX_PER_M = 339.0
#: Residual std of unit AR(1) noise with rho 0.65 after the Savitzky-Golay
#: (11, 3) filter used in the measurement (``calibrate._model_residual``).
RESIDUAL_RATIO = 0.567

#: The same for the slow wander (AR(1) with a 1.5 s time constant at 30 fps).
WANDER_RESIDUAL_RATIO = 0.134
#: Slow wander, pixels at CLIP_PX_PER_M (bounded above by planted heels and toes).
WANDER_PX = 2.0

# Measured jitter (pixels at CLIP_PX_PER_M): residual std after SG(11, 3),
# near and far sides pooled. See docs/simulator.md.
_JITTER_PX = {"face": 0.81, "shoulder": 0.37, "elbow": 0.43, "wrist": 0.80, "hip": 0.71,
              "knee": 1.00, "ankle": 1.20, "heel": 0.39, "foot_index": 0.48}
# Relative depth z (pixel-equivalent) and world (mm) residuals, same method.
_Z_PX = {"face": 3.7, "shoulder": 3.6, "elbow": 4.2, "wrist": 5.5, "hip": 0.5,
         "knee": 1.4, "ankle": 2.5, "heel": 2.8, "foot_index": 4.1}
_WORLD_MM = {"face": 3.0, "shoulder": 2.3, "elbow": 2.4, "wrist": 2.9, "hip": 0.2,
             "knee": 3.5, "ankle": 2.7, "heel": 2.9, "foot_index": 4.0}


def group_of(name: str) -> str:
    """The noise group of a landmark name (``"left_pinky"`` -> ``"wrist"``)."""
    for part in ("shoulder", "elbow", "hip", "knee", "ankle", "heel", "foot_index"):
        if name.endswith(part):
            return part
    if name.endswith(("wrist", "pinky", "index", "thumb")):
        return "wrist"
    return "face"


def _per_landmark(table: dict[str, float], scale: float) -> np.ndarray:
    return np.array([table[group_of(n)] * scale for n in NAMES])


def _fast_jitter_m() -> np.ndarray:
    """Fast jitter sigma (metres at the body) so that jitter plus wander leave the measured
    residual: the wander's share is taken off in quadrature (keeping at least half)."""
    wander = WANDER_PX * WANDER_RESIDUAL_RATIO
    share = {g: max(v * v - wander * wander, (v / 2) ** 2) ** 0.5 for g, v in _JITTER_PX.items()}
    return _per_landmark(share, 1 / CLIP_PX_PER_M / RESIDUAL_RATIO)


def ar1(rng: np.random.Generator, shape: tuple[int, ...], rho: float) -> np.ndarray:
    """Unit-variance AR(1) noise along axis 0 (stationary from the first sample)."""
    out = np.empty(shape)
    out[0] = rng.standard_normal(shape[1:])
    innovation = np.sqrt(1.0 - rho * rho)
    for k in range(1, shape[0]):
        out[k] = rho * out[k - 1] + innovation * rng.standard_normal(shape[1:])
    return out


@dataclass(frozen=True)
class NoiseModel:
    """Per-landmark noise, in metres at the body (image) and metres (world).

    ``jitter_m[i]`` is the standard deviation of landmark ``i``'s fast AR(1)
    jitter; ``wander_m`` that of the slow wander shared by all landmarks.
    """

    jitter_m: np.ndarray = field(default_factory=_fast_jitter_m)
    depth_m: np.ndarray = field(
        default_factory=lambda: _per_landmark(_Z_PX, 1 / CLIP_PX_PER_M / RESIDUAL_RATIO))
    world_m: np.ndarray = field(
        default_factory=lambda: _per_landmark(_WORLD_MM, 1e-3 / RESIDUAL_RATIO))
    jitter_rho: float = 0.65
    wander_m: float = WANDER_PX / CLIP_PX_PER_M
    wander_seconds: float = 1.5

    def __post_init__(self) -> None:
        for name in ("jitter_m", "depth_m", "world_m"):
            value = np.asarray(getattr(self, name), dtype=float)
            if value.shape != (len(NAMES),) or (value < 0).any():
                raise ValueError(f"{name}: expected {len(NAMES)} non-negative metres, "
                                 f"got shape {value.shape}")
        if not 0.0 <= self.jitter_rho < 1.0:
            raise ValueError(f"jitter_rho: expected [0, 1), got {self.jitter_rho!r}")

    def _rhos(self, fps: float) -> tuple[float, float]:
        # Correlations are per frame at 30 fps; keep the same per-second decay.
        return self.jitter_rho ** (30.0 / fps), float(np.exp(-1.0 / (self.wander_seconds * fps)))

    def image_noise(self, rng: np.random.Generator, *, frames: int, fps: float,
                    scale: float | np.ndarray) -> np.ndarray:
        """``(frames, 33, 3)`` noise in metres at the body: x, y and depth.

        ``scale`` multiplies everything (the ``jitter`` control).
        """
        rho_j, rho_w = self._rhos(fps)
        sigma = np.stack([self.jitter_m, self.jitter_m, self.depth_m], axis=1)
        fast = ar1(rng, (frames, len(NAMES), 3), rho_j) * sigma
        slow = ar1(rng, (frames, len(NAMES), 3), rho_w) * self.wander_m
        slow[:, :, 2] = 0.0  # depth wander is lost in the much larger depth jitter
        return (fast + slow) * scale

    def world_noise(self, rng: np.random.Generator, *, frames: int, fps: float,
                    scale: float) -> np.ndarray:
        """``(frames, 33, 3)`` noise for the world landmarks (metres)."""
        rho_j, _ = self._rhos(fps)
        return ar1(rng, (frames, len(NAMES), 3), rho_j) * self.world_m[:, None] * scale
