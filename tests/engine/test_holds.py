"""Holds: time in the zone, counted holds, grace at the edge, pauses on missing values."""

from __future__ import annotations

import math

import pytest

from formcheck.engine.holds import HoldTracker
from formcheck.specs.model import HoldSpec

FPS = 30.0
SPEC = HoldSpec(metric="m", above=60.0, below=None, seconds=3.0, target_seconds=5.0)


def feed(values: list[float], spec: HoldSpec = SPEC) -> HoldTracker:
    tracker = HoldTracker(spec)
    for i, v in enumerate(values):
        tracker.update(i / FPS, v)
    return tracker


def secs(value: float, seconds: float) -> list[float]:
    return [value] * round(seconds * FPS)


@pytest.mark.parametrize(
    ("values", "counted", "durations"),
    [
        (secs(10, 1) + secs(70, 4) + secs(10, 1), 1, [4.0]),
        (secs(10, 1) + secs(70, 2) + secs(10, 1), 0, [2.0]),
        (secs(70, 3.5) + secs(10, 1) + secs(70, 3.5) + secs(10, 1), 2, [3.5, 3.5]),
        # a dip shorter than the grace doesn't split the hold
        (secs(10, 1) + secs(70, 2) + secs(50, 0.2) + secs(70, 2) + secs(10, 1), 1, [4.2]),
        # missing values pause: neither in nor out
        (secs(10, 1) + secs(70, 2) + secs(math.nan, 1) + secs(70, 1) + secs(10, 1), 1, [4.0]),
    ],
)
def test_holds(values, counted, durations):
    tracker = feed(values)
    assert tracker.counted == counted
    assert [round(r.duration, 1) for r in tracker.records] == durations


def test_a_hold_still_going_at_the_end_is_finished():
    tracker = feed(secs(10, 1) + secs(70, 3.5))
    assert tracker.counted == 0 and tracker.holding
    (ended,) = tracker.finish(4.5)
    assert ended.counted and tracker.counted == 1


def test_progress_reports_seconds_and_target():
    tracker = HoldTracker(SPEC)
    tracker.update(0.0, 70.0)
    (progress,) = tracker.update(1.5, 70.0)
    assert (progress.seconds, progress.target) == (1.5, 5.0)


def test_zone_between_two_bounds():
    spec = HoldSpec(metric="m", above=None, below=1.1, seconds=2.0)
    tracker = feed(secs(1.3, 1) + secs(1.0, 2.5) + secs(1.3, 1), spec)
    assert tracker.counted == 1
