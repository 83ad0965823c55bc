"""Progress text for long work: where it is, how long it has taken, how long it has left.

Streamlit-free and pure but for the clock, which is passed in, so the
wording is tested with a fake one. The time left is the time taken so far
scaled by the share of the work still to do; it is only given once there is
enough behind it to mean something (`SETTLE_SECONDS`).

>>> clock = iter([100.0, 130.0]).__next__
>>> text = ProgressText("Analysing clip.mp4", clock=clock)
>>> text(1200, 9000)
'Analysing clip.mp4: frame 1,200 of 9,000 · 0:30 elapsed · about 3 min left'
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

#: Before this many seconds (or before the first frame), the estimate would be noise.
SETTLE_SECONDS = 3.0


def clock_time(seconds: float) -> str:
    """``41`` -> ``0:41``; ``3723`` -> ``1:02:03``.

    >>> clock_time(41.9), clock_time(605), clock_time(3723)
    ('0:41', '10:05', '1:02:03')
    """
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def time_left(seconds: float) -> str:
    """A rounded estimate: to 5 s under a minute, to the minute under an hour, then h and min.

    >>> time_left(3), time_left(42), time_left(89)
    ('about 5 s left', 'about 45 s left', 'about 1 min left')
    >>> time_left(610), time_left(3900), time_left(7190)
    ('about 10 min left', 'about 1 h 5 min left', 'about 2 h left')
    """
    fives = max(5, math.ceil(seconds / 5) * 5)
    if fives < 60:
        return f"about {fives} s left"
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"about {minutes} min left"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min left" if minutes else f"about {hours} h left"


def progress_line(
    what: str, done: int, total: int, elapsed: float, unit: str | None = "frame"
) -> str:
    """One line for a progress bar; ``total`` 0 means unknown; ``unit`` None counts in percent.

    >>> progress_line("Analysing a.mp4", 0, 9000, 0.2)
    'Analysing a.mp4: frame 0 of 9,000 · 0:00 elapsed · estimating the time left'
    >>> progress_line("Analysing a.mp4", 4500, 9000, 600.0)
    'Analysing a.mp4: frame 4,500 of 9,000 · 10:00 elapsed · about 10 min left'
    >>> progress_line("Analysing a.mp4", 50, 0, 4.0)
    'Analysing a.mp4: frame 50 · 0:04 elapsed'
    >>> progress_line("Checking which exercise fits", 30, 120, 10.0, unit=None)
    'Checking which exercise fits: 25% · 0:10 elapsed · about 30 s left'
    """
    if unit is None:
        where = f"{done / total:.0%}" if total else "under way"
    else:
        where = f"{unit} {done:,} of {total:,}" if total else f"{unit} {done:,}"
    line = f"{what}: {where} · {clock_time(elapsed)} elapsed"
    if not total:
        return line
    if done >= total:
        return f"{line} · finishing"
    if done <= 0 or elapsed < SETTLE_SECONDS:
        return f"{line} · estimating the time left"
    return f"{line} · {time_left(elapsed * (total - done) / done)}"


class ProgressText:
    """`progress_line` for work that started when this was made (``clock`` in seconds)."""

    def __init__(
        self,
        what: str,
        unit: str | None = "frame",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what, self.unit = what, unit
        self._clock = clock
        self._started = clock()

    def __call__(self, done: int, total: int) -> str:
        return progress_line(self.what, done, total, self._clock() - self._started, self.unit)
