"""The one-angle counter set beside the engine: it counts what it says, on what it says."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.bench import baseline, rendered
from formcheck.bench.suite_cases import draw_case
from formcheck.bench.suite_score import one_angle
from formcheck.bench.suite_sim import cached_simulation
from formcheck.frame import PoseFrame
from formcheck.landmarks import index

THIRD = rendered.RENDERED_DIR.parent / "rendered_s15"


@pytest.mark.parametrize(
    ("angles", "expected"),
    [
        ([95, 176, 95, 176, 95], 2),  # rests bent: counted as the leg straightens
        ([175, 60, 172, 55, 170], 2),  # rests straight: counted as it straightens again
        ([95, 125, 95, 149, 95], 0),  # partial reps never cross the upper line
        ([175, 125, 175], 0),  # nor the lower one
        ([95, 130, 140, 151], 1),  # a slow rise still counts once
        ([95, np.nan, np.nan, 160], 1),  # unseen frames change nothing
        ([160, 170, 175], 0),  # never bent: no rep
        ([95, 151, 149, 151, 95], 1),  # noise about the upper line is not a second rep
    ],
)
def test_one_angle_count(angles, expected):
    assert baseline.one_angle_count(np.array(angles, float)) == expected


def test_only_reps_crossing_both_lines_are_its_to_find():
    assert baseline.spanning_reps([(95, 176), (95, 125), (60, 170), (125, 176)]) == 2


def _frame(knee_deg: float, visibility: float = 0.9) -> PoseFrame:
    """A left leg with its thigh along x and the knee bent to ``knee_deg``, in a 640 x 480
    image: hip at (0.3, 0.5), knee at (0.5, 0.5)."""
    image = np.zeros((33, 4))
    image[:, 3] = visibility
    rad = np.radians(180.0 - knee_deg)
    shank = np.array([np.cos(rad), np.sin(rad)]) * 0.2
    image[index("left_hip"), :2] = (0.3, 0.5)
    image[index("left_knee"), :2] = (0.5, 0.5)
    image[index("left_ankle"), :2] = np.array([0.5, 0.5]) + shank * (1.0, 640 / 480)
    return PoseFrame(t=0.0, width=640, height=480, image=image, world=None)


def test_the_knee_angle_is_read_in_pixels_and_nan_where_unseen():
    frames = [_frame(90.0), _frame(170.0), _frame(120.0, visibility=0.3)]
    frames.append(PoseFrame(t=0.1, width=640, height=480, image=None, world=None))
    angles = baseline.knee_angles_2d(frames, "left")
    np.testing.assert_allclose(angles[:2], [90.0, 170.0], atol=1e-6)
    assert np.isnan(angles[2:]).all()


def test_a_rendered_clip_carries_the_counters_count_beside_the_engines():
    # rs00 (tuning): one full rep to 176 and one partial to 125 from a 95 degree rest;
    # the counter sees the full rep only, as it should.
    score = rendered.score_all(
        [c for c in rendered.load_clips(THIRD) if c.name == "rs00_side_floor_left"]
    )[0]
    assert (score.one_angle, score.spanning) == (1, 1) and score.one_angle_exact
    assert (score.truth_full, score.truth_partial) == (1, 1)


def test_a_suite_heel_slide_carries_the_counter_and_other_cases_do_not(tmp_path):
    single = draw_case(281, 13)  # a left-leg heel slide with two partial reps at 100 deg
    assert (single.exercise, single.side) == ("heel_slide", "left")
    sim = cached_simulation(single, tmp_path)
    counted, visible = one_angle(single, sim.frames, sim.truth)
    assert visible == single.reps - len(single.partial_reps) == counted
    other = next(c for c in (draw_case(i, 13) for i in range(40)) if c.exercise != "heel_slide")
    assert one_angle(other, [], None) is None


def test_the_suite_tally_sets_the_counter_beside_the_engines_full_reps_and_exact_counts():
    from formcheck.bench.suite import Tally
    from formcheck.bench.suite_score import CaseOutcome

    case = draw_case(0)

    def outcome(full, partial, counter):
        # truth: 3 full + 1 partial; the counter's truth is the 3 full reps
        return CaseOutcome(case, 3, 1, full, partial, 0, 0, (), "side", one_angle=(counter, 3))

    outcomes = [
        outcome(3, 1, 3),  # both right
        outcome(3, 0, 3),  # the engine lost the partial rep: its full reps are still right
        outcome(4, 0, 2),  # the engine called the partial full; the counter lost a rep
        CaseOutcome(case, 3, 0, 3, 0, 0, 0, (), "side"),  # not a single-leg heel slide
    ]
    # (cases, counter exact, engine full reps exact, engine exact, engine all found)
    assert Tally.of(outcomes).one_angle == (3, 2, 2, 1, 2)
