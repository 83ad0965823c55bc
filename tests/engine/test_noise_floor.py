"""The noise floor and "can this check be judged" verdicts, from 2 s of lying still.

Simulated still heel-slide poses from several views and noise levels map to
the verdict of each drift check: a calm camera judges what its view shows; one
whose still poses read near the limit says the check can't be judged here,
with a reason and how to move the camera.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pytest

from formcheck.engine.noise_floor import (
    MARGIN,
    CheckVerdict,
    NoiseFloor,
    assess_still,
    rest_floor,
    verdict,
)
from formcheck.simulate import simulate
from formcheck.specs import load_spec

SPEC = Path(__file__).resolve().parents[2] / "exercise_specs" / "heel_slide.toml"


@cache
def spec():
    return load_spec(SPEC)


@cache
def still(view: str, jitter: float):
    s = simulate("heel_slide", reps=1, view=view, jitter=jitter, lead_in=3.0, seed=1)
    return tuple(f for f in s.frames if f.t < 2.0)


@pytest.mark.parametrize(
    ("view", "jitter", "judged"),
    [
        # calibrated MediaPipe jitter: each view judges what it can see (the knee's
        # fixed target only from the side, where the angle reads truly)
        ("end_on", 1.0, {"heel_off_line", "pelvis_shift", "pelvis_rotation"}),
        ("side", 1.0, {"pelvis_lift", "partial_range"}),
        # three times the jitter beyond the feet: the pelvis's wander nears its limit
        ("end_on", 3.0, {"heel_off_line", "pelvis_rotation"}),
        # eight times: nothing lateral can be told from noise (and the view reads oblique)
        ("end_on", 8.0, set()),
        ("side", 3.0, {"partial_range"}),
    ],
)
def test_still_poses_say_which_checks_can_be_judged(view, jitter, judged):
    report = assess_still(still(view, jitter), spec())
    assert {v.code for v in report.verdicts if v.judged} == judged
    for v in report.verdicts:
        if not v.judged:
            assert v.reason and v.advice, v
            assert "can't be judged from this placement" in v.describe()


def test_an_unjudged_floor_is_the_one_that_crosses_the_margin():
    heel = spec().check("heel_off_line")
    at = heel.limit_for("end_on") / MARGIN
    assert verdict(heel, "end_on", NoiseFloor(heel.code, "cm", rest=at * 0.99)).judged
    assert not verdict(heel, "end_on", NoiseFloor(heel.code, "cm", rest=at * 1.01)).judged
    assert not verdict(heel, "side", None).judged
    # No floor yet (nothing still seen): a check noise can fake is not judged ...
    unknown = verdict(heel, "end_on", None)
    assert not unknown.judged and "lie still" in unknown.advice
    # ... and one it can't goes by the view.
    assert verdict(spec().check("partial_range"), "side", None).judged
    assert not verdict(spec().check("partial_range"), "end_on", None).judged


@pytest.mark.parametrize(
    ("view", "skew", "ratio", "judged", "says"),
    [
        ("end_on", 5.0, 12.3, True, ""),  # square to the body: any height
        # Beyond the feet the torso is foreshortened and its direction (the skew) is
        # noise; a camera looking down steeply enough judges the path (a tripod's
        # ratio is about 3), one from low down (the floor's, about 12) can't.
        ("end_on", 80.0, 3.1, True, ""),
        ("end_on", 80.0, 12.3, False, "too low"),
        ("end_on", 80.0, math.nan, False, "too low"),
        # High and off to one side, the torso is long and the skew is real.
        ("overhead", 20.0, 1.2, False, "20° off square"),
    ],
)
def test_a_path_is_judged_from_a_square_or_steep_camera(view, skew, ratio, judged, says):
    heel = spec().check("heel_off_line")
    calm = NoiseFloor(heel.code, "cm", rest=0.5, samples=50)
    v = verdict(heel, view, calm, skew, ratio=ratio)
    assert (v.judged, says in (v.reason or "")) == (judged, True)
    if says == "too low":
        assert v.advice.startswith("raise the camera beyond your feet")


def test_rest_floor_is_robust_to_one_wild_frame():
    calm = [0.4, 0.5, 0.6] * 10
    assert rest_floor([*calm, 50.0]) == pytest.approx(rest_floor(calm), rel=0.1)
    assert math.isnan(rest_floor([0.5] * 3))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(judged=False), "needs a reason and advice"),
        (dict(judged=True, floor=-1.0), "floor: expected a value >= 0 or NaN"),
    ],
)
def test_verdicts_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CheckVerdict(code="heel_off_line", label="x", limit=4.0, unit="cm", **kwargs)
