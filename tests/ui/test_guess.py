"""The exercise guess: right, or silent when unsure; never another exercise on a clean clip."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from formcheck.bench.guess_suite import KNOWN_WRONG, sweep_guess, sweep_pairs
from formcheck.engine.result import AnalysisResult, RepRecord, Series
from formcheck.guess import Uprightness, choose, posture
from formcheck.simulate import FILMED_FROM, simulate
from formcheck.specs import load_specs
from formcheck.ui.library import guess_exercise

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def specs():
    return load_specs()


def _result(name: str, reps: list[tuple], view: str = "side") -> AnalysisResult:
    """A result with reps given as ``(side, start, end, status, rom_min, rom_max)``."""
    table = tuple(
        RepRecord(i + 1, side, start, end, status, lo, hi)
        for i, (side, start, end, status, lo, hi) in enumerate(reps)
    )
    return AnalysisResult(
        exercise=name,
        side="left",
        view=view,
        holds=0,
        hold_table=(),
        rep_table=table,
        flags=(),
        frames=100,
        frames_with_pose=100,
        checks_disabled=(),
        series=Series(t=np.zeros(0)),
    )


def _slides(n: int, status: str = "full", lo: float = 95.0, hi: float = 175.0) -> list[tuple]:
    return [("left", 4.0 * i, 4.0 * i + 3.0, status, lo, hi) for i in range(n)]


def _squats(n: int) -> list[tuple]:  # knee from straight down to bent: decrease
    return [("both", 4.0 * i, 4.0 * i + 3.0, "full", 95.0, 175.0) for i in range(n)]


@pytest.mark.parametrize(
    ("uprightness", "others", "expected", "reason"),
    [
        # Lying from the side: the squat's 5 don't count, whatever they are.
        (0.05, {"squat": _squats(5)}, "heel_slide", ""),
        # Upright from the side: the heel slide is out, the squat it is.
        (0.95, {"squat": _squats(5)}, "squat", ""),
        # Posture unknown: 4 against 5 is no clear margin.
        (math.nan, {"squat": _squats(5)}, None, "squat and heel_slide fit about as well"),
        # A knee gap whose rest is far from the adductor squeeze's rest: not its reps.
        (
            0.05,
            {
                "adductor_squeeze": [
                    ("both", 4.0 * i, 4.0 * i + 3.0, "full", 1.0, 1.9) for i in range(6)
                ]
            },
            "heel_slide",
            "",
        ),
        # A lying march whose legs "alternate" at the same time: both sides at once.
        (
            0.05,
            {
                "lying_march": [
                    (side, 4.0 * i, 4.0 * i + 3.0, "full", 90.0, 140.0)
                    for i in range(6)
                    for side in ("left", "right")
                ]
            },
            "heel_slide",
            "",
        ),
    ],
)
def test_the_guess_weighs_posture_rest_and_turns_not_just_counts(
    specs, uprightness, others, expected, reason
):
    results = {"heel_slide": _result("heel_slide", _slides(4))}
    results |= {name: _result(name, reps) for name, reps in others.items()}
    chosen = choose(results, specs, uprightness)
    assert (chosen.name, chosen.reason) == (expected, reason)


@pytest.mark.parametrize(
    ("reps", "expected", "reason"),
    [
        (_slides(1), None, "no exercise fits two reps or more"),
        (_slides(2, "partial") + _slides(2), None, "too few of the heel_slide reps were full"),
        (_slides(3), "heel_slide", ""),
    ],
)
def test_a_guess_needs_enough_full_reps(specs, reps, expected, reason):
    chosen = choose({"heel_slide": _result("heel_slide", reps)}, specs, 0.05)
    assert (chosen.name, chosen.reason) == (expected, reason)


@pytest.mark.parametrize(
    ("exercise", "lying"), [("heel_slide", True), ("glute_bridge", True), ("squat", False)]
)
def test_posture_is_read_from_the_side_only(exercise, lying):
    sim = simulate(
        exercise, reps=1, view="side", side="left" if exercise == "heel_slide" else "both"
    )
    meter = Uprightness()
    for frame in sim.frames:
        meter.update(frame)
    assert posture("side", meter.value()) == ("lying" if lying else "upright")
    assert posture("end_on", meter.value()) is None  # a high camera makes a lying torso stand up


# The sweep over every exercise and view is measured by `formcheck bench` (row "10 exercise
# guess", `formcheck.bench.guess_suite.sweep_guess`); these are representative cases: the
# heel slide from its two views, an exercise lying on the side, and a standing one.
@pytest.mark.slow
@pytest.mark.parametrize(
    ("exercise", "view"),
    [("heel_slide", "end_on"), ("heel_slide", "side"), ("clamshell", "side"), ("squat", "end_on")],
)
def test_a_simulated_clip_is_never_taken_for_another_exercise(specs, exercise, view):
    assert sweep_guess(exercise, view, specs) in (exercise, None)


def test_the_bench_sweep_covers_every_rep_exercise_and_view(specs):
    pairs = sweep_pairs(specs)
    assert ("heel_slide", "end_on") in pairs and ("heel_slide", "side") in pairs
    assert {e for e, _ in pairs} == {
        e for e in FILMED_FROM if e in specs and specs[e].phase is not None
    }
    assert set(pairs) >= KNOWN_WRONG


RENDERED = sorted((ROOT / "sample_videos").glob("heel_slide_*.mp4"))


@pytest.mark.slow
@pytest.mark.parametrize("clip", RENDERED, ids=[p.stem for p in RENDERED])
def test_a_rendered_heel_slide_is_never_taken_for_another_exercise(specs, clip, tmp_path):
    # Through the real model: the clean side view once suggested "Knee wag".
    from formcheck.cli import main
    from formcheck.lmfile import read_landmarks

    landmarks = tmp_path / f"{clip.stem}.jsonl"
    assert main(["landmarks", str(clip), "-o", str(landmarks)]) == 0
    guess = guess_exercise(list(read_landmarks(landmarks)[1]), specs)
    assert guess.name in ("heel_slide", None)
    # Clean, and clearly so. (The clean side view was named too before the engine counted
    # without a still rest; now a glute bridge fits its 3 reps as well and the guess is
    # silent there: a known shortfall of issue 13.)
    if clip.stem == "heel_slide_left_end_on":
        assert guess.name == "heel_slide"
