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

from formcheck.landmarks import NAMES, index

_HIPS_KNEES = ((index("left_hip"), index("left_knee")), (index("right_hip"), index("right_knee")))
_SHOULDERS = (index("left_shoulder"), index("right_shoulder"))
#: The landmarks of each leg below the hip: what a mirroring leg echoes.
_LEGS = {
    side: [index(f"{side}_{part}") for part in ("knee", "ankle", "heel", "foot_index")]
    for side in ("left", "right")
}

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
_JITTER_PX = {
    "face": 0.81,
    "shoulder": 0.37,
    "elbow": 0.43,
    "wrist": 0.80,
    "hip": 0.71,
    "knee": 1.00,
    "ankle": 1.20,
    "heel": 0.39,
    "foot_index": 0.48,
}
# Relative depth z (pixel-equivalent) and world (mm) residuals, same method.
_Z_PX = {
    "face": 3.7,
    "shoulder": 3.6,
    "elbow": 4.2,
    "wrist": 5.5,
    "hip": 0.5,
    "knee": 1.4,
    "ankle": 2.5,
    "heel": 2.8,
    "foot_index": 4.1,
}
_WORLD_MM = {
    "face": 3.0,
    "shoulder": 2.3,
    "elbow": 2.4,
    "wrist": 2.9,
    "hip": 0.2,
    "knee": 3.5,
    "ankle": 2.7,
    "heel": 2.9,
    "foot_index": 4.0,
}


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
class ViewNoise:
    """How MediaPipe's noise from one camera view differs from the calibration clip's.

    Measured on the rendered clips (docs/simulator.md, "Per-view noise from the
    rendered clips"). ``fast`` multiplies the fast jitter of the named landmark
    groups (others keep 1); ``wander`` the slow wander; ``thigh_pull`` is the
    share of the knees' mean travel along the body that both hip landmarks
    follow (signed: + towards the feet when the knees go that way). MediaPipe's
    hips are partly a thigh feature, so they drift with a moving thigh.
    """

    fast: dict[str, float] = field(default_factory=dict)
    wander: float = 1.0
    thigh_pull: float = 0.0


#: Per named view; views not listed (overhead, custom cameras) keep the clip's noise.
#: ``fast``: for the groups whose jitter was larger on the rendered clips (clean renders
#: are a lower bound, so nothing is scaled down), the factor that makes jitter plus
#: wander leave the rendered residual at 15 fps (tools/scenes/noise_by_view.py). ``thigh_pull``:
#: the mid-hip moved 2.0 cm towards the feet from the side and 2.0 cm towards the head
#: end-on at full extension of a heel slide, where the knees' mean travel is 5.3 cm
#: (end-on the projection makes -0.30 read as 2.0 cm, measured the same way).
#: The wander is kept: the larger slow errors there repeat with the pose in every rep
#: (they are biases along the motion), so random wander of that size would fake drift
#: that MediaPipe did not show.
VIEW_NOISE: dict[str, ViewNoise] = {
    "side": ViewNoise(fast={"ankle": 1.30, "heel": 5.7, "foot_index": 4.8}, thigh_pull=0.38),
    "end_on": ViewNoise(fast={"knee": 1.96, "heel": 1.74, "foot_index": 1.54}, thigh_pull=-0.30),
}


@dataclass(frozen=True)
class NoiseModel:
    """Per-landmark noise, in metres at the body (image) and metres (world).

    ``jitter_m[i]`` is the standard deviation of landmark ``i``'s fast AR(1)
    jitter; ``wander_m`` that of the slow wander shared by all landmarks;
    ``thigh_pull`` the share of its knee's travel along the body that each hip
    landmark follows (0: none; see `ViewNoise`); ``mirror`` the share of the
    working leg's movement that the resting leg's landmarks echo (0: none; see
    `mirror_drift`). ``NoiseModel()`` is the real clip's calibration;
    `NoiseModel.for_view` adds what a camera view changes.
    """

    jitter_m: np.ndarray = field(default_factory=_fast_jitter_m)
    depth_m: np.ndarray = field(
        default_factory=lambda: _per_landmark(_Z_PX, 1 / CLIP_PX_PER_M / RESIDUAL_RATIO)
    )
    world_m: np.ndarray = field(
        default_factory=lambda: _per_landmark(_WORLD_MM, 1e-3 / RESIDUAL_RATIO)
    )
    jitter_rho: float = 0.65
    wander_m: float = WANDER_PX / CLIP_PX_PER_M
    wander_seconds: float = 1.5
    thigh_pull: float = 0.0
    mirror: float = 0.0

    @classmethod
    def for_view(cls, view: str) -> NoiseModel:
        """The calibrated model scaled to what MediaPipe did from ``view`` on the rendered clips.

        >>> m = NoiseModel.for_view("overhead")
        >>> bool((m.jitter_m == NoiseModel().jitter_m).all()), m.thigh_pull
        (True, 0.0)
        """
        v = VIEW_NOISE.get(view, ViewNoise())
        base = cls()
        fast = np.array([v.fast.get(group_of(n), 1.0) for n in NAMES])
        return cls(
            jitter_m=base.jitter_m * fast,
            wander_m=base.wander_m * v.wander,
            thigh_pull=v.thigh_pull,
        )

    def __post_init__(self) -> None:
        for name in ("jitter_m", "depth_m", "world_m"):
            value = np.asarray(getattr(self, name), dtype=float)
            if value.shape != (len(NAMES),) or (value < 0).any():
                raise ValueError(
                    f"{name}: expected {len(NAMES)} non-negative metres, got shape {value.shape}"
                )
        if not 0.0 <= self.jitter_rho < 1.0:
            raise ValueError(f"jitter_rho: expected [0, 1), got {self.jitter_rho!r}")
        if not -1.0 <= self.thigh_pull <= 1.0:
            raise ValueError(f"thigh_pull: expected a share in [-1, 1], got {self.thigh_pull!r}")
        if not 0.0 <= self.mirror <= 1.0:
            raise ValueError(f"mirror: expected a share in [0, 1], got {self.mirror!r}")

    def _rhos(self, fps: float) -> tuple[float, float]:
        # Correlations are per frame at 30 fps; keep the same per-second decay.
        return self.jitter_rho ** (30.0 / fps), float(np.exp(-1.0 / (self.wander_seconds * fps)))

    def image_noise(
        self, rng: np.random.Generator, *, frames: int, fps: float, scale: float | np.ndarray
    ) -> np.ndarray:
        """``(frames, 33, 3)`` noise in metres at the body: x, y and depth.

        ``scale`` multiplies everything (the ``jitter`` control).
        """
        rho_j, rho_w = self._rhos(fps)
        sigma = np.stack([self.jitter_m, self.jitter_m, self.depth_m], axis=1)
        fast = ar1(rng, (frames, len(NAMES), 3), rho_j) * sigma
        slow = ar1(rng, (frames, len(NAMES), 3), rho_w) * self.wander_m
        slow[:, :, 2] = 0.0  # depth wander is lost in the much larger depth jitter
        return (fast + slow) * scale

    def world_noise(
        self, rng: np.random.Generator, *, frames: int, fps: float, scale: float
    ) -> np.ndarray:
        """``(frames, 33, 3)`` noise for the world landmarks (metres)."""
        rho_j, _ = self._rhos(fps)
        return ar1(rng, (frames, len(NAMES), 3), rho_j) * self.world_m[:, None] * scale

    def thigh_drift(self, points: np.ndarray) -> np.ndarray:
        """``(frames, 33, 3)`` room-space shift (metres) of the hip landmarks with moving thighs.

        Both hips move along the body's line (mid-shoulder to mid-hip) by
        ``thigh_pull`` times the knees' mean travel along that line since the
        first frame (the rest pose): the whole pelvis reading drifts, as both
        hips did on the rendered clips. Deterministic: no random draws.
        """
        out = np.zeros_like(points, dtype=float)
        if self.thigh_pull == 0.0:
            return out
        hips = [h for h, _ in _HIPS_KNEES]
        knees = [k for _, k in _HIPS_KNEES]
        axis = points[:, hips].mean(axis=1) - points[:, list(_SHOULDERS)].mean(axis=1)
        axis = axis / np.linalg.norm(axis, axis=1, keepdims=True)
        moved = (points[:, knees] - points[:1, knees]).mean(axis=1)
        travel = np.einsum("ij,ij->i", moved, axis)
        out[:, hips] = (self.thigh_pull * travel[:, None] * axis)[:, None]
        return out

    def mirror_drift(self, points: np.ndarray) -> np.ndarray:
        """``(frames, 33, 3)`` room-space shift (metres) of the resting leg echoing the other.

        A pose model that confuses the legs pulls the resting leg's landmarks
        (knee, ankle, heel, toe) after the working one's. Each frame, the leg
        that has moved further from the first frame (the rest pose) is working;
        the other gets ``mirror`` times the difference of their movements, so
        when both legs move alike (a squat) nothing echoes. Deterministic.

        >>> import numpy as np
        >>> pts = np.zeros((2, 33, 3)); pts[1, _LEGS["left"]] = [0.1, 0.0, 0.0]
        >>> NoiseModel(mirror=0.3).mirror_drift(pts)[1, _LEGS["right"], 0].round(3).tolist()
        [0.03, 0.03, 0.03, 0.03]
        """
        out = np.zeros_like(points, dtype=float)
        if self.mirror == 0.0:
            return out
        left, right = (points[:, _LEGS[s]] - points[:1, _LEGS[s]] for s in ("left", "right"))
        left_works = np.linalg.norm(left, axis=2).mean(axis=1) >= np.linalg.norm(
            right, axis=2
        ).mean(axis=1)
        echo = self.mirror * (left - right)
        out[:, _LEGS["right"]] = np.where(left_works[:, None, None], echo, 0.0)
        out[:, _LEGS["left"]] = np.where(left_works[:, None, None], 0.0, -echo)
        return out
