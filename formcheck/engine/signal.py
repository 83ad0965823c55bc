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
from dataclasses import dataclass, field

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


#: A landmark in use stays in use while its visibility is at least this share of the
#: spec's threshold (hysteresis), so one hovering about the threshold isn't dropped and
#: taken up again frame by frame.
KEEP_SHARE = 0.8


def seen_mask(indices) -> int:
    """The `Pose.bits` pattern of landmarks ``indices`` all seen: test with
    ``pose.bits & mask == mask``.

    >>> seen_mask([0, 1]) == Pose(0.0, np.zeros((33, 2)), None, np.arange(33) < 2).bits
    True
    """
    return sum(1 << (8 * int(i)) for i in indices)


@dataclass(frozen=True, slots=True, eq=False)  # eq: arrays don't compare as one truth value
class Pose:
    """A conditioned pose: pixels ``(33, 2)``, world ``(33, 3)`` or None, and whether seen.

    ``bits`` is ``seen`` as one int, a byte per landmark (byte i is 1 when
    landmark i is seen), for cheap per-metric tests against a `seen_mask`. It
    is computed here, once, because every metric and check reads it on every
    frame, and from the bool array's own bytes: packing them into bits cost
    more than everything else the pose does.

    >>> Pose(0.0, np.zeros((33, 2)), None, np.arange(33) < 2).bits == 1 + (1 << 8)
    True
    """

    t: float
    px: np.ndarray
    world: np.ndarray | None
    seen: np.ndarray  # (33,) bool: visible enough now, or bridged across a short gap
    #: ``(33, 3)``: the pixels with the image landmarks' own relative depth (MediaPipe's
    #: z, scaled like x) as a third column, or None when the source gives no such depth
    #: (or gives world landmarks, which are read instead).
    px_depth: np.ndarray | None = None
    bits: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen = self.seen
        if seen.dtype != np.bool_ or not seen.flags.c_contiguous:
            seen = np.ascontiguousarray(seen, dtype=np.bool_)
            object.__setattr__(self, "seen", seen)
        object.__setattr__(self, "bits", int.from_bytes(seen.tobytes(), "little"))


def average_pose(poses: list[Pose]) -> Pose:
    """The mean of ``poses`` (the last one's time and seen landmarks): a rest pose with
    one frame's jitter averaged out. World landmarks and image depth are averaged when
    every pose has them, else the last pose's are kept."""
    last = poses[-1]
    if len(poses) == 1:
        return last
    px = np.mean([p.px for p in poses], axis=0)

    def mean(arrays: list[np.ndarray | None], fallback: np.ndarray | None) -> np.ndarray | None:
        kept = [a for a in arrays if a is not None]
        return np.mean(kept, axis=0) if len(kept) == len(arrays) else fallback

    world = mean([p.world for p in poses], last.world)
    depth = mean([p.px_depth for p in poses], last.px_depth)
    return Pose(t=last.t, px=px, world=world, seen=last.seen, px_depth=depth)


class LandmarkConditioner:
    """Turns raw `PoseFrame`s into smoothed `Pose`s with gating and gap filling.

    Pixels, the image landmarks' relative depth (in pixels) and world coordinates
    are filtered together, one ``(33, 6)`` array, so a landmark's depth and world
    position are smoothed exactly as its image position is. ``visibility`` is
    the spec's gating threshold. ``scale`` (pixels per body length) sizes the
    outlier bound and makes ``beta`` per body length; until it's known, a
    quarter of the image diagonal stands in.

    It is `OneEuro` with ``speed_cols=2``, fused with the jump and gap
    bookkeeping: this runs on every frame of every clip and webcam, and at 33
    rows numpy's cost is per call, not per number, so each step below is
    written to take as few calls as it can (``tests/engine/test_signal.py``
    checks it against a plain `OneEuro`).
    """

    def __init__(self, visibility: float, settings: Conditioning | None = None) -> None:
        self.visibility = visibility
        self.cfg = settings or Conditioning()
        self.scale: float | None = None
        self.reset()

    def reset(self) -> None:
        """Forget everything (a new session or exercise)."""
        # (33, 6) filtered pixels x, y, the image depth z (pixels) and world x, y, z
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None  # (33, 2) smoothed pixel velocity (px/s)
        self._t = 0.0
        self._last_seen = np.full(COUNT, -np.inf)
        self._jumps = np.zeros(COUNT, dtype=np.int64)
        self._jumping = False  # some landmark's jump is being confirmed
        self._has_world = False
        self._has_depth = False  # some frame's image depth varied across the body
        self._size: tuple[tuple[int, int] | None, np.ndarray | None] = (None, None)
        raw = np.empty((COUNT, 6))
        self._buffer = (raw, raw[:, :3], raw[:, 3:])

    def _raw(self, frame: PoseFrame, recent: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
        """This frame's ``(33, 6)`` pixels, image depth and world, which landmarks are
        usable, and whether every number is finite (then no NaN can leak through
        arithmetic). ``recent``: which landmarks were seen within the bridged gap."""
        img = frame.image
        # One buffer for every frame (nothing keeps it: `update` only reads it), with
        # its two halves' views made once: each numpy call here costs as much as the maths.
        raw, raw_px, raw_world = self._buffer
        size = (frame.width, frame.height)
        if self._size[0] != size:  # an array made once: a tuple is converted every call
            self._size = (size, np.array((*size, size[0]), dtype=float))
        # z is scaled like x (MediaPipe's convention), so times the width it is pixels.
        np.multiply(img[:, :3], self._size[1], out=raw_px)
        if frame.world is not None:
            np.copyto(raw_world, frame.world)
            self._has_world = True
        else:
            raw_world[:] = 0.0 if self._x is None else self._x[:, 3:]
        # Hysteresis: a landmark in use until now (seen within the bridged gap) stays in
        # use down to `KEEP_SHARE` of the threshold. The far leg from the side hovers
        # about it (0.45-0.53 on a rendered heel slide) while its pixels stay true.
        vis = img[:, 3]
        ok = vis >= self.visibility
        ok |= (vis >= self.visibility * KEEP_SHARE) & recent
        # One sum tells whether anything is NaN or infinite; only then look row by row.
        finite = math.isfinite(np.add.reduce(raw, axis=None))
        if not finite:
            depth = raw_px[:, 2]
            depth[~np.isfinite(depth)] = 0.0  # no depth is no reason to lose a landmark
            ok &= np.isfinite(raw).all(axis=1)
        if not (self._has_depth or self._has_world):
            # A source with no depth (a 2-D pose model, a landmark file of x and y) writes
            # one constant: there is nothing to read depth from until the body's varies.
            # (With world landmarks it is never read: no test on every frame of a webcam.)
            z = raw_px[:, 2]
            self._has_depth = bool(z.max() > z.min())
        return raw, ok, finite

    def update(self, frame: PoseFrame) -> Pose | None:
        """Condition one frame; None until some landmark has been seen."""
        t, cfg = frame.t, self.cfg
        raw = None
        recent = self._last_seen >= t - cfg.max_gap  # seen within max_gap
        if frame.image is not None:
            raw, ok, finite = self._raw(frame, recent)
        if self._x is None:
            if raw is None or not ok.any():
                return None
            self._x = np.where(ok[:, None], raw, 0.0)
            self._dx, self._t = None, t
            self._last_seen = np.where(ok, t, -np.inf)
            return self._pose(t, ok)
        prev = self._x
        body = self.scale or 0.25 * math.hypot(frame.width, frame.height)
        dt = t - self._t
        if raw is None:
            ok = np.zeros(COUNT, dtype=bool)
            restart = ok
            step = np.zeros((COUNT, 6))
        else:
            step = raw - prev  # where the landmarks went; rows not used are zeroed below
            far = np.hypot(step[:, 0], step[:, 1])
            far = far > body * (cfg.jump_floor + cfg.max_jump * max(dt, 1e-6))
            far &= ok & recent  # only a landmark followed until now can jump
            if self._jumping or np.count_nonzero(far):
                self._jumps = np.where(far, self._jumps + 1, 0)
                self._jumping = bool(far.any())
                accept = self._jumps >= cfg.confirm  # a jump that persists is real
                ok &= ~far | accept
                restart = ok & (accept | ~recent)
            else:  # the usual frame: nothing jumped
                restart = ok > recent  # seen again after a long gap
            # Landmarks not used this frame are held still: no step.
            if finite:
                step *= ok[:, None]
            else:
                step = np.where(ok[:, None], step, 0.0)
        if dt > 0:
            # One Euro: the cutoff rises with the smoothed speed of each landmark's pixels.
            if self._dx is None:
                self._dx = step[:, :2] * (1.0 / dt)
            else:  # dx += a * (velocity - dx), as dx = (1 - a) dx + (a / dt) step
                a = _alpha(cfg.d_cutoff, dt)
                self._dx *= 1.0 - a
                self._dx += step[:, :2] * (a / dt)
            # c = 2 pi dt cutoff, so _alpha(cutoff, dt) = c / (c + 1): fewer numpy calls.
            # beta is per body length: make it per pixel.
            c = np.hypot(self._dx[:, 0], self._dx[:, 1])
            c *= (cfg.beta / body) * (2.0 * math.pi * dt)
            c += cfg.min_cutoff * (2.0 * math.pi * dt)
            alpha = c / (c + 1.0)
            if np.count_nonzero(restart):
                alpha[restart] = 1.0
            step *= alpha[:, None]
        step += prev
        self._x = step
        self._t = t
        self._last_seen[ok] = t
        return self._pose(t, ok | recent)

    def _pose(self, t: float, seen: np.ndarray) -> Pose:
        x = self._x
        # x is replaced, never written to, on the next frame: views of it are safe to keep
        return Pose(
            t=t,
            px=x[:, :2],
            world=x[:, 3:] if self._has_world else None,
            seen=seen,
            # Read only without world landmarks (`metrics._depth_space`): none made else.
            px_depth=x[:, :3] if self._has_depth and not self._has_world else None,
        )
