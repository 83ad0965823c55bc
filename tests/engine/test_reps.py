"""The rep state machine on synthetic driving-metric sequences mapped to expected events."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.engine.reps import RepCounter, RepTracker
from formcheck.engine.signal import Pose
from formcheck.engine.view import Calibration
from formcheck.specs.model import PhaseSpec

FPS = 30.0
CAL = Calibration("side", 0.2, 2.0, True, {"hip_width": 20.0, "torso": 50.0}, 100.0, 150.0)
UP = PhaseSpec(
    metric="knee",
    direction="increase",
    enter=120,
    exit=105,
    full=160,
    min_duration=0.8,
    bounds=(0, 180),
)
DOWN = PhaseSpec(
    metric="hip",
    direction="decrease",
    enter=120,
    exit=150,
    full=90,
    min_duration=0.8,
    bounds=(0, 180),
)


def ramp(a: float, b: float, seconds: float) -> list[float]:
    n = max(int(seconds * FPS), 1)
    return list(np.linspace(a, b, n, endpoint=False))


def run(values: list[float], phase: PhaseSpec = UP) -> tuple[list, list]:
    tracker = RepTracker("left", phase, driver=None, checks=[], counter=RepCounter())
    events, records = [], []
    for i, value in enumerate(values):
        pose = Pose(t=i / FPS, px=np.zeros((33, 2)), world=None, seen=np.ones(33, bool))
        new, record = tracker.update(pose, value, CAL)
        events += new
        if record is not None:
            records.append(record)
    return events, records


REST = [90.0] * 15


def rep(peak: float, seconds: float = 3.0, rest: float = 90.0) -> list[float]:
    return ramp(rest, peak, seconds / 2) + ramp(peak, rest, seconds / 2) + [rest] * 15


CASES = [
    pytest.param(REST + rep(175), ["rep_started", "rep_completed"], ["full"], id="full"),
    pytest.param(
        REST + rep(175) + rep(176),
        ["rep_started", "rep_completed"] * 2,
        ["full", "full"],
        id="two-full",
    ),
    pytest.param(REST + rep(135), ["rep_started", "rep_completed"], ["partial"], id="partial"),
    pytest.param(REST + rep(115), [], [], id="twitch-below-enter"),
    pytest.param(
        REST + rep(175, seconds=0.4), ["rep_started", "rep_discarded"], [], id="too-short"
    ),
    pytest.param(
        REST + [90, 130, 100] * 3 + REST,
        ["rep_started", "rep_discarded"] * 3,
        [],
        id="spikes-are-discarded",
    ),
    pytest.param(
        REST + ramp(90, 175, 1.5) + [math.nan] * 10 + ramp(175, 90, 1.5) + REST,
        ["rep_started", "rep_completed"],
        ["uncertain"],
        id="gap-makes-uncertain",
    ),
]


@pytest.mark.parametrize(("values", "kinds", "statuses"), CASES)
def test_sequences_map_to_events(values, kinds, statuses):
    events, records = run(values)
    assert [e.kind for e in events] == kinds
    assert [r.status for r in records] == statuses
    assert [r.rep for r in records] == list(range(1, len(records) + 1))
    started = [e.rep for e in events if e.kind == "rep_started"]
    assert set(started) <= {1, 2}  # a discarded rep gives its number back


def test_decreasing_phase_mirrors():
    values = [170.0] * 15 + ramp(170, 80, 1.5) + ramp(80, 170, 1.5) + [170.0] * 15
    _, records = run(values, DOWN)
    assert [r.status for r in records] == ["full"]
    assert records[0].rom_min == pytest.approx(80, abs=3)


def test_rep_times_and_range_of_motion():
    values = REST + rep(175, seconds=4.0)
    events, records = run(values)
    started = events[0]
    (record,) = records
    # the rep starts when the metric leaves rest (passes exit), before it passes enter
    assert record.start == pytest.approx(started.t)
    assert 0.5 < record.start < 0.9
    assert record.duration == pytest.approx(3.3, abs=0.1)  # between the exit crossings
    assert record.rom_max == pytest.approx(175, abs=3)
