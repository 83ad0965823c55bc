"""A camera moved during setup, as the setup check says: Live calibrates again before
counting, instead of keeping the view it settled on in its first second."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from formcheck.frame import PoseFrame
from formcheck.live import LiveProcessor
from formcheck.simulate import simulate
from formcheck.specs import find_spec
from tests.factories import ReplayPoses

SPEC = find_spec("heel_slide")
MOVED_AT = 3.0  # seconds of the camera at the side, then beyond the feet


def moved_camera() -> list[PoseFrame]:
    """Lying still filmed from the side, then the camera beyond the feet: still, two reps."""
    side = simulate("heel_slide", reps=1, view="side", lead_in=4.0, seed=1)
    end = simulate("heel_slide", reps=2, view="end_on", lead_in=4.0, seed=1)
    before = [f for f in side.frames if f.t < MOVED_AT]
    after = [
        PoseFrame(t=f.t + MOVED_AT, width=f.width, height=f.height, image=f.image, world=f.world)
        for f in end.frames
    ]
    return before + after


@pytest.mark.parametrize("page_asks", [True, pytest.param(False, marks=pytest.mark.slow)])
def test_the_engine_takes_the_new_view_when_the_page_sees_the_camera_moved(page_asks):
    frames = moved_camera()
    live = LiveProcessor(SPEC, "auto", estimator=ReplayPoses(frames))
    grey = np.full((frames[0].height, frames[0].width, 3), 110, np.uint8)
    asked = []
    for frame in frames:
        live.process(grey, frame.t)
        if page_asks and round(frame.t * 30) % 15 == 0:  # the panel, twice a second
            status = live.status()
            report = live.setup.report(status.picture)
            if live.setup.compare(report, status.snapshot.view):
                asked.append(frame.t)
    live.close()
    snapshot = live.status().snapshot
    assert snapshot.counts.full == 2
    if page_asks:
        # Once the last 3 s are mostly beyond the feet, once, well before the first rep (7 s).
        assert len(asked) == 1 and MOVED_AT < asked[0] < MOVED_AT + 4.0
        assert snapshot.view == "end_on"
    else:
        assert snapshot.view == "side"  # what it settled on before the camera moved


@pytest.mark.slow
def test_no_recalibration_once_counting_started():
    sim = simulate("heel_slide", reps=2, view="end_on", lead_in=1.5, seed=1)
    live = LiveProcessor(SPEC, "auto", estimator=ReplayPoses(sim.frames))
    grey = np.full((480, 640, 3), 110, np.uint8)
    asked = 0
    for frame in sim.frames:
        live.process(grey, frame.t)
        if frame.t > 6.0 and round(frame.t * 30) % 15 == 0:  # counted; the page reads another view
            other = dataclasses.replace(live.setup.report(), view="side", doubt="")
            asked += live.setup.compare(other, live.status().snapshot.view)
    live.close()
    assert asked >= 1  # asked, and dropped: the count and the view stay
    assert live.status().snapshot.counts.full == 2
    assert live.status().snapshot.view == "end_on"
