"""Picture quality: is the video too dark or too grainy for the pose model?

A person lit too dimly, or filmed by a camera whose sensor noise swamps the
picture, is found late or not at all, and MediaPipe starts to confuse their
legs. The user can fix both (a lamp in front of them, more light for the
camera), so formcheck measures them and says so, instead of silently counting
less.

Pure numpy on RGB frames, sampled about once a second (`PictureMeter`):

- brightness: the mean of the green channel (the one closest to luma) on a
  grid of every 4th pixel, as a share of full scale;
- noise: the sensor noise's standard deviation in grey levels, estimated
  from the median absolute difference of horizontal neighbours (robust: the
  edges of a real scene are a minority of pixels, noise is everywhere).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> flat = np.full((120, 160, 3), 100, np.uint8)
>>> noisy = np.clip(100 + rng.normal(0, 20, flat.shape), 0, 255).astype(np.uint8)
>>> [round(v, 2) for v in measure(flat)], round(measure(noisy)[1])
([0.39, 0.0], 20)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Below this brightness (share of full scale) the picture is too dark. A rendered
#: clip lit dimly on purpose reads 0.12 and is analysed well, 0.04 still was; at
#: 0.014 MediaPipe found nobody (docs/hardening.md).
DARK_BELOW = 0.05
#: Above this noise (grey levels) the picture is too grainy. At 18 MediaPipe began to
#: mistake the resting leg for the working one; clean clips read 0-2.
GRAINY_ABOVE = 12.0


def measure(rgb: np.ndarray) -> tuple[float, float]:
    """``(brightness 0-1, noise in grey levels)`` of one ``(h, w, 3)`` uint8 RGB frame."""
    green = rgb[::4, :, 1]
    brightness = float(green[:, ::4].mean()) / 255.0
    steps = np.abs(np.diff(green.astype(np.int16), axis=1))
    noise = 1.4826 * float(np.median(steps)) / math.sqrt(2.0)  # MAD -> sigma, per pixel
    return brightness, noise


def sharpness(rgb: np.ndarray) -> float:
    """How sharp one ``(h, w, 3)`` uint8 RGB frame is: the variance of the green channel's
    Laplacian on every 2nd pixel (a blurred picture has few steep edges).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> sharp = rng.integers(0, 255, (96, 96, 3)).astype(np.uint8)
    >>> box = sum(np.roll(np.roll(sharp.astype(float), dy, 0), dx, 1)  # a 5x5 box blur
    ...           for dy in range(-2, 3) for dx in range(-2, 3)) / 25
    >>> sharpness(sharp) > 10 * sharpness(box.astype(np.uint8))
    True
    >>> sharpness(np.zeros((8, 8, 3), np.uint8))
    0.0
    """
    g = rgb[::2, ::2, 1].astype(np.float32)
    laplacian = g[1:-1, :-2] + g[1:-1, 2:] + g[:-2, 1:-1] + g[2:, 1:-1] - 4.0 * g[1:-1, 1:-1]
    return float(laplacian.var())


@dataclass(frozen=True)
class Picture:
    """The typical (median) brightness and noise of the frames sampled."""

    brightness: float
    noise: float
    samples: int

    @property
    def dark(self) -> bool:
        return self.brightness < DARK_BELOW

    @property
    def grainy(self) -> bool:
        return self.noise > GRAINY_ABOVE

    def advice(self) -> str | None:
        """What to tell the user about the picture, or None when it is fine.

        >>> Picture(0.02, 1.0, 10).advice().split(":")[0]
        'the picture is very dark (brightness 2 %)'
        >>> Picture(0.3, 25.0, 10).advice().split(":")[0]
        'the picture is very grainy (noise 25 grey levels)'
        >>> Picture(0.3, 1.0, 10).advice() is None
        True
        """
        if self.dark:
            return (
                f"the picture is very dark (brightness {100 * self.brightness:.0f} %): light the "
                "room, with the light in front of you rather than behind"
            )
        if self.grainy:
            return (
                f"the picture is very grainy (noise {self.noise:.0f} grey levels): "
                "more light lets the camera give a cleaner picture"
            )
        return None


class PictureMeter:
    """Samples frames about every ``every`` seconds and keeps their measurements.

    Memory stays small however long the clip or session: only the last
    ``keep`` samples are kept (about 10 minutes at the default rate).
    """

    def __init__(self, every: float = 1.0, keep: int = 600) -> None:
        self.every, self.keep = every, keep
        self._next = -math.inf
        self._samples: list[tuple[float, float]] = []

    def offer(self, rgb: np.ndarray, t: float) -> bool:
        """Measure ``rgb`` (shown at ``t`` s) if a sample is due; True if it was taken."""
        if t < self._next:
            return False
        self._next = t + self.every
        self._samples.append(measure(rgb))
        if len(self._samples) > self.keep:
            del self._samples[: len(self._samples) - self.keep]
        return True

    def picture(self) -> Picture | None:
        """The median of the samples so far (None before the first)."""
        if not self._samples:
            return None
        values = np.array(self._samples)
        return Picture(
            brightness=float(np.median(values[:, 0])),
            noise=float(np.median(values[:, 1])),
            samples=len(values),
        )
