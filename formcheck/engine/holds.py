"""Holds: time spent in a target zone of a metric, and how many holds were long enough.

>>> from formcheck.specs.model import HoldSpec
>>> h = HoldTracker(HoldSpec(metric="lift", above=60.0, below=None, seconds=2.0))
>>> values = [(0.0, 70.0), (1.0, 70.0), (2.5, 70.0), (3.0, 10.0), (3.5, 10.0)]
>>> [type(e).__name__ for t, v in values for e in h.update(t, v)]
['HoldProgress', 'HoldProgress', 'HoldProgress', 'HoldEnded']
>>> h.counted, h.records[0].duration
(1, 3.0)
"""

from __future__ import annotations

import math

from formcheck.engine.events import HoldEnded, HoldProgress
from formcheck.engine.result import HoldRecord
from formcheck.specs.model import HoldSpec


class HoldTracker:
    """Times holds of one metric. Frames without a value (NaN) pause it, neither in nor out.

    A hold ends only after ``grace`` seconds outside the zone (then at the
    moment it left), so jitter at the zone's edge doesn't split one hold in two.
    """

    def __init__(self, spec: HoldSpec, grace: float = 0.5) -> None:
        self.spec = spec
        self.grace = grace
        self.start = math.nan
        self.left_at = math.nan
        self.records: list[HoldRecord] = []
        self.counted = 0

    @property
    def holding(self) -> bool:
        return self.start == self.start

    def seconds(self, t: float) -> float:
        """How long the current hold has lasted at ``t`` (0 when not holding)."""
        return t - self.start if self.holding else 0.0

    def update(self, t: float, value: float) -> list:
        """Advance to time ``t`` with the metric's ``value``; returns hold events."""
        if value != value:
            return []
        spec = self.spec
        if spec.inside(value):
            self.left_at = math.nan
            if not self.holding:
                self.start = t
            target = spec.target_seconds or spec.seconds
            return [HoldProgress(t=t, seconds=t - self.start, target=target)]
        if not self.holding:
            return []
        if self.left_at != self.left_at:
            self.left_at = t
        if t - self.left_at < self.grace:
            return []
        return [self._end(t, self.left_at)]

    def _end(self, t: float, end: float) -> HoldEnded:
        counted = end - self.start >= self.spec.seconds
        self.counted += counted
        record = HoldRecord(hold=len(self.records) + 1, start=self.start, end=end, counted=counted)
        self.records.append(record)
        self.start = self.left_at = math.nan
        return HoldEnded(
            hold=record.hold,
            t=t,
            start=record.start,
            end=end,
            duration=record.duration,
            counted=counted,
        )

    def finish(self, t: float) -> list:
        """End an open hold at the end of the input (so a hold to the last frame counts)."""
        if not self.holding:
            return []
        return [self._end(t, self.left_at if self.left_at == self.left_at else t)]
