"""Whole sessions: timing truth, determinism, dropped frames, framing, validation."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from formcheck.simulate import VIEWS, Camera, simulate
from tests.simulate.simkit import each_exercise_with, quick

SIDES = ("left", "right", "both", "alternating")


def _images(sim) -> np.ndarray:
    return np.array([f.image for f in sim.frames if f.has_pose])


@pytest.mark.parametrize(("exercise", "side"), each_exercise_with(SIDES))
def test_rep_truth_is_ordered_and_counted(exercise, side):
    sim = quick(exercise, reps=3, side=side)
    reps = sim.truth.reps
    assert len(reps) == 3 and [r.index for r in reps] == [1, 2, 3]
    for a, b in itertools.pairwise(reps):
        assert a.end <= b.start
    for r in reps:
        assert r.start < r.end <= sim.truth.times[-1]
        assert sim.truth.times[0] < r.start  # the lead-in comes first


def test_alternating_sides_alternate():
    sim = quick("heel_slide", reps=4, side="alternating")
    assert [r.side for r in sim.truth.reps] == ["left", "right", "left", "right"]


def test_lead_in_is_still():
    sim = quick("heel_slide", lead_in=1.0, jitter=0.0)
    still = sim.truth.clean[sim.truth.times < 1.0]
    assert np.ptp(still, axis=0).max() == 0.0


def test_timing_follows_the_controls():
    sim = simulate("heel_slide", reps=2, fps=30.0, tempo=3.0, pause=1.0, lead_in=2.0, jitter=0.0)
    assert [(r.start, r.end) for r in sim.truth.reps] == [(2.0, 5.0), (6.0, 9.0)]


@pytest.mark.parametrize(("exercise", "view"), each_exercise_with(VIEWS))
def test_every_view_frames_the_whole_body(exercise, view):
    sim = quick(exercise, view=view, side="alternating", reps=2, jitter=1.0)
    xy = _images(sim)[:, :, :2]
    assert (xy > 0).all() and (xy < 1).all()
    # ... and the body is not a speck: it spans a good part of the frame.
    span = np.ptp(sim.truth.clean.reshape(-1, 3), axis=0).max()
    assert span > 0.5
    assert max(np.ptp(xy[..., 0]), np.ptp(xy[..., 1])) > 0.2


def test_side_view_sees_the_working_side_best():
    sim = quick("heel_slide", side="right", jitter=0.0)
    vis = sim.frames[0].image[:, 3]
    from formcheck.landmarks import index

    assert vis[index("right_knee")] > 0.9 > 0.7 > vis[index("left_knee")]


def test_no_jitter_is_exact_and_repeatable():
    a, b = quick("glute_bridge", seed=1), quick("glute_bridge", seed=2)
    assert all(np.array_equal(x.image, y.image) for x, y in zip(a.frames, b.frames, strict=True))


def test_same_seed_same_noise_other_seed_other_noise():
    a, b, c = (quick("heel_slide", jitter=1.0, seed=s) for s in (7, 7, 8))
    assert all(
        np.array_equal(x.image, y.image) and np.array_equal(x.world, y.world)
        for x, y in zip(a.frames, b.frames, strict=True)
    )
    assert not np.array_equal(_images(a), _images(c))


def test_noise_is_pixel_sized():
    clean, noisy = quick("heel_slide", jitter=0.0), quick("heel_slide", jitter=1.0)
    px = (_images(noisy) - _images(clean))[:, :, :2] * (640, 480)
    assert 0.3 < np.std(px) < 5.0


def test_dropped_frames_are_no_pose_at_the_recorded_indices():
    sim = quick("heel_slide", reps=3, drop_frames=0.2, gaps=((1.0, 1.4),), seed=3)
    empty = [k for k, f in enumerate(sim.frames) if not f.has_pose]
    assert empty == list(sim.truth.dropped)
    n = len(sim.frames)
    in_gap = [k for k, t in enumerate(sim.truth.times) if 1.0 <= t < 1.4]
    assert set(in_gap) <= set(empty)
    assert len(empty) >= round(0.2 * n)
    # The truth still knows where the body was during a dropped frame.
    assert np.isfinite(sim.truth.image["left_heel"][empty]).all()


def test_frames_are_posture_frames_with_world_landmarks():
    sim = quick("glute_bridge")
    f = sim.frames[0]
    assert (f.width, f.height) == (640, 480) and f.world.shape == (33, 3)
    mid = (f.world[23] + f.world[24]) / 2
    assert np.allclose(mid, 0.0, atol=1e-12)  # hip-centred


def test_world_axes_are_camera_aligned():
    sim = quick("glute_bridge", jitter=0.0)
    f = sim.frames[0]
    # Side view: the head is far to the image's right and, lying, level: world x follows.
    img_dx = f.image[0, 0] - f.image[23, 0]
    assert np.sign(f.world[0, 0]) == np.sign(img_dx)


def test_custom_camera_and_size():
    cam = Camera(position=(0.0, 3.0, 1.0), look_at=(0.0, 0.0, 0.2), width=1280, height=720)
    sim = quick("heel_slide", camera=cam)
    assert (sim.frames[0].width, sim.frames[0].height) == (1280, 720)
    assert sim.truth.camera["view"] == "custom"


def test_truth_is_json_ready():
    sim = quick("heel_slide", veer_cm=2.0, drop_frames=0.1)
    text = json.dumps(sim.to_dict())
    back = json.loads(text)
    assert back["truth"]["reps"][0]["faults"]["heel_veer"]["unit"] == "cm"
    assert len(back["frames"]) == len(sim.frames)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(side="middle"), "side: expected one of left, right, both, alternating, got 'middle'"),
        (dict(view="drone"), "view: expected one of side, end_on, overhead, got 'drone'"),
        (dict(reps=0), "reps: expected an integer >= 1, got 0"),
        (dict(veer_reps=(9,)), "veer_reps: expected rep numbers in 1..2, got 9"),
        (dict(body="giant"), "body: expected one of average_female, average_male, tall_male"),
    ],
)
def test_bad_controls_say_what_was_expected(kwargs, message):
    if "veer_reps" in kwargs:
        kwargs["veer_cm"] = 1.0
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        quick("heel_slide", **kwargs)


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"exercise: expected one of .*heel_slide"):
        simulate("handstand")


def test_fault_the_exercise_cannot_show_is_refused():
    with pytest.raises(ValueError, match=r"veer \(glute_bridge\): expected 0"):
        quick("glute_bridge", veer_cm=2.0)


@pytest.mark.parametrize(
    ("exercise", "name"),
    [("heel_slide", "knee"), ("glute_bridge", "hip"), ("adductor_squeeze", "knee_gap_cm")],
)
def test_driver_series_follows_the_working_side(exercise, name):
    sim = quick(exercise, reps=2, side="alternating")
    assert sim.truth.driver_name == name
    for rep in sim.truth.reps:
        inside = (sim.truth.times >= rep.start) & (sim.truth.times <= rep.end)
        assert np.array_equal(sim.truth.driver[inside], sim.truth.angles[rep.driver][inside])


def test_clean_image_matches_the_noise_free_frames():
    clean = quick("heel_slide", jitter=0.0)
    noisy = quick("heel_slide", jitter=1.0)
    assert np.array_equal(noisy.truth.clean_image[0], clean.frames[0].image)


def test_truth_records_the_camera_plainly():
    sim = quick("heel_slide")
    assert set(sim.truth.camera) == {
        "position",
        "look_at",
        "up",
        "hfov_deg",
        "width",
        "height",
        "view",
    }
    assert sim.truth.camera["view"] == "side"
