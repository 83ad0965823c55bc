"""The heel slide: knee range, partial reps, heel veer, pelvis faults."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.simulate.body import body_named
from tests.simulate.simkit import quick, track


def test_knee_goes_from_bent_to_straight():
    sim = quick("heel_slide", reps=1)
    knee = sim.truth.angles["left_knee"]
    assert knee[0] <= 90.0
    assert knee.max() == pytest.approx(180.0, abs=0.5)
    assert sim.truth.angles["right_knee"].max() <= 90.0  # the other leg stays bent


def test_partial_rep_reaches_only_its_fraction():
    sim = quick("heel_slide", reps=3, partial_reps=(2,), partial_frac=0.45)
    reps = sim.truth.reps
    assert [r.status for r in reps] == ["full", "partial", "full"]
    start = reps[1].measures["driver_start"]
    span = {r.index: r.measures["driver_peak"] - start for r in reps}
    assert span[2] / span[1] == pytest.approx(0.45, abs=0.02)
    assert reps[1].reach == pytest.approx(0.45)


def test_range_frac_scales_every_rep():
    sim = quick("heel_slide", reps=1, range_frac=0.5)
    knee = sim.truth.angles["left_knee"]
    assert knee.max() - knee[0] == pytest.approx(0.5 * (180 - knee[0]), abs=1.0)


def test_heel_stays_on_the_floor():
    sim = quick("heel_slide", side="both", veer_cm=3.0)
    floor = body_named("average_female").heel_height
    for side in ("left", "right"):
        assert np.allclose(track(sim, f"{side}_heel")[:, 2], floor, atol=1e-9)


def test_foot_goes_from_flat_to_flexed():
    sim = quick("heel_slide", reps=1)
    heel, toe = track(sim, "left_heel"), track(sim, "left_foot_index")
    rise = np.degrees(np.arctan2(toe[:, 2] - heel[:, 2], toe[:, 0] - heel[:, 0]))
    assert abs(rise[0]) < 5 and rise.max() > 60


@pytest.mark.parametrize("side", ["left", "right", "both"])
@pytest.mark.parametrize("direction", ["out", "in"])
def test_heel_veer_is_exact_on_chosen_reps_only(side, direction):
    sim = quick("heel_slide", reps=3, side=side, veer_cm=3.0, veer_direction=direction,
                veer_reps=(2,))
    sign = 1 if direction == "out" else -1
    legs = ("left", "right") if side == "both" else (side,)
    for rep in sim.truth.reps:
        for leg in legs:
            dev = rep.measures[f"heel_dev_{leg}_cm"]
            if rep.index == 2:
                assert dev == pytest.approx(sign * 3.0, abs=0.01)
            else:
                assert abs(dev) < 1e-6
        assert ("heel_veer" in rep.faults) == (rep.index == 2)
    fault = sim.truth.reps[1].faults["heel_veer"]
    assert (fault.size, fault.unit, fault.direction) == (pytest.approx(3.0, abs=0.01), "cm",
                                                          direction)


def test_veer_moves_the_heel_in_room_space_the_right_way():
    # Independent of the truth bookkeeping: left leg "out" is toward +y.
    sim = quick("heel_slide", reps=1, veer_cm=4.0)
    y = track(sim, "left_heel")[:, 1]
    assert (y.max() - y[0]) * 100 == pytest.approx(4.0, abs=0.01)
    sim = quick("heel_slide", reps=1, side="right", veer_cm=4.0, veer_direction="in")
    y = track(sim, "right_heel")[:, 1]
    assert (y.max() - y[0]) * 100 == pytest.approx(4.0, abs=0.01)


@pytest.mark.parametrize("exercise", ["heel_slide", "glute_bridge"])
def test_pelvis_shift_leaves_the_shoulders_where_they_are(exercise):
    plain = quick(exercise, reps=2)
    shifted = quick(exercise, reps=2, pelvis_shift_cm=2.5, pelvis_shift_reps=(2,))
    for name in ("left_shoulder", "right_shoulder", "nose", "left_wrist"):
        assert np.allclose(track(plain, name), track(shifted, name), atol=1e-12)
    mid = (track(shifted, "left_hip") + track(shifted, "right_hip")) / 2
    mid0 = (track(plain, "left_hip") + track(plain, "right_hip")) / 2
    assert (mid - mid0)[:, 1].max() * 100 == pytest.approx(2.5, abs=0.01)
    reps = shifted.truth.reps
    assert reps[0].measures["pelvis_shift_cm"] == pytest.approx(0.0, abs=1e-9)
    assert reps[1].faults["pelvis_shift"].size == pytest.approx(2.5, abs=0.01)
    assert reps[1].faults["pelvis_shift"].direction == "left"


def test_pelvis_roll_lifts_one_hip():
    sim = quick("glute_bridge", reps=1, pelvis_roll_deg=-8.0)
    plain = quick("glute_bridge", reps=1)
    left_up = track(sim, "left_hip")[:, 2] - track(plain, "left_hip")[:, 2]
    right_up = track(sim, "right_hip")[:, 2] - track(plain, "right_hip")[:, 2]
    assert right_up.max() > 0.01 and left_up.min() < -0.01  # negative roll: right hip up
    fault = sim.truth.reps[0].faults["pelvis_roll"]
    assert (fault.size, fault.direction) == (pytest.approx(8.0, abs=0.05), "right_hip_up")
