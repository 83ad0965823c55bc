"""Each exercise moves the way it should, and what must stay put stays put."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.simulate import EXERCISES
from formcheck.simulate.motions import MOTIONS
from tests.simulate.simkit import quick, track

# exercise -> (driving measure at rest, at full range), degrees unless named _cm.
RANGES = {
    "heel_slide": (85, 180), "glute_bridge": (135, 170), "clamshell": (0, 28),
    "lying_march": (138, 92), "knee_wag": (0, 38), "adductor_squeeze": (28, 23),
    "seated_leg_extension": (90, 175), "spinal_flexion": (-5, 45),
    "legs_up_the_wall": (110, 178), "wide_legs_up_the_wall": (8, 70), "squat": (180, 85),
    "sit_up": (138, 73), "push_up": (168, 74), "jumping_jack": (6, 166),
}


def test_every_exercise_has_an_expected_range():
    assert sorted(RANGES) == sorted(EXERCISES)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_driver_goes_out_and_comes_back(exercise):
    sim = quick(exercise, reps=2, partial_reps=(2,))
    full, part = sim.truth.reps
    rest, peak = RANGES[exercise]
    assert full.measures["driver_start"] == pytest.approx(rest, abs=2)
    assert full.measures["driver_peak"] == pytest.approx(peak, abs=2)
    assert part.status == "partial"
    assert abs(part.measures["driver_peak"] - rest) < 0.75 * abs(peak - rest)
    series = sim.truth.angles[full.driver]
    after = sim.truth.times > part.end
    assert series[after] == pytest.approx(np.full(after.sum(), series[0]), abs=1e-6)


@pytest.mark.parametrize("exercise", [e for e in EXERCISES if MOTIONS[e].kind == "hold"])
def test_holds_are_recorded_and_still(exercise):
    sim = quick(exercise, reps=2, hold_s=1.0)
    assert len(sim.truth.holds) == 2
    for rep, (start, end) in zip(sim.truth.reps, sim.truth.holds, strict=True):
        assert rep.hold == (start, end) and rep.start < start < end < rep.end
        assert end - start == pytest.approx(1.0)
        inside = (sim.truth.times >= start) & (sim.truth.times <= end)
        assert np.ptp(sim.truth.clean[inside], axis=0).max() < 1e-9


def test_hold_defaults_to_the_exercise_s_own():
    sim = quick("adductor_squeeze", reps=1, hold_s=None)
    start, end = sim.truth.holds[0]
    assert end - start == pytest.approx(4.0)


def _still(sim, *names: str) -> None:
    for name in names:
        assert np.ptp(track(sim, name), axis=0).max() < 1e-9, f"{name} moved"


def test_glute_bridge_lifts_the_pelvis_off_still_shoulders_and_feet():
    sim = quick("glute_bridge", reps=1)
    _still(sim, "left_shoulder", "right_shoulder", "nose", "left_heel", "right_foot_index")
    hip = track(sim, "left_hip")[:, 2]
    assert hip.max() - hip[0] > 0.10


def test_clamshell_keeps_the_feet_together_and_lifts_the_top_knee():
    sim = quick("clamshell", reps=1, side="right")
    _still(sim, "left_ankle", "right_ankle", "left_knee", "left_hip")
    knee = track(sim, "right_knee")[:, 2]
    assert knee.max() - knee[0] > 0.1
    assert track(sim, "right_hip")[0, 2] > track(sim, "left_hip")[0, 2]  # right side on top


def test_clamshell_pelvis_roll_is_measured():
    sim = quick("clamshell", reps=1, pelvis_roll_deg=10.0)
    assert sim.truth.reps[0].faults["pelvis_roll"].size == pytest.approx(10.0, abs=0.05)


def test_lying_march_alternates_and_keeps_the_other_foot_planted():
    sim = quick("lying_march", reps=2, side="both")
    assert [r.side for r in sim.truth.reps] == ["left", "right"]
    first = sim.truth.times <= sim.truth.reps[0].end
    assert np.ptp(track(sim, "right_heel")[first], axis=0).max() < 1e-9
    assert track(sim, "left_knee")[first, 2].max() > 0.45  # thigh vertical


def test_knee_wag_drops_the_knees_toward_the_rep_side():
    sim = quick("knee_wag", reps=2, side="alternating")
    tilt = sim.truth.angles["knee_tilt_deg"]
    first = sim.truth.times <= sim.truth.reps[0].end
    assert tilt[first].max() > 30 and tilt[~first].min() < -30  # left (+) then right (-)
    _still(sim, "left_heel", "right_heel")


def test_adductor_squeeze_is_visually_small():
    sim = quick("adductor_squeeze", reps=1)
    heel, knee = track(sim, "left_heel"), track(sim, "left_knee")
    assert np.ptp(heel, axis=0).max() < 1e-9
    assert 0.01 < np.ptp(knee[:, 1]) < 0.05  # each knee moves 1-5 cm


def test_seated_leg_extension_keeps_the_back_upright():
    sim = quick("seated_leg_extension", reps=1, side="right")
    _still(sim, "left_shoulder", "right_shoulder", "left_hip", "left_ankle")
    up = (track(sim, "left_shoulder") - track(sim, "left_hip"))[0]
    assert abs(up[0]) < 1e-9 and up[2] > 0


@pytest.mark.parametrize("exercise", ["squat", "jumping_jack", "push_up"])
def test_feet_stay_on_the_floor(exercise):
    sim = quick(exercise, reps=1)
    for name in ("left_foot_index", "right_foot_index"):
        z = track(sim, name)[:, 2]
        assert np.ptp(z) < 1e-9 and 0 <= z[0] < 0.06


def test_push_up_hands_stay_put():
    sim = quick("push_up", reps=1)
    _still(sim, "left_wrist", "right_wrist", "left_index")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_nothing_goes_through_the_floor(exercise):
    sim = quick(exercise, reps=1, side="right")
    assert sim.truth.clean[..., 2].min() > -0.01
