"""Bone lengths never change, whatever the motion, view, side or body."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.simulate import BODY_NAMES
from tests.simulate.simkit import each_exercise_with, quick, track

BONES = [
    (f"{s}_{a}", f"{s}_{b}")
    for s in ("left", "right")
    for a, b in (
        ("hip", "knee"),
        ("knee", "ankle"),
        ("ankle", "heel"),
        ("ankle", "foot_index"),
        ("heel", "foot_index"),
        ("shoulder", "elbow"),
        ("elbow", "wrist"),
    )
] + [("left_hip", "right_hip"), ("left_shoulder", "right_shoulder"), ("left_ear", "right_ear")]


@pytest.mark.parametrize(("exercise", "body"), each_exercise_with(BODY_NAMES))
def test_bone_lengths_are_constant(exercise, body):
    sim = quick(exercise, body=body, side="alternating", pelvis_shift_cm=0.0)
    for a, b in BONES:
        length = np.linalg.norm(track(sim, a) - track(sim, b), axis=1)
        assert np.ptp(length) < 1e-9, f"{exercise} {a}-{b} varies by {np.ptp(length)} m"


def test_bigger_body_has_longer_bones():
    small = quick("heel_slide", body="average_female")
    tall = quick("heel_slide", body="tall_male")
    thigh = [
        np.linalg.norm(track(s, "left_hip")[0] - track(s, "left_knee")[0]) for s in (small, tall)
    ]
    assert thigh[1] > thigh[0] * 1.1
