"""The simulator's building blocks: body, camera, views, timeline, truth records."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.simulate import Body, Camera, Fault, RepTruth, ViewPreset, body_named
from formcheck.simulate.geometry import two_link
from formcheck.simulate.timeline import plan_reps, progress_at


def test_body_presets_scale_with_height():
    small, tall = body_named("average_female"), body_named("tall_male")
    assert tall.leg / small.leg == pytest.approx(1.88 / 1.63)
    assert body_named(small) is small


def test_body_height_is_checked():
    with pytest.raises(ValueError, match=r"height: expected metres in \[1.0, 2.3\], got 3.0"):
        Body(name="giant", height=3.0)


def test_two_link_keeps_lengths_and_bends_toward_the_pole():
    root, target = np.zeros(3), np.array([0.6, 0.0, 0.0])
    upper, lower = two_link(root, target, 0.4, 0.4, np.array([0.0, 0.0, 1.0]))
    mid = root + 0.4 * upper
    assert np.allclose(mid + 0.4 * lower, target) and mid[2] > 0


def test_camera_projects_its_target_to_the_centre_with_zero_depth():
    cam = Camera(position=(1.0, 2.0, 1.5), look_at=(0.0, 0.0, 0.2))
    out = cam.project(np.array([[0.0, 0.0, 0.2], [0.0, 0.0, 0.5]]), origin=np.array([0, 0, 0.2]))
    assert out[0].tolist() == pytest.approx([0.5, 0.5, 0.0])
    assert out[1, 1] < 0.5  # higher in the room is higher in the image


def test_camera_depth_is_scaled_like_x():
    cam = Camera(position=(0.0, 3.0, 0.0), look_at=(0.0, 0.0, 0.0))
    origin = np.zeros(3)
    out = cam.project(np.array([[0.1, 0.0, 0.0], [0.0, -0.1, 0.0]]), origin=origin)
    # 10 cm sideways and 10 cm further away give (nearly) the same magnitude.
    assert abs(out[0, 0] - 0.5) == pytest.approx(abs(out[1, 2]), rel=1e-9)
    assert out[1, 2] > 0  # further away is positive


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(position=(0, 0, 1), look_at=(0, 0, 1)), "look_at: expected a point away"),
    (dict(position=(0, 0, 3), look_at=(0, 0, 0)), "up: expected a direction not along"),
    (dict(position=(0, 3, 1), look_at=(0, 0, 0), hfov_deg=5), r"hfov_deg: expected degrees"),
    (dict(position=(0, 3), look_at=(0, 0, 0)), "position: expected 3 finite numbers"),
])
def test_camera_checks_its_fields(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Camera(**kwargs)


def test_view_preset_checks_distances():
    with pytest.raises(ValueError, match=r"side_distance: expected metres in \[0.2, 10\]"):
        ViewPreset(side_distance=50.0)


def test_timeline_snaps_to_frames_and_peaks_mid_rep():
    plans = plan_reps(["left"] * 2, lead_in=1.0, tempo=3.0, pause=0.5, fps=30.0)
    assert [(p.start, p.end) for p in plans] == [(1.0, 4.0), (4.5, 7.5)]
    assert float(progress_at(plans[0], 2.5)) == pytest.approx(1.0)
    assert float(progress_at(plans[0], 0.9)) == 0.0


def test_hold_progress_is_flat_while_held():
    plan = plan_reps(["both"], lead_in=0.0, tempo=2.0, pause=0.0, hold_s=3.0, fps=10.0)[0]
    assert plan.hold == (1.0, 4.0)
    assert progress_at(plan, np.array([1.0, 2.5, 4.0])).tolist() == [1.0, 1.0, 1.0]


def test_rep_truth_checks_itself():
    with pytest.raises(ValueError, match=r"rep 1: expected start < end, got 2\.0 >= 1\.0"):
        RepTruth(index=1, side="left", start=2.0, end=1.0)
    with pytest.raises(ValueError, match="status: expected one of full, partial, got 'half'"):
        RepTruth(index=1, side="left", start=0.0, end=1.0, status="half")
    with pytest.raises(ValueError, match="unit: expected one of cm, deg, s, got 'mm'"):
        Fault(1.0, "mm")
