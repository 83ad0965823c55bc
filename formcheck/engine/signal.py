"""Signal conditioning: One Euro smoothing, outlier rejection and short-gap filling.

All three act on the whole landmark array at once (numpy, no per-landmark
Python loop). `LandmarkConditioner` chains them; each part is a small class
with its own state and tests.

- `OneEuro` (Casiez et al., CHI 2012): a low-pass filter whose cutoff rises
  with speed, so still poses are steady and fast moves don't lag much.
- Outliers: a landmark that jumps farther in one frame than a body can move
  is ignored for that frame; if the jump persists it is accepted (it was real).
- Gaps: a landmark that is missing or not visible enough keeps its last value
  for up to ``max_gap`` seconds and still counts as seen; after that it is
  unseen until it comes back, when its filter restarts from the new value.

>>> import numpy as np
>>> f = OneEuro(min_cutoff=1.0, beta=0.0)
>>> f.update(np.array([0.0]), 0.0).tolist(), round(float(f.update(np.array([1.0]), 0.1)[0]), 3)
([0.0], 0.386)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.frame import PoseFrame
from formcheck.landmarks import COUNT


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    """The smoothing factor of a first-order low-pass at ``cutoff`` Hz over ``dt`` s."""
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuro:
    """A vectorised One Euro filter over arrays of any fixed shape.

    ``update(x, t)`` returns the filtered array. ``speed_axis`` groups
    coordinates into points (e.g. the last axis of ``(33, 2)``) so the cutoff
    adapts to each point's speed rather than each coordinate's.
    """

    def __init__(
        self,
        min_cutoff: float = 1.0,
        beta: float = 0.0,
        d_cutoff: float = 1.0,
        speed_axis: int | None = None,
    ) -> None:
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.speed_axis = speed_axis
        self.x: np.ndarray | None = None
        self.dx: np.ndarray | None = None
        self.t = 0.0

    def reset(self) -> None:
        """Forget the state; the next value passes through unchanged."""
        self.x = self.dx = None

    def alpha(self, x: np.ndarray, t: float) -> np.ndarray | float:
        """Advance the speed estimate with ``x`` at ``t``; return this frame's alpha."""
        dt = t - self.t
        if self.x is None or dt <= 0:
            return 1.0
        dx = (x - self.x) / dt
        a_d = _alpha(self.d_cutoff, dt)
        self.dx = dx if self.dx is None else self.dx + a_d * (dx - self.dx)
        speed = np.abs(self.dx)
        if self.speed_axis is not None:
            speed = np.sqrt(np.sum(self.dx * self.dx, axis=self.speed_axis, keepdims=True))
        return _alpha(self.min_cutoff + self.beta * speed, dt)

    def update(
        self, x: np.ndarray, t: float, alpha: np.ndarray | float | None = None
    ) -> np.ndarray:
        """Filter ``x`` observed at time ``t``; ``alpha`` may be given (shared with another)."""
        a = self.alpha(x, t) if alpha is None else alpha
        self.x = x.copy() if self.x is None else self.x + a * (x - self.x)
        self.t = t
        return self.x


@dataclass(frozen=True)
class Conditioning:
    """Settings of `LandmarkConditioner` (defaults suit 15-60 fps webcams and clips).

    ``min_cutoff`` (Hz) and ``beta`` (s per body length) set the One Euro
    filter; ``max_jump`` (body lengths per second, plus ``jump_floor`` body
    lengths) bounds believable motion; ``confirm`` frames of a persisting jump
    accept it; ``max_gap`` (s) is the longest gap bridged.
    """

    min_cutoff: float = 1.2
    beta: float = 1.5
    d_cutoff: float = 1.0
    max_jump: float = 12.0
    jump_floor: float = 0.25
    confirm: int = 3
    max_gap: float = 0.25


@dataclass(frozen=True)
class Pose:
    """A conditioned pose: pixels ``(33, 2)``, world ``(33, 3)`` or None, and whether seen."""

    t: float
    px: np.ndarray
    world: np.ndarray | None
    seen: np.ndarray  # (33,) bool: visible enough now, or bridged across a short gap


class LandmarkConditioner:
    """Turns raw `PoseFrame`s into smoothed `Pose`s with gating and gap filling.

    ``visibility`` is the spec's gating threshold. ``scale`` (pixels per body
    length) sizes the outlier bound; until it's known, a quarter of the image
    diagonal stands in.
    """

    def __init__(self, visibility: float, settings: Conditioning | None = None) -> None:
        self.visibility = visibility
        self.cfg = settings or Conditioning()
        self.scale: float | None = None
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new session or exercise)."""
        c = self.cfg
        self._px = OneEuro(c.min_cutoff, c.beta, c.d_cutoff, speed_axis=1)
        self._world = OneEuro(c.min_cutoff, 0.0, c.d_cutoff)
        self._last_seen = np.full(COUNT, -np.inf)
        self._jumps = np.zeros(COUNT, dtype=np.int64)

    def update(self, frame: PoseFrame) -> Pose | None:
        """Condition one frame; None until some landmark has been seen."""
        t = frame.t
        if frame.image is not None:
            raw = frame.image[:, :2] * (frame.width, frame.height)
            ok = (frame.visibility >= self.visibility) & np.isfinite(raw).all(axis=1)
        else:
            raw, ok = None, np.zeros(COUNT, dtype=bool)
        f = self._px
        if f.x is None:
            if raw is None or not ok.any():
                return None
            return self._start(frame, raw, ok)
        prev = f.x
        body = self.scale or 0.25 * math.hypot(frame.width, frame.height)
        if raw is not None:
            dt = max(t - f.t, 1e-6)
            jump = np.sqrt(np.sum((raw - prev) ** 2, axis=1))
            recent = t - self._last_seen <= self.cfg.max_gap
            far = ok & recent & (jump > body * (self.cfg.jump_floor + self.cfg.max_jump * dt))
            self._jumps = np.where(far, self._jumps + 1, 0)
            accept = self._jumps >= self.cfg.confirm  # a jump that persists is real
            ok = ok & (~far | accept)
            restart = ok & (accept | (t - self._last_seen > self.cfg.max_gap))
            target = np.where(ok[:, None], raw, prev)
        else:
            restart = ok
            target = prev
        # Landmarks not seen this frame are held still: they feed their own value back.
        f.beta = self.cfg.beta / body  # beta is per body length: make it per pixel
        alpha = f.alpha(target, t)
        if np.ndim(alpha):
            alpha = np.where(restart[:, None], 1.0, alpha)
        px = f.update(target, t, alpha)
        world = self._update_world(frame, ok, restart, alpha)
        self._last_seen = np.where(ok, t, self._last_seen)
        seen = t - self._last_seen <= self.cfg.max_gap
        return Pose(t=t, px=px.copy(), world=world, seen=seen)

    def _start(self, frame: PoseFrame, raw: np.ndarray, ok: np.ndarray) -> Pose:
        f = self._px
        f.x, f.dx, f.t = np.where(ok[:, None], raw, 0.0), None, frame.t
        self._last_seen = np.where(ok, frame.t, -np.inf)
        world = None
        if frame.world is not None:
            w = self._world
            w.x, w.dx, w.t = frame.world.copy(), None, frame.t
            world = frame.world.copy()
        return Pose(t=frame.t, px=f.x.copy(), world=world, seen=ok.copy())

    def _update_world(
        self, frame: PoseFrame, ok: np.ndarray, restart: np.ndarray, alpha: np.ndarray | float
    ) -> np.ndarray | None:
        wf = self._world
        if frame.world is None or wf.x is None:
            if frame.world is not None and ok.any():
                return wf.update(frame.world, frame.t).copy()
            return None if wf.x is None else wf.x.copy()
        target = np.where(ok[:, None], frame.world, wf.x)
        a = np.where(restart[:, None], 1.0, alpha) if np.ndim(alpha) else alpha
        return wf.update(target, frame.t, a).copy()
