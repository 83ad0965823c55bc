"""Range of motion over the whole rep, from rest to rest, for one side's driving metric.

The rep state machine only sees a rep from where the metric leaves rest (its
``exit`` threshold) to where it comes back past it, so its own lowest and
highest values are the thresholds, not where the joint was: a knee that truly
bends to 51 degrees read 104-110 at the bent end. A physio wants the joint's
extremes over the whole movement, including the rest before it and the
return to rest after it.

`RomWindow` keeps one side's driving values since the previous rep ended and,
when a rep completes, gives the extremes from the rest before the rep
(reaching back at most ``max(reach, rep duration)``, and never into the
previous rep) to its end. While the joint keeps settling back into rest after
the rep ended, `feed` returns the widened extremes, until the next movement
begins or the same reach has passed. The extremes are those of a running
median of ``median`` frames, so one frame's jitter doesn't set the range (the
simulator's MediaPipe-calibrated noise put a single frame 4 degrees past the
knee's true rest).

The **rest end** (the bent knee of a heel slide, the straight one of a squat)
is where the joint stays still, so it is the median of the values within
`PLATEAU_SHARE` of the range from the lowest (highest) one, not the single
lowest: MediaPipe's landmarks wander slowly (about 1.5 s) by several degrees
at rest, and the lowest value of a long rest was the wander's low tail
(on the suite's tuning split, side view, the bent end read 4.7 degrees low on
average and 15 at the 95th percentile; as a plateau median, 2.5 and 10.7).
The working end is a turn, not a plateau: its extreme stays the furthest value.

>>> w = RomWindow(reach=1.0, median=1, rest_low=True)
>>> for t, v in [(0.0, 60), (0.3, 55), (0.6, 57), (1.0, 115), (2.0, 170), (3.0, 110)]:
...     _ = w.feed(t, v, resting=v < 112)
>>> w.close(start=1.0, end=3.0)   # the rest end: the rest's median, not its lowest
(57.0, 170.0)
>>> w.feed(3.5, 40.0, resting=True)   # still settling back: the rep's range widens
(55.0, 170.0)
>>> w.feed(4.5, 70.0, resting=False) is None   # the next movement: the rep's range is closed
True
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections import deque

from formcheck.engine.events import RepCompleted
from formcheck.engine.result import RepRecord

#: Values kept at most this long (seconds) while no rep completes.
_KEEP_SECONDS = 60.0
#: The rest end is the median of the values within this share of the rep's range of
#: its extreme (the rest plateau), chosen on the suite's tuning split (0.1-0.2 did alike).
PLATEAU_SHARE = 0.15


def rest_plateau(values: list[float], lowest: bool) -> float:
    """The median of ``values`` within `PLATEAU_SHARE` of their range from the lowest
    (``lowest``) or highest one: the level of a still joint whose reading wanders.

    >>> rest_plateau([80.0, 86.0, 85.0, 84.0, 90.0, 130.0, 170.0], lowest=True)
    85.0
    """
    return _plateau(sorted(values), lowest)


def _plateau(ordered: list[float], lowest: bool) -> float:
    """`rest_plateau` of values already sorted (a bisection, no pass over them)."""
    lo, hi = ordered[0], ordered[-1]
    band = PLATEAU_SHARE * (hi - lo)
    if lowest:
        i, j = 0, bisect.bisect_right(ordered, lo + band)
    else:
        i, j = bisect.bisect_left(ordered, hi - band), len(ordered)
    half = (i + j) // 2
    return ordered[half] if (j - i) % 2 else 0.5 * (ordered[half - 1] + ordered[half])


class RomWindow:
    """One side's driving metric over whole reps (see the module doc).

    ``reach``: how far (s) before a rep's start its rest is looked at, and how
    long after its end the return to rest is; a rep longer than ``reach``
    reaches back as far as it lasted. ``median``: frames in the running median
    (odd; 1 for none). ``rest_low``: the rest end is the low one (an increasing
    phase, counted upward from rest), else the high one.
    """

    def __init__(self, reach: float = 1.0, median: int = 3, rest_low: bool = True) -> None:
        if not reach > 0:
            raise ValueError(f"reach: expected > 0 seconds, got {reach!r}")
        if not (isinstance(median, int) and median >= 1 and median % 2 == 1):
            raise ValueError(f"median: expected an odd number of frames >= 1, got {median!r}")
        self.reach, self.median, self.rest_low = reach, median, rest_low
        self._values: deque[tuple[float, float]] = deque()  # (t, running median)
        self._latest: deque[float] = deque(maxlen=median)
        self._prev_end = -math.inf
        self._open: list[float] | None = None  # values (sorted) of the rep still settling back
        self._span = (math.nan, math.nan)  # its range as last given
        self._open_until = -math.inf

    def feed(self, t: float, value: float, resting: bool) -> tuple[float, float] | None:
        """One frame's value (NaN: unseen) and whether the side is at rest.

        Returns the last completed rep's widened ``(lo, hi)`` when this frame,
        in its return to rest, went beyond them; else None.
        """
        seen = value == value
        if not seen:
            # Unseen: the next value's median must not mix in readings from before the gap
            # (a knee at 170 before it and at 106 after read 167 there).
            self._latest.clear()
        else:
            self._latest.append(float(value))
            value = sorted(self._latest)[len(self._latest) // 2]
            self._values.append((t, value))
            while self._values and self._values[0][0] < t - _KEEP_SECONDS:
                self._values.popleft()
        values = self._open
        if values is None:
            return None
        if not resting or t > self._open_until:
            self._open = None
            return None
        if not seen:
            return None
        bisect.insort(values, value)
        span = self._range(values)
        # Said only when an end moved by a tenth of a degree: the plateau's median moves a
        # hair with every value at rest, and each change rewrites the rep's record.
        if abs(span[0] - self._span[0]) < 0.1 and abs(span[1] - self._span[1]) < 0.1:
            return None
        self._span = span
        return span

    def close(self, start: float, end: float) -> tuple[float, float]:
        """The completed rep's ``(lo, hi)``: from its rest (see the class doc) to ``end``.

        Call it after feeding the rep's last frame. (NaN, NaN) if nothing was seen.
        """
        reach = max(self.reach, end - start)
        since, prev_end = start - reach, self._prev_end
        # The previous rep's last frame is its own: not this rep's rest.
        window = [v for t, v in self._values if since <= t <= end and t > prev_end]
        self._prev_end = end
        while self._values and self._values[0][0] < end:
            self._values.popleft()
        if not window:
            self._open = None
            return math.nan, math.nan
        window.sort()
        self._open, self._open_until = window, end + reach
        self._span = self._range(window)
        return self._span

    def _range(self, ordered: list[float]) -> tuple[float, float]:
        """``(lo, hi)`` of sorted values: the rest end as its plateau (see the module
        doc), the other as the extreme."""
        rest = _plateau(ordered, self.rest_low)
        return (rest, ordered[-1]) if self.rest_low else (ordered[0], rest)


def whole_rep(events: list, record: RepRecord, lo: float, hi: float) -> tuple[list, RepRecord]:
    """The rep's events and record with their range of motion replaced by ``lo``-``hi``.

    (The state machine fills them with its own window's range; see the module doc.)
    """
    if lo != lo:  # nothing seen around it: keep the state machine's own
        return events, record
    events = [
        dataclasses.replace(e, rom_min=lo, rom_max=hi)
        if isinstance(e, RepCompleted) and e.rep == record.rep and e.side == record.side
        else e
        for e in events
    ]
    return events, dataclasses.replace(record, rom_min=lo, rom_max=hi)
