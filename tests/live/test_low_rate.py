"""Live at a low analysed frame rate: the page warns below the rate the exercise needs.

The minimum per exercise is data (`formcheck.live.min_fps`, from the simulator
study `formcheck.bench.rates`); the decision is `rate_warning`; the page shows it.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from formcheck.bench.rates import lowest_reliable
from formcheck.live import LiveStatus, _Rate, min_fps, rate_warning
from formcheck.specs import load_specs


@pytest.mark.parametrize(
    ("fps", "settled", "minimum", "model", "warned", "suggests_lite"),
    [
        (4.6, True, 8.0, "full", True, True),  # the busy 2-core machine of the issue
        (4.6, True, 8.0, "lite", True, False),  # already lite: nothing faster to choose
        (12.0, True, 8.0, "full", False, False),
        (8.0, True, 8.0, "full", False, False),  # at the minimum is enough
        (7.6, True, 8.0, "full", True, True),  # not "only 8 ... needs 8": one decimal
        (2.0, False, 8.0, "full", False, False),  # the model still loading: not judged yet
        (2.0, True, None, "full", False, False),  # an exercise never measured
    ],
)
def test_the_warning_comes_below_the_minimum_once_the_rate_has_settled(
    fps, settled, minimum, model, warned, suggests_lite
):
    status = LiveStatus(frames=200, fps=fps, fps_settled=settled)
    warning = rate_warning(status, minimum, model)
    assert (warning is not None) == warned
    if warned:
        assert f"Only {fps:.1f} frames a second" in warning and f"needs {minimum:g}" in warning
        assert ("lite pose model" in warning) == suggests_lite


def test_the_rate_settles_only_once_its_window_is_spanned():
    rate = _Rate(window=3.0)
    for i in range(20):  # 2 s of frames at 10 fps
        rate.tick(i / 10)
    assert not rate.settled
    for i in range(20, 40):
        fps = rate.tick(i / 10)
    assert rate.settled and fps == pytest.approx(10.0)


def test_every_counted_exercise_the_simulator_plays_has_a_measured_minimum():
    specs = load_specs()
    from formcheck.simulate import EXERCISES

    for name in EXERCISES:
        if name in specs and specs[name].judgeable:
            minimum = min_fps(name)
            assert minimum is not None, name
            assert 3.0 <= minimum <= 30.0, (name, minimum)


def test_a_missing_table_gives_no_minimum(tmp_path):
    assert min_fps("heel_slide", tmp_path / "absent.toml") is None


def test_the_lowest_reliable_rate_stops_at_the_first_new_miss():
    outcomes = {30.0: [True, True, False], 20.0: [True, True, True], 15.0: [True, False, True]}
    assert lowest_reliable(outcomes) == 20.0
    assert lowest_reliable({30.0: [True], 24.0: [True], 3.0: [True]}) == 3.0


def _slow_panel(fps: float, model: str) -> None:
    import dataclasses

    from formcheck.live import LiveProcessor
    from formcheck.simulate import simulate
    from formcheck.specs import find_spec
    from formcheck.ui.page_live import show_status
    from tests.factories import ReplayPoses

    spec = find_spec("heel_slide")
    sim = simulate("heel_slide", reps=1, side="left", view="side")
    live = LiveProcessor(spec, "auto", model=model, estimator=ReplayPoses(sim.frames))
    real = live.status
    # A processor that analysed 300 frames at ``fps`` frames a second.
    live.status = lambda: dataclasses.replace(
        real(), frames=300, frames_with_pose=300, fps=fps, fps_settled=True
    )
    show_status(live, True, spec, "auto")


@pytest.mark.parametrize(("fps", "warned"), [(2.0, True), (29.0, False)])
def test_the_live_panel_warns_when_frames_are_analysed_too_slowly(fps, warned):
    at = AppTest.from_function(_slow_panel, kwargs={"fps": fps, "model": "full"}).run()
    assert not at.exception
    slow = [w.value for w in at.warning if "frames a second are being analysed" in w.value]
    assert bool(slow) == warned
    if warned:
        assert "lite pose model" in slow[0]


def test_frames_that_waited_before_the_analysis_show_how_far_behind_the_camera_it_is():
    import time

    import numpy as np

    from formcheck.live import LiveProcessor
    from formcheck.simulate import simulate
    from tests.factories import ReplayPoses

    sim = simulate("heel_slide", reps=1, side="left", view="end_on")
    live = LiveProcessor(load_specs()["heel_slide"], "auto", estimator=ReplayPoses(sim.frames))
    picture = np.zeros((480, 640, 3), np.uint8)
    live.process(picture, 0.0)
    assert live.status().behind == 0.0
    time.sleep(0.3)  # 0.3 s on this clock, 0.05 s on the camera's: 0.25 s of waiting
    live.process(picture, 0.05)
    assert 0.2 <= live.status().behind <= 0.6
    live.close()
