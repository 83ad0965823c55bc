"""How much a side's driving metric wanders while the person is at rest.

A small partial rep (a heel slide that turns back at 100 degrees from a rest of
85) rises less than a quarter of the person's span, so the rep counter's reach
misses it; but a rise of that size from a still rest is no fidget when the
metric at rest is steady. `RestNoise` measures that steadiness on this clip:
the robust spread (1.4826 x the median absolute deviation) of the metric's
values at rest over the last `WINDOW` seconds, once it has seen at least
`MIN_SECONDS` of rest. MediaPipe's landmarks wander slowly (about 1.5 s), so
the window is longer than the wander and the spread includes it.

>>> n = RestNoise()
>>> for i in range(90):
...     n.add(i / 30, 85.0 + (1.0 if i % 2 else -1.0))
>>> round(n.sigma, 2)
1.48
"""

from __future__ import annotations

import math
import statistics
from collections import deque

from formcheck.engine.noise_floor import robust_sigma

#: Seconds of rest the spread is measured over (longer than the landmarks' wander).
WINDOW = 8.0
#: Rest seen for less than this long (seconds) gives no spread (NaN).
MIN_SECONDS = 2.0
#: ...as do fewer values than this.
MIN_VALUES = 15


class RestNoise:
    """The spread of one side's driving metric at rest (see the module doc)."""

    def __init__(self) -> None:
        self._values: deque[tuple[float, float]] = deque()
        self._since = math.inf  # when the rest seen so far began
        self._sigma: float | None = None  # measured since the last value (None: not yet)

    def add(self, t: float, x: float) -> None:
        """One value at rest (time ``t`` in seconds)."""
        values = self._values
        values.append((t, x))
        if t < self._since:
            self._since = t
        while values[0][0] < t - WINDOW:
            values.popleft()
        self._sigma = None

    @property
    def sigma(self) -> float:
        """The robust spread of the window's values (NaN until `MIN_SECONDS` of rest and
        `MIN_VALUES` values were seen). Measured when asked, which the rep counter does
        once per movement that leaves rest: a median a frame would cost more than the
        rest of the counter."""
        if self._sigma is None:
            values = self._values
            last = values[-1][0] if values else -math.inf
            if last - self._since < MIN_SECONDS or len(values) < MIN_VALUES:
                self._sigma = math.nan
            else:
                xs = [v for _, v in values]
                mid = statistics.median(xs)
                self._sigma = robust_sigma([v - mid for v in xs])
        return self._sigma


#: A small rep must rise this many times the rest's spread. The valley it rises from is
#: itself a low point of the wander, and the spread is measured on values at rest (below
#: the counter's start threshold, so a wide wander is cut short and under-read): on the
#: suite's tuning split, wander humps rose up to 14 spreads at mid and high noise; 6 and
#: 8 counted phantom partial reps in 3 cases, 10 in none (and found 5 of the 29 partial
#: reps that turn back within 35 degrees of rest, all at low or mid noise, or end-on).
NOISE_MULTIPLE = 10.0


def small_reach(
    least: float, sigma: float, multiple: float = NOISE_MULTIPLE, unknown: float = math.inf
) -> float:
    """How far a movement short of the person's usual reach must rise to count as a
    (partial) rep: the spec's least excursion, or ``multiple`` (`NOISE_MULTIPLE`) times the
    rest's spread if that is more; ``unknown`` (infinite) while the spread is unknown.
    The rep counter also asks, with its own multiple, how far a rep that never passes the
    spec's ``exit`` must rise (`formcheck.engine.reps.CLEAR_OF_NOISE`).

    >>> small_reach(11.5, 1.0), small_reach(11.5, 2.0), small_reach(11.5, math.nan)
    (11.5, 20.0, inf)
    >>> small_reach(11.5, 3.0, multiple=6.0), small_reach(11.5, math.nan, unknown=0.0)
    (18.0, 0.0)
    """
    if sigma != sigma:
        return unknown
    return max(least, multiple * sigma)
