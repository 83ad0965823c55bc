"""View detection and the image scale from a still pose's geometry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.engine.view import body_size, calibrate, view_from_ratio
from formcheck.landmarks import index
from formcheck.simulate import simulate


def pose(hip_px: float, torso_px: float) -> np.ndarray:
    """Pixels with hips ``hip_px`` apart (along x) and shoulders ``torso_px`` above."""
    px = np.zeros((33, 2))
    px[index("left_hip")] = (300 + hip_px / 2, 300)
    px[index("right_hip")] = (300 - hip_px / 2, 300)
    px[index("left_shoulder")] = (300 + hip_px / 2, 300 - torso_px)
    px[index("right_shoulder")] = (300 - hip_px / 2, 300 - torso_px)
    return px


@pytest.mark.parametrize(
    ("hip_px", "torso_px", "view"),
    [(5, 120, "side"), (55, 120, "overhead"), (55, 20, "end_on"), (0, 0, "overhead")],
)
def test_view_from_foreshortening_with_nominal_lengths(hip_px, torso_px, view):
    assert calibrate(pose(hip_px, torso_px), None).view == view


def test_ratio_thresholds():
    assert [view_from_ratio(r) for r in (0.1, 0.54, 0.56, 1.0, 1.6, 1.7, float("inf"))] == [
        "side",
        "side",
        "overhead",
        "overhead",
        "overhead",
        "end_on",
        "end_on",
    ]


def test_scale_is_the_less_foreshortened_length():
    cal = calibrate(pose(5, 95), None)  # torso in full view: 95 px / 47.5 cm
    assert cal.px_per_cm == pytest.approx(2.0)
    cal = calibrate(pose(43, 10), None)  # hips in full view: 43 px / 21.5 cm
    assert cal.px_per_cm == pytest.approx(2.0)


def test_world_lengths_replace_nominal_ones():
    world = np.zeros((33, 3))
    world[index("left_hip")] = (0.15, 0, 0)
    world[index("right_hip")] = (-0.15, 0, 0)
    world[index("left_shoulder")] = (0.2, -0.5, 0)
    world[index("right_shoulder")] = (-0.2, -0.5, 0)
    cal = calibrate(pose(60, 100), world)
    assert cal.has_world and cal.length_cm("hip_width") == pytest.approx(30.0)
    assert cal.length_cm("torso") == pytest.approx(50.0)
    assert cal.px_per_cm == pytest.approx(2.0)


@pytest.mark.parametrize("view", ["side", "end_on", "overhead"])
def test_simulated_lying_body_views_are_detected(view):
    frame = simulate("heel_slide", reps=1, view=view, jitter=0.0).frames[0]
    cal = calibrate(frame.pixels(), frame.world)
    assert cal.view == view


def test_body_size_ignores_unseen_landmarks():
    px = np.zeros((33, 2))
    px[:, 0] = np.arange(33) * 3.0
    seen = np.zeros(33, bool)
    seen[:2] = True
    px[32] = (1e6, 1e6)  # a wild, unseen landmark
    assert body_size(px, seen) == pytest.approx(1.0)  # the two seen: 3 px apart, / 3
    assert body_size(px) > 1e5


def test_a_skewed_body_is_oblique():
    # (The hips were 55 px apart before the tilt, which stretched them to a ratio of
    # 1.8: an end-on reading, whose skew no longer counts. 30 px keeps it overhead.)
    px = pose(30, 150)
    px[index("left_hip")] += (0, 40)  # the hip line tilts against the torso in the image
    px[index("right_hip")] -= (0, 40)
    cal = calibrate(px, None)
    assert cal.view == "oblique" and cal.skew > 25


@pytest.mark.parametrize("height", [0.15, 0.3, 0.5])
@pytest.mark.parametrize("beyond", [1.0, 2.0])
def test_a_low_camera_beyond_the_feet_is_end_on_not_oblique(height, beyond):
    """From floor or chair height beyond the feet the torso is a few pixels long, so the
    angle it makes with the hip line is noise and perspective: 65 of 111 such cameras
    in the suite's tuning split read oblique, which turned every lateral check off."""
    from formcheck.simulate import Camera

    # The body lies along x, feet toward +x; the camera stands 30 cm off its midline.
    camera = Camera(position=(0.9 + beyond, 0.3, height), look_at=(0.3, 0.0, 0.1))
    frame = simulate("heel_slide", reps=1, camera=camera, jitter=0.0).frames[0]
    cal = calibrate(frame.pixels(), frame.world)
    assert cal.view == "end_on", (cal.ratio, cal.skew)


def test_a_corner_camera_is_oblique_and_turns_off_the_lateral_checks():
    from formcheck.engine import analyze
    from formcheck.simulate import Camera
    from formcheck.specs import load_spec

    camera = Camera(position=(2.0, 1.6, 1.3), look_at=(0.2, 0.0, 0.15))
    sim = simulate("heel_slide", reps=2, camera=camera, seed=2)
    spec = load_spec(Path(__file__).resolve().parents[2] / "exercise_specs" / "heel_slide.toml")
    res = analyze(sim.frames, spec)
    assert res.view == "oblique" and res.reps == 2
    assert {c for c, _ in res.checks_disabled} == {
        "heel_off_line",
        "pelvis_shift",
        "pelvis_rotation",
        "pelvis_lift",
        "partial_range",  # a corner can't read the knee within 10 degrees either
    }
    assert "can't be seen from a corner" in res.checks_disabled[0][1]
