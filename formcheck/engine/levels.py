"""A person's own levels of a rep's driving metric, the excursion a rep needs, and
`rep_status`, the one rule for full against partial.

Fixed thresholds fail people whose rest sits a few degrees off the spec's (a
set merges into one long "rep"), whose camera reads every angle a little low,
or whose brisk reps never quite settle back at rest. So a rep is counted from
the movement itself, against the side's own levels:

- the **rest level** is the lowest value of the last `WINDOW` seconds, the
  **extended level** the highest (at least the spec's ``full``: before the
  first rep, the clinical target is the best guess of how far a rep goes);
- a rep is a rise from a **valley** (the lowest value since the last rep) by
  at least `Levels.reach`: `START_FRACTION` of the person's span, and never
  less than the spec's least excursion (`min_excursion`), so fidgets and
  tremor don't count however small the span; it must also pass the spec's
  ``exit``, the edge of rest, so a signed metric's far side can't pass for
  this side's rest (the knees swung the other way in a knee wag);
- it **ends** when the metric has come back `RETURN_FRACTION` of the way from
  the rep's own peak to its valley, and by at least the reach (the hysteresis is
  symmetric, so noise on a slow start can't split a rep in two), though never
  more than `RETURN_CAP` of the way (the valley is the lowest noisy reading, so
  a shallow rep's rest can settle a little above it): a brisk set
  that never quite settles at rest still splits into its reps, and a rest that
  sits off the spec's numbers can't merge them.

Values are in the working direction: ``x = value`` for an ``increase`` phase,
``-value`` for a ``decrease`` one, so rest is always low and a rep goes up.

>>> from formcheck.specs.model import PhaseSpec
>>> ph = PhaseSpec(metric="knee", direction="increase", enter=118, exit=112, full=135,
...                min_duration=0.8, bounds=(0, 180))
>>> lv = Levels(ph)
>>> for t, x in enumerate([90.0, 91.0, 175.0, 92.0]):
...     lv.add(float(t), x)
>>> lv.rest, lv.extended, lv.reach()
(90.0, 175.0, 21.25)
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from formcheck.specs.model import PhaseSpec

#: Seconds of history the levels are learnt from: longer than one slow rep and its pause
#: (5 s + 2 s), so the window always holds the rest before the rep under way.
WINDOW = 8.0
#: A rep starts this share of the person's own span (rest to extended level) above rest.
START_FRACTION = 0.25
#: It ends when the metric has come back this share of the way from its peak to its valley.
RETURN_FRACTION = 0.6
#: ...or by the reach, but never more than this share of the way: the valley is the lowest
#: noisy reading, so a rest that settles a little above it must still end a shallow rep.
RETURN_CAP = 0.8
#: The shortest rep, as a share of the spec's ``min_duration``: that is the whole rep,
#: rest to rest, while the counter times only the part beyond its end threshold (about
#: 70 % of a smooth rep), so a brisk rep as long as ``min_duration`` still counts.
DURATION_SHARE = 0.5
#: A rep is partial, whatever the spec's ``full`` says, when it stops short of the
#: person's own full level by more than this share of their span. The suite's partial
#: reps stop at least 25 degrees short of a ~90 degree span (28 %); on its tuning split
#: full reps read at most 16 % short of the set's own full level in 99 of 100 reps.
SHORT_OF_OWN = 0.2
#: ...and this share where the angle is read in the image for want of depth (a 2-D pose
#: source, `formcheck.engine.metrics.reads_depth`): a push-up's elbow bent alike on every
#: rep read 105 to 129 degrees across one set from the side as the body moved in the
#: frame, so a rep must fall further short of the person's own to be called short.
FLAT_SHORT_OF_OWN = 0.35
#: A side with fewer judged reps than this is judged against every side's reps: in an
#: alternating set one leg may have only a rep or two, all of them short.
MIN_OWN_REPS = 3


def min_excursion(phase: PhaseSpec) -> float:
    """The least a rep must move from rest: half the way from the spec's ``exit`` (the edge
    of rest) to its ``full`` target. Smaller movements are fidgets or tremor.

    >>> from formcheck.specs.model import PhaseSpec
    >>> min_excursion(PhaseSpec(metric="knee", direction="decrease", enter=140, exit=155,
    ...                         full=100, min_duration=0.8, bounds=(0, 180)))
    27.5
    """
    return 0.5 * abs(phase.full - phase.exit)


def min_rep_seconds(phase: PhaseSpec) -> float:
    """The shortest rep counted, timed beyond the end threshold (see `DURATION_SHARE`)."""
    return DURATION_SHARE * phase.min_duration


class _Extreme:
    """The running minimum (or maximum) of the last ``window`` seconds: a monotonic deque,
    O(1) per value on average."""

    def __init__(self, window: float, lowest: bool) -> None:
        self.window, self.sign = window, 1.0 if lowest else -1.0
        self._q: deque[tuple[float, float]] = deque()

    def add(self, t: float, x: float) -> None:
        q, key = self._q, self.sign * x
        while q and self.sign * q[-1][1] >= key:
            q.pop()
        q.append((t, x))
        while q[0][0] < t - self.window:
            q.popleft()

    @property
    def value(self) -> float:
        return self._q[0][1] if self._q else math.nan


class Levels:
    """One side's rest and extended levels of the driving metric, learnt as it moves.

    ``add(t, x)`` takes each seen value (in the working direction, see the module
    doc); ``reach()`` is how far a rep must go.
    """

    def __init__(self, phase: PhaseSpec, window: float = WINDOW) -> None:
        s = 1.0 if phase.direction == "increase" else -1.0
        self.full = s * phase.full  # the clinical target, in the working direction
        self.edge = s * phase.exit  # the spec's edge of rest
        self.least = min_excursion(phase)
        self.window = window
        self.lowest, self.highest = math.inf, -math.inf  # over everything seen
        self._low = _Extreme(window, lowest=True)
        self._high = _Extreme(window, lowest=False)

    def add(self, t: float, x: float) -> None:
        self._low.add(t, x)
        self._high.add(t, x)
        if x < self.lowest:
            self.lowest = x
        if x > self.highest:
            self.highest = x

    @property
    def travel(self) -> float:
        """How far the metric has moved over everything seen (0 before two values)."""
        return self.highest - self.lowest if self.highest >= self.lowest else 0.0

    @property
    def rest(self) -> float:
        """The person's rest level: the lowest value of the window (NaN before any)."""
        return self._low.value

    @property
    def extended(self) -> float:
        """How far their reps go: the window's highest value, at least the spec's ``full``."""
        return max(self._high.value, self.full)

    def reach(self) -> float:
        """How far from its valley a movement must go to be a rep: `START_FRACTION` of the
        person's span, and at least the spec's least excursion (NaN before any value)."""
        rest = self.rest
        return max(self.least, START_FRACTION * (self.extended - rest))


def rep_status(
    extreme: float,
    phase: PhaseSpec,
    own_full: float = math.nan,
    rest: float = math.nan,
    absolute: bool = True,
    short: float = SHORT_OF_OWN,
) -> str:
    """``full`` or ``partial`` for a rep whose furthest value was ``extreme``.

    The spec's ``full`` is the clinical target: a rep short of it is partial. A rep
    is partial too when it stops well short of the person's own full reps
    (``own_full``, their fullest reps' extreme (`own_full`), with ``rest`` their rest
    level): by more than ``short`` (`SHORT_OF_OWN`) of that span. A camera that reads every
    angle a little high can't then pass a half rep as full. With ``absolute`` False
    (a view that can't read the metric truly: from beyond the feet MediaPipe's depth
    reads a straight knee at 117-165 degrees) only the person's own reps judge it,
    and a rep with none to compare to is full. (Uncertain reps, with part of the rep
    unseen, are decided by the caller.)

    >>> from formcheck.specs.model import PhaseSpec
    >>> ph = PhaseSpec(metric="knee", direction="increase", enter=118, exit=112, full=135,
    ...                min_duration=0.8, bounds=(0, 180))
    >>> rep_status(139, ph), rep_status(139, ph, own_full=170, rest=90)
    ('full', 'partial')
    >>> rep_status(160, ph, own_full=170, rest=90), rep_status(130, ph, own_full=170, rest=90)
    ('full', 'partial')
    >>> rep_status(118, ph, own_full=120, rest=60, absolute=False)
    'full'
    >>> rep_status(150, ph, own_full=170, rest=90, short=0.35)
    'full'
    """
    if absolute and not phase.is_full(extreme):
        return "partial"
    s = 1.0 if phase.direction == "increase" else -1.0
    span = s * (own_full - rest)
    if span > 0 and s * (own_full - extreme) > short * span:
        return "partial"
    return "full"


def own_full(extremes, direction: str) -> float:
    """The person's own full level from their reps' extremes: their fullest reps, the
    90th percentile in the working direction (NaN without reps).

    Not the upper quartile: in a set with more partial reps than full ones (one rep to
    179, two to 152 from beyond the feet) it read 165 and passed both partials as full.
    Not the largest: one odd reading would set it. On the suite's tuning splits (seeds
    13, 31 and 47) the 90th percentile counted 309, 306 and 302 sequences exactly,
    against 308, 303 and 299 for the upper quartile and 306, 305 and 302 for the
    largest.

    >>> own_full([170.0, 130.0, 168.0, 172.0], "increase"), own_full([60.0, 110.0], "decrease")
    (171.4, 65.0)
    """
    if len(extremes) == 0:
        return math.nan
    q = 90.0 if direction == "increase" else 10.0
    return float(np.percentile(np.asarray(extremes, dtype=float), q))
