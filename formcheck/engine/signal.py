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
from functools import cached_property

import numpy as np

from formcheck.frame import PoseFrame
from formcheck.landmarks import COUNT


def _alpha(cutoff: np.ndarray | float, dt: float) -> np.ndarray | float:
    """The smoothing factor of a first-order low-pass at ``cutoff`` Hz over ``dt`` s."""
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuro:
    """A vectorised One Euro filter over arrays of any fixed shape.

    ``update(x, t)`` returns the filtered array. With ``speed_cols`` set, each
    row of a 2-D array is one point and its cutoff follows the speed of its
    first ``speed_cols`` columns (e.g. the pixel x, y of a landmark whose
    world x, y, z ride along in the same row), not each coordinate's own.
    """

    def __init__(
        self,
        min_cutoff: float = 1.0,
        beta: float = 0.0,
        d_cutoff: float = 1.0,
        speed_cols: int | None = None,
    ) -> None:
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.speed_cols = speed_cols
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
        if self.speed_cols is None:
            speed = np.abs(self.dx)
        else:
            v = self.dx[:, : self.speed_cols]
            speed = np.sqrt(np.einsum("ij,ij->i", v, v))[:, None]
        return _alpha(self.min_cutoff + self.beta * speed, dt)

    def update(
        self, x: np.ndarray, t: float, alpha: np.ndarray | float | None = None
    ) -> np.ndarray:
        """Filter ``x`` observed at time ``t``; ``alpha`` may be given (e.g. with restarts)."""
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

    @cached_property
    def bits(self) -> int:
        """``seen`` as an int bit mask (bit i = landmark i), for cheap per-metric tests.

        >>> import numpy as np
        >>> Pose(0.0, np.zeros((33, 2)), None, np.arange(33) < 2).bits
        3
        """
        return int.from_bytes(np.packbits(self.seen, bitorder="little").tobytes(), "little")


class LandmarkConditioner:
    """Turns raw `PoseFrame`s into smoothed `Pose`s with gating and gap filling.

    Pixels and world coordinates are filtered together, one ``(33, 5)``
    array, so a landmark's world position is smoothed exactly as its image
    position is. ``visibility`` is the spec's gating threshold. ``scale``
    (pixels per body length) sizes the outlier bound and makes ``beta`` per
    body length; until it's known, a quarter of the image diagonal stands in.
    """

    def __init__(self, visibility: float, settings: Conditioning | None = None) -> None:
        self.visibility = visibility
        self.cfg = settings or Conditioning()
        self.scale: float | None = None
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new session or exercise)."""
        c = self.cfg
        self._filter = OneEuro(c.min_cutoff, c.beta, c.d_cutoff, speed_cols=2)
        self._last_seen = np.full(COUNT, -np.inf)
        self._jumps = np.zeros(COUNT, dtype=np.int64)
        self._jumping = False  # some landmark's jump is being confirmed
        self._has_world = False
        self._size: tuple[tuple[int, int] | None, np.ndarray | None] = (None, None)

    def update(self, frame: PoseFrame) -> Pose | None:
        """Condition one frame; None until some landmark has been seen."""
        t, img, f, cfg = frame.t, frame.image, self._filter, self.cfg
        raw = None
        ok = np.zeros(COUNT, dtype=bool)
        if img is not None:
            raw = np.empty((COUNT, 5))
            size = (frame.width, frame.height)
            if self._size[0] != size:  # an array made once: a tuple is converted every call
                self._size = (size, np.array(size, dtype=float))
            np.multiply(img[:, :2], self._size[1], out=raw[:, :2])
            if frame.world is not None:
                raw[:, 2:] = frame.world
                self._has_world = True
            else:
                raw[:, 2:] = 0.0 if f.x is None else f.x[:, 2:]
            ok = (img[:, 3] >= self.visibility) & np.isfinite(raw).all(axis=1)
        if f.x is None:
            if raw is None or not ok.any():
                return None
            f.x, f.dx, f.t = np.where(ok[:, None], raw, 0.0), None, t
            self._last_seen = np.where(ok, t, -np.inf)
            return self._pose(t, f.x)
        prev = f.x
        body = self.scale or 0.25 * math.hypot(frame.width, frame.height)
        recent = t - self._last_seen <= cfg.max_gap
        if raw is not None:
            d = raw[:, :2] - prev[:, :2]
            bound = body * (cfg.jump_floor + cfg.max_jump * max(t - f.t, 1e-6))
            far = ok & recent & (np.einsum("ij,ij->i", d, d) > bound * bound)
            if far.any() or self._jumping:
                self._jumps = np.where(far, self._jumps + 1, 0)
                self._jumping = bool(far.any())
                accept = self._jumps >= cfg.confirm  # a jump that persists is real
                ok &= ~far | accept
                restart = ok & (accept | ~recent)
            else:  # the usual frame: nothing jumped
                restart = ok & ~recent
            target = np.where(ok[:, None], raw, prev)
        else:
            restart, target = ok, prev
        # Landmarks not seen this frame are held still: they feed their own value back.
        f.beta = cfg.beta / body  # beta is per body length: make it per pixel
        alpha = f.alpha(target, t)
        if np.ndim(alpha) and restart.any():
            alpha[restart] = 1.0
        x = f.update(target, t, alpha)
        self._last_seen[ok] = t
        return self._pose(t, x)

    def _pose(self, t: float, x: np.ndarray) -> Pose:
        seen = t - self._last_seen <= self.cfg.max_gap
        # x is replaced, never written to, on the next frame: views of it are safe to keep
        return Pose(t=t, px=x[:, :2], world=x[:, 2:] if self._has_world else None, seen=seen)
