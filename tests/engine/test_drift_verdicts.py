"""Drift checks across camera placements: flags where a check can be judged, a verdict
saying it can't (and how to move the camera) everywhere else, never a flag on every rep.

Each case is a simulated heel-slide set (3 reps of the left leg, a fault on rep 2 or
none) filmed from one placement at one noise level, mapped to each drift check's
expected verdict and the reps it flags. Before the noise floor, a low camera beyond
the feet read as oblique (every lateral check off, a pelvis shift unflagged), and a
noisy or off-square camera flagged clean reps.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from formcheck.engine import analyze
from formcheck.simulate import Camera, simulate
from formcheck.specs import load_spec

SPEC = Path(__file__).resolve().parents[2] / "exercise_specs" / "heel_slide.toml"
#: The body lies along x, feet toward +x (about x = 0.9 m); the camera is beyond them.
PLACEMENTS = {
    "tripod, square": ((2.9, 0.0, 1.4), (0.3, 0.0, 0.1)),
    "chair, square": ((2.6, 0.05, 0.5), (0.3, 0.0, 0.1)),
    "floor, off the midline": ((2.9, 0.4, 0.3), (0.3, 0.0, 0.1)),
}
FAULTS = {
    "none": {},
    "heel veer 6 cm": {"veer_cm": 6.0, "veer_reps": (2,)},
    "pelvis shift 7 cm": {"pelvis_shift_cm": 7.0, "pelvis_shift_reps": (2,)},
    "pelvis roll 12 deg": {"pelvis_roll_deg": 12.0, "pelvis_roll_reps": (2,)},
}
CODES = ("heel_off_line", "pelvis_shift", "pelvis_rotation")
UNJUDGED = "can't judge"


@cache
def spec():
    return load_spec(SPEC)


@cache
def run(placement: str, fault: str, jitter: float):
    position, look_at = PLACEMENTS[placement]
    sim = simulate(
        "heel_slide",
        reps=3,
        side="left",
        camera=Camera(position=position, look_at=look_at),
        jitter=jitter,
        lead_in=2.0,
        seed=5,
        **FAULTS[fault],
    )
    return analyze(sim.frames, spec())


def outcome(res) -> dict[str, object]:
    """Per drift check: the reps it flagged, or "can't judge"."""
    verdicts = {v.code: v for v in res.check_verdicts}
    out: dict[str, object] = {}
    for code in CODES:
        if not verdicts[code].judged:
            out[code] = "can't judge"
        else:
            out[code] = [r.rep for r in res.rep_table if code in r.flags]
    return out


@pytest.mark.parametrize(
    ("placement", "fault", "jitter", "expected"),
    [
        # Square beyond the feet: each fault flagged on its rep, nothing else.
        (
            "tripod, square",
            "heel veer 6 cm",
            1.0,
            dict(heel_off_line=[2], pelvis_shift=[], pelvis_rotation=[]),
        ),
        (
            "chair, square",
            "pelvis roll 12 deg",
            1.0,
            dict(heel_off_line=[], pelvis_shift=[], pelvis_rotation=[2]),
        ),
        # Low and off the midline: end-on (it read oblique, all checks off); the pelvis is
        # judged, the heel's line can't be (from off to one side a straight path leans).
        (
            "floor, off the midline",
            "pelvis shift 7 cm",
            1.0,
            dict(heel_off_line="can't judge", pelvis_shift=[2], pelvis_rotation=[]),
        ),
        (
            "floor, off the midline",
            "pelvis roll 12 deg",
            1.0,
            dict(heel_off_line="can't judge", pelvis_shift=[], pelvis_rotation=[2]),
        ),
        # Twice the calibrated jitter: still judged, clean reps unflagged.
        (
            "tripod, square",
            "none",
            2.0,
            dict(heel_off_line=[], pelvis_shift=[], pelvis_rotation=[]),
        ),
        # Four and eight times: the knee never lies still enough to measure the noise,
        # so nothing noise can fake is judged (it used to flag every clean rep).
        pytest.param(
            "tripod, square",
            "none",
            4.0,
            dict(heel_off_line=UNJUDGED, pelvis_shift=UNJUDGED, pelvis_rotation=UNJUDGED),
            marks=pytest.mark.slow,
        ),
        (
            "chair, square",
            "none",
            8.0,
            dict(heel_off_line=UNJUDGED, pelvis_shift=UNJUDGED, pelvis_rotation=UNJUDGED),
        ),
    ],
)
def test_drift_is_flagged_where_judged_and_said_unjudged_elsewhere(
    placement, fault, jitter, expected
):
    res = run(placement, fault, jitter)
    assert res.reps == 3
    assert outcome(res) == expected


@pytest.mark.parametrize("jitter", [1.0, 8.0])
def test_an_unjudged_check_says_why_and_where_to_put_the_camera(jitter):
    res = run("floor, off the midline" if jitter == 1.0 else "chair, square", "none", jitter)
    unjudged = [v for v in res.check_verdicts if not v.judged and v.code in CODES]
    assert unjudged
    for v in unjudged:
        assert v.reason and "camera" in v.advice
        assert v.as_dict()["judged"] is False
    assert res.to_dict()["check_verdicts"] == [v.as_dict() for v in res.check_verdicts]
